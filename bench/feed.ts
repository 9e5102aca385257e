// `npm run bench -- feed`: the live feed under load, clients in a second process.
// Shapes: "families" (N clients in N/5 families, the database committing 1,000 changes/s spread
// over the families) and "hot domain" (1,000 clients on one domain changing 50 times/s). Reports
// commit→client latency, loss, server memory per idle connection, and raw LISTEN/NOTIFY latency
// measured in the same run. BENCH_FEED_SECONDS sets each shape's duration (default 30).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { AuthService } from '../server/auth/auth-service';
import { startEmbeddedPostgres } from '../server/db/embedded-postgres';
import { migrate } from '../server/db/migrate';
import { startFeed } from '../server/feed/start-feed';

const SECONDS = Number(process.env['BENCH_FEED_SECONDS'] ?? 30);

interface FamilyRows {
  readonly familyId: string;
  readonly userId: string;
  readonly migrationId: string;
}

async function makeFamilies(pool: pg.Pool, n: number): Promise<FamilyRows[]> {
  const { rows } = await pool.query<{ family_id: string; user_id: string; migration_id: string }>(`
    WITH f AS (INSERT INTO families (name) SELECT 'bench ' || i FROM generate_series(1, ${n}) i RETURNING id),
    fl AS (SELECT id, row_number() OVER () AS i FROM f),
    u AS (INSERT INTO users (display_name) SELECT 'user ' || i FROM generate_series(1, ${n}) i RETURNING id),
    ul AS (SELECT id, row_number() OVER () AS i FROM u),
    m AS (INSERT INTO family_members (family_id, user_id, role) SELECT fl.id, ul.id, 'owner' FROM fl JOIN ul USING (i)
          RETURNING family_id, user_id),
    d AS (INSERT INTO domain_records (family_id, name, domain_type) SELECT id, 'bench' || i || '.example', 'traditional' FROM fl
          RETURNING id, family_id),
    mig AS (INSERT INTO domain_migrations (domain_record_id, family_id, direction) SELECT id, family_id, 'dns_to_pubky' FROM d
          RETURNING id, family_id)
    SELECT m.family_id, m.user_id, mig.id AS migration_id FROM m JOIN mig USING (family_id)`);
  return rows.map((r) => ({
    familyId: r.family_id,
    userId: r.user_id,
    migrationId: r.migration_id,
  }));
}

const token = (auth: AuthService, userId: string): Promise<string> =>
  auth.accessToken(userId, 'bench', 2 * 3600);

/** Runs clients in a child process; resolves when all are subscribed, with a stop() for results. */
async function startClients(
  url: string,
  clients: { token: string; subscription: Record<string, unknown> }[],
) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/feed-clients.ts'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin!.write(`${JSON.stringify({ url, clients })}\n`);
  const lines = createInterface({ input: child.stdout! });
  const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
  await next(); // {"ready": n}
  return {
    reset: async () => {
      const done = next();
      child.stdin!.write('reset\n');
      await done;
    },
    stop: async () => {
      const result = next();
      child.stdin!.write('stop\n');
      return JSON.parse(await result) as {
        received: number;
        perClient: number[];
        p50: number;
        p99: number;
        max: number;
        closedEarly: number;
      };
    },
  };
}

/** Commits `perSecond` changes for `seconds`, round-robin over the migrations; returns counts. */
async function commit(
  pool: pg.Pool,
  migrationIds: readonly string[],
  perSecond: number,
  seconds: number,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const total = perSecond * seconds;
  const started = Date.now();
  let sent = 0;
  const inFlight = new Set<Promise<unknown>>();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * perSecond));
    while (sent < due) {
      const id = migrationIds[sent % migrationIds.length]!;
      counts.set(id, (counts.get(id) ?? 0) + 1);
      const p = pool.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
        id,
        String(Date.now()),
      ]);
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(inFlight);
  return counts;
}

/** Two seconds of the same load, unmeasured: JIT and connection warm-up are not the steady state. */
async function warmUp(
  pool: pg.Pool,
  migrationIds: readonly string[],
  perSecond: number,
  clients: { reset(): Promise<void> },
): Promise<void> {
  await commit(pool, migrationIds, perSecond, 2);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await clients.reset();
}

async function rawNotifyLatency(url: string): Promise<{ p50: number; p99: number }> {
  const listener = new pg.Client({ connectionString: url });
  const sender = new pg.Client({ connectionString: url });
  await listener.connect();
  await sender.connect();
  const samples: number[] = [];
  listener.on('notification', (n) =>
    samples.push(Number(process.hrtime.bigint() - BigInt(n.payload ?? '0')) / 1e6),
  );
  await listener.query('LISTEN bench_raw');
  for (let i = 0; i < 1000; i++) {
    await sender.query('SELECT pg_notify($1, $2)', ['bench_raw', String(process.hrtime.bigint())]);
    if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  await listener.end();
  await sender.end();
  samples.sort((a, b) => a - b);
  return {
    p50: samples[Math.floor(samples.length / 2)] ?? 0,
    p99: samples[Math.floor(samples.length * 0.99)] ?? 0,
  };
}

export async function benchFeed(): Promise<Record<string, unknown>> {
  const baseDir = await mkdtemp(join(tmpdir(), 'pubky-bench-feed-'));
  const cluster = await startEmbeddedPostgres({ baseDir, log: () => undefined });
  const pool = new pg.Pool({ connectionString: cluster.url, max: 8 });
  pool.on('error', () => undefined); // idle connections end with the cluster
  try {
    await migrate(pool);
    const auth = new AuthService(pool, { origin: 'http://127.0.0.1' });
    const feed = await startFeed({
      pool,
      databaseUrl: cluster.url,
      auth,
      host: '127.0.0.1',
      port: 0,
      // The hot-domain shape opens 1,000 sockets as one user (a fan-out test, not a family).
      limits: { maxBufferedBytes: 64 * 1024 * 1024, maxConnectionsPerUser: 1000 },
    });
    const url = `ws://127.0.0.1:${feed.port}`;
    const raw = await rawNotifyLatency(cluster.url);

    const shapes: Record<string, unknown> = {};
    for (const clientsCount of [1000, 5000]) {
      const families = await makeFamilies(pool, clientsCount / 5);
      const clients = await Promise.all(
        Array.from({ length: clientsCount }, async (_, i) => {
          const f = families[i % families.length]!;
          return {
            token: await token(auth, f.userId),
            subscription: { familyId: f.familyId },
            migrationId: f.migrationId,
          };
        }),
      );
      global.gc?.();
      const before = process.memoryUsage().rss;
      const running = await startClients(url, clients);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const idleBytesPerConnection = (process.memoryUsage().rss - before) / clientsCount;
      await warmUp(
        pool,
        families.map((f) => f.migrationId),
        1000,
        running,
      );
      const counts = await commit(
        pool,
        families.map((f) => f.migrationId),
        1000,
        SECONDS,
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const result = await running.stop();
      const expected = clients.reduce((sum, c) => sum + (counts.get(c.migrationId) ?? 0), 0);
      shapes[`families_${clientsCount}`] = {
        clients: clientsCount,
        families: families.length,
        changesPerSecond: 1000,
        framesExpected: expected,
        framesReceived: result.received,
        loss: expected - result.received,
        latencyMs: { p50: result.p50, p99: result.p99, max: result.max },
        idleBytesPerConnection: Math.round(idleBytesPerConnection),
        closedEarly: result.closedEarly,
      };
    }

    const [hot] = await makeFamilies(pool, 1);
    const hotToken = await token(auth, hot!.userId);
    const running = await startClients(
      url,
      Array.from({ length: 1000 }, () => ({
        token: hotToken,
        subscription: { domainMigrationId: hot!.migrationId },
      })),
    );
    await warmUp(pool, [hot!.migrationId], 50, running);
    const counts = await commit(pool, [hot!.migrationId], 50, SECONDS);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const result = await running.stop();
    const expected = 1000 * (counts.get(hot!.migrationId) ?? 0);
    shapes['hot_domain'] = {
      clients: 1000,
      changesPerSecond: 50,
      framesPerSecond: 50_000,
      framesExpected: expected,
      framesReceived: result.received,
      loss: expected - result.received,
      latencyMs: { p50: result.p50, p99: result.p99, max: result.max },
      closedEarly: result.closedEarly,
    };
    await feed.close();

    const f1 = shapes['families_1000'] as {
      loss: number;
      latencyMs: { p99: number };
      idleBytesPerConnection: number;
    };
    const f5 = shapes['families_5000'] as { loss: number; latencyMs: { p99: number } };
    const h = shapes['hot_domain'] as { loss: number; latencyMs: { p99: number } };
    return {
      bench: 'feed',
      secondsPerShape: SECONDS,
      rawListenNotifyMs: raw,
      shapes,
      targets: {
        zeroLoss: { met: f1.loss === 0 && f5.loss === 0 && h.loss === 0 },
        p99Under100msAt1000: { met: f1.latencyMs.p99 < 100 && h.latencyMs.p99 < 100 },
        p99Under250msAt5000: { met: f5.latencyMs.p99 < 250 },
        idleConnectionUnder50KiB: { met: f1.idleBytesPerConnection < 50 * 1024 },
      },
    };
  } finally {
    await pool.end();
    await cluster.stop();
    await rm(baseDir, { recursive: true, force: true });
  }
}
