// Electron entry: a thin shell. It opens one hardened window and routes IPC to the plain-module
// handlers; everything with logic lives in modules that run (and are tested) without Electron.
import { app, BrowserWindow, ipcMain } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { APP_NAME, DEFAULT_SERVER_URL } from '../src-shared/app-info';
import { createDispatch } from './ipc/dispatch';
import { createHandlers } from './handlers';
import { guardNavigation, isAppUrl, secureWebPreferences } from './window-security';
import { ipcChannels } from '../src-shared/ipc';

const rendererUrl = process.env['ELECTRON_RENDERER_URL'];
const here = dirname(fileURLToPath(import.meta.url));
const appUrl = rendererUrl ?? pathToFileURL(join(here, '../renderer/index.html')).href;

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

const dispatch = createDispatch(
  createHandlers({
    version: app.getVersion(),
    serverUrl: () => process.env['PUBKY_SERVER_URL'] ?? DEFAULT_SERVER_URL,
  }),
  (line) => console.log(line),
);

for (const channel of ipcChannels) {
  ipcMain.handle(channel, (event, payload: unknown) => {
    // Only our own window's top frame may call main.
    const senderUrl = event.senderFrame?.url ?? '';
    if (!isAppUrl(senderUrl, appUrl)) {
      return { ok: false, error: { code: 'UNTRUSTED_SENDER', message: 'Refused.' } };
    }
    return dispatch(channel, payload);
  });
}

app.on('web-contents-created', (_event, contents) => guardNavigation(contents, appUrl));

void app.whenReady().then(createWindow);
app.on('window-all-closed', () => app.quit());
