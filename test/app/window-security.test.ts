// The window's hardening as plain modules (the `_electron` test runs it where Electron exists):
// isolated sandboxed renderer, no navigation away, no new windows, no browser permissions, and
// the IPC sender check's notion of "our page" (issue 17 item 12; issue 18 asks these be tested).
import { describe, expect, it } from 'vitest';
import {
  denyPermissions,
  guardNavigation,
  isAppUrl,
  secureWebPreferences,
} from '../../src-main/window-security';

describe('window security', () => {
  it('runs the renderer isolated, sandboxed and without Node', () => {
    expect(secureWebPreferences('/app/preload.cjs')).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
  });

  it("knows the app's own page from any other (the IPC sender check)", () => {
    const packaged = 'file:///opt/app/out/renderer/index.html';
    expect(isAppUrl('file:///opt/app/out/renderer/index.html#/home', packaged)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', packaged)).toBe(false);
    expect(isAppUrl('https://evil.example/', packaged)).toBe(false);
    const dev = 'http://localhost:5173/';
    expect(isAppUrl('http://localhost:5173/domains', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('not a url', dev)).toBe(false);
    expect(isAppUrl('', dev)).toBe(false);
  });

  it('refuses navigation away and every new window', () => {
    let openHandler: (() => { action: string }) | undefined;
    let navigate: ((event: { preventDefault(): void }, url: string) => void) | undefined;
    guardNavigation(
      {
        setWindowOpenHandler: (handler) => (openHandler = handler),
        on: (_event, listener) => (navigate = listener),
      },
      'file:///opt/app/index.html',
    );
    expect(openHandler?.()).toEqual({ action: 'deny' });
    const prevented: string[] = [];
    for (const url of [
      'https://evil.example/',
      'file:///opt/app/index.html',
      'javascript:alert(1)',
    ])
      navigate?.({ preventDefault: () => prevented.push(url) }, url);
    expect(prevented).toEqual(['https://evil.example/', 'javascript:alert(1)']);
  });

  it('denies every permission request and check', () => {
    let request: ((c: unknown, p: string, cb: (granted: boolean) => void) => void) | undefined;
    let check: ((c: unknown, p: string) => boolean) | undefined;
    denyPermissions({
      setPermissionRequestHandler: (handler) => (request = handler),
      setPermissionCheckHandler: (handler) => (check = handler),
    });
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read']) {
      let granted: boolean | undefined;
      request?.(undefined, permission, (answer) => (granted = answer));
      expect(granted).toBe(false);
      expect(check?.(undefined, permission)).toBe(false);
    }
  });
});
