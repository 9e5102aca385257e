// Runs the built renderer in real Chromium wired to the real main-process handlers: the page gets
// a window.api with the same contract the preload exposes, and every call goes through the same
// dispatch (schema check, typed errors) that Electron's ipcMain uses.
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import type { Dispatch } from '../../src-main/ipc/dispatch';

const RENDERER_DIR = resolve('out/renderer');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface ServedRenderer {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveRenderer(): Promise<ServedRenderer> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new Error('out/renderer is missing: run `npm run build` first (npm test does)');
  }
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const file = normalize(join(RENDERER_DIR, path === '/' ? 'index.html' : path));
    if (!file.startsWith(RENDERER_DIR) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

export async function wireApi(page: Page, dispatch: Dispatch): Promise<void> {
  await page.exposeBinding('__pubkyInvoke', (_source, channel: unknown, payload: unknown) =>
    dispatch(channel, payload),
  );
  await page.addInitScript(() => {
    const bridge = (globalThis as unknown as { __pubkyInvoke: (c: unknown, p: unknown) => unknown })
      .__pubkyInvoke;
    Object.defineProperty(globalThis, 'api', {
      value: Object.freeze({
        invoke: (channel: unknown, request: unknown) => bridge(channel, request),
      }),
    });
  });
}
