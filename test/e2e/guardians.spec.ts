// Issue 22 in the browser: an owner backs a domain key up 2 of 3 with guardians from the Family
// screen; each guardian's app checks and acknowledges its share; a fresh machine asks for the key
// on the Recover screen; the owner's device is told live and releases it; two guardians approve;
// the fresh machine has the key. Real handlers, one companion server on embedded Postgres.
import { expect, test } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../../server/start';
import { appProfile, type AppProfile } from '../support/app-profile';
import { startLocalServer } from '../support/local-server';
import { serveRenderer, type ServedRenderer } from '../support/renderer-bridge';
import { ShellPage } from './pages/shell-page';

let renderer: ServedRenderer;
let server: RunningServer;
let serverDir: string;
const profiles: AppProfile[] = [];

test.beforeAll(async () => {
  renderer = await serveRenderer();
  serverDir = await mkdtemp(join(tmpdir(), 'pubky-e2e-guardians-'));
  server = await startLocalServer(serverDir);
});
test.afterAll(async () => {
  for (const p of profiles) await p.close();
  await server?.close();
  await renderer?.close();
  await rm(serverDir, { recursive: true, force: true });
});

test('back up with guardians, check, and recover on a fresh machine', async ({ browser }) => {
  const profile = async () => {
    const made = await appProfile({ relays: [], serverUrl: server.url });
    profiles.push(made);
    return made;
  };
  const owner = await profile();
  const guardians = [await profile(), await profile(), await profile()];
  const fresh = await profile();
  const alex = (await owner.main.handlers['keys:create']({ label: 'Alex' })).publicKey;
  await owner.main.handlers['session:sign-in']({ publicKey: alex });
  const family = await owner.main.handlers['family:create']({ name: 'The Smiths' });
  const one = await owner.open(browser, renderer.url, `/family/${family.id}`);
  const ownerShell = new ShellPage(one);
  for (const [i, g] of guardians.entries()) {
    const key = (await g.main.handlers['keys:create']({ label: `Guardian ${i}` })).publicKey;
    await g.main.handlers['session:sign-in']({ publicKey: key });
    const name = ['Grandma', 'Uncle Joe', 'Priya'][i]!;
    if (i === 0) {
      // The first guardian is invited and accepts on the screens.
      await one.getByLabel('Their key or pubky:// address').fill(key);
      await one.getByLabel('As').selectOption('guardian');
      await one.getByLabel('Their name in this family (optional)').fill(name);
      await one.getByRole('button', { name: 'Invite' }).click();
      await expect(one.getByText('Waiting for an answer')).toBeVisible();
      const page = await g.open(browser, renderer.url, '/family');
      await expect(page.getByText(/Join The Smiths as guardian/)).toBeVisible();
      await page.getByRole('button', { name: 'Accept' }).click();
      await expect(page.getByRole('link', { name: 'The Smiths' })).toBeVisible();
      continue;
    }
    await owner.main.handlers['family:invite']({
      familyId: family.id,
      publicKey: key,
      role: 'guardian',
      displayName: name,
    });
    const [invitation] = await g.main.handlers['invitations:list'](undefined);
    await g.main.handlers['invitations:accept']({ invitationId: invitation!.invitationId });
  }
  const domain = (await owner.main.handlers['keys:create']({ label: 'smith family' })).publicKey;
  await owner.main.handlers['family:register-domain']({ familyId: family.id, publicKey: domain });
  await owner.main.handlers['guardians:set-wait']({ familyId: family.id, hours: 24 });

  // The owner backs the key up, 2 of 3, confirming the guardians in main's dialog.
  await one.reload();
  const section = one.getByRole('region', { name: 'Guardians' });
  await expect(section.getByRole('table', { name: 'The family’s guardians' })).toContainText(
    'Grandma',
  );
  await one.getByLabel('Guardians needed').fill('2');
  owner.person.willConfirm(true);
  await one.getByRole('button', { name: 'Back up', exact: true }).click();
  await expect(
    one.getByText('✓ Backed up: each guardian’s app now checks its share.'),
  ).toBeVisible();
  expect(JSON.stringify(owner.person.asked.at(-1))).toContain('Uncle Joe');

  // Each guardian's app checks its share against the commitments, then acknowledges.
  for (const [i, g] of guardians.entries()) {
    const page = await g.open(browser, renderer.url, '/guardians');
    const shares = page.getByRole('table', { name: 'Shares you hold' });
    await expect(shares).toContainText('✓ checked: it matches what the family committed to');
    await page.getByRole('button', { name: 'Acknowledge your share for The Smiths' }).click();
    await expect(shares).toContainText('✓ checked and acknowledged');
    if (i === 0) {
      await new ShellPage(page).expectAccessible('guardians, a share checked');
      await new ShellPage(page).screenshot('25-guardian-shares');
    }
  }
  await expect(section.getByRole('table', { name: 'Backups' })).toContainText('✓ sound');
  await ownerShell.expectAccessible('family, guardians');
  await ownerShell.screenshot('24-family-guardians');

  // A fresh machine asks for the key.
  const recover = await fresh.open(browser, renderer.url, '/import');
  await recover.getByRole('link', { name: 'Recover it with your guardians' }).click();
  await recover.getByLabel('The domain’s key').fill(domain);
  await recover.getByRole('button', { name: 'Ask for the key' }).click();
  await expect(
    recover.getByRole('heading', { name: /Waiting: 0 of 2 guardians approved/ }),
  ).toBeVisible();
  const freshShell = new ShellPage(recover);
  await freshShell.expectAccessible('recover, waiting');
  await freshShell.screenshot('26-recover-waiting');

  // The owner's open family screen shows it at once; it is them: release now.
  await expect(one.getByRole('alert', { name: 'A recovery was asked' })).toBeVisible();
  owner.person.willConfirm(true);
  await one.getByRole('button', { name: 'It is us: release now' }).click();

  // Two guardians approve (the third is away).
  for (const g of guardians.slice(0, 2)) {
    const page = await g.open(browser, renderer.url, '/guardians');
    g.person.willConfirm(true);
    await page.getByRole('button', { name: 'Approve the recovery for The Smiths' }).click();
    await expect(page.getByText('✓ You approved')).toBeVisible();
  }
  await expect(
    recover.getByRole('heading', { name: '✓ The key is back on this computer' }),
  ).toBeVisible({
    timeout: 15_000,
  });
  expect(fresh.main.vault.list()).toEqual([domain]);
  await freshShell.expectAccessible('recover, done');
  await freshShell.screenshot('27-recovered');
});
