// Issue 17 item 8 and acceptance 3: Postgres stopped for 5 s and restarted while the app syncs
// packets and feed clients listen. The server process stays up; requests that meet the outage
// get 503 with Retry-After and succeed when retried; feed sockets stay open and, once Postgres
// is back, receive every event committed, in order, none twice.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startEmbeddedPostgres } from '../../server/db/embedded-postgres';
import type { PacketSigner } from '../../src-shared/pkarr';
import { randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { call, signIn, registerDomain, syncedPacket } from '../support/api-client';
import { connectFeed } from '../support/feed-client';
import { spawnNode, waitFor } from '../support/processes';

const baseDir = await mkdtemp(join(tmpdir(), 'pubky-outage-'));
const pgPort = await freePort();
let cluster = await startEmbeddedPostgres({ baseDir, port: pgPort });
const port = await freePort();
const feedPort = await freePort();
const server = spawnNode(['--import', 'tsx', 'server/main.ts'], {
  DATABASE_URL: cluster.url,
  PORT: String(port),
  FEED_PORT: String(feedPort),
  LOG_LEVEL: 'warn',
  VERIFY_THREADS: '0',
  WRITES_PER_MINUTE: '0',
});
let exited = false;
void server.exited.then(() => (exited = true));
afterAll(async () => {
  if (!exited) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  await cluster.stop().catch(() => undefined);
  await rm(baseDir, { recursive: true, force: true });
});
const base = `http://127.0.0.1:${port}`;
await waitFor(
  async () => ((await fetch(`${base}/healthz`)).status === 200 ? true : undefined),
  30_000,
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a Postgres outage', () => {
  it('leaves the process up: 503 with Retry-After during it, retries succeed, feed sockets stay and miss nothing', async () => {
    const owner = await signIn(base);
    const family = (
      await call(base, 'POST', '/families', { token: owner.accessToken, body: { name: 'Outage' } })
    ).body as { id: string };
    const signers: PacketSigner[] = [];
    for (let i = 0; i < 4; i++) {
      const signer = seedSigner(randomSeed());
      const created = await registerDomain(base, owner, family.id, signer);
      expect(created.status).toBe(201);
      signers.push(signer);
    }
    const feeds = [];
    for (let i = 0; i < 2; i++) {
      const feed = await connectFeed(`ws://127.0.0.1:${feedPort}`, owner.accessToken);
      feed.send({ type: 'subscribe', data: { familyId: family.id } });
      await feed.waitFor(() => feed.frames.some((f) => f.type === 'subscribed'));
      feeds.push(feed);
    }

    const statuses: number[] = [];
    let retryAfter: string | null = null;
    let syncing = true;
    let uploads = 0;
    /** Uploads a newer packet of one domain until one is stored (as the app's outbox does). */
    const syncLoop = async (signer: PacketSigner) => {
      while (syncing) {
        const body = { packets: [syncedPacket(signer, Date.now() * 1000)] };
        for (;;) {
          const response = await fetch(`${base}/sync/packets`, {
            method: 'POST',
            headers: {
              Authorization: `Bearer ${owner.accessToken}`,
              'Content-Type': 'application/json',
            },
            body: JSON.stringify(body),
          }).catch(() => undefined);
          statuses.push(response?.status ?? 0);
          if (response?.status === 503) retryAfter = response.headers.get('Retry-After');
          if (response?.status === 200) break;
          await sleep(200);
        }
        uploads++;
        await sleep(50);
      }
    };
    const loops = signers.map((signer) => syncLoop(signer));
    await sleep(1_000);
    await cluster.stop();
    await sleep(5_000);
    expect(exited).toBe(false);
    cluster = await startEmbeddedPostgres({ baseDir, port: pgPort });
    await sleep(3_000);
    syncing = false;
    await Promise.all(loops);

    expect(exited).toBe(false);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(statuses).toContain(503);
    expect(retryAfter).toBe('2');
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(uploads).toBeGreaterThan(8);

    // Every packet event committed reached each socket that stayed open, in order, once.
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    const { rows } = await admin.query<{ seq: string }>(
      "SELECT seq FROM feed_events WHERE family_id = $1 AND kind = 'pkarr_record_event' ORDER BY seq",
      [family.id],
    );
    await admin.end();
    const expected = rows.map((r) => Number(r.seq));
    expect(expected.length).toBeGreaterThanOrEqual(uploads);
    for (const feed of feeds) {
      await feed.waitFor(
        () => feed.frames.filter((f) => f.type === 'pkarr_record_event').length >= expected.length,
        15_000,
      );
      expect(feed.frames.filter((f) => f.type === 'pkarr_record_event').map((f) => f.seq)).toEqual(
        expected,
      );
      expect(feed.socket.readyState).toBe(feed.socket.OPEN);
      feed.close();
    }
  }, 90_000);
});
