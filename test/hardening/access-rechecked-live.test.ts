// Issue 17 items 3, 5 and 6, and acceptance 4: access is re-checked while sockets live. Two
// "server processes" share one database here: the API with its AuthService, and a second feed
// with an AuthService and event source of its own, so what crosses between them goes through
// Postgres (NOTIFY and the event log) exactly as between processes.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthService } from '../../server/auth/auth-service';
import { migrate } from '../../server/db/migrate';
import { startFeed } from '../../server/feed/start-feed';
import {
  call,
  signIn,
  type ApiUser,
  registerDomain,
  join,
  signedBackup,
} from '../support/api-client';
import { listenApp } from '../support/api-server';
import { freshDatabase } from '../support/database';
import { connectFeed, type TestFeedClient } from '../support/feed-client';

const db = await freshDatabase();
await migrate(db.pool);
const { app, base, auth } = await listenApp({ pool: db.pool }, { refreshGraceSeconds: 1 });
// The other process: same keys (as two processes given one JWT_SECRET_FILE), its own state.
const keys = { current: randomBytes(32) };
const otherAuth = new AuthService(db.pool, { origin: base, keys });
await otherAuth.listen(db.url);
const feed = await startFeed({
  pool: db.pool,
  databaseUrl: db.url,
  auth: otherAuth,
  host: '127.0.0.1',
  port: 0,
});
const feedUrl = `ws://127.0.0.1:${feed.port}`;
const clients: TestFeedClient[] = [];
afterAll(async () => {
  for (const client of clients) client.close();
  await feed.close();
  await otherAuth.close();
  await app.close();
});

/** A token the feed process accepts for an API user (both processes hold the same key). */
const feedToken = (user: ApiUser, seconds = 600) =>
  otherAuth.accessToken(user.userId, user.publicKey, seconds);
async function open(token: string): Promise<TestFeedClient> {
  const client = await connectFeed(feedUrl, token);
  clients.push(client);
  return client;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function familyOf(owner: ApiUser, name: string): Promise<string> {
  const created = await call(base, 'POST', '/families', {
    token: owner.accessToken,
    body: { name },
  });
  return (created.body as { id: string }).id;
}
const addMember = (owner: ApiUser, familyId: string, member: ApiUser) =>
  join(base, owner, familyId, member, 'member');
const newDomain = (owner: ApiUser, familyId: string) =>
  registerDomain(base, owner, familyId, undefined, { custody: 'os-keychain' });

describe('refresh rotation (item 5)', () => {
  it('concurrent refreshes and a retried lost reply get one successor; reuse after the grace window ends every session, live sockets included', async () => {
    const user = await signIn(base);
    const socket = await open(await feedToken(user));
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        call(base, 'POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const successors = new Set(
      answers.map((a) => (a.body as { refreshToken: string }).refreshToken),
    );
    expect(successors.size).toBe(1);
    const [successor] = successors;
    const { accessToken } = answers[0]!.body as { accessToken: string };
    expect((await call(base, 'GET', '/me', { token: accessToken })).status).toBe(200);

    await sleep(1_200); // past the grace window
    const reuse = await call(base, 'POST', '/auth/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expect(reuse.status).toBe(401);
    // Every session ended: the successor, the live access tokens, and the other process's socket.
    expect(
      (await call(base, 'POST', '/auth/refresh', { body: { refreshToken: successor } })).status,
    ).toBe(401);
    expect((await call(base, 'GET', '/me', { token: accessToken })).status).toBe(401);
    expect((await call(base, 'GET', '/me', { token: user.accessToken })).status).toBe(401);
    const closed = await Promise.race([socket.closed, sleep(1_000).then(() => undefined)]);
    expect(closed?.code).toBe(4401);
    // Signing in again works, and opens a session the revocation does not touch.
    const again = await signIn(base, user.signer);
    expect((await call(base, 'GET', '/me', { token: again.accessToken })).status).toBe(200);
  });

  it('prunes refresh tokens, challenges and replay records that can no longer be used', async () => {
    const user = await signIn(base);
    await db.pool.query(
      "UPDATE auth_refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1",
      [user.userId],
    );
    await auth.prune();
    const { rows } = await db.pool.query('SELECT 1 FROM auth_refresh_tokens WHERE user_id = $1', [
      user.userId,
    ]);
    expect(rows).toHaveLength(0);
  });
});

describe('the feed follows the token (item 3)', () => {
  it('closes a socket when its token expires (4401), unless a fresh token came in an auth message', async () => {
    const user = await signIn(base);
    const other = await signIn(base);
    const expiring = await open(await feedToken(user, 2));
    const renewed = await open(await feedToken(user, 2));
    renewed.send({ type: 'auth', data: { token: await feedToken(other) } });
    renewed.send({ type: 'auth', data: { token: 'not a token' } });
    renewed.send({ type: 'auth', data: { token: await feedToken(user, 600) } });
    await renewed.waitFor(() => renewed.frames.some((f) => f.type === 'authenticated'));
    expect(renewed.frames.filter((f) => f.type === 'error').map((f) => f.data?.['code'])).toEqual([
      'INVALID_TOKEN',
      'INVALID_TOKEN',
    ]);
    const closed = await Promise.race([expiring.closed, sleep(4_000).then(() => undefined)]);
    expect(closed?.code).toBe(4401);
    await sleep(200);
    expect(renewed.socket.readyState).toBe(renewed.socket.OPEN);
  });
});

describe('members and roles (item 6, acceptance 4)', () => {
  it('an owner removes a member: within 1 s its open feed gets nothing more of the family and its API calls get 403', async () => {
    const owner = await signIn(base);
    const member = await signIn(base);
    const familyId = await familyOf(owner, 'Removal');
    await addMember(owner, familyId, member);
    const ownerFeed = await open(await feedToken(owner));
    const memberFeed = await open(await feedToken(member));
    for (const client of [ownerFeed, memberFeed]) {
      client.send({ type: 'subscribe', data: { familyId } });
      await client.waitFor(() => client.frames.some((f) => f.type === 'subscribed'));
    }
    expect((await newDomain(owner, familyId)).status).toBe(201);
    await memberFeed.waitFor(() => memberFeed.frames.some((f) => f.type === 'pubky_domain_event'));

    const started = Date.now();
    const removed = await call(base, 'DELETE', `/families/${familyId}/members/${member.userId}`, {
      token: owner.accessToken,
    });
    expect(removed.status).toBe(204);
    await memberFeed.waitFor(
      () => memberFeed.frames.some((f) => f.type === 'subscription_ended'),
      1_000,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(memberFeed.frames.find((f) => f.type === 'family_event')?.data).toMatchObject({
      op: 'member_removed',
      userId: member.userId,
    });
    const seenByMember = memberFeed.frames.length;

    expect((await newDomain(owner, familyId)).status).toBe(201);
    await ownerFeed.waitFor(
      () => ownerFeed.frames.filter((f) => f.type === 'pubky_domain_event').length === 2,
    );
    await sleep(300);
    expect(memberFeed.frames.slice(seenByMember)).toEqual([]);
    for (const path of [`/families/${familyId}`, `/families/${familyId}/domains`]) {
      expect((await call(base, 'GET', path, { token: member.accessToken })).status).toBe(403);
    }
    // Subscribing again is refused like any stranger's subscription.
    memberFeed.send({ type: 'subscribe', data: { familyId } });
    await memberFeed.waitFor(() => memberFeed.frames.some((f) => f.data?.['code'] === 'FORBIDDEN'));
  });

  it('owners change roles; a family keeps one owner; anyone may leave', async () => {
    const owner = await signIn(base);
    const member = await signIn(base);
    const familyId = await familyOf(owner, 'Roles');
    await addMember(owner, familyId, member);
    const path = (user: ApiUser) => `/families/${familyId}/members/${user.userId}`;
    // A member may not change roles.
    expect(
      (
        await call(base, 'PATCH', path(owner), {
          token: member.accessToken,
          body: { role: 'member' },
        })
      ).status,
    ).toBe(403);
    // The last owner may not step down or leave.
    expect(
      (
        await call(base, 'PATCH', path(owner), {
          token: owner.accessToken,
          body: { role: 'member' },
        })
      ).status,
    ).toBe(409);
    expect((await call(base, 'DELETE', path(owner), { token: owner.accessToken })).status).toBe(
      409,
    );
    const promoted = await call(base, 'PATCH', path(member), {
      token: owner.accessToken,
      body: { role: 'owner' },
    });
    expect(promoted.body).toEqual({ userId: member.userId, role: 'owner' });
    // Now there are two owners: the first may leave.
    expect((await call(base, 'DELETE', path(owner), { token: owner.accessToken })).status).toBe(
      204,
    );
    expect(
      (await call(base, 'GET', `/families/${familyId}`, { token: owner.accessToken })).status,
    ).toBe(403);
    for (const body of [{ role: 'guardian' }, { role: 'owner', extra: 1 }, {}]) {
      expect(
        (await call(base, 'PATCH', path(member), { token: member.accessToken, body })).status,
      ).toBe(400);
    }
    expect(
      (
        await call(base, 'DELETE', `/families/${familyId}/members/not-a-uuid`, {
          token: member.accessToken,
        })
      ).status,
    ).toBe(404);
  });

  it("removing a guardian marks the family's active backup as needing re-sharing: API, score and feed", async () => {
    const owner = await signIn(base);
    const familyId = await familyOf(owner, 'Reshare');
    const guardians: { user: ApiUser; guardianId: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const user = await signIn(base);
      const { guardianId } = await join(base, owner, familyId, user, 'guardian');
      guardians.push({ user, guardianId: guardianId! });
    }
    const registered = await newDomain(owner, familyId);
    const domain = registered.body as { publicKey: string; domainRecordId: string };
    const created = await call(base, 'POST', `/families/${familyId}/backups`, {
      token: owner.accessToken,
      body: await signedBackup(
        base,
        owner,
        familyId,
        registered.signer,
        2,
        guardians.map((g) => ({ guardianId: g.guardianId, encryptedShare: randomBytes(64) })),
      ),
    });
    expect(created.status).toBe(201);
    for (const g of guardians) {
      await call(
        base,
        'POST',
        `/guardian/shares/${(created.body as { backupId: string }).backupId}/acknowledge`,
        {
          token: g.user.accessToken,
        },
      );
    }
    const ownerFeed = await open(await feedToken(owner));
    ownerFeed.send({ type: 'subscribe', data: { familyId } });
    await ownerFeed.waitFor(() => ownerFeed.frames.some((f) => f.type === 'subscribed'));
    const codes = async () => {
      const score = await call(base, 'GET', `/domains/${domain.domainRecordId}/score`, {
        token: owner.accessToken,
      });
      return (
        score.body as { breakdown: { factors: { reasons: { code: string }[] }[] } }
      ).breakdown.factors.flatMap((f) => f.reasons.map((r) => r.code));
    };
    expect(await codes()).toContain('guardian_backup_complete');

    const removed = await call(
      base,
      'DELETE',
      `/families/${familyId}/guardians/${guardians[0]!.guardianId}`,
      {
        token: owner.accessToken,
      },
    );
    expect(removed.status).toBe(204);
    const backups = await call(base, 'GET', `/families/${familyId}/backups`, {
      token: owner.accessToken,
    });
    expect(
      (backups.body as { reshareNeededSince: string | null }[])[0]?.reshareNeededSince,
    ).toEqual(expect.any(String));
    expect(await codes()).toContain('guardian_backup_needs_reshare');
    await ownerFeed.waitFor(() =>
      ownerFeed.frames.some(
        (f) => f.type === 'family_event' && f.data?.['op'] === 'backup_needs_reshare',
      ),
    );
  });
});
