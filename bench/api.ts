// `npm run bench -- api`: the companion server under load from a second process (bench/api-load).
// Packet sync (verify + store + re-score + notify, the full path), closed loop for the most it
// takes and open loop at the 4,000 packets/s target for honest latency; then relay PUT and GET,
// ours and the `pkarr` npm relay (in a process of its own) taking the same packets in the same
// run. BENCH_API_SECONDS sets each phase's length (default 10); BENCH_API_OPEN_SECONDS the
// open loop's (default 30: its p99 over 400 requests was the 5th worst, so one stall, a few
// hundred ms in which every upload in flight waited, decided it; over 1,200 it is the 12th
// worst, the tail of the load rather than of one moment). Most such stalls were the server's
// own full garbage collections (see server/runtime/server-heap.ts), so the open loop reports
// how many it made; the rest were slow WAL flushes at COMMIT on this VM's disk.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import pg from 'pg';
import { z32Encode } from '../src-shared/pkarr';
import { randomBytes } from 'node:crypto';
import { startEmbeddedPostgres } from '../server/db/embedded-postgres';
import { migrate } from '../server/db/migrate';
import { buildApp } from '../server/http/app';
import { AuthService } from '../server/auth/auth-service';
import { loadConfig } from '../server/config';
import { SignatureWorkerPool } from '../server/crypto/signature-worker-pool';
import type { LoadPlan, Phase, PhaseResult } from './api-load';
import { benchSigner } from './bench-signer';
import { startPkarrRelay } from './pkarr-relays';

const SECONDS = Number(process.env['BENCH_API_SECONDS'] ?? 10);
const OPEN_SECONDS = Number(process.env['BENCH_API_OPEN_SECONDS'] ?? 30);
const FAMILIES = 100;
const DOMAINS_PER_FAMILY = 20;
const BATCH = Number(process.env['BENCH_API_BATCH'] ?? 100);
const TARGET_PACKETS_PER_SECOND = 4000;
const { verifyThreads } = loadConfig();

/** FAMILIES families of DOMAINS_PER_FAMILY Pubky domains each, an owner each; returns seeds. */
async function makeFamilies(pool: pg.Pool, auth: AuthService) {
  const families: { token: string; seeds: string[] }[] = [];
  for (let f = 0; f < FAMILIES; f++) {
    const seeds = Array.from({ length: DOMAINS_PER_FAMILY }, () => randomBytes(32));
    const keys = seeds.map((seed) => z32Encode(benchSigner(seed).publicKey));
    const { rows } = await pool.query<{ family_id: string; user_id: string }>(
      `WITH f AS (INSERT INTO families (name) VALUES ($1) RETURNING id),
            u AS (INSERT INTO users (display_name) VALUES ($1) RETURNING id),
            m AS (INSERT INTO family_members (family_id, user_id, role)
                  SELECT f.id, u.id, 'owner' FROM f, u RETURNING family_id, user_id),
            k AS (INSERT INTO pubky_keypairs (family_id, public_key, custody)
                  SELECT f.id, key, 'os-keychain' FROM f, unnest($2::text[]) key RETURNING id, public_key, family_id),
            d AS (INSERT INTO domain_records (family_id, name, domain_type)
                  SELECT f.id, key || '.bench', 'pubky' FROM f, unnest($2::text[]) key RETURNING id, name),
            p AS (INSERT INTO pubky_domains (domain_record_id, family_id, keypair_id, public_key)
                  SELECT d.id, k.family_id, k.id, k.public_key FROM d JOIN k ON d.name = k.public_key || '.bench')
       SELECT m.family_id, m.user_id FROM m`,
      [`bench family ${f}`, keys],
    );
    const token = await auth.accessToken(rows[0]!.user_id, 'bench', 2 * 3600);
    families.push({ token, seeds: seeds.map((seed) => Buffer.from(seed).toString('hex')) });
  }
  return families;
}

/**
 * The server's garbage collections while it runs: full (mark-compact) ones pause the event loop
 * and mark on another core, and the open loop's slow requests used to cluster on them.
 */
function watchGarbageCollection() {
  const seen = { minor: 0, major: 0, pauseMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) seen.major++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) seen.minor++;
      seen.pauseMs += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      observer.disconnect();
      return { ...seen, pauseMs: Math.round(seen.pauseMs) };
    },
  };
}

async function startLoad(plan: LoadPlan) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/api-load.ts'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  // A load process that dies must fail the bench, not leave it waiting for a line.
  const died = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the load process exited (${code})`))),
  );
  died.catch(() => undefined);
  const next = () =>
    Promise.race([new Promise<string>((resolve) => lines.once('line', resolve)), died]);
  child.stdin!.write(`${JSON.stringify(plan)}\n`);
  await next(); // {"ready": true}
  return {
    run: async (phase: Phase): Promise<PhaseResult> => {
      const answer = next();
      child.stdin!.write(`${JSON.stringify(phase)}\n`);
      return JSON.parse(await answer) as PhaseResult;
    },
    stop: () => child.stdin!.write('stop\n'),
  };
}

export async function benchApi(): Promise<Record<string, unknown>> {
  const baseDir = await mkdtemp(join(tmpdir(), 'pubky-bench-api-'));
  const cluster = await startEmbeddedPostgres({ baseDir, log: () => undefined });
  const pool = new pg.Pool({ connectionString: cluster.url, max: 10 });
  pool.on('error', () => undefined);
  const pkarrRelay = await startPkarrRelay();
  try {
    await migrate(pool);
    const auth = new AuthService(pool, { origin: 'http://127.0.0.1' });
    const families = await makeFamilies(pool, auth);
    // Signatures checked as the server checks them (VERIFY_THREADS, default as in server/config).
    const signatures = verifyThreads > 0 ? new SignatureWorkerPool(verifyThreads) : undefined;
    const app = buildApp({
      pool,
      auth,
      publicOrigin: auth.origin,
      logLevel: 'silent',
      relayPutsPerMinute: 0,
      limits: { signInPerMinute: 0, writesPerMinute: 0 },
      ...(signatures && { signatures }),
    });
    const api = await app.listen({ host: '127.0.0.1', port: 0 });

    const load = await startLoad({
      api,
      families,
      batch: BATCH,
      ingestPackets: Math.ceil(SECONDS * 2 + 2) * 8000 + OPEN_SECONDS * TARGET_PACKETS_PER_SECOND,
      relayPackets: Math.ceil(SECONDS + 1) * 12_000,
    });
    await load.run({ kind: 'ingest-closed', seconds: 2, concurrency: 4 }); // warm-up
    const ingestClosed = await load.run({
      kind: 'ingest-closed',
      seconds: SECONDS,
      concurrency: 4,
    });
    // The server's event loop during the open-loop phase: time a request waits for JavaScript.
    const collections = watchGarbageCollection();
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const ingestOpen = await load.run({
      kind: 'ingest-open',
      seconds: OPEN_SECONDS,
      packetsPerSecond: TARGET_PACKETS_PER_SECOND,
    });
    loopDelay.disable();
    const serverGc = collections.stop();
    const ours = `${api}/relay`;
    const relayPhase = (kind: 'relay-put' | 'relay-get', base: string) =>
      load.run({ kind, seconds: SECONDS / 2, concurrency: 16, base });
    const putOurs = await relayPhase('relay-put', ours);
    const putPkarr = await relayPhase('relay-put', pkarrRelay.url);
    const getOurs = await relayPhase('relay-get', ours);
    const getPkarr = await relayPhase('relay-get', pkarrRelay.url);
    load.stop();

    // What the clients were told is what the database holds.
    const { rows } = await pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM sync_receipts WHERE outcome = 'stored'",
    );
    const storedInDb = Number(rows[0]!.n);
    const reported = (ingestClosed.stored ?? 0) + (ingestOpen.stored ?? 0);
    await app.close();
    await signatures?.close();

    const relayRatio = (a: PhaseResult, b: PhaseResult) =>
      Math.round((a.perSecond / Math.max(1, b.perSecond)) * 100) / 100;
    return {
      name: 'api',
      setup: {
        families: FAMILIES,
        domains: FAMILIES * DOMAINS_PER_FAMILY,
        batch: BATCH,
        seconds: SECONDS,
        openLoopSeconds: OPEN_SECONDS,
        records: 5,
        verifyThreads,
      },
      ingest: {
        closedLoop: { concurrency: 4, ...ingestClosed },
        openLoopAtTarget: {
          offeredPacketsPerSecond: TARGET_PACKETS_PER_SECOND,
          ...ingestOpen,
          serverGc,
          serverEventLoopDelayMs: {
            p50: Math.round(loopDelay.percentile(50) / 1e5) / 10,
            p99: Math.round(loopDelay.percentile(99) / 1e5) / 10,
          },
        },
        storedInDatabaseIncludingWarmup: storedInDb,
        storedReportedExcludingWarmup: reported,
      },
      relay: {
        put: { ours: putOurs, pkarr: putPkarr, oursOverPkarr: relayRatio(putOurs, putPkarr) },
        get: { ours: getOurs, pkarr: getPkarr, oursOverPkarr: relayRatio(getOurs, getPkarr) },
      },
      targets: {
        ingest4000PerSecondP99Under50ms: {
          met:
            (ingestOpen.packetsPerSecond ?? 0) >= TARGET_PACKETS_PER_SECOND * 0.98 &&
            ingestOpen.latencyMs.p99 < 50 &&
            (ingestOpen.statuses['200'] ?? 0) === ingestOpen.requests,
        },
        relayAtLeastPkarr: {
          met: relayRatio(putOurs, putPkarr) >= 1 && relayRatio(getOurs, getPkarr) >= 1,
        },
      },
    };
  } finally {
    pkarrRelay.stop();
    await pool.end();
    await cluster.stop();
    await rm(baseDir, { recursive: true, force: true });
  }
}
