// The real Electron shell, where its binary exists (it cannot be downloaded on our CI machines;
// everything behind the shell is tested in Chromium by app-shell.spec.ts).
import { _electron as electron, expect, test } from '@playwright/test';
import { APP_NAME } from '../../src-shared/app-info';
import { electronBinary } from '../../scripts/electron-binary.mjs';

const binary = electronBinary();

test.describe('Electron shell', () => {
  test.skip(!binary, 'the Electron binary is not installed on this machine');

  test('opens a hardened window showing the app', async () => {
    const app = await electron.launch({
      executablePath: binary,
      args: ['out/main/index.js'],
      env: { ...process.env, PUBKY_SERVER_URL: 'http://127.0.0.1:9' },
    });
    const window = await app.firstWindow();
    await expect(window.getByRole('navigation', { name: 'Main' })).toContainText(APP_NAME);
    const exposed = await window.evaluate(() => ({
      api: typeof (globalThis as { api?: unknown }).api,
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
    }));
    expect(exposed).toEqual({ api: 'object', require: 'undefined', process: 'undefined' });
    await app.close();
  });
});
