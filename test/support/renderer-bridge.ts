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
    // Pages still open keep their connections alive: end them, or close() waits for them.
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
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

/** The same packing in the page, as plain JavaScript (a transpiled function may not survive). */
const PAGE_PACKING = `(() => {
  const pack = (value) => {
    if (value instanceof Uint8Array) return { __bytes: Array.from(value) };
    if (Array.isArray(value)) return value.map(pack);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, pack(v)]));
    return value;
  };
  const unpack = (value) => {
    if (Array.isArray(value)) return value.map(unpack);
    if (value && typeof value === 'object') {
      if (Array.isArray(value.__bytes)) return Uint8Array.from(value.__bytes);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unpack(v)]));
    }
    return value;
  };
  globalThis.__pubkyPack = pack;
  globalThis.__pubkyUnpack = unpack;
})()`;

/** window.api as the preload exposes it: invoke through the binding, on() fed by __pubkyEmit. */
const PAGE_API = `(() => {
  const g = globalThis;
  const listeners = new Map();
  Object.defineProperty(g, '__pubkyEmit', {
    value: (event, payload) => {
      for (const listener of listeners.get(event) || []) listener(g.__pubkyUnpack(payload));
    },
  });
  Object.defineProperty(g, 'api', {
    value: Object.freeze({
      invoke: (channel, request) =>
        g.__pubkyInvoke(channel, g.__pubkyPack(request)).then(g.__pubkyUnpack),
      on: (event, listener) => {
        const set = listeners.get(event) || new Set();
        listeners.set(event, set);
        set.add(listener);
        return () => void set.delete(listener);
      },
    }),
  });
})()`;

export async function wireApi(
  page: Page,
  dispatch: Dispatch,
  events?: MainEvents,
): Promise<() => void> {
  await page.exposeBinding('__pubkyInvoke', async (_source, channel: unknown, payload: unknown) =>
    pack(await dispatch(channel, unpack(payload))),
  );
  await page.addInitScript(PAGE_PACKING);
  await page.addInitScript(PAGE_API);
  if (!events) return () => {};
  return events.subscribe((event, payload) => {
    // A page that navigated or closed misses the event, as a closed window would.
    page
      .evaluate(
        `globalThis.__pubkyEmit(${JSON.stringify(event)}, ${JSON.stringify(pack(payload))})`,
      )
      .catch(() => undefined);
  });
}
