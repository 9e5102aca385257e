// The built renderer in Chromium, wired to the real main-process handlers and a real companion
// server on embedded Postgres: the sidebar's server state.
import { expect, test } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDispatch } from '../../src-main/ipc/dispatch';
import { startMainServices, type MainServices } from '../../src-main/services';
import type { RunningServer } from '../../server/start';
import { startLocalServer } from '../support/local-server';
import { serveRenderer, wireApi, type ServedRenderer } from '../support/renderer-bridge';
import { ShellPage } from './pages/shell-page';
import { appProfile } from '../support/app-profile';
import { PersonDialogs } from '../support/person-dialogs';

let renderer: ServedRenderer;
let server: RunningServer;
let dataDir: string;
let main: MainServices;
let serverUrl: string;

test.beforeAll(async () => {
  renderer = await serveRenderer();
  dataDir = await mkdtemp(join(tmpdir(), 'pubky-e2e-'));
  server = await startLocalServer(dataDir);
  serverUrl = server.url;
  main = await startMainServices({
    dataDir,
    version: 'test',
    serverUrl: () => serverUrl,
    relays: [],
    dhtBootstrap: null,
    keychainService: `pubky-domains-e2e-${process.pid}`,
    dialogs: new PersonDialogs(),
  });
});

test.afterAll(async () => {
  await main?.close();
  await server?.close();
  await renderer?.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('the sidebar says whether the companion server answers, and who you are', async ({ page }) => {
  await wireApi(page, createDispatch(main.handlers), main.events);
  const shell = new ShellPage(page);
  await shell.open(renderer.url);
  await expect(shell.sidebar).toContainText('server: ok');
  await expect(shell.sidebar).toContainText('no key yet');

  // A server that is away is said so after the next check (a reload checks again).
  serverUrl = 'http://127.0.0.1:9';
  await page.reload();
  await expect(shell.sidebar).toContainText('server: away');
});

test('signs in to the companion server with a key of this device, and out again', async ({
  page,
}) => {
  serverUrl = server.url;
  await wireApi(page, createDispatch(main.handlers), main.events);
  const key = (await main.handlers['keys:create']({ label: 'Parent laptop' })).publicKey;
  const shell = new ShellPage(page);
  await shell.open(`${renderer.url}#/settings`);
  await expect(shell.sidebar).toContainText('not signed in to a server');
  await page.getByLabel('Sign in as').selectOption(key);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByText(/✓ Signed in to .* as Parent laptop/)).toBeVisible();
  await expect(shell.sidebar).toContainText(`signed in as ${key.slice(0, 4)}…${key.slice(-4)}`);
  await shell.expectAccessible('settings, signed in');
  await shell.screenshot('15-signed-in');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(shell.sidebar).toContainText('not signed in to a server');
  for (const k of main.vault.list()) main.vault.delete(k, k);
});

test('a family: one device creates it and invites another device’s key, which accepts; the owner removes it; both screens follow live', async ({
  browser,
}) => {
  serverUrl = server.url;
  const [parent, child] = [
    await appProfile({ relays: [], serverUrl: server.url }),
    await appProfile({ relays: [], serverUrl: server.url }),
  ];
  try {
    const parentKey = (await parent.main.handlers['keys:create']({ label: 'Parent' })).publicKey;
    const childKey = (await child.main.handlers['keys:create']({ label: 'Teen' })).publicKey;
    await parent.main.handlers['session:sign-in']({ publicKey: parentKey });
    await child.main.handlers['session:sign-in']({ publicKey: childKey });

    const one = await parent.open(browser, renderer.url, '/family');
    await one.getByLabel('Family name').fill('The Smiths');
    await one.getByRole('button', { name: 'Create family' }).click();
    await one.getByRole('link', { name: 'The Smiths' }).click();
    await one.getByLabel('Their key or pubky:// address').fill(`pubky://${childKey}`);
    await one.getByLabel('Their name in this family (optional)').fill('Sam');
    await one.getByRole('button', { name: 'Invite' }).click();
    await expect(one.getByText('Waiting for an answer')).toBeVisible();
    const shell = new ShellPage(one);
    await shell.expectAccessible('family');

    const two = await child.open(browser, renderer.url, '/family');
    await expect(two.getByText(/Join The Smiths as member/)).toBeVisible();
    await new ShellPage(two).expectAccessible('family, invited');
    await new ShellPage(two).screenshot('16-invitation');
    await two.getByRole('button', { name: 'Accept' }).click();
    await expect(two.getByRole('link', { name: 'The Smiths' })).toBeVisible();

    // Live: the owner's screen shows the new member without a reload (the feed, through main).
    await expect(one.getByRole('cell', { name: 'Sam', exact: true })).toBeVisible();
    // The owner registers a key as a family domain (proof signed in its vault); the other device
    // sees it, live, as read-only there.
    await two.getByRole('link', { name: 'The Smiths' }).click();
    await one.getByRole('button', { name: 'Register as a family domain' }).click();
    const theirs = two.getByRole('table', { name: 'The family’s domains' });
    await expect(theirs).toContainText('read-only here');
    await expect(one.getByRole('table', { name: 'The family’s domains' })).toContainText(
      'key on this computer',
    );
    await new ShellPage(two).expectAccessible('family detail, member');

    // The score, explained: five factors with their reasons, actions to raise each, the history.
    await one
      .getByRole('table', { name: 'The family’s domains' })
      .getByRole('link', { name: /\/ 100/ })
      .click();
    await expect(one.getByRole('heading', { level: 1 })).toContainText('sovereignty');
    await expect(
      one
        .getByRole('list', { name: 'Factors' })
        .getByRole('listitem')
        .filter({ has: one.locator('meter') }),
    ).toHaveCount(5);
    await expect(one.locator('.chart-box canvas').first()).toBeVisible();
    await shell.expectAccessible('score');
    await shell.screenshot('18-score');
    await one.getByRole('link', { name: 'Back up the key' }).first().click();
    await expect(one.getByRole('heading', { level: 1 })).toHaveText('Back up Parent');
    await one.goBack();
    await one.getByRole('link', { name: /← The Smiths/ }).click();
    await shell.screenshot('17-family');
    await one.getByRole('button', { name: 'Remove Sam' }).click();
    await one.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect(one.getByRole('cell', { name: 'Sam', exact: true })).toBeHidden();
    // And the removed device sees it lost access, also without a reload.
    await two.getByRole('link', { name: '← Families' }).click();
    await expect(two.getByText('You are not in a family yet')).toBeVisible();
  } finally {
    await parent.close();
    await child.close();
  }
});
