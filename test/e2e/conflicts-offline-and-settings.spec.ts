// Issue 19, acceptance 3–5 in the browser against the real main process: a conflict with
// another device holding the same key is shown with both record sets and settled by adopting;
// with every relay down edits and publishes queue, the screens say so, and when the relays
// return the outbox drains with nothing lost or sent twice; bad input is refused at its field.
import { expect, test } from '@playwright/test';
import { appProfile, type AppProfile } from '../support/app-profile';
import { FaultRelay } from '../support/fault-relay';
import { serveRenderer, type ServedRenderer } from '../support/renderer-bridge';
import { DomainPage } from './pages/domain-page';
import { ImportPage } from './pages/import-page';
import { ShellPage } from './pages/shell-page';

let renderer: ServedRenderer;
const relays: FaultRelay[] = [];
const profiles: AppProfile[] = [];

async function relay(mode: 'ok' | 'error500' = 'ok'): Promise<FaultRelay> {
  const started = await FaultRelay.start(mode);
  relays.push(started);
  return started;
}
async function profile(urls: readonly string[]): Promise<AppProfile> {
  const made = await appProfile({ relays: urls });
  profiles.push(made);
  return made;
}
async function ok<T>(
  reply: Promise<{ ok: boolean; value?: unknown; error?: unknown }>,
): Promise<T> {
  const result = await reply;
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value as T;
}

test.beforeAll(async () => {
  renderer = await serveRenderer();
});
test.afterAll(async () => {
  for (const p of profiles) await p.close();
  await Promise.all([...relays.map((r) => r.close()), renderer?.close()]);
});

test('another device’s newer records are a conflict shown side by side, settled by adopting', async ({
  browser,
}) => {
  const [a, b] = [await relay(), await relay()];
  const first = await profile([a.url, b.url]);
  const second = await profile([a.url, b.url]);
  const h1 = first.main.handlers;
  const key = (await h1['keys:create']({ label: 'Smith family' })).publicKey;
  const phrase = (await h1['keys:reveal-phrase']({ publicKey: key })).words.join(' ');
  await h1['records:save']({
    domain: key,
    records: [{ type: 'A', name: '@', ttl: 300, address: '192.0.2.1' }],
  });
  await h1['records:publish']({ domain: key, onTop: false });
  await expect.poll(() => b.packets.get(key)?.records.length).toBe(1);

  // The other parent's laptop imports the same key, reads the published records from the
  // network, and publishes other records on top of them.
  const h2 = second.main.handlers;
  await h2['keys:import-phrase']({ phrase, label: 'Smith family' });
  await expect.poll(() => second.main.store.getDrafts(key)).toHaveLength(1);
  await h2['records:save']({
    domain: key,
    records: [{ type: 'A', name: '@', ttl: 300, address: '198.51.100.2' }],
  });
  expect(await h2['records:publish']({ domain: key, onTop: false })).toMatchObject({
    outcome: 'queued',
  });
  await expect
    .poll(() => a.packets.get(key)?.records[0])
    .toMatchObject({ address: '198.51.100.2' });

  // This laptop edits its older draft and publishes: the app stops and shows both sets.
  const page = await first.open(browser, renderer.url, `/domains/${key}/records`);
  const domain = new DomainPage(page);
  await domain.addRecord('www', 'CNAME', 'example.org');
  await page.getByRole('button', { name: /^Publish/ }).click();
  const conflict = page.getByRole('region', { name: /Conflict/ });
  await expect(conflict).toBeVisible();
  await expect(conflict.getByRole('list', { name: 'Their records' })).toContainText('198.51.100.2');
  await expect(conflict.getByRole('list', { name: 'Your records' })).toContainText('192.0.2.1');
  await expect(conflict.getByRole('list', { name: 'Your records' })).toContainText('example.org');
  // Nothing was overwritten: the relays still hold theirs.
  expect(a.packets.get(key)?.records[0]).toMatchObject({ address: '198.51.100.2' });
  const shell = new ShellPage(page);
  await shell.expectAccessible('conflict');
  await shell.screenshot('12-conflict');

  await conflict.getByRole('button', { name: 'Adopt theirs' }).click();
  await expect(conflict).toBeHidden();
  await expect(domain.records).toContainText('198.51.100.2');
  await expect(domain.records).not.toContainText('example.org');
  expect(first.main.store.getDrafts(key)).toEqual([
    { type: 'A', name: '@', ttl: 300, address: '198.51.100.2' },
  ]);
});

test('offline: with every relay down, publishes queue and say so; when relays return, each gets the newest once', async ({
  browser,
}) => {
  const [a, b] = [await relay('error500'), await relay('error500')];
  const app = await profile([a.url, b.url]);
  const h = app.main.handlers;
  const key = (await h['keys:create']({ label: 'Cabin' })).publicKey;
  const page = await app.open(browser, renderer.url, `/domains/${key}/records`);
  const domain = new DomainPage(page);
  await domain.addRecord('@', 'A', '203.0.113.1');
  await domain.publish();
  await expect(domain.target(a.url)).toContainText('500');
  await expect(domain.target(b.url)).toContainText('500');
  await expect(domain.overall).toContainText('Failed');
  // A second edit and publish while offline: saved, queued, the first packet never sent.
  await page.getByRole('tab', { name: 'Records' }).click();
  await domain.addRecord('www', 'A', '203.0.113.2');
  await page.getByRole('button', { name: /^Publish/ }).click();
  await expect(page.getByRole('tab', { name: 'Publishing', selected: true })).toBeVisible();
  await new ShellPage(page).goHome();
  await expect(
    page.getByRole('list', { name: 'Domains' }).getByRole('listitem').filter({ hasText: 'Cabin' }),
  ).toContainText('Failing');
  await new ShellPage(page).screenshot('13-offline-home');

  const newest = app.main.store.getPacket(key)!.timestamp;
  a.mode = 'ok';
  b.mode = 'ok';
  await page.goto(`${renderer.url}#/domains/${key}/publishing`);
  await expect(domain.overall).toContainText('Published', { timeout: 20_000 });
  for (const r of [a, b]) {
    expect(r.packets.get(key)?.timestamp).toBe(newest);
    expect(r.packets.get(key)?.records).toHaveLength(2);
    // Each relay took the newest packet once; the superseded one never reached it.
    expect(r.puts.filter((put) => put.startsWith(key))).toEqual([`${key}@${newest}`]);
  }
});

test('bad input is refused at its field and nothing is written', async ({ browser }) => {
  const app = await profile([]);
  const page = await app.open(browser, renderer.url, '/import');
  const importer = new ImportPage(page);
  await importer.fromPhrase('abandon '.repeat(11) + 'abandon');
  await expect(page.getByRole('textbox', { name: 'Recovery phrase' })).toHaveAttribute(
    'aria-invalid',
    'true',
  );
  await expect(page.getByText(/checksum/)).toBeVisible();
  await importer.fromPhrase('abandon '.repeat(10) + 'abandon zzzz');
  await expect(page.getByText(/Word 12 \(“zzzz”\) is not a recovery-phrase word/)).toBeVisible();
  await importer.fromFile(
    { name: 'broken.pkarr', buffer: Buffer.from('pubky.org/recovery\nnot really') },
    'whatever passphrase',
  );
  await expect(page.locator('#recovery-file-error')).not.toBeEmpty();
  expect(app.main.vault.list()).toEqual([]);

  // A recovery file with the wrong passphrase: the message is at the passphrase.
  const other = await profile([]);
  const key = (await other.main.handlers['keys:create']({ label: 'x' })).publicKey;
  const file = `${other.dir}/x.pkarr`;
  other.person.willSaveTo(file);
  await ok(
    Promise.resolve({
      ok: true,
      value: await other.main.handlers['keys:export-recovery']({
        publicKey: key,
        passphrase: 'orbit lantern cactus pebble',
      }),
    }),
  );
  const { readFile } = await import('node:fs/promises');
  await importer.fromFile({ name: 'x.pkarr', buffer: await readFile(file) }, 'not the passphrase');
  await expect(page.locator('#file-passphrase-error')).toContainText(/passphrase/i);
  expect(app.main.vault.list()).toEqual([]);
  await new ShellPage(page).expectAccessible('import with errors');

  // Settings: an invalid relay URL is refused at its field; nothing is saved.
  await page.goto(`${renderer.url}#/settings`);
  await page.getByRole('button', { name: 'Add relay' }).click();
  await page.getByLabel('Relay 1', { exact: true }).fill('ftp://relay.example');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('#relay-0-error')).toContainText('https://');
  await page.getByLabel('Relay 1', { exact: true }).fill('not a url');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('#relay-0-error')).toContainText('is not a URL');
  expect((await app.main.handlers['settings:get'](undefined)).settings.relays).toEqual([]);
  await page.getByLabel('Relay 1', { exact: true }).fill('https://relay.example/');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('✓ Saved')).toBeVisible();
  expect((await app.main.handlers['settings:get'](undefined)).settings.relays).toEqual([
    'https://relay.example',
  ]);
  await new ShellPage(page).expectAccessible('settings');
  await new ShellPage(page).screenshot('14-settings');
});
