// The built renderer in Chromium, wired to the real main-process handlers and a real companion
// server on embedded Postgres.
import { expect, test } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_NAME } from '../../src-shared/app-info';
import { createDispatch } from '../../src-main/ipc/dispatch';
import { startMainServices, type MainServices } from '../../src-main/services';
import { loadConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/start';
import { serveRenderer, wireApi, type ServedRenderer } from '../support/renderer-bridge';
import { AppPage } from './pages/app-page';
import { PersonDialogs } from '../support/person-dialogs';

let renderer: ServedRenderer;
let server: RunningServer;
let dataDir: string;
let main: MainServices;
let serverUrl: string;

test.beforeAll(async () => {
  renderer = await serveRenderer();
  dataDir = await mkdtemp(join(tmpdir(), 'pubky-e2e-'));
  server = await startServer({
    ...loadConfig({}),
    port: 0,
    feedPort: 0,
    dataDir,
    databaseUrl: undefined,
    logLevel: 'warn',
  });
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

test('shows the app name and that the companion server is reachable', async ({ page }) => {
  await wireApi(page, createDispatch(main.handlers));
  const app = new AppPage(page);
  await app.open(renderer.url);
  await expect(app.title).toHaveText(APP_NAME);
  await expect(app.serverStatus).toContainText('Companion server reachable');
  // `UPDATE_SCREENSHOTS=1 npm run test:e2e` refreshes the README's picture.
  if (process.env['UPDATE_SCREENSHOTS']) await page.screenshot({ path: 'docs/screenshot.png' });

  // Point the app at a port nobody listens on: the badge says so on the next check.
  serverUrl = 'http://127.0.0.1:9';
  await app.recheckServer();
  await expect(app.serverStatus).toContainText('unreachable');
  await expect(app.serverStatus).toContainText('connection failed');
});
