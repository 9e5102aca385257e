// An app profile for browser tests: main's real services (own data dir, own keychain service)
// and a page of the built renderer wired to them, recording every reply and event it receives.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDispatch } from '../../src-main/ipc/dispatch';
import { startMainServices, type MainServices } from '../../src-main/services';
import { PersonDialogs } from './person-dialogs';
import { wireApi } from './renderer-bridge';

export interface AppProfile {
  readonly main: MainServices;
  readonly dir: string;
  /** The OS keychain service its keys are kept under. */
  readonly keychainService: string;
  readonly person: PersonDialogs;
  /** Every IPC reply and main event the page received, as JSON text. */
  readonly seen: { kind: 'reply' | 'event'; channel: string; text: string }[];
  open(context: BrowserContext | Browser, rendererUrl: string, path?: string): Promise<Page>;
  close(): Promise<void>;
}

let count = 0;

export async function appProfile(options: {
  relays: readonly string[];
  person?: PersonDialogs;
  /** Loopback DHT nodes `host:port`; without them the profile runs without the DHT. */
  dhtBootstrap?: readonly string[];
  /** The companion server (default: an address nobody answers at). */
  serverUrl?: string;
}): Promise<AppProfile> {
  const dir = await mkdtemp(join(tmpdir(), 'pubky-profile-'));
  const person = options.person ?? new PersonDialogs();
  const keychainService = `pubky-domains-e2e-${process.pid}-${count++}`;
  const main = await startMainServices({
    dataDir: dir,
    version: 'test',
    serverUrl: () => options.serverUrl ?? 'http://127.0.0.1:9',
    relays: options.relays,
    dhtBootstrap: options.dhtBootstrap ?? null,
    keychainService,
    outboxIntervalMs: 200,
    migrationPollMs: 200,
    dialogs: person,
  });
  const seen: AppProfile['seen'] = [];
  main.events.subscribe((event, payload) =>
    seen.push({ kind: 'event', channel: event, text: JSON.stringify(payload) }),
  );
  const dispatch = createDispatch(main.handlers);
  const contexts: BrowserContext[] = [];
  return {
    main,
    dir,
    keychainService,
    person,
    seen,
    async open(context, rendererUrl, path = '') {
      // Each page of a Browser gets a context of its own (its own storage, like a window).
      let page: Page;
      if ('newContext' in context) {
        const own = await context.newContext();
        contexts.push(own);
        page = await own.newPage();
      } else page = await context.newPage();
      await wireApi(
        page,
        async (channel, payload) => {
          const reply = await dispatch(channel, payload);
          seen.push({ kind: 'reply', channel: String(channel), text: JSON.stringify(reply) });
          return reply;
        },
        main.events,
      );
      await page.goto(`${rendererUrl}${path ? `#${path}` : ''}`);
      return page;
    },
    async close() {
      await Promise.all(contexts.map((c) => c.close()));
      for (const key of main.vault.list()) main.vault.delete(key, key);
      await main.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
