// Electron entry: a thin shell. It starts the main-process services, routes IPC to their
// plain-module handlers and opens one hardened window; everything with logic lives in modules
// that run (and are tested) without Electron.
import { app, BrowserWindow, ipcMain, session } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { APP_NAME, DEFAULT_SERVER_URL } from '../src-shared/app-info';
import { ipcChannels } from '../src-shared/ipc';
import { createDispatch } from './ipc/dispatch';
import { startMainServices, type MainServices } from './services';
import { electronDialogs } from './electron-dialogs';
import {
  denyPermissions,
  guardNavigation,
  isAppUrl,
  secureWebPreferences,
} from './window-security';

const here = dirname(fileURLToPath(import.meta.url));
const rendererUrl = process.env['ELECTRON_RENDERER_URL'];
const appUrl = rendererUrl ?? pathToFileURL(join(here, '../renderer/index.html')).href;
const log = (line: string) => console.log(`[main] ${line}`);

/** Comma-separated list from the environment, or undefined when unset. */
const listFromEnv = (name: string): string[] | undefined =>
  process.env[name]
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);

function createWindow(): void {
  const window = new BrowserWindow({
    title: APP_NAME,
    width: 1100,
    height: 760,
    webPreferences: secureWebPreferences(join(here, '../preload/index.cjs')),
  });
  guardNavigation(window.webContents, appUrl);
  void window.loadURL(appUrl);
}

function registerIpc(services: MainServices): void {
  const dispatch = createDispatch(services.handlers, log);
  for (const channel of ipcChannels) {
    ipcMain.handle(channel, (event, payload: unknown) => {
      // Only our own window's page may call main.
      if (!isAppUrl(event.senderFrame?.url ?? '', appUrl)) {
        return { ok: false, error: { code: 'UNTRUSTED_SENDER', message: 'Refused.' } };
      }
      return dispatch(channel, payload);
    });
  }
}

app.on('web-contents-created', (_event, contents) => guardNavigation(contents, appUrl));

void app.whenReady().then(async () => {
  denyPermissions(session.defaultSession);
  const dhtBootstrap = listFromEnv('PUBKY_DHT_BOOTSTRAP');
  const services = await startMainServices({
    dataDir: app.getPath('userData'),
    version: app.getVersion(),
    serverUrl: () => process.env['PUBKY_SERVER_URL'] ?? DEFAULT_SERVER_URL,
    ...(listFromEnv('PUBKY_RELAYS') ? { relays: listFromEnv('PUBKY_RELAYS') } : {}),
    ...(dhtBootstrap ? { dhtBootstrap: dhtBootstrap[0] === 'none' ? null : dhtBootstrap } : {}),
    log,
    dialogs: electronDialogs,
  });
  registerIpc(services);
  // Main's events go to our windows only (a page of any other origin never gets one).
  services.events.subscribe((event, payload) => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (isAppUrl(window.webContents.getURL(), appUrl))
        window.webContents.send('pubky:event', event, payload);
    }
  });
  createWindow();
  app.on('before-quit', () => void services.close());
});
app.on('window-all-closed', () => app.quit());
