// Issue 21, acceptance 6: the Move wizard in the browser against the real main process and two
// loopback relays: a zone file with a mistake is refused at its line; the plan shows what moves,
// what stays behind and why, and — since it replaces what the key publishes — asks main to
// confirm; the migration runs to Completed step by step, and rolls back.
import { expect, test } from '@playwright/test';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appProfile, type AppProfile } from '../support/app-profile';
import { FaultRelay } from '../support/fault-relay';
import { serveRenderer, type ServedRenderer } from '../support/renderer-bridge';
import { ShellPage } from './pages/shell-page';

let renderer: ServedRenderer;
const relays: FaultRelay[] = [];
let profile: AppProfile;

test.beforeAll(async () => {
  renderer = await serveRenderer();
  relays.push(await FaultRelay.start(), await FaultRelay.start());
  profile = await appProfile({ relays: relays.map((r) => r.url) });
});
test.afterAll(async () => {
  await profile?.close();
  await Promise.all(relays.map((r) => r.close()));
  await renderer?.close();
});

const ZONE = `$ORIGIN smith.example.
$TTL 1h
@     IN SOA ns1.registrar.example. admin.smith.example. ( 2024010101 7200 3600 1209600 300 )
@     IN NS    ns1.registrar.example.
@     IN A     192.0.2.10
www   IN CNAME smith.example.
@     IN MX    10 mail.smith.example.
@     IN TXT   "v=spf1 mx -all"
_sip._tcp IN SRV 10 5 5060 sip.smith.example.
`;

test('moving smith.example onto its key: plan, confirm, verify, roll back', async ({ browser }) => {
  const h = profile.main.handlers;
  const key = (await h['keys:create']({ label: 'Smith family' })).publicKey;
  // The key already publishes a test record, which the plan replaces.
  await h['records:save']({
    domain: key,
    records: [{ type: 'TXT', name: 'test', ttl: 60, strings: ['hello'] }],
  });
  await h['records:publish']({ domain: key, onTop: true });

  const page = await profile.open(browser, renderer.url, `/domains/${key}/move`);
  const shell = new ShellPage(page);
  await page.getByLabel('The domain’s name').fill('smith.example');
  // Pasted text with a mistake on line 6: refused there, nothing published.
  await page.getByLabel('Zone file text, pasted').check();
  await page.getByLabel('The zone file').fill(ZONE.replace('CNAME smith.example.', 'CNAMEX smith'));
  await page.getByRole('button', { name: 'Make the plan' }).click();
  await expect(page.locator('#move-text-error')).toHaveText(
    /line 6: unknown record type CNAMEX\. Nothing was published\./,
  );
  await shell.expectAccessible('move, a bad zone file');

  // The file itself, chosen in main's open dialog.
  const file = join(profile.dir, 'smith.example.zone');
  await writeFile(file, ZONE);
  profile.person.willOpen(file);
  await page.getByLabel('A zone file (exported from your DNS provider)').check();
  await page.getByRole('button', { name: 'Make the plan' }).click();
  await expect(page.getByRole('heading', { name: /4 records move, 3 stay behind/ })).toBeVisible();
  const moving = page.getByRole('table', { name: 'Records that move' });
  await expect(moving).toContainText('@ A 192.0.2.10 (TTL 3600)');
  await expect(moving).toContainText('− goes');
  const behind = page.getByRole('table', { name: 'Records that stay behind, and why' });
  await expect(behind).toContainText('a Pubky key is its own authority');
  await expect(behind).toContainText('SRV');
  await expect(page.getByRole('note', { name: 'What this plan removes' })).toContainText(
    'TXT test hello',
  );
  await expect(page.getByText(`_pubky.smith.example. 3600 IN TXT "pubky=${key}"`)).toBeVisible();
  await shell.expectAccessible('move, the plan');
  await shell.screenshot('22-move-plan');

  // Starting asks main's confirmation, naming what goes; saying no publishes nothing.
  profile.person.willConfirm(false);
  await page.getByRole('button', { name: 'Publish the plan' }).click();
  await expect(page.getByText('Not started: nothing was published.')).toBeVisible();
  expect(JSON.stringify(profile.person.asked.at(-1))).toContain('TXT test hello');
  profile.person.willConfirm(true);
  await page.getByRole('button', { name: 'Publish the plan' }).click();
  await expect(page.getByRole('heading', { name: /Moving smith\.example/ })).toContainText(
    'Completed',
    { timeout: 15_000 },
  );
  await expect(page.getByRole('list', { name: 'Steps' })).toContainText(
    'every target serves the planned records',
  );
  for (const relay of relays)
    expect(
      relay.packets
        .get(key)
        ?.records.map((r) => r.type)
        .sort(),
    ).toEqual(['A', 'CNAME', 'MX', 'TXT']);
  await shell.expectAccessible('move, completed');
  await shell.screenshot('23-move-completed');

  // Roll back: the test record again, on every relay.
  profile.person.willConfirm(true);
  await page.getByRole('button', { name: 'Roll back' }).click();
  await expect(page.getByRole('heading', { name: /Moving smith\.example/ })).toContainText(
    'Rolled back',
    { timeout: 15_000 },
  );
  for (const relay of relays)
    await expect.poll(() => relay.packets.get(key)?.records.map((r) => r.name)).toEqual(['test']);

  // And out again as a zone file for any DNS provider.
  const exported = join(profile.dir, 'out.zone');
  profile.person.willSaveTo(exported);
  await page.getByLabel('Under the name').fill('smith.example');
  await page.getByRole('button', { name: 'Export a zone file' }).click();
  await expect(page.getByText(`✓ Saved to ${exported}`)).toBeVisible();
});
