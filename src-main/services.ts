// The main process's composition root: local store, key vault, relay and DHT clients, publisher
// and republisher, wired once. Electron's entry and the tests build the app through this.
import { createMainlineNode } from '../src-node/mainline-node';
import { join } from 'node:path';
import { KeyVault } from './custody/key-vault';
import { osKeychain, KEYCHAIN_SERVICE } from './custody/secret-store';
import { nativeVerifier } from '../src-node/native-ed25519';
import { createHandlers } from './handlers';
import { DhtClient, MAINLINE_BOOTSTRAP } from '../src-shared/publish/dht-client';
import { Publisher } from './publish/publisher';
import { RelayClient } from '../src-shared/publish/relay-client';
import { Republisher } from './publish/republisher';
import { LocalStore } from './store/local-store';
import type { IpcHandlers } from './ipc/dispatch';
import type { Dialogs } from './dialogs';
import { MainEvents } from './events';
import { DiagnosticsLog } from './diagnostics';
import { Settings } from './settings';
import { NetworkResolver } from './network-resolver';
import { migrationView } from './migrate/migration-view';
import { ServerSession } from './server-session';
import { FamilyClient } from './family-client';
import { LiveFeed } from './live-feed';
import { CompanionUploader, FamilySync } from './family-sync';
import { DEFAULT_REPUBLISH_INTERVAL_MS } from './publish/republisher';
import { MigrationRunner } from './migrate/migration-runner';

/** Public PKARR relays the reference client uses when it is not told otherwise. */
export const DEFAULT_RELAYS = ['https://relay.pkarr.org', 'https://pkarr.pubky.org'];

export interface MainOptions {
  readonly dataDir: string;
  readonly version: string;
  readonly serverUrl: () => string;
  readonly relays?: readonly string[];
  /** DHT bootstrap nodes; `null` runs without the DHT. */
  readonly dhtBootstrap?: readonly string[] | null;
  readonly keychainService?: string;
  readonly outboxIntervalMs?: number;
  readonly republishIntervalMs?: number;
  /** Between a migration's verification rounds (tests shorten it). */
  readonly migrationPollMs?: number;
  readonly log?: (line: string) => void;
  /** Native dialogs for what only the person may decide (tests drive their own). */
  readonly dialogs: Dialogs;
}

export interface MainServices {
  readonly store: LocalStore;
  readonly vault: KeyVault;
  readonly publisher: Publisher;
  readonly republisher: Republisher;
  readonly handlers: IpcHandlers;
  /** What main pushes to the renderer (the shell forwards it to the window). */
  readonly events: MainEvents;
  readonly session: ServerSession;
  readonly migrations: MigrationRunner;
  close(): Promise<void>;
}

export async function startMainServices(options: MainOptions): Promise<MainServices> {
  const diagnostics = new DiagnosticsLog();
  const log = (line: string) => {
    diagnostics.add(line);
    options.log?.(line);
  };
  const events = new MainEvents(log);
  const store = new LocalStore(join(options.dataDir, 'pubky-domains.sqlite'));
  const keychain = osKeychain(options.keychainService ?? KEYCHAIN_SERVICE);
  const vault = new KeyVault(keychain, store);
  const settings = new Settings(store, {
    relays: [...(options.relays ?? DEFAULT_RELAYS)],
    dhtEnabled: true,
    republishIntervalMinutes: Math.max(
      15,
      Math.round((options.republishIntervalMs ?? DEFAULT_REPUBLISH_INTERVAL_MS) / 60_000),
    ),
  });
  const relays = () => settings.get().relays;
  const dhtEnabled = () => settings.get().dhtEnabled;
  const relayClient = new RelayClient({ verifier: nativeVerifier });
  let dht: DhtClient | undefined;
  if (options.dhtBootstrap !== null) {
    // Offline is normal: without the DHT the app still signs, stores and queues for relays.
    dht = await DhtClient.start({
      createNode: createMainlineNode,
      verifier: nativeVerifier,
      bootstrap: [...(options.dhtBootstrap ?? MAINLINE_BOOTSTRAP)],
      host: '0.0.0.0',
    }).catch((error: unknown) => {
      log(`DHT unavailable, publishing to relays only: ${String(error)}`);
      return undefined;
    });
  }
  // The person's setting, else the address the app was started with (read each time).
  const server = () => settings.get().serverUrl ?? options.serverUrl();
  const session = new ServerSession({
    server,
    vault,
    secrets: keychain,
    store,
    log,
    onChange: () => {
      events.emit('session:changed', session.view());
      void liveFeed.refresh();
    },
  });
  const uploader = new CompanionUploader({ server, session, relayClient });
  const publisher = new Publisher({
    companion: uploader,
    store,
    verifier: nativeVerifier,
    relayClient,
    relays,
    dht,
    dhtEnabled,
    log,
    onProgress: (progress) => events.emit('publish:progress', progress),
    onDomainChanged: (domain) => events.emit('domains:changed', { domains: [domain] }),
  });
  const republisher = new Republisher({
    store,
    publisher,
    relayClient,
    relays,
    dht,
    dhtEnabled,
    log,
    // A test's sub-minute interval stands; otherwise the person's setting, read each round.
    intervalMs:
      options.republishIntervalMs !== undefined && options.republishIntervalMs < 60_000
        ? options.republishIntervalMs
        : () => settings.get().republishIntervalMinutes * 60_000,
  });
  const recovered = store.recoverInFlight();
  if (recovered) log(`resuming ${recovered} publishes interrupted by the last exit`);
  const outboxTimer = setInterval(
    () => void publisher.processOutbox(),
    options.outboxIntervalMs ?? 5000,
  );
  outboxTimer.unref();
  republisher.start();
  void publisher.processOutbox();

  const families = new FamilyClient(session, vault, server);
  const familySync = new FamilySync({
    families,
    uploader,
    publisher,
    relayClient,
    store,
    events,
    log,
  });
  const liveFeed = new LiveFeed({
    server,
    session,
    families,
    events,
    store,
    sync: familySync,
    log,
  });
  // Signed in during an earlier run: follow the families again (offline, it retries quietly).
  void liveFeed.refresh();
  const resolver = new NetworkResolver(relayClient, dht);
  const migrations = new MigrationRunner({
    store,
    vault,
    publisher,
    resolver,
    settings: () => settings.get(),
    dht: () => dht !== undefined && settings.get().dhtEnabled,
    mirror: {
      create: (domain, direction, plan) => families.createMigration(domain, direction, plan),
      move: (id, status, error) => families.moveMigration(id, status, error),
    },
    onChange: (migration) => events.emit('migration:changed', migrationView(migration)),
    log,
    ...(options.migrationPollMs !== undefined ? { pollMs: options.migrationPollMs } : {}),
  });
  // A migration a crash or a quit interrupted goes on where it was.
  migrations.resumeAll();
  const handlers = createHandlers({
    version: options.version,
    serverUrl: options.serverUrl,
    store,
    vault,
    publisher,
    dialogs: options.dialogs,
    events,
    settings,
    diagnostics,
    dhtAvailable: dht !== undefined,
    resolver,
    migrations,
    session,
    families,
    liveFeed,
    familySync,
  });
  return {
    store,
    vault,
    publisher,
    republisher,
    handlers,
    events,
    session,
    migrations,
    close: async () => {
      migrations.close();
      session.close();
      await liveFeed.close();
      clearInterval(outboxTimer);
      republisher.stop();
      await dht?.destroy();
      store.close();
    },
  };
}
