// Issue 20, acceptance 1 in the browser: two app profiles (each its own data dir and keychain
// service, real handlers), one companion server on embedded Postgres, two loopback relays.
// Profile 1 shares the family domain's key with profile 2 from the Family screen; profile 2
// accepts; profile 1 publishes and profile 2's open domain screen shows the records without a
// reload; profile 2 edits and publishes and profile 1 sees it; the score screen on both follows.
import { expect, test } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../../server/start';
import { appProfile, type AppProfile } from '../support/app-profile';
import { FaultRelay } from '../support/fault-relay';
import { startLocalServer } from '../support/local-server';
import { serveRenderer, type ServedRenderer } from '../support/renderer-bridge';
import { DomainPage } from './pages/domain-page';
import { ShellPage } from './pages/shell-page';

let renderer: ServedRenderer;
let server: RunningServer;
let serverDir: string;
const relays: FaultRelay[] = [];
const profiles: AppProfile[] = [];

test.beforeAll(async () => {
  renderer = await serveRenderer();
  serverDir = await mkdtemp(join(tmpdir(), 'pubky-e2e-devices-'));
  server = await startLocalServer(serverDir);
  relays.push(await FaultRelay.start('ok'), await FaultRelay.start('ok'));
});

test.afterAll(async () => {
  for (const p of profiles) await p.close();
  await Promise.all(relays.map((r) => r.close()));
  await server?.close();
  await renderer?.close();
  await rm(serverDir, { recursive: true, force: true });
});

test('two devices of a family share a domain key and follow each other’s publishes live', async ({
  browser,
}) => {
  const profile = async () => {
    const made = await appProfile({ relays: relays.map((r) => r.url), serverUrl: server.url });
    profiles.push(made);
    return made;
  };
  const [laptop, phone] = [await profile(), await profile()];
  const h1 = laptop.main.handlers;
  const h2 = phone.main.handlers;
  // Set up as the family screens already do it (app-shell.spec.ts drives those by hand).
  const alex = (await h1['keys:create']({ label: 'Alex' })).publicKey;
  const sam = (await h2['keys:create']({ label: 'Sam' })).publicKey;
  await h1['session:sign-in']({ publicKey: alex });
  await h2['session:sign-in']({ publicKey: sam });
  const family = await h1['family:create']({ name: 'The Smiths' });
  await h1['family:invite']({
    familyId: family.id,
    publicKey: sam,
    role: 'member',
    displayName: 'Sam',
  });
  const [invitation] = await h2['invitations:list'](undefined);
  await h2['invitations:accept']({ invitationId: invitation!.invitationId });
  const domain = (await h1['keys:create']({ label: 'smith family' })).publicKey;
  await h1['family:register-domain']({ familyId: family.id, publicKey: domain });
  const domainId = (await h1['family:get']({ familyId: family.id })).domains.find(
    (d) => d.publicKey === domain,
  )!.id;

  // Both open the domain's score before anything is published.
  const one = await laptop.open(browser, renderer.url, `/family/${family.id}/domains/${domainId}`);
  const two = await phone.open(browser, renderer.url, `/family/${family.id}/domains/${domainId}`);
  const heading = (page: typeof one) => page.getByRole('heading', { level: 1 });
  const scoreOf = async (page: typeof one) =>
    Number((await heading(page).textContent())?.match(/sovereignty (\d+)/)?.[1]);
  await expect(heading(one)).toContainText('sovereignty');
  await expect(heading(two)).toContainText('sovereignty');
  const before = await scoreOf(one);
  expect(await scoreOf(two)).toBe(before);

  // The laptop shares the key from the Family screen; main asks Alex to check Sam's key.
  await one.goto(`${renderer.url}#/family/${family.id}`);
  laptop.person.willConfirm(true);
  await one.getByLabel('Domain', { exact: true }).selectOption({ label: 'smith family' });
  await one.getByLabel('with', { exact: true }).selectOption({ label: 'Sam' });
  await one.getByRole('button', { name: 'Share key' }).click();
  await expect(one.getByText('✓ Shared: their app asks them to accept it.')).toBeVisible();
  expect(JSON.stringify(laptop.person.asked.at(-1))).toContain(sam);
  const shell1 = new ShellPage(one);
  await shell1.expectAccessible('family, sharing a key');

  // The phone is told at once (the feed), and accepts.
  await two.goto(`${renderer.url}#/family`);
  const offer = two.getByRole('region', { name: 'Domain keys shared with you' });
  await expect(offer).toContainText(alex.slice(0, 4));
  await expect(offer).toContainText('smith family');
  const shell2 = new ShellPage(two);
  await shell2.expectAccessible('family, a key shared with you');
  await shell2.screenshot('19-key-shared');
  await two.getByRole('button', { name: 'Accept the key of smith family' }).click();
  await expect(offer).toBeHidden();
  expect(phone.main.vault.list()).toContain(domain);

  // The phone opens the domain; the laptop publishes; the phone's screen follows, no reload.
  await two.goto(`${renderer.url}#/domains/${domain}`);
  const phoneDomain = new DomainPage(two);
  await expect(two.getByRole('heading', { name: 'No records yet' })).toBeVisible();
  await one.goto(`${renderer.url}#/domains/${domain}`);
  const laptopDomain = new DomainPage(one);
  await laptopDomain.addRecord('@', 'TXT', 'hello from the laptop');
  await laptopDomain.publish();
  await expect(phoneDomain.records).toContainText('hello from the laptop');

  // The phone edits and publishes; the laptop follows.
  await two.getByRole('tab', { name: 'Records' }).click();
  await phoneDomain.addRecord('www', 'A', '192.0.2.7');
  await phoneDomain.publish();
  await one.getByRole('tab', { name: 'Records' }).click();
  await expect(laptopDomain.records).toContainText('192.0.2.7');
  await expect(laptopDomain.records).toContainText('hello from the laptop');
  // Each relay holds the phone's packet (the newest), as does the family's server.
  for (const relay of relays)
    await expect.poll(() => relay.packets.get(domain)?.records.length).toBe(2);

  // Both score screens show the published domain's higher score, without a reload.
  await one.goto(`${renderer.url}#/family/${family.id}/domains/${domainId}`);
  await two.goto(`${renderer.url}#/family/${family.id}/domains/${domainId}`);
  await expect.poll(() => scoreOf(one)).toBeGreaterThan(before);
  const raised = await scoreOf(one);
  await expect.poll(() => scoreOf(two)).toBe(raised);
  // Live: a recovery file saved on the laptop raises it again on both open screens.
  laptop.person.willSaveTo(join(laptop.dir, 'smith.pkarr'));
  await h1['keys:export-recovery']({
    publicKey: domain,
    passphrase: 'correct horse battery staple orbit',
  });
  await expect.poll(() => scoreOf(one)).toBeGreaterThan(raised);
  await expect.poll(() => scoreOf(two)).toBeGreaterThan(raised);
  await shell2.screenshot('20-score-live');

  // Every action the score offers leads to the screen that does it.
  const actions = one.getByRole('list', { name: 'Factors' }).getByRole('link');
  const targets = await actions.evaluateAll((links) =>
    links.map((link) => ({ name: link.textContent ?? '', href: link.getAttribute('href') ?? '' })),
  );
  expect(targets.length).toBeGreaterThanOrEqual(3);
  for (const action of targets) {
    await one.getByRole('link', { name: action.name, exact: true }).first().click();
    const path = action.href.replace(/^#/, '');
    if (path.endsWith('/backup')) await expect(heading(one)).toHaveText('Back up smith family');
    else if (path === '/settings') await expect(heading(one)).toHaveText('Settings');
    else if (path === `/family/${family.id}`) await expect(heading(one)).toHaveText('The Smiths');
    else if (path.endsWith('/records'))
      await expect(one.getByRole('tab', { name: 'Records', selected: true })).toBeVisible();
    else if (path.endsWith('/publishing'))
      await expect(one.getByRole('tab', { name: 'Publishing', selected: true })).toBeVisible();
    else throw new Error(`an action leads nowhere known: ${action.name} → ${action.href}`);
    await one.goBack();
    await expect(heading(one)).toContainText('sovereignty');
  }

  // The family screen: who holds the key, the scores lowest first, and what happened.
  await one.goto(`${renderer.url}#/family/${family.id}`);
  await expect(
    one.getByRole('list', { name: 'What happened, newest last' }).getByRole('listitem'),
  ).not.toHaveCount(0);
  await expect(one.getByRole('list', { name: 'What happened, newest last' })).toContainText(
    '+ A www 192.0.2.7',
  );
  await expect(one.getByRole('list', { name: 'Scores, lowest first' })).toContainText('/ 100');
  await shell1.expectAccessible('family, activity');
  await shell1.screenshot('21-family-activity');
});
