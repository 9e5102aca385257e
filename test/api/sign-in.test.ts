// Sign-in by key: a signed one-time challenge gives a short-lived JWT and a rotating refresh
// token; replays, wrong keys and expired or tampered tokens are refused.
import { describe, expect, it } from 'vitest';
import { signInMessage } from '../../src-shared/pubky/server-auth';
import { z32Encode } from '../../src-shared/pkarr';
import { randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { startApiServer } from '../support/api-server';
import { call, signIn } from '../support/api-client';

const { base } = await startApiServer();

describe('sign-in', () => {
  it('gives a token that opens the API, and a refresh token that rotates', async () => {
    const user = await signIn(base);
    const me = await call(base, 'GET', '/me', { token: user.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ userId: user.userId, publicKey: user.publicKey, families: [] });
    const refreshed = await call(base, 'POST', '/auth/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    const next = refreshed.body as { accessToken: string; refreshToken: string };
    expect((await call(base, 'GET', '/me', { token: next.accessToken })).status).toBe(200);
    // Presented again at once (a lost reply), the old token gets the same successor.
    const again = await call(base, 'POST', '/auth/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expect(again.status).toBe(200);
    expect((again.body as { refreshToken: string }).refreshToken).toBe(next.refreshToken);
  });

  it('signing out ends the refresh token; an unknown one gets the same answer', async () => {
    const user = await signIn(base);
    const out = await call(base, 'POST', '/auth/sign-out', {
      body: { refreshToken: user.refreshToken },
    });
    expect(out.status).toBe(204);
    expect(
      (await call(base, 'POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } }))
        .status,
    ).toBe(401);
    const unknown = await call(base, 'POST', '/auth/sign-out', {
      body: { refreshToken: 'x'.repeat(43) },
    });
    expect(unknown.status).toBe(204);
  });

  it('refuses a replayed challenge, a signature by another key and a malformed key', async () => {
    const signer = seedSigner(randomSeed());
    const other = seedSigner(randomSeed());
    const publicKey = z32Encode(signer.publicKey);
    const { nonce } = (await call(base, 'POST', '/auth/challenge', { body: { publicKey } }))
      .body as { nonce: string };
    const wrong = Buffer.from(other.sign(signInMessage(base, nonce, publicKey))).toString('base64');
    expect(
      (await call(base, 'POST', '/auth/session', { body: { publicKey, nonce, signature: wrong } }))
        .status,
    ).toBe(401);
    // The challenge was spent by the failed attempt: a correct signature now is too late.
    const right = Buffer.from(signer.sign(signInMessage(base, nonce, publicKey))).toString(
      'base64',
    );
    expect(
      (await call(base, 'POST', '/auth/session', { body: { publicKey, nonce, signature: right } }))
        .status,
    ).toBe(401);
    expect(
      (await call(base, 'POST', '/auth/challenge', { body: { publicKey: 'x'.repeat(52) } })).status,
    ).toBe(400);
    expect(
      (await call(base, 'POST', '/auth/challenge', { body: { publicKey, extra: 1 } })).status,
    ).toBe(400);
  });

  it('refuses a challenge signed for another server: the message names this server', async () => {
    // Issue 17 item 12: a server that relays this server's nonce to its own users gets a
    // signature over its own origin, which this server refuses.
    const signer = seedSigner(randomSeed());
    const publicKey = z32Encode(signer.publicKey);
    const { nonce } = (await call(base, 'POST', '/auth/challenge', { body: { publicKey } }))
      .body as { nonce: string };
    const forOther = signer.sign(signInMessage('https://other.example', nonce, publicKey));
    const answer = await call(base, 'POST', '/auth/session', {
      body: { publicKey, nonce, signature: Buffer.from(forOther).toString('base64') },
    });
    expect(answer.status).toBe(401);
  });

  it('answers errors as { error: { code, message } }', async () => {
    const response = await call(base, 'GET', '/me');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    const missing = await call(base, 'GET', '/no/such/route');
    expect(missing.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });
});
