// Issue 17 item 9: sign-in and writes are rate-limited per client address by a maintained
// limiter; X-Forwarded-For counts only from configured proxies; the feed bounds connections per
// user and in total, and a resume's reads; a resume from before the retained log replays nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { startFeed } from '../../server/feed/start-feed';
import { AuthService } from '../../server/auth/auth-service';
import { call, signIn } from '../support/api-client';
import { startApiServer } from '../support/api-server';
import { connectFeed, type TestFeedClient } from '../support/feed-client';
import { z32Encode } from '../../src-shared/pkarr';
import { randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { family, pubkyDomain, randomKey, user } from '../support/schema-fixtures';

const key = () => z32Encode(seedSigner(randomSeed()).publicKey);
const challenge = (base: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/auth/challenge`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ publicKey: key() }),
  });

describe('request limits', () => {
  it('sign-in: past the budget 429 with Retry-After, and nothing is written', async () => {
    const { db, base } = await startApiServer({ limits: { signInPerMinute: 5 } });
    const statuses = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const response = await challenge(base);
      statuses.push(response.status);
      retryAfter ??= response.headers.get('retry-after');
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM auth_challenges');
    expect(rows[0].n).toBe(5);
  });

  it('writes: past the budget 429; reads go on', async () => {
    const { base } = await startApiServer({ limits: { writesPerMinute: 3 } });
    const owner = await signIn(base);
    const created = [];
    for (let i = 0; i < 5; i++) {
      created.push(
        (
          await call(base, 'POST', '/families', {
            token: owner.accessToken,
            body: { name: `F${i}` },
          })
        ).status,
      );
    }
    expect(created).toEqual([201, 201, 201, 429, 429]);
    for (let i = 0; i < 10; i++)
      expect((await call(base, 'GET', '/me', { token: owner.accessToken })).status).toBe(200);
  });

  it('X-Forwarded-For counts only from a configured proxy', async () => {
    const direct = await startApiServer({ limits: { signInPerMinute: 2 } });
    const spoofed = [];
    for (let i = 0; i < 4; i++)
      spoofed.push((await challenge(direct.base, { 'X-Forwarded-For': `203.0.113.${i}` })).status);
    expect(spoofed).toEqual([200, 200, 429, 429]);

    const proxied = await startApiServer({
      limits: { signInPerMinute: 2 },
      trustProxy: ['127.0.0.1'],
    });
    const clients = [];
    for (let i = 0; i < 4; i++)
      clients.push((await challenge(proxied.base, { 'X-Forwarded-For': `203.0.113.${i}` })).status);
    expect(clients).toEqual([200, 200, 200, 200]);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' }).trustProxy).toEqual([
      '10.0.0.1',
      '192.168.0.0/16',
    ]);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(() => loadConfig({ TRUST_PROXY: 'evil.example' })).toThrow(/TRUST_PROXY/);
  });
});

describe('feed limits', async () => {
  const { db } = await startApiServer();
  const auth = new AuthService(db.pool, { origin: 'http://127.0.0.1' });
  const feed = await startFeed({
    pool: db.pool,
    databaseUrl: db.url,
    auth,
    host: '127.0.0.1',
    port: 0,
    limits: { maxConnectionsPerUser: 2, maxConnections: 4, maxResumeEvents: 20 },
  });
  const clients: TestFeedClient[] = [];
  afterAll(async () => {
    for (const client of clients) client.close();
    await feed.close();
  });
  const open = async (token: string, since?: number) => {
    const client = await connectFeed(`ws://127.0.0.1:${feed.port}`, token, since);
    clients.push(client);
    return client;
  };
  const familyId = await family(db.pool, 'Limits');
  const memberOf = async (role: string) => {
    const id = await user(db.pool);
    await db.pool.query(
      'INSERT INTO family_members (family_id, user_id, role) VALUES ($1, $2, $3)',
      [familyId, id, role],
    );
    return auth.accessToken(id, randomKey());
  };
  const token = await memberOf('owner');

  it('a user holds at most its share of sockets, and the process at most its total', async () => {
    const first = await open(token);
    const second = await open(token);
    const third = await open(token);
    expect((await third.closed).code).toBe(1008);
    expect(first.socket.readyState).toBe(first.socket.OPEN);
    expect(second.socket.readyState).toBe(second.socket.OPEN);
    const others = [];
    for (let i = 0; i < 4; i++) {
      others.push(await open(await memberOf('member')));
    }
    const codes = await Promise.all(
      others.map((c) =>
        Promise.race([
          c.closed.then((x) => x.code),
          new Promise((r) => setTimeout(() => r('open'), 300)),
        ]),
      ),
    );
    expect(codes.filter((c) => c === 1013).length).toBeGreaterThanOrEqual(1);
    for (const client of [first, second, ...others]) client.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
  });

  it('a resume that would read more than its budget is told to reload; one from before the log replays nothing', async () => {
    for (let i = 0; i < 30; i++) await pubkyDomain(db.pool, familyId);
    const behind = await open(token, 0);
    behind.send({ type: 'subscribe', data: { familyId } });
    await behind.waitFor(() => behind.frames.some((f) => f.data?.['code'] === 'RESUME_EXPIRED'));
    expect(behind.frames.filter((f) => typeof f.seq === 'number').length).toBeLessThanOrEqual(20);
    behind.close();

    const { rows } = await db.pool.query<{ seq: string }>(
      'SELECT min(seq)::text AS seq FROM feed_events',
    );
    await db.pool.query('DELETE FROM feed_events WHERE seq < $1 + 5', [rows[0]!.seq]);
    const expired = await open(token, 1);
    expired.send({ type: 'subscribe', data: { familyId } });
    await expired.waitFor(() => expired.frames.some((f) => f.data?.['code'] === 'RESUME_EXPIRED'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(expired.frames.filter((f) => typeof f.seq === 'number')).toEqual([]);
  });
});
