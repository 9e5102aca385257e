// Postgres stopped and restarted mid-stream: the feed's LISTEN connection comes back, backfills
// from the event log, and the client misses no event.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthService } from '../../server/auth/auth-service';
import { freePort, startEmbeddedPostgres } from '../../server/db/embedded-postgres';
import { migrate } from '../../server/db/migrate';
import { startFeed } from '../../server/feed/start-feed';
import { connectFeed } from '../support/feed-client';
import { family, pubkyDomain, randomKey } from '../support/schema-fixtures';

const baseDir = await mkdtemp(join(tmpdir(), 'pubky-feed-restart-'));
const port = await freePort();
let cluster = await startEmbeddedPostgres({ baseDir, port });
const pool = new pg.Pool({ connectionString: cluster.url, max: 4 });
pool.on('error', () => undefined); // connections die with the restart; the pool replaces them
afterAll(async () => {
  await pool.end().catch(() => undefined);
  await cluster.stop();
  await rm(baseDir, { recursive: true, force: true });
});

describe('feed across a Postgres restart', () => {
  it('delivers every event committed before, during and after the restart', async () => {
    await migrate(pool);
    const auth = new AuthService(pool, { origin: 'http://127.0.0.1' });
    await auth.listen(cluster.url);
    const feed = await startFeed({
      pool,
      databaseUrl: cluster.url,
      auth,
      host: '127.0.0.1',
      port: 0,
    });
    const familyId = await family(pool);
    const key = randomKey();
    const { rows } = await pool.query<{ id: string }>(
      'INSERT INTO users (display_name, pubky_public_key) VALUES ($1, $2) RETURNING id',
      ['Owner', key],
    );
    await pool.query(
      "INSERT INTO family_members (family_id, user_id, role) VALUES ($1, $2, 'owner')",
      [familyId, rows[0]!.id],
    );
    const domain = await pubkyDomain(pool, familyId);
    const token = await auth.accessToken(rows[0]!.id, key, 600);

    const client = await connectFeed(`ws://127.0.0.1:${feed.port}`, token);
    client.send({ type: 'subscribe', data: { familyId } });
    await client.waitFor(() => client.frames.some((f) => f.type === 'subscribed'));
    const change = (note: string) =>
      pool.query('UPDATE pubky_domains SET status = $2, updated_at = now() WHERE id = $1', [
        domain.pubkyDomainId,
        note,
      ]);
    const start = Number(
      (await pool.query('SELECT coalesce(max(seq), 0) AS s FROM feed_events')).rows[0].s,
    );

    for (let i = 0; i < 20; i++) await change(i % 2 ? 'active' : 'suspended');
    await cluster.stop(); // immediately: some notifications may never have left
    cluster = await startEmbeddedPostgres({ baseDir, port });
    for (let i = 0; i < 20; i++) {
      for (;;) {
        try {
          await change(i % 2 ? 'suspended' : 'active');
          break;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 50)); // the pool is reconnecting
        }
      }
    }
    const expected = (
      await pool.query<{ seq: string }>('SELECT seq FROM feed_events WHERE seq > $1 ORDER BY seq', [
        start,
      ])
    ).rows.map((r) => Number(r.seq));
    expect(expected).toHaveLength(40);
    await client.waitFor(
      () => client.frames.filter((f) => (f.seq ?? 0) > start).length >= 40,
      20_000,
    );
    expect(client.frames.filter((f) => (f.seq ?? 0) > start).map((f) => f.seq)).toEqual(expected);
    // Session revocations are followed across the restart too: the socket of a user whose
    // sessions end closes (issue 17: the revocation listener reconnects).
    const revoked = new Promise<string>((resolve) => auth.once('revoked', resolve));
    await pool.query('UPDATE users SET sessions_revoked_at = now() WHERE id = $1', [rows[0]!.id]);
    expect(await revoked).toBe(rows[0]!.id);
    expect((await client.closed).code).toBe(4401);
    await auth.close();
    await feed.close();
  });
});
