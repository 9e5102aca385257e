// Issue 19's journey, in the built renderer in Chromium wired to the real main process (real
// keychain, real SQLite, loopback relays and a loopback DHT): first run → create a key → phrase backup with the
// three-word check → records of every type → publish with one relay down (Partial, its reason) →
// the relay returns, retry → Published → an edit past 1000 bytes is refused with the reason →
// a recovery file → a fresh profile imports it. Every screen passes axe and is photographed;
// no IPC reply or event carries a secret, and the phrase appears only in the one reveal reply.
import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { osKeychain } from '../../src-main/custody/secret-store';
import { createMainlineNode } from '../../src-node/mainline-node';
import { nativeVerifier } from '../../src-node/native-ed25519';
import { DhtClient } from '../../src-shared/publish/dht-client';
import { appProfile, type AppProfile } from '../support/app-profile';
import { FaultRelay } from '../support/fault-relay';
import { PersonDialogs } from '../support/person-dialogs';
import { serveRenderer, type ServedRenderer } from '../support/renderer-bridge';
import { BackupPage } from './pages/backup-page';
import { DomainPage } from './pages/domain-page';
import { ImportPage } from './pages/import-page';
import { ShellPage } from './pages/shell-page';
import { WelcomePage } from './pages/welcome-page';

let renderer: ServedRenderer;
let relayA: FaultRelay;
let relayB: FaultRelay;
/** A Mainline DHT on loopback: a bootstrap node and a peer. */
const dhtNodes: DhtClient[] = [];
const profiles: AppProfile[] = [];
const person = new PersonDialogs();

async function profile(): Promise<AppProfile> {
  const bootstrap = dhtNodes.map((node) => `${node.address().host}:${node.address().port}`);
  const made = await appProfile({
    relays: [relayA.url, relayB.url],
    person,
    dhtBootstrap: bootstrap,
  });
  profiles.push(made);
  return made;
}

test.beforeAll(async () => {
  renderer = await serveRenderer();
  relayA = await FaultRelay.start('ok');
  relayB = await FaultRelay.start('error500');
  const seed = await DhtClient.start({
    createNode: createMainlineNode,
    verifier: nativeVerifier,
    bootstrap: false,
  });
  const peer = await DhtClient.start({
    createNode: createMainlineNode,
    verifier: nativeVerifier,
    bootstrap: [seed.address()],
  });
  dhtNodes.push(seed, peer);
});

test.afterAll(async () => {
  for (const p of profiles) await p.close();
  await Promise.all([relayA?.close(), relayB?.close(), renderer?.close()]);
  await Promise.all(dhtNodes.map((node) => node.destroy()));
});

test('a family makes, backs up, fills, publishes and restores a domain', async ({ context }) => {
  test.setTimeout(120_000);
  const first = await profile();
  const main = first.main;
  const page = await first.open(context, renderer.url);
  const shell = new ShellPage(page);

  // First run: the welcome screen, nothing else to do.
  await expect(shell.heading).toHaveText('Welcome');
  await shell.expectAccessible('welcome');
  await shell.screenshot('01-welcome');
  const welcome = new WelcomePage(page);
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByText('Give the key a name')).toBeVisible();
  await welcome.createKey('Smith family');

  // Backup: the phrase, then three words back (a wrong one is named at its field).
  await expect(shell.heading).toHaveText('Back up Smith family');
  await expect(page.getByText('⚠ Not backed up')).toBeVisible();
  await shell.expectAccessible('backup');
  const backup = new BackupPage(page);
  const words = await backup.revealPhrase();
  await shell.screenshot('02-backup-phrase');
  await backup.checkPhrase(words, 1);
  await expect(page.getByText(/does not match the phrase/)).toBeVisible();
  await shell.screenshot('03-backup-check');
  await page.getByRole('button', { name: 'Show the phrase again' }).click();
  await backup.checkPhrase(words);
  await expect(page.getByText(/✓ Backed up with the recovery phrase/)).toBeVisible();
  const publicKey = main.vault.list()[0]!;

  // Records of every type; bad values are refused at their field and nothing is saved.
  await page.getByRole('link', { name: 'Go to the domain' }).click();
  const domain = new DomainPage(page);
  await expect(page.getByRole('heading', { name: 'No records yet' })).toBeVisible();
  await shell.expectAccessible('domain, empty');
  await domain.openRecordForm();
  await domain.submitRecord('@', 'A', '999.1.1.1');
  await expect(domain.fieldError('Value')).toContainText(/IPv4|address/i);
  await domain.submitRecord('@', 'MX', 'mail.example.org');
  await expect(domain.fieldError('Value')).toContainText('preference');
  await domain.submitRecord(`www.${'yb'.repeat(26)}`, 'A', '203.0.113.7');
  await expect(domain.fieldError('Name')).toContainText('is not inside');
  await domain.submitRecord('@', 'A', '203.0.113.7', '-5');
  await expect(domain.fieldError('TTL (seconds)')).toContainText('negative');
  for (const [type, value] of [
    ['AAAA', '2001:db8::zz'],
    ['CNAME', 'bad name!'],
    ['NS', 'ns..example.org'],
    ['HTTPS', '1 . port=99999'],
    ['SVCB', 'one . alpn=h2'],
  ] as const) {
    await domain.submitRecord('@', type, value);
    await expect(domain.fieldError('Value'), `${type} ${value}`).not.toBeEmpty();
  }
  await shell.expectAccessible('record form with errors');
  await shell.screenshot('04-record-form-errors');
  await page.keyboard.press('Escape');
  expect(main.store.getDrafts(publicKey)).toEqual([]);

  await domain.addRecord('@', 'A', '203.0.113.7');
  await domain.addRecord('@', 'AAAA', '2001:db8::7');
  await domain.addRecord('www', 'CNAME', 'example.org');
  await domain.addRecord('_note', 'TXT', 'hello from the Smiths');
  await domain.addRecord('@', 'MX', '10 mail.example.org', '3600');
  await domain.addRecord('sub', 'NS', 'ns1.example.org', '3600');
  await domain.addRecord('_pubky', 'HTTPS', `0 ${publicKey}`, '3600');
  await domain.addRecord('_svc', 'SVCB', '1 . alpn=h2,h3 port=8443');
  await expect(domain.records.getByRole('row')).toHaveCount(9);
  await expect(page.getByText(/\d+ \/ 1000 bytes/)).toBeVisible();
  await shell.expectAccessible('records, staged');
  await shell.screenshot('05-records-staged');

  // Publish with relay B down: Partial, and B's reason is shown.
  await domain.publish();
  await expect(domain.target(relayA.url)).toContainText('stored');
  await expect(domain.target(relayB.url)).toContainText('500');
  await expect(domain.target('dht')).toContainText(/stored on \d+ DHT nodes/);
  await expect(domain.overall).toContainText('Partial (2 of 3)');
  await shell.expectAccessible('publishing, partial');
  await shell.screenshot('06-publishing-partial');

  // B comes back; retry now: Published, and both relays hold the packet we signed.
  relayB.mode = 'ok';
  await domain.retryNow(relayB.url);
  await expect(domain.overall).toContainText('Published');
  await shell.screenshot('07-publishing-published');
  const stored = main.store.getPacket(publicKey)!;
  expect(relayA.packets.get(publicKey)?.timestamp).toBe(stored.timestamp);
  expect(relayB.packets.get(publicKey)?.timestamp).toBe(stored.timestamp);

  // The three views agree: the draft, what this app published, what each relay serves now.
  await page.getByRole('tab', { name: 'Network' }).click();
  const network = page.getByRole('table', { name: 'What the network serves now' });
  await expect(network.getByRole('row')).toHaveCount(4);
  await expect(network.getByText('serves what you published')).toHaveCount(3);
  await expect(page.getByRole('list', { name: 'Draft records' }).getByRole('listitem')).toHaveCount(
    8,
  );
  await expect(
    page.getByRole('list', { name: 'Published records' }).getByRole('listitem'),
  ).toHaveCount(8);
  await shell.expectAccessible('network');
  await shell.screenshot('07b-network');

  // An edit that would take the packet past 1000 bytes is refused with the size.
  await page.getByRole('tab', { name: 'Records' }).click();
  await domain.openRecordForm();
  await domain.submitRecord('_big', 'TXT', 'x'.repeat(900));
  await expect(domain.fieldError('Value')).toContainText(/takes \d+ of 1000 bytes/);
  await shell.screenshot('08-record-too-large');
  await page.keyboard.press('Escape');

  // Home: the domain, published, nothing needing attention.
  await shell.goHome();
  await expect(page.getByText('✓ Everything is safe')).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'Smith family' })).toContainText(
    'Published',
  );
  await shell.expectAccessible('home');
  await shell.screenshot('09-home');

  // Explore: any key, read-only; a typo is refused at the field.
  await shell.sidebar.getByRole('link', { name: 'Explore' }).click();
  await page.getByLabel('Key or pubky:// address').fill('pubky://not-a-key');
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByText('Enter a Pubky key')).toBeVisible();
  await page.getByLabel('Key or pubky:// address').fill(`pubky://${publicKey}/pub/x`);
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(
    page.getByRole('table', { name: 'What the network serves now' }).getByRole('row'),
  ).toHaveCount(4);
  await shell.expectAccessible('explore');
  await shell.screenshot('09b-explore');

  // A recovery file, written by main where the person chose.
  await page.goto(`${renderer.url}#/keys/${publicKey}/backup`);
  const file = join(first.dir, 'smith.pkarr');
  person.willSaveTo(file);
  await backup.saveRecoveryFile('orbit lantern cactus pebble');
  await expect(page.getByText(`✓ Saved to ${file}`)).toBeVisible();
  await shell.screenshot('10-recovery-file');

  // A fresh profile imports the file, holds the same domain, and reads its records from the network.
  const fresh = await profile();
  const second = await fresh.open(context, renderer.url, '/import');
  await new ImportPage(second).fromFile(
    { name: 'smith.pkarr', buffer: await readFile(file) },
    'orbit lantern cactus pebble',
  );
  await expect(second.getByRole('heading', { level: 1 })).toHaveText(/…/);
  expect(fresh.main.vault.list()).toEqual([publicKey]);
  await expect(
    second.getByRole('table', { name: 'Records of this domain' }).getByRole('row'),
  ).toHaveCount(9);
  await expect(second.getByRole('table', { name: 'Records of this domain' })).toContainText(
    'alpn=h2,h3',
  );
  await new ShellPage(second).screenshot('11-imported');

  // Nothing secret crossed: no reply or event holds the seed or the phrase, but the one reveal.
  const phrase = words.join(' ');
  const seen = [...first.seen, ...fresh.seen];
  const reveals = seen.filter((s) => s.text.includes(words.slice(0, 4).join('","')));
  expect(reveals.map((s) => s.channel)).toEqual(['keys:reveal-phrase']);
  for (const s of seen) expect(s.text, s.channel).not.toContain(phrase);
  const seed = osKeychain(first.keychainService).get(publicKey)!;
  const forms = [
    Buffer.from(seed).toString('hex'),
    Buffer.from(seed).toString('base64').slice(0, 24),
    Array.from(seed.subarray(0, 8)).join(','),
  ];
  for (const s of seen) for (const form of forms) expect(s.text, s.channel).not.toContain(form);
});
