// Starts the companion server: its database (embedded or DATABASE_URL), the migrations, then the
// HTTP API. close() undoes it in reverse order so a stop loses nothing.
import { hostname } from 'node:os';
import type pg from 'pg';
import pino from 'pino';
import type { ServerConfig } from './config';
import { openDatabase } from './db/open-database';
import { migrate } from './db/migrate';
import { buildApp } from './http/app';
import { AuthService } from './auth/auth-service';
import { loadJwtKeys } from './auth/jwt-keys';
import { startFeed } from './feed/start-feed';
import { pruneSyncReceipts } from './ingest/sync';
import { DhtClient } from '../src-shared/publish/dht-client';
import { RelayClient } from '../src-shared/publish/relay-client';
import { nativeVerifier } from '../src-node/native-ed25519';
import { SignatureWorkerPool } from './crypto/signature-worker-pool';
import { createMainlineNode } from '../src-node/mainline-node';
import { setUpstreamTargets, UpstreamForwarder } from './upstream/upstream-forwarder';

export const SERVER_VERSION = '0.1.0';

export interface RunningServer {
  readonly url: string;
  readonly feedUrl: string;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

export async function startServer(
  config: ServerConfig,
  options: { readonly logStream?: { write(line: string): void } } = {},
): Promise<RunningServer> {
  const log = options.logStream
    ? pino({ level: config.logLevel, base: { component: 'server' } }, options.logStream)
    : pino({ level: config.logLevel, base: { component: 'server' } });
  const database = await openDatabase(config, {
    log: (line) => log.debug({ postgres: line }),
    poolLog: (fields, message) => log.warn(fields, message),
  });
  const { embedded } = database;
  if (embedded) {
    log.info({ dataDir: config.dataDir, pgPort: embedded.port }, 'embedded Postgres ready');
  }

  // What has started, to stop in reverse order: on close, and when a later step fails to start
  // (a port in use must not leave Postgres, the feed or timers running behind a failed start).
  const started: (() => unknown)[] = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    await database.close();
  };
  try {
    const { applied, schemaVersion } = await migrate(database.ownerPool, {
      log: (line) => log.info(line),
    });
    log.info({ applied, schemaVersion }, 'schema up to date');
    const { pool, url: databaseUrl } = await database.runtime();
    if (config.databaseUrl && !config.migrationDatabaseUrl)
      log.warn(
        'the server runs with the role that owns the schema: name a least-privileged one in DATABASE_URL and the owner in MIGRATION_DATABASE_URL',
      );

    const { rows } = await pool.query<{ id: string }>(
      'INSERT INTO server_instances (hostname, pid, app_version) VALUES ($1, $2, $3) RETURNING id',
      [hostname(), process.pid, SERVER_VERSION],
    );
    const instanceId = rows[0]?.id;
    started.push(() =>
      pool.query('UPDATE server_instances SET stopped_at = now() WHERE id = $1', [instanceId]),
    );

    // Time passing changes no row, so freshness that ran out is caught by a periodic pass.
    const staleTimer = setInterval(() => {
      pool
        .query('SELECT rescore_stale()')
        .catch((error: Error) => log.warn({ message: error.message }, 'rescore_stale failed'));
    }, 5 * 60_000);
    staleTimer.unref();
    started.push(() => clearInterval(staleTimer));

    // The DHT is optional and may be slow to join: the server starts without waiting for it
    // only when it is off; when on, a failure to join is logged and the relay runs unbridged.
    let dht: DhtClient | undefined;
    if (config.dhtBootstrap) {
      dht = await DhtClient.start({
        verifier: nativeVerifier,
        createNode: createMainlineNode,
        bootstrap: config.dhtBootstrap,
        host: config.host,
        port: config.dhtPort,
      }).catch((error: Error) => {
        log.warn({ message: error.message }, 'DHT unavailable: the relay runs without the bridge');
        return undefined;
      });
    }
    await setUpstreamTargets(pool, config.upstreamRelays, config.dhtBootstrap !== undefined);
    const forwarder = new UpstreamForwarder({
      pool,
      relayClient: new RelayClient({ verifier: nativeVerifier }),
      dht,
      log: (fields, message) => log.info(fields, message),
    });
    forwarder.start();
    started.push(
      () => dht?.destroy(),
      () => forwarder.stop(),
    );
    const housekeepingTimer = setInterval(() => {
      pruneSyncReceipts(pool).catch((error: Error) =>
        log.warn({ message: error.message }, 'pruning sync receipts failed'),
      );
      auth
        .prune()
        .catch((error: Error) =>
          log.warn({ message: error.message }, 'pruning sign-in rows failed'),
        );
    }, 60 * 60_000);
    housekeepingTimer.unref();
    started.push(() => clearInterval(housekeepingTimer));

    const auth = new AuthService(pool, {
      origin: config.publicOrigin,
      keys: await loadJwtKeys(config, (line) => log.info(line)),
    });
    started.push(() => auth.close());
    await auth.listen(databaseUrl);
    const feed = await startFeed({
      pool,
      databaseUrl,
      auth,
      host: config.host,
      port: config.feedPort,
      log: (fields, message) => log.warn(fields, message),
    });
    started.push(() => feed.close());
    log.info({ port: feed.port }, 'live feed listening');

    const signatures =
      config.verifyThreads > 0 ? new SignatureWorkerPool(config.verifyThreads) : undefined;
    started.push(() => signatures?.close());
    const feedUrl = config.publicFeedUrl ?? `ws://${config.host}:${feed.port}`;
    const app = buildApp({
      auth,
      pool,
      publicOrigin: config.publicOrigin,
      feedUrl,
      ...(signatures && { signatures }),
      logLevel: config.logLevel,
      ...(options.logStream && { logStream: options.logStream }),
      relayPutsPerMinute: config.relayPutsPerMinute,
      limits: { signInPerMinute: config.signInPerMinute, writesPerMinute: config.writesPerMinute },
      trustProxy: config.trustProxy,
      metricsToken: config.metricsToken,
      dht,
    });
    started.push(() => app.close());
    const url = await app.listen({ host: config.host, port: config.port });

    let closing: Promise<void> | undefined;
    const close = () => (closing ??= stopAll());
    return { url, feedUrl, pool, close };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
