// Fresh local state for app-side tests: a temp SQLite file and a keychain service of its own.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { KeyVault } from '../../src-main/custody/key-vault';
import { osKeychain } from '../../src-main/custody/secret-store';
import { LocalStore } from '../../src-main/store/local-store';

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
