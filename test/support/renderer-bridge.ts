// Runs the built renderer in real Chromium wired to the real main-process handlers: the page gets
// a window.api with the same contract the preload exposes, and every call goes through the same
// dispatch (schema check, typed errors) that Electron's ipcMain uses.
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import type { Dispatch } from '../../src-main/ipc/dispatch';
import type { MainEvents } from '../../src-main/events';

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

/**
 * Gives the page the preload's window.api (invoke and on), bound to main's dispatch and events
 * in this process. Returns the function that stops forwarding events.
 */
/**
 * Playwright carries JSON-like values between the page and this process, where Electron's IPC
 * carries structured clones: byte arrays (recovery files, SVCB parameters) cross as tagged lists
 * both ways, and come out as Uint8Array on the other side, as they would in Electron.
 */
type Tagged = { __bytes: number[] };
function pack(value: unknown): unknown {
  if (value instanceof Uint8Array) return { __bytes: Array.from(value) } satisfies Tagged;
  if (Array.isArray(value)) return value.map(pack);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, pack(v)]));
  return value;
}
function unpack(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unpack);
  if (value && typeof value === 'object') {
    if (Array.isArray((value as Tagged).__bytes)) return Uint8Array.from((value as Tagged).__bytes);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unpack(v)]));
  }
  return value;
}

export async function wireApi(
  page: Page,
  dispatch: Dispatch,
  events?: MainEvents,
): Promise<() => void> {
  await page.exposeBinding('__pubkyInvoke', async (_source, channel: unknown, payload: unknown) =>
    pack(await dispatch(channel, unpack(payload))),
  );
  await page.addInitScript(`(() => {
    ${pack.toString()}
    ${unpack.toString()}
    globalThis.__pubkyPack = pack;
    globalThis.__pubkyUnpack = unpack;
  })()`);
  await page.addInitScript(() => {
    const g = globalThis as unknown as {
      __pubkyInvoke: (c: unknown, p: unknown) => Promise<unknown>;
      __pubkyPack: (v: unknown) => unknown;
      __pubkyUnpack: (v: unknown) => unknown;
    };
    const bridge = (channel: unknown, request: unknown) =>
      g.__pubkyInvoke(channel, g.__pubkyPack(request)).then(g.__pubkyUnpack);
    const listeners = new Map<string, Set<(payload: unknown) => void>>();
    Object.defineProperty(globalThis, '__pubkyEmit', {
      value: (event: string, payload: unknown) => {
        for (const listener of listeners.get(event) ?? []) listener(g.__pubkyUnpack(payload));
      },
    });
    Object.defineProperty(globalThis, 'api', {
      value: Object.freeze({
        invoke: (channel: unknown, request: unknown) => bridge(channel, request),
        on: (event: string, listener: (payload: unknown) => void) => {
          const set = listeners.get(event) ?? new Set();
          listeners.set(event, set);
          set.add(listener);
          return () => void set.delete(listener);
        },
      }),
    });
  });
  if (!events) return () => {};
  return events.subscribe((event, payload) => {
    // A page that navigated or closed misses the event, as a closed window would.
    page
      .evaluate(
        ([name, data]) =>
          (globalThis as unknown as { __pubkyEmit: (e: string, p: unknown) => void }).__pubkyEmit(
            name,
            data,
          ),
        [event, pack(payload)] as const,
      )
      .catch(() => undefined);
  });
}
