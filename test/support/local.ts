// Fresh local state for app-side tests: a temp SQLite file and a keychain service of its own.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { KeyVault } from '../../src-main/custody/key-vault';
import { osKeychain } from '../../src-main/custody/secret-store';
import { LocalStore } from '../../src-main/store/local-store';
import type { Dialogs } from '../../src-main/dialogs';
import { MainEvents } from '../../src-main/events';
import { createHandlers } from '../../src-main/handlers';
import { createDispatch, type Dispatch } from '../../src-main/ipc/dispatch';
import type { Publisher } from '../../src-main/publish/publisher';
import { PersonDialogs } from './person-dialogs';

export interface LocalApp {
  readonly dir: string;
  readonly dbPath: string;
  readonly service: string;
  readonly store: LocalStore;
  readonly vault: KeyVault;
}

export function freshLocalApp(): LocalApp {
  const dir = mkdtempSync(join(tmpdir(), 'pubky-app-'));
  const dbPath = join(dir, 'app.sqlite');
  const service = `pubky-domains-test-${randomBytes(4).toString('hex')}`;
  const store = new LocalStore(dbPath);
  const vault = new KeyVault(osKeychain(service), store);
  afterAll(() => {
    for (const key of store.listKeys()) vault.delete(key, key);
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, dbPath, service, store, vault };
}

/**
 * Main's IPC dispatch over a local app, for flows that never publish (keys, backups, dialogs):
 * the handlers as Electron runs them, with the test's person answering the dialogs.
 */
export function localDispatch(
  app: LocalApp,
  options: { dialogs?: Dialogs; events?: MainEvents } = {},
): Dispatch {
  return createDispatch(
    createHandlers({
      version: 'test',
      serverUrl: () => 'http://127.0.0.1:9',
      store: app.store,
      vault: app.vault,
      // Nothing these flows do reaches the publisher.
      publisher: undefined as unknown as Publisher,
      dialogs: options.dialogs ?? new PersonDialogs(),
      events: options.events ?? new MainEvents(),
    }),
  );
}
