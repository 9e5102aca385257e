// Sign-in without passwords: a member signs a one-time challenge with a key the app holds, or
// presents a Pubky AuthToken; the server answers a short-lived JWT (HS256, key kept in
// server_secrets) and a refresh token that is stored hashed and rotated on use. A refresh token used twice revokes the user's sessions.
import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type pg from 'pg';
import { parsePublicKey, z32Encode } from '../../src-shared/pkarr';
import {
  AUTH_TOKEN_WINDOW_MICROS,
  AuthTokenError,
  verifyAuthToken,
} from '../../src-shared/pubky/auth-token';
import {
  grantsScope,
  normaliseOrigin,
  serverAuthScope,
  signInMessage,
} from '../../src-shared/pubky/server-auth';
import { serverVerifier } from '../crypto/native-verifier';
import { ServiceError } from '../services/service-error';

export const ACCESS_TOKEN_SECONDS = 15 * 60;
const REFRESH_TOKEN_DAYS = 30;
const CHALLENGE_SECONDS = 120;
const ISSUER = 'pubky-domains';

export class AuthError extends Error {
  override name = 'AuthError';
  readonly code = 'UNAUTHORIZED';
}

export interface Caller {
  readonly userId: string;
  readonly publicKey: string;
}

export interface Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
  readonly userId: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

function keyOf(input: string): string {
  try {
    return z32Encode(parsePublicKey(input));
  } catch {
    throw new ServiceError('INVALID', 'not a Pubky public key');
  }
}

export interface AuthOptions {
  /** The origin clients reach this server at (PUBLIC_ORIGIN): every signed message names it. */
  readonly origin: string;
  readonly accessSeconds?: number;
  /** Node's clock in ms: freshness and replay records both use it (one clock). */
  readonly now?: () => number;
}

export class AuthService {
  /** A KeyObject, not the bytes: given bytes, jose imports a key on every sign and verify. */
  private signingKey: KeyObject | undefined;
  readonly origin: string;
  private readonly accessSeconds: number;
  private readonly now: () => number;

  constructor(
    private readonly pool: pg.Pool,
    options: AuthOptions,
  ) {
    this.origin = normaliseOrigin(options.origin);
    this.accessSeconds = options.accessSeconds ?? ACCESS_TOKEN_SECONDS;
    this.now = options.now ?? Date.now;
  }

  private async key(): Promise<KeyObject> {
    if (this.signingKey) return this.signingKey;
    // Made once per database, so every server process on it accepts the same tokens.
    await this.pool.query(
      "INSERT INTO server_secrets (name, secret) VALUES ('jwt', $1) ON CONFLICT (name) DO NOTHING",
      [randomBytes(32)],
    );
    const { rows } = await this.pool.query<{ secret: Buffer }>(
      "SELECT secret FROM server_secrets WHERE name = 'jwt'",
    );
    this.signingKey = createSecretKey(rows[0]!.secret);
    return this.signingKey;
  }

  async challenge(publicKeyInput: string): Promise<{ nonce: string; expiresAt: string }> {
    const publicKey = keyOf(publicKeyInput);
    const nonce = randomBytes(32).toString('hex');
    const { rows } = await this.pool.query<{ expires_at: Date }>(
      `INSERT INTO auth_challenges (nonce, public_key, expires_at)
       VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING expires_at`,
      [nonce, publicKey, CHALLENGE_SECONDS],
    );
    await this.pool.query(
      "DELETE FROM auth_challenges WHERE expires_at < now() - interval '1 hour'",
    );
    return { nonce, expiresAt: rows[0]!.expires_at.toISOString() };
  }

  /** Checks the signed challenge (single use, unexpired) and signs the caller in. */
  async signIn(publicKeyInput: string, nonce: string, signature: Uint8Array): Promise<Tokens> {
    const publicKey = keyOf(publicKeyInput);
    const { rows } = await this.pool.query(
      `UPDATE auth_challenges SET used_at = now()
       WHERE nonce = $1 AND public_key = $2 AND used_at IS NULL AND expires_at > now() RETURNING nonce`,
      [nonce, publicKey],
    );
    if (!rows.length) throw new AuthError('The challenge is unknown, used or expired.');
    if (
      !serverVerifier.verify(
        parsePublicKey(publicKey),
        signInMessage(this.origin, nonce, publicKey),
        signature,
      )
    ) {
      throw new AuthError('The signature does not match the key.');
    }
    return this.signedIn(publicKey);
  }

  /**
   * Signs in with a Pubky AuthToken (what Pubky Ring and `@synonymdev/pubky` produce): verified,
   * fresh within ±45 s, and single use across every server process on this database.
   */
  async signInWithAuthToken(token: Uint8Array): Promise<Tokens> {
    let verified;
    const now = this.now();
    try {
      verified = verifyAuthToken(serverVerifier, token, { now: now * 1000 });
    } catch (error) {
      if (!(error instanceof AuthTokenError)) throw error;
      if (['EXPIRED', 'TOO_FAR_IN_THE_FUTURE', 'INVALID_SIGNATURE'].includes(error.code))
        throw new AuthError(`AuthToken refused (${error.code}): ${error.message}`);
      throw new ServiceError('INVALID', `not an AuthToken (${error.code}): ${error.message}`);
    }
    // A token made for a homeserver or another app must not open a session here.
    if (!grantsScope(verified.capabilities, serverAuthScope(this.origin))) {
      throw new AuthError(
        `AuthToken refused (WRONG_SCOPE): it must grant ${serverAuthScope(this.origin)}`,
      );
    }
    // A use is remembered until the token could no longer pass the freshness check, and both
    // are judged on this process's clock: on the database's a skew would free a replay early.
    const expiresMs = verified.timestamp / 1000 + AUTH_TOKEN_WINDOW_MICROS / 1000;
    await this.pool.query(
      'DELETE FROM auth_token_uses WHERE expires_at < to_timestamp($1 / 1000.0)',
      [now],
    );
    const { rowCount } = await this.pool.query(
      `INSERT INTO auth_token_uses (token_id, expires_at) VALUES ($1, to_timestamp($2 / 1000.0))
       ON CONFLICT (token_id) DO NOTHING`,
      [Buffer.from(verified.id), expiresMs],
    );
    if (!rowCount) throw new AuthError('AuthToken refused (ALREADY_USED): it was used before.');
    return this.signedIn(z32Encode(verified.publicKey));
  }

  private async signedIn(publicKey: string): Promise<Tokens> {
    const { rows: users } = await this.pool.query<{ id: string }>(
      `INSERT INTO users (display_name, pubky_public_key, pubky_url) VALUES ($1, $2, $3)
       ON CONFLICT (pubky_public_key) DO UPDATE SET pubky_public_key = excluded.pubky_public_key
       RETURNING id`,
      [publicKey.slice(0, 8), publicKey, `pubky://${publicKey}`],
    );
    return this.issue(users[0]!.id, publicKey);
  }

  async refresh(refreshToken: string): Promise<Tokens> {
    const hash = sha256(refreshToken);
    const { rows } = await this.pool.query<{ user_id: string; public_key: string }>(
      `UPDATE auth_refresh_tokens t SET replaced_at = now() FROM users u
       WHERE t.token_hash = $1 AND t.replaced_at IS NULL AND t.expires_at > now() AND u.id = t.user_id
       RETURNING t.user_id, u.pubky_public_key AS public_key`,
      [hash],
    );
    const row = rows[0];
    if (!row) {
      // A token presented again after rotation was probably stolen: end every session of its user.
      await this.pool.query(
        `DELETE FROM auth_refresh_tokens WHERE user_id IN
           (SELECT user_id FROM auth_refresh_tokens WHERE token_hash = $1 AND replaced_at IS NOT NULL)`,
        [hash],
      );
      throw new AuthError('The refresh token is unknown, used or expired.');
    }
    return this.issue(row.user_id, row.public_key);
  }

  private async issue(userId: string, publicKey: string): Promise<Tokens> {
    const accessToken = await new SignJWT({ pk: publicKey })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + this.accessSeconds)
      .sign(await this.key());
    const refreshToken = randomBytes(32).toString('base64url');
    await this.pool.query(
      `INSERT INTO auth_refresh_tokens (token_hash, user_id, expires_at)
       VALUES ($1, $2, now() + make_interval(days => $3))`,
      [sha256(refreshToken), userId, REFRESH_TOKEN_DAYS],
    );
    return { accessToken, refreshToken, expiresIn: this.accessSeconds, userId };
  }

  /** The caller behind an access token, or AuthError (missing, expired, tampered). */
  async verify(token: string): Promise<Caller> {
    try {
      const { payload } = await jwtVerify(token, await this.key(), {
        issuer: ISSUER,
        algorithms: ['HS256'],
      });
      if (typeof payload.sub !== 'string' || typeof payload['pk'] !== 'string')
        throw new Error('claims');
      return { userId: payload.sub, publicKey: payload['pk'] };
    } catch {
      throw new AuthError('The access token is missing, expired or invalid.');
    }
  }
}
