// The live feed end to end on real Postgres: authorised subscriptions only, every committed
// change exactly once and in commit order, resume with `since`, and bad input refused without
// disturbing anyone else.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthService } from '../../server/auth/auth-service';
import { migrate } from '../../server/db/migrate';
import { startFeed } from '../../server/feed/start-feed';
import { freshDatabase } from '../support/database';
import { connectFeed, type TestFeedClient } from '../support/feed-client';
import { family, pubkyDomain, randomKey, user } from '../support/schema-fixtures';

const db = await freshDatabase();
await migrate(db.pool);
const auth = new AuthService(db.pool, { origin: 'http://127.0.0.1' });
const feed = await startFeed({
  pool: db.pool,
  databaseUrl: db.url,
  auth,
  host: '127.0.0.1',
  port: 0,
  limits: { messagesPerSecond: 40, maxSubscriptions: 10 },
});
const url = `ws://127.0.0.1:${feed.port}`;
const clients: TestFeedClient[] = [];
afterAll(async () => {
  for (const client of clients) client.close();
  await feed.close();
});

/** A family with an owner who can sign in, and one Pubky domain with a migration. */
async function setUp(name: string) {
  const familyId = await family(db.pool, name);
  const ownerKey = randomKey();
  const { rows } = await db.pool.query<{ id: string }>(
    'INSERT INTO users (display_name, pubky_public_key) VALUES ($1, $2) RETURNING id',
    [name, ownerKey],
  );
  const ownerId = rows[0]!.id;
  await db.pool.query(
    "INSERT INTO family_members (family_id, user_id, role) VALUES ($1, $2, 'owner')",
    [familyId, ownerId],
  );
  const domain = await pubkyDomain(db.pool, familyId);
  const { rows: m } = await db.pool.query<{ id: string }>(
    "INSERT INTO domain_migrations (domain_record_id, family_id, direction) VALUES ($1, $2, 'pubky_to_dns') RETURNING id",
    [domain.domainRecordId, familyId],
  );
  const token = await tokenFor(ownerId, ownerKey, 900);
  return { familyId, ownerId, domain, migrationId: m[0]!.id, token };
}

const tokenFor = (userId: string, publicKey: string, seconds: number): Promise<string> =>
  auth.accessToken(userId, publicKey, seconds);

async function open(token: string | undefined, since?: number): Promise<TestFeedClient> {
  const client = await connectFeed(url, token, since);
  clients.push(client);
  return client;
}

async function subscribe(client: TestFeedClient, data: Record<string, unknown>) {
  const before = client.frames.length;
  client.send({ type: 'subscribe', data });
  await client.waitFor(() =>
    client.frames.slice(before).some((f) => f.type === 'subscribed' || f.type === 'error'),
  );
  return client.frames.slice(before).find((f) => f.type === 'subscribed' || f.type === 'error')!;
}

const events = (client: TestFeedClient) => client.frames.filter((f) => typeof f.seq === 'number');

const a = await setUp('A');
const b = await setUp('B');

describe('authorisation', () => {
  it('refuses every subscription to another family, including guessed ids and pubkyUrls', async () => {
    const intruder = await open(b.token);
    for (const data of [
      { pubkyDomainId: a.domain.pubkyDomainId },
      { sovereigntyScoreDomainId: a.domain.domainRecordId },
      { pubkyUrl: `pubky://${a.domain.publicKey}` },
      { domainMigrationId: a.migrationId },
      { familyId: a.familyId },
      { familyId: '00000000-0000-0000-0000-000000000000' },
      { pubkyUrl: 'pubky://not-a-key' },
    ]) {
      expect((await subscribe(intruder, data)).type, JSON.stringify(data)).toBe('error');
    }
    expect((await subscribe(intruder, { familyId: b.familyId })).type).toBe('subscribed');
    expect((await subscribe(intruder, { guardian: true })).type).toBe('subscribed');

    const owner = await open(a.token);
    for (const data of [
      { pubkyDomainId: a.domain.pubkyDomainId },
      { sovereigntyScoreDomainId: a.domain.domainRecordId },
      { pubkyUrl: `pubky://${a.domain.publicKey}` },
      { domainMigrationId: a.migrationId },
      { familyId: a.familyId },
    ]) {
      expect((await subscribe(owner, data)).type).toBe('subscribed');
    }
    // Changes in A of every kind: A's owner sees them, B's member sees none.
    await db.pool.query("UPDATE pubky_domains SET status = 'suspended' WHERE id = $1", [
      a.domain.pubkyDomainId,
    ]);
    await db.pool.query(
      `INSERT INTO pkarr_records (pubky_domain_id, family_id, packet, packet_timestamp)
       SELECT id, family_id, decode(repeat('ab', 80), 'hex'), 1 FROM pubky_domains WHERE id = $1`,
      [a.domain.pubkyDomainId],
    );
    await db.pool.query("UPDATE domain_migrations SET status = 'in_progress' WHERE id = $1", [
      a.migrationId,
    ]);
    const guardianUser = await user(db.pool, 'Guardian of A');
    await db.pool.query(
      'INSERT INTO federation_guardians (family_id, user_id, guardian_public_key) VALUES ($1, $2, $3)',
      [a.familyId, guardianUser, randomKey()],
    );
    await owner.waitFor(() =>
      [
        'pubky_domain_event',
        'pkarr_record_event',
        'sovereignty_score_event',
        'domain_migration_event',
      ].every((t) => owner.frames.some((f) => f.type === t)),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events(intruder).filter((f) => f.familyId === a.familyId)).toEqual([]);
    expect(JSON.stringify(intruder.frames)).not.toContain(a.domain.publicKey);
  });
});

describe('delivery', () => {
  it('1,000 changes from several connections arrive exactly once, in commit order; rollbacks never', async () => {
    const client = await open(a.token);
    expect((await subscribe(client, { familyId: a.familyId })).type).toBe('subscribed');
    const start = Number(
      (
        await db.pool.query(
          'SELECT coalesce(max(coalesce(last_seq, seq)), 0) AS s FROM feed_events',
        )
      ).rows[0].s,
    );
    const writers = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        return c;
      }),
    );
    await Promise.all(
      writers.map(async (writer, w) => {
        for (let i = 0; i < 250; i++) {
          await writer.query('BEGIN');
          await writer.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
            a.migrationId,
            `w${w}-${i}`,
          ]);
          await writer.query(i % 10 === 0 ? 'ROLLBACK' : 'COMMIT');
          if (i % 10 === 0) {
            await writer.query(
              'UPDATE domain_migrations SET error = $2, status = status WHERE id = $1',
              [a.migrationId, `w${w}-${i}-retry`],
            );
          }
        }
      }),
    );
    await Promise.all(writers.map((w) => w.end()));
    const { rows } = await db.pool.query<{ seq: string }>(
      'SELECT seq FROM feed_events WHERE family_id = $1 AND seq > $2 ORDER BY seq',
      [a.familyId, start],
    );
    const expected = rows.map((r) => Number(r.seq));
    expect(expected).toHaveLength(1000);
    await client.waitFor(() => events(client).filter((f) => f.seq! > start).length >= 1000, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const received = events(client)
      .map((f) => f.seq!)
      .filter((seq) => seq > start);
    expect(received).toEqual(expected);
    const errors = events(client).map((f) => String(f.data?.['error'] ?? ''));
    expect(errors.some((e) => /^w\d-\d+$/.test(e) && Number(e.split('-')[1]) % 10 === 0)).toBe(
      false,
    );
  });

  it('a client that reconnects with since= gets what it missed, in order, once', async () => {
    const first = await open(a.token);
    await subscribe(first, { familyId: a.familyId });
    await db.pool.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
      a.migrationId,
      'before',
    ]);
    await first.waitFor(() => events(first).some((f) => f.data?.['error'] === 'before'));
    const lastSeen = events(first).at(-1)!.seq!;
    first.close();
    await first.closed;
    for (const note of ['missed-1', 'missed-2', 'missed-3']) {
      await db.pool.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
        a.migrationId,
        note,
      ]);
    }
    const again = await open(a.token, lastSeen);
    await subscribe(again, { familyId: a.familyId });
    await db.pool.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
      a.migrationId,
      'live',
    ]);
    await again.waitFor(() => events(again).some((f) => f.data?.['error'] === 'live'));
    const notes = events(again).map((f) => f.data?.['error']);
    expect(notes).toEqual(['missed-1', 'missed-2', 'missed-3', 'live']);
    const seqs = events(again).map((f) => f.seq!);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(seqs[0]).toBeGreaterThan(lastSeen);
  });
});

describe('bad input', () => {
  it('closes connections without a valid token', async () => {
    const expired = await tokenFor(a.ownerId, randomKey(), -60);
    for (const token of [undefined, '', 'garbage', expired, a.token.slice(0, -3) + 'abc']) {
      const client = await open(token);
      expect((await client.closed).code).toBe(4401);
    }
  });

  it('answers invalid JSON and unknown types with an error frame, and keeps serving', async () => {
    const client = await open(a.token);
    client.send('{not json');
    client.send({ type: 'shout', data: {} });
    client.send({ type: 'subscribe', data: { familyId: 'nope' } });
    client.send({ type: 'ping', data: 1 });
    await client.waitFor(() => client.frames.length >= 4);
    expect(
      client.frames.map((f) => (f.type === 'error' ? (f.data as { code: string }).code : f.type)),
    ).toEqual(['INVALID_JSON', 'INVALID_MESSAGE', 'INVALID_MESSAGE', 'pong']);
  });

  it('closes on an oversized frame and on a flood; others are unaffected', async () => {
    const bystander = await open(a.token);
    await subscribe(bystander, { familyId: a.familyId });
    const big = await open(a.token);
    big.send(JSON.stringify({ type: 'ping', data: 'x'.repeat(70_000) }));
    expect((await big.closed).code).toBe(1009);
    const flooder = await open(a.token);
    for (let i = 0; i < 200; i++) flooder.send({ type: 'ping' });
    expect((await flooder.closed).code).toBe(1008);
    await db.pool.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
      a.migrationId,
      'still-here',
    ]);
    await bystander.waitFor(() =>
      events(bystander).some((f) => f.data?.['error'] === 'still-here'),
    );
  });
});

/** Collects the `error` notes of a FeedClient's events and waits for one to arrive. */
function notesOf(client: {
  on(event: 'event', listener: (e: { data: Record<string, unknown> }) => void): unknown;
}) {
  const received: string[] = [];
  client.on('event', (event) => received.push(String(event.data['error'] ?? '')));
  const until = async (note: string) => {
    const deadline = Date.now() + 10_000;
    while (!received.includes(note)) {
      if (Date.now() > deadline) throw new Error(`never received ${note}: ${received.join(',')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return { received, until };
}

/** The app's FeedClient on family A, started and connected, with its notes collector. */
async function startFeedClient(urls: string[]) {
  const { FeedClient } = await import('../../src-node/feed-client');
  const client = new FeedClient({
    urls,
    token: async () => a.token,
    subscriptions: [{ familyId: a.familyId }],
    maxBackoffMs: 200,
  });
  const notes = notesOf(client);
  const connected = new Promise<void>((resolve) => client.once('connected', () => resolve()));
  client.start();
  await connected;
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { client, ...notes };
}

describe("the app's feed client", () => {
  it('after its server process goes away, reconnects to the restarted one with since and misses nothing', async () => {
    const { freePort } = await import('../../server/db/embedded-postgres');
    const port = await freePort();
    const start = () =>
      startFeed({ pool: db.pool, databaseUrl: db.url, auth, host: '127.0.0.1', port });
    let server = await start();
    const { client, received, until } = await startFeedClient([`ws://127.0.0.1:${port}`]);
    await db.pool.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
      a.migrationId,
      'c-1',
    ]);
    await until('c-1');
    await server.close(); // the server process is gone...
    await db.pool.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
      a.migrationId,
      'c-2',
    ]);
    server = await start(); // ...and back
    await until('c-2');
    await db.pool.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
      a.migrationId,
      'c-3',
    ]);
    await until('c-3');
    client.stop();
    await server.close();
    expect(received.filter((note) => note.startsWith('c-'))).toEqual(['c-1', 'c-2', 'c-3']);
  });
});

describe('retention', () => {
  it('tells a client resuming from before the retained log to reload', async () => {
    await db.pool.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
      a.migrationId,
      'old',
    ]);
    await db.pool.query(
      "UPDATE feed_events SET created_at = now() - interval '8 days' WHERE seq <= (SELECT min(seq) + 5 FROM feed_events)",
    );
    expect(await feed.events.prune(7)).toBeGreaterThan(0);
    const client = await open(a.token, 1);
    client.send({ type: 'subscribe', data: { familyId: a.familyId } });
    await client.waitFor(() => client.frames.some((f) => f.type === 'error'));
    expect(client.frames.find((f) => f.type === 'error')?.data).toMatchObject({
      code: 'RESUME_EXPIRED',
    });
  });
});

describe('several server processes', () => {
  it('a client whose server dies moves to another one on the same database and misses nothing', async () => {
    const first = await startFeed({
      pool: db.pool,
      databaseUrl: db.url,
      auth,
      host: '127.0.0.1',
      port: 0,
    });
    const second = await startFeed({
      pool: db.pool,
      databaseUrl: db.url,
      auth,
      host: '127.0.0.1',
      port: 0,
    });
    const { client, received, until } = await startFeedClient([
      `ws://127.0.0.1:${first.port}`,
      `ws://127.0.0.1:${second.port}`,
    ]);
    await db.pool.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
      a.migrationId,
      'p-1',
    ]);
    await until('p-1');
    await first.close(); // this process dies; the other keeps running
    await db.pool.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
      a.migrationId,
      'p-2',
    ]);
    await until('p-2');
    await db.pool.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
      a.migrationId,
      'p-3',
    ]);
    await until('p-3');
    client.stop();
    await second.close();
    expect(received.filter((note) => note.startsWith('p-'))).toEqual(['p-1', 'p-2', 'p-3']);
  });
});

describe('limits', () => {
  it('refuses subscriptions past the per-connection limit; repeating one is not a new one', async () => {
    const repeat = await open(a.token);
    for (let i = 0; i < 12; i++) {
      expect((await subscribe(repeat, { familyId: a.familyId })).type).toBe('subscribed');
    }
    const distinct = await open(a.token);
    const results: string[] = [];
    for (const data of [
      { familyId: a.familyId },
      { guardian: true },
      { domainMigrationId: a.migrationId },
      { pubkyDomainId: a.domain.pubkyDomainId },
      { sovereigntyScoreDomainId: a.domain.domainRecordId },
      { pubkyUrl: `pubky://${a.domain.publicKey}` },
      { pubkyUrl: `pk:${a.domain.publicKey}` },
      { pubkyUrl: a.domain.publicKey },
      { pubkyUrl: `pubky://${a.domain.publicKey}/` },
      { pubkyUrl: `pubky://${a.domain.publicKey}/pub` },
      { pubkyUrl: `pubky://${a.domain.publicKey}/pub/x` },
    ]) {
      const answer = await subscribe(distinct, data);
      results.push(
        answer.type === 'error' ? String((answer.data as { code: string }).code) : answer.type,
      );
    }
    expect(results.slice(0, 10)).toEqual(Array(10).fill('subscribed'));
    expect(results[10]).toBe('TOO_MANY_SUBSCRIPTIONS');
  });
});

describe('dead and slow connections', () => {
  it('the heartbeat closes a connection that stops answering pings', async () => {
    const quick = await startFeed({
      pool: db.pool,
      databaseUrl: db.url,
      auth,
      host: '127.0.0.1',
      port: 0,
      limits: { heartbeatMs: 150 },
    });
    const { default: WebSocket } = await import('ws');
    const silent = new WebSocket(`ws://127.0.0.1:${quick.port}/?token=${a.token}`, {
      autoPong: false,
    });
    const closed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
    await new Promise((resolve) => silent.once('open', resolve));
    const started = Date.now();
    expect(await closed).toBe(1006); // terminated, no close handshake
    expect(Date.now() - started).toBeLessThan(2000);
    await quick.close();
  });

  it('a consumer that stops reading is cut off; others keep receiving', async () => {
    const small = await startFeed({
      pool: db.pool,
      databaseUrl: db.url,
      auth,
      host: '127.0.0.1',
      port: 0,
      limits: { maxBufferedBytes: 16 * 1024 },
    });
    const smallUrl = `ws://127.0.0.1:${small.port}`;
    const slow = await connectFeed(smallUrl, a.token);
    const healthy = await connectFeed(smallUrl, a.token);
    for (const client of [slow, healthy]) {
      client.send({ type: 'subscribe', data: { familyId: a.familyId } });
      await client.waitFor(() => client.frames.some((f) => f.type === 'subscribed'));
    }
    slow.socket.pause(); // stops reading: the server's send buffer fills up
    // Enough to fill the loopback socket buffers too (several MB), not only the server's queue.
    const big = 'x'.repeat(6000);
    for (let i = 0; i < 2000; i++) {
      await db.pool.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
        a.migrationId,
        `${big}-${i}`,
      ]);
    }
    await healthy.waitFor(
      () => events(healthy).some((f) => f.data?.['error'] === `${big}-1999`),
      20_000,
    );
    slow.socket.resume();
    expect((await slow.closed).code).toBe(4429);
    healthy.close();
    await small.close();
  });
});

describe('large events', () => {
  it('an event too large for a NOTIFY payload still arrives whole', async () => {
    const client = await open(a.token);
    await subscribe(client, { domainMigrationId: a.migrationId });
    const long = 'é'.repeat(6000); // 12,000 bytes
    await db.pool.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
      a.migrationId,
      long,
    ]);
    await db.pool.query('UPDATE domain_migrations SET error = $2 WHERE id = $1', [
      a.migrationId,
      'short',
    ]);
    await client.waitFor(() => events(client).some((f) => f.data?.['error'] === 'short'));
    const notes = events(client).map((f) => f.data?.['error']);
    expect(notes).toEqual([long, 'short']);
  });
});

describe('packet batches', () => {
  it("one statement's packets, and the scores they move, reach each family as the events one-row statements give, resumable mid-batch", async () => {
    const c = await setUp('C');
    const d = await setUp('D');
    const mine = [c.domain];
    const theirs = [d.domain];
    for (let i = 0; i < 29; i++) {
      mine.push(await pubkyDomain(db.pool, c.familyId));
      theirs.push(await pubkyDomain(db.pool, d.familyId));
    }
    const family = await open(c.token);
    await subscribe(family, { familyId: c.familyId });
    const oneDomain = await open(c.token);
    await subscribe(oneDomain, { pubkyUrl: `pubky://${mine[7]!.publicKey}` });
    const oneScore = await open(c.token);
    await subscribe(oneScore, { sovereigntyScoreDomainId: mine[5]!.domainRecordId });
    const packets = (client: TestFeedClient) =>
      events(client).filter((f) => f.type === 'pkarr_record_event');
    const scores = (client: TestFeedClient) =>
      events(client).filter((f) => f.type === 'sovereignty_score_event');

    // A one-row statement first: the shape every batch event must have.
    const records = [{ type: 'A', name: '@', ttl: 300, address: '192.0.2.7' }];
    const store = (ids: string[], timestamp: number) =>
      db.pool.query(
        `INSERT INTO pkarr_records (pubky_domain_id, family_id, packet, packet_timestamp, records)
         SELECT id, family_id, decode(repeat('ab', 80), 'hex'), $2, $3 FROM pubky_domains
         WHERE id = ANY ($1::uuid[])
         ON CONFLICT (pubky_domain_id) DO UPDATE SET packet_timestamp = excluded.packet_timestamp`,
        [ids, timestamp, JSON.stringify(records)],
      );
    await store([mine[0]!.pubkyDomainId], 5);
    await family.waitFor(() => packets(family).length === 1 && scores(family).length === 1);
    const single = packets(family)[0]!;
    const singleScore = scores(family)[0]!;

    // Then all 60 packets of both families in one statement.
    await store(
      [...mine, ...theirs].map((x) => x.pubkyDomainId),
      6,
    );
    await family.waitFor(() => packets(family).length === 31);
    await oneDomain.waitFor(() => packets(oneDomain).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const all = packets(family).slice(1);
    expect(all).toHaveLength(30); // C's 29 new packets and one update, none of D's
    expect(all.map((f) => f.data!['pubkyDomainId']).sort()).toEqual(
      mine.map((x) => x.pubkyDomainId).sort(),
    );
    // The 29 inserts are one stored row: consecutive seqs.
    const batch = all.filter((f) => f.data!['op'] === 'insert');
    expect(batch).toHaveLength(29);
    const seqs = batch.map((f) => f.seq!);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    for (const event of all) {
      expect(event.familyId).toBe(c.familyId);
      expect(Object.keys(event.data!).sort()).toEqual(Object.keys(single.data!).sort());
      expect(event.data).toMatchObject({ packetTimestamp: 6, records });
      expect(String(event.data!['storedAt'])).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+\+00:00$/);
    }
    expect(String(single.data!['storedAt'])).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+\+00:00$/);
    expect(packets(oneDomain)[0]).toEqual(
      all.find((f) => f.data!['pubkyDomainId'] === mine[7]!.pubkyDomainId),
    );
    expect(JSON.stringify(family.frames)).not.toContain(d.familyId);

    // The 29 new packets moved 29 scores (a signed packet now): one stored row, consecutive
    // seqs, each event shaped as the one-row statement's.
    await family.waitFor(() => scores(family).length === 30);
    const moved = scores(family).slice(1);
    const scoreSeqs = moved.map((f) => f.seq!);
    expect(scoreSeqs).toEqual(scoreSeqs.map((_, i) => scoreSeqs[0]! + i));
    expect(moved.map((f) => f.data!['domainRecordId']).sort()).toEqual(
      mine
        .slice(1)
        .map((x) => x.domainRecordId)
        .sort(),
    );
    for (const event of moved) {
      expect(Object.keys(event.data!).sort()).toEqual(Object.keys(singleScore.data!).sort());
      expect(event.data!['score']).toBe(singleScore.data!['score']);
      expect(String(event.data!['computedAt'])).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+\+00:00$/);
    }
    // A subscriber to one domain's score gets that one event of the row (matched on its entity).
    await oneScore.waitFor(() => scores(oneScore).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(scores(oneScore)).toEqual(
      moved.filter((f) => f.data!['domainRecordId'] === mine[5]!.domainRecordId),
    );
    expect(String(singleScore.data!['computedAt'])).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+\+00:00$/);

    // A client that saw the batch's first ten events resumes with the other nineteen, once.
    const resumed = await open(c.token, seqs[9]);
    await subscribe(resumed, { familyId: c.familyId });
    await resumed.waitFor(() => packets(resumed).length >= 19);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(packets(resumed)).toEqual(all.filter((f) => f.seq! > seqs[9]!));
    expect(packets(resumed).slice(0, 19)).toEqual(batch.slice(10));
    // Resuming inside the score row yields the rest of it, once.
    const resumedScores = await open(c.token, scoreSeqs[19]);
    await subscribe(resumedScores, { familyId: c.familyId });
    await resumedScores.waitFor(() => scores(resumedScores).length >= 9);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(scores(resumedScores)).toEqual(moved.slice(20));
  });
});
