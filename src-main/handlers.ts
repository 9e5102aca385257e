// The main process's IPC handlers as a plain module: no Electron import, so tests and the
// Chromium bridge run exactly this code.
import { APP_NAME } from '../src-shared/app-info';
import type { DomainRecords, KeySummary } from '../src-shared/ipc';
import {
  decodeRelayPayload,
  measureRecords,
  parsePublicKey,
  validateRecord,
  z32Encode,
} from '../src-shared/pkarr';
import { writeFile } from 'node:fs/promises';
import type { KeyVault } from './custody/key-vault';
import type { Dialogs } from './dialogs';
import { nativeVerifier } from '../src-node/native-ed25519';
import { AppError } from './errors';
import type { IpcHandlers } from './ipc/dispatch';
import type { Publisher } from './publish/publisher';
import { checkServer } from './server-status';
import type { LocalStore } from './store/local-store';

export interface MainContext {
  readonly version: string;
  readonly serverUrl: () => string;
  readonly store: LocalStore;
  readonly vault: KeyVault;
  readonly publisher: Publisher;
  readonly dialogs: Dialogs;
}

export function createHandlers(context: MainContext): IpcHandlers {
  const { store, vault, publisher } = context;

  const keySummary = (publicKey: string): KeySummary => ({
    publicKey,
    label: store.keyLabel(publicKey) ?? '',
  });

  const domainOf = (input: string): string => z32Encode(parsePublicKey(input));
  /** How dialogs name a key: its label, and a short form of the key itself. */
  const nameOf = (account: string): string => {
    const short = `${account.slice(0, 4)}…${account.slice(-4)}`;
    const label = store.keyLabel(account);
    return label ? `${label} (${short})` : short;
  };

  const recordsOf = (domain: string): DomainRecords => {
    const key = parsePublicKey(domain);
    const drafts = store.getDrafts(domain);
    const stored = store.getPacket(domain);
    const published = stored
      ? decodeRelayPayload(nativeVerifier, key, stored.payload, {
          maxFutureMicros: Number.MAX_SAFE_INTEGER,
        })
      : null;
    return {
      domain,
      drafts,
      published: published && { timestamp: published.timestamp, records: published.records },
      size: measureRecords(drafts, key),
    };
  };

  return {
    'app:info': async () => ({ name: APP_NAME, version: context.version }),
    'server:status': async () => checkServer(context.serverUrl()),

    'keys:list': async () => vault.list().map(keySummary),
    'keys:create': async ({ label }) => {
      const publicKey = vault.create(label);
      store.addDomain(publicKey, label);
      return keySummary(publicKey);
    },
    'keys:delete': async ({ publicKey }) => {
      const account = domainOf(publicKey);
      if (!vault.list().includes(account))
        throw new AppError('KEY_NOT_FOUND', `No key ${account} in the keychain.`);
      const confirmed = await context.dialogs.confirm({
        title: 'Delete key',
        message: `Delete the key for ${nameOf(account)}?`,
        detail:
          'The key is removed from this computer’s keychain. Without a backup (recovery phrase, recovery file or guardians) this domain can never be changed again. This cannot be undone.',
        confirmLabel: 'Delete key',
      });
      if (!confirmed) return { deleted: false };
      vault.delete(account, account);
      return { deleted: true };
    },
    'keys:export-recovery': async ({ publicKey, passphrase }) => {
      const account = domainOf(publicKey);
      const path = await context.dialogs.chooseSavePath({
        title: `Save the recovery file for ${nameOf(account)}`,
        defaultName: `${(store.keyLabel(account) || account.slice(0, 8)).replace(/[^\w.-]+/g, '-')}.pkarr`,
        filterName: 'Pubky recovery file',
        extensions: ['pkarr'],
      });
      if (!path) return { saved: false };
      const file = await vault.exportRecoveryFile(account, passphrase);
      await writeFile(path, file, { mode: 0o600 });
      return { saved: true, path };
    },
    'keys:import-recovery': async ({ file, passphrase, label }) => {
      const publicKey = await vault.importRecoveryFile(file, passphrase, label);
      store.addDomain(publicKey, label);
      return keySummary(publicKey);
    },

    'records:get': async ({ domain }) => recordsOf(domainOf(domain)),
    'records:save': async ({ domain: input, records }) => {
      const domain = domainOf(input);
      const canonical = records.map((record) => validateRecord(record, domain));
      const size = measureRecords(canonical, parsePublicKey(domain));
      if (!size.fits) {
        throw new AppError(
          'PACKET_TOO_LARGE',
          `These records take ${size.bytes} bytes; a domain holds at most ${size.limit}.`,
        );
      }
      store.addDomain(domain);
      store.setDrafts(domain, canonical);
      return recordsOf(domain);
    },
    'records:publish': async ({ domain: input }) => {
      const domain = domainOf(input);
      const packet = publisher.publish(vault.signer(domain), store.getDrafts(domain));
      void publisher.processOutbox();
      return { domain, timestamp: packet.timestamp };
    },
    'publish:status': async ({ domain: input }) => {
      const domain = domainOf(input);
      return {
        domain,
        targets: store
          .outboxEntries(domain)
          .filter((entry) => entry.state !== 'superseded')
          .map(({ target, state, attempts, lastError, timestamp }) => ({
            target,
            state,
            attempts,
            lastError,
            timestamp,
          })),
        history: store
          .history(domain, 50)
          .map(({ target, outcome, detail, at }) => ({ target, outcome, detail, at })),
      };
    },
  };
}
