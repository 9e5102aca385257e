// Sign-in with a Pubky AuthToken: a token from the official client's auth flow signs its key in
// and the JWT opens the API; a replay, a stale, a forged or a malformed token is refused with a
// typed error, and the refused ones leave no session behind.
import { afterAll, describe, expect, it } from 'vitest';
import { signAuthToken } from '../../src-shared/pubky/auth-token';
import { serverAuthCapabilities } from '../../src-shared/pubky/server-auth';
import { AuthService } from '../../server/auth/auth-service';
import { randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { startApiServer } from '../support/api-server';
import { call } from '../support/api-client';
import { HttpRelay, officialAuthToken } from '../support/http-relay';

const { db, base } = await startApiServer();
const relay = await HttpRelay.start();
afterAll(() => relay.close());

/** What a client asks for to sign in here; a token without it is for someone else. */
const ours = serverAuthCapabilities(base) as Parameters<typeof officialAuthToken>[1];

const present = (bytes: Uint8Array) =>
  call(base, 'POST', '/auth/pubky-token', {
    body: { token: Buffer.from(bytes).toString('base64') },
  });
const sessions = async () =>
  Number((await db.pool.query('SELECT count(*) FROM auth_refresh_tokens')).rows[0].count);

describe('POST /auth/pubky-token', () => {
  it('signs in the key of an official AuthToken; the access token opens /me', async () => {
    const { bytes, z32 } = await officialAuthToken(relay, ours);
    const answer = await present(bytes);
    expect(answer.status).toBe(200);
    const { accessToken } = answer.body as { accessToken: string };
    const me = await call(base, 'GET', '/me', { token: accessToken });
    expect(me.body).toMatchObject({ publicKey: z32, families: [] });
  });

  it('refuses a replay of a token that was accepted (across requests and concurrently)', async () => {
    const { bytes } = await officialAuthToken(relay, ours);
    const answers = await Promise.all([present(bytes), present(bytes), present(bytes)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401]);
    const again = await present(bytes);
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect((again.body as { error: { message: string } }).error.message).toMatch(/ALREADY_USED/);
  });

  it('refuses stale, future and forged tokens (401) and malformed ones (400), storing nothing', async () => {
    const before = await sessions();
    const signer = seedSigner(randomSeed());
    const now = Date.now() * 1000;
    const forged = signAuthToken(signer, { capabilities: serverAuthCapabilities(base) });
    forged[10]! ^= 1;
    const cases: [Uint8Array | string, number, string][] = [
      [
        signAuthToken(signer, {
          timestamp: now - 60_000_000,
          capabilities: serverAuthCapabilities(base),
        }),
        401,
        'EXPIRED',
      ],
      [
        signAuthToken(signer, {
          timestamp: now + 60_000_000,
          capabilities: serverAuthCapabilities(base),
        }),
        401,
        'TOO_FAR_IN_THE_FUTURE',
      ],
      [forged, 401, 'INVALID_SIGNATURE'],
      [signAuthToken(signer).subarray(0, 100), 400, 'TRUNCATED'],
      [new Uint8Array(200), 400, 'BAD_NAMESPACE'],
    ];
    for (const [token, status, code] of cases) {
      const answer = await present(token as Uint8Array);
      expect(answer.status, code).toBe(status);
      expect((answer.body as { error: { message: string } }).error.message).toContain(code);
    }
    for (const body of [{}, { token: 42 }, { token: '***' }, { token: 'AA', extra: 1 }]) {
      expect((await call(base, 'POST', '/auth/pubky-token', { body })).status).toBe(400);
    }
    expect(await sessions()).toBe(before);
  });

  it('refuses tokens made for anyone else: no capability, another app, another server (issue 17 item 2)', async () => {
    const before = await sessions();
    const otherServer = serverAuthCapabilities('https://domains.other.example');
    for (const capabilities of ['', '/pub/pubky.app/:rw', '/:rw', otherServer] as const) {
      const { bytes } = await officialAuthToken(
        relay,
        capabilities as Parameters<typeof officialAuthToken>[1],
      );
      const answer = await present(bytes);
      expect(answer.status, capabilities).toBe(401);
      expect((answer.body as { error: { message: string } }).error.message).toMatch(/WRONG_SCOPE/);
    }
    // Among other capabilities ours is enough.
    const { bytes } = await officialAuthToken(
      relay,
      `/pub/pubky.app/:rw,${serverAuthCapabilities(base)}` as Parameters<
        typeof officialAuthToken
      >[1],
    );
    expect((await present(bytes)).status).toBe(200);
    expect(await sessions()).toBe(before + 1);
  });

  it('judges freshness and replay on one clock: a database clock ahead frees no replay (item 12)', async () => {
    // This process's clock runs 60 s behind the database's: a replay record that expired on the
    // database's clock would already be gone while the token still passes freshness here.
    const behind = new AuthService(db.pool, { origin: base, now: () => Date.now() - 60_000 });
    const signer = seedSigner(randomSeed());
    const token = signAuthToken(signer, {
      timestamp: (Date.now() - 60_000) * 1000,
      capabilities: serverAuthCapabilities(base),
    });
    await behind.signInWithAuthToken(token);
    await expect(behind.signInWithAuthToken(token)).rejects.toThrow(/ALREADY_USED/);
  });
});
