// Sign-in without passwords: a member signs a one-time challenge with a key the app holds, or
// presents a Pubky AuthToken; the server answers a short-lived JWT (HS256, with a key the
// operator provides) and a refresh token that is stored hashed and rotated on use. A refresh
// token used again after its grace window revokes every session of its user, access tokens and
// live feed sockets included, in every server process (docs/security.md).
import { EventEmitter } from 'node:events';
import { createHash, createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import pg from 'pg';
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
import { nativeVerifier } from '../../src-node/native-ed25519';
import { inTransaction } from '../db/transaction';
import { ServiceError } from '../services/service-error';

export const ACCESS_TOKEN_SECONDS = 15 * 60;
const REFRESH_TOKEN_DAYS = 30;
/** A rotated refresh token presented again this soon gets the same successor (a lost reply). */
export const REFRESH_GRACE_SECONDS = 10;
const CHALLENGE_SECONDS = 120;
const ISSUER = 'pubky-domains';

export class AuthError extends Error {
  override name = 'AuthError';
  readonly code = 'UNAUTHORIZED';
}

export interface Caller {
  readonly userId: string;
  readonly publicKey: string;
  /** When the access token stops being valid (ms since the epoch). */
  readonly expiresAt: number;
}

/** The JWT signing keys: `current` signs; `previous`, during a rotation, is still accepted. */
export interface JwtKeys {
  readonly current: Uint8Array;
  readonly previous?: Uint8Array | undefined;
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
  /** From the operator (JWT_SECRET_FILE); a random key of this process's own when absent. */
  readonly keys?: JwtKeys;
  /** How long a rotated refresh token still yields its successor (default REFRESH_GRACE_SECONDS). */
  readonly refreshGraceSeconds?: number;
}

export class AuthService extends EventEmitter<{ revoked: [string] }> {
  /** KeyObjects, not bytes: given bytes, jose imports a key on every sign and verify. */
  private readonly signingKey: KeyObject;
  private readonly acceptedKeys: readonly KeyObject[];
  /** Derives a rotated refresh token's successor, so the plain successor is never stored. */
  private readonly successorKey: Buffer;
  /** Users whose sessions were revoked, and when (ms): older access tokens are refused. */
  private readonly revokedAt = new Map<string, number>();
  private listener: pg.Client | undefined;
  private listenUrl = '';
  private listenTimer: NodeJS.Timeout | undefined;
  private closed = false;
  readonly origin: string;
  private readonly accessSeconds: number;
  private readonly refreshGraceSeconds: number;
  private readonly now: () => number;

  constructor(
    private readonly pool: pg.Pool,
    options: AuthOptions,
  ) {
    super();
    this.origin = normaliseOrigin(options.origin);
    this.accessSeconds = options.accessSeconds ?? ACCESS_TOKEN_SECONDS;
    this.refreshGraceSeconds = options.refreshGraceSeconds ?? REFRESH_GRACE_SECONDS;
    this.now = options.now ?? Date.now;
    const keys: JwtKeys = options.keys ?? { current: randomBytes(32) };
    for (const key of [keys.current, keys.previous]) {
      if (key && key.length < 32) throw new Error('a JWT key has at least 32 bytes');
    }
    this.signingKey = createSecretKey(keys.current);
    this.acceptedKeys = [
      this.signingKey,
      ...(keys.previous ? [createSecretKey(keys.previous)] : []),
    ];
    this.successorKey = createHmac('sha256', keys.current).update('refresh-successor').digest();
  }

  /**
   * Follows session revocations made by every server process on this database (LISTEN
   * session_revocations), reconnecting when Postgres goes away and reloading what it missed.
   */
  async listen(connectionString: string): Promise<void> {
    this.listenUrl = connectionString;
    await this.connectListener();
  }

  private async connectListener(): Promise<void> {
    const client = new pg.Client({ connectionString: this.listenUrl });
    const drop = () => {
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
    };
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      drop();
      this.retryListener(500);
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      if (message.channel !== 'session_revocations' || !message.payload) return;
      try {
        const { userId, at } = JSON.parse(message.payload) as { userId: string; at: number };
        this.markRevoked(userId, at);
      } catch {
        // Only our own trigger writes this channel; a payload it did not write is ignored.
      }
    });
    this.listener = client;
    try {
      await client.connect();
      await client.query('LISTEN session_revocations');
      // Revocations made while no one listened: any within an access token's lifetime.
      const { rows } = await client.query<{ id: string; at: string }>(
        `SELECT id, (extract(epoch FROM sessions_revoked_at) * 1000)::bigint::text AS at FROM users
         WHERE sessions_revoked_at > now() - make_interval(secs => $1)`,
        [this.accessSeconds + 60],
      );
      for (const row of rows) this.markRevoked(row.id, Number(row.at));
    } catch (error) {
      if (this.listener === client) this.listener = undefined;
      drop();
      throw error;
    }
  }

  private retryListener(delay: number): void {
    if (this.closed || this.listenTimer) return;
    this.listenTimer = setTimeout(() => {
      this.listenTimer = undefined;
      if (this.closed) return;
      this.connectListener().catch(() => this.retryListener(Math.min(delay * 2, 5_000)));
    }, delay);
    this.listenTimer.unref();
  }

  private markRevoked(userId: string, at: number): void {
    if ((this.revokedAt.get(userId) ?? -1) >= at) return;
    this.revokedAt.set(userId, at);
    // Kept no longer than the longest access token it could refuse.
    setTimeout(
      () => {
        if (this.revokedAt.get(userId) === at) this.revokedAt.delete(userId);
      },
      (this.accessSeconds + 60) * 1000,
    ).unref();
    this.emit('revoked', userId);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.listenTimer);
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Drops what can no longer be used: expired challenges, replay records, refresh tokens. */
  async prune(): Promise<void> {
    await this.pool.query(
      "DELETE FROM auth_challenges WHERE expires_at < now() - interval '1 hour'",
    );
    await this.pool.query(
      'DELETE FROM auth_token_uses WHERE expires_at < to_timestamp($1 / 1000.0)',
      [this.now()],
    );
    await this.pool.query('DELETE FROM auth_refresh_tokens WHERE expires_at < now()');
  }

  async challenge(publicKeyInput: string): Promise<{ nonce: string; expiresAt: string }> {
    const publicKey = keyOf(publicKeyInput);
    const nonce = randomBytes(32).toString('hex');
    const { rows } = await this.pool.query<{ expires_at: Date }>(
      `INSERT INTO auth_challenges (nonce, public_key, expires_at)
       VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING expires_at`,
      [nonce, publicKey, CHALLENGE_SECONDS],
    );
    return { nonce, expiresAt: rows[0]!.expires_at.toISOString() };
  }

  /**
   * Spends a challenge nonce (single use, unexpired, issued for `publicKey`) and checks that the
   * key signed `message` with it. False for either failure: a caller learns nothing more.
   */
  async spendChallenge(
    publicKey: string,
    nonce: string,
    message: Uint8Array,
    signature: Uint8Array,
  ): Promise<boolean> {
    const { rows } = await this.pool.query(
      `UPDATE auth_challenges SET used_at = now()
       WHERE nonce = $1 AND public_key = $2 AND used_at IS NULL AND expires_at > now() RETURNING nonce`,
      [nonce, publicKey],
    );
    return rows.length > 0 && nativeVerifier.verify(parsePublicKey(publicKey), message, signature);
  }

  /** Checks the signed challenge (single use, unexpired) and signs the caller in. */
  async signIn(publicKeyInput: string, nonce: string, signature: Uint8Array): Promise<Tokens> {
    const publicKey = keyOf(publicKeyInput);
    if (
      !(await this.spendChallenge(
        publicKey,
        nonce,
        signInMessage(this.origin, nonce, publicKey),
        signature,
      ))
    )
      throw new AuthError(
        'The challenge is unknown, used or expired, or the signature does not match the key.',
      );
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
      verified = verifyAuthToken(nativeVerifier, token, { now: now * 1000 });
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
    // Spent records are dropped by prune() (hourly), not by every sign-in.
    const expiresMs = verified.timestamp / 1000 + AUTH_TOKEN_WINDOW_MICROS / 1000;
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

  /**
   * Rotates a refresh token in one transaction. A token rotated less than REFRESH_GRACE_SECONDS
   * ago gets the same successor again (a lost reply, or the API and the feed refreshing at once);
   * after that, presenting it again means it was copied: every session of the user ends.
   */
  async refresh(refreshToken: string): Promise<Tokens> {
    const hash = sha256(refreshToken);
    const successor = createHmac('sha256', this.successorKey)
      .update(refreshToken)
      .digest('base64url');
    const outcome = await inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{
        user_id: string;
        public_key: string;
        rotated: boolean;
        in_grace: boolean;
        successor_live: boolean;
      }>(
        `SELECT t.user_id, u.pubky_public_key AS public_key, t.replaced_at IS NOT NULL AS rotated,
                coalesce(t.replaced_at > now() - make_interval(secs => $2), false) AS in_grace,
                EXISTS (SELECT 1 FROM auth_refresh_tokens s WHERE s.token_hash = t.successor_hash
                        AND s.replaced_at IS NULL AND s.expires_at > now()) AS successor_live
         FROM auth_refresh_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.expires_at > now() FOR UPDATE OF t`,
        [hash, this.refreshGraceSeconds],
      );
      const row = rows[0];
      if (!row) return { kind: 'unknown' as const };
      if (!row.rotated) {
        await client.query(
          'UPDATE auth_refresh_tokens SET replaced_at = now(), successor_hash = $2 WHERE token_hash = $1',
          [hash, sha256(successor)],
        );
        await client.query(
          `INSERT INTO auth_refresh_tokens (token_hash, user_id, expires_at)
           VALUES ($1, $2, now() + make_interval(days => $3))`,
          [sha256(successor), row.user_id, REFRESH_TOKEN_DAYS],
        );
        return { kind: 'rotated' as const, row };
      }
      if (row.in_grace && row.successor_live) return { kind: 'rotated' as const, row };
      await client.query('DELETE FROM auth_refresh_tokens WHERE user_id = $1', [row.user_id]);
      // On this process's clock, the one access tokens carry their issue time on (claim `t`).
      const revokedAt = this.now();
      await client.query(
        'UPDATE users SET sessions_revoked_at = to_timestamp($2 / 1000.0) WHERE id = $1',
        [row.user_id, revokedAt],
      );
      return { kind: 'reused' as const, userId: row.user_id, revokedAt };
    });
    if (outcome.kind === 'unknown')
      throw new AuthError('The refresh token is unknown, used or expired.');
    if (outcome.kind === 'reused') {
      // This process hears its own NOTIFY too; marking it now closes the gap until it does.
      this.markRevoked(outcome.userId, outcome.revokedAt);
      throw new AuthError('The refresh token was used before: every session was signed out.');
    }
    return {
      accessToken: await this.accessToken(outcome.row.user_id, outcome.row.public_key),
      refreshToken: successor,
      expiresIn: this.accessSeconds,
      userId: outcome.row.user_id,
    };
  }

  /**
   * Ends a refresh token (signing out on one device): it can no longer be refreshed. The access
   * token the device held lapses within its lifetime; the app drops it at once.
   */
  async signOut(refreshToken: string): Promise<void> {
    await this.pool.query('DELETE FROM auth_refresh_tokens WHERE token_hash = $1', [
      sha256(refreshToken),
    ]);
  }

  /** A signed access token for a user (sign-in and refresh; tests sign members in with it). */
  async accessToken(
    userId: string,
    publicKey: string,
    seconds = this.accessSeconds,
  ): Promise<string> {
    const now = this.now();
    return new SignJWT({ pk: publicKey, t: now })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + seconds)
      .sign(this.signingKey);
  }

  private async issue(userId: string, publicKey: string): Promise<Tokens> {
    const accessToken = await this.accessToken(userId, publicKey);
    const refreshToken = randomBytes(32).toString('base64url');
    await this.pool.query(
      `INSERT INTO auth_refresh_tokens (token_hash, user_id, expires_at)
       VALUES ($1, $2, now() + make_interval(days => $3))`,
      [sha256(refreshToken), userId, REFRESH_TOKEN_DAYS],
    );
    return { accessToken, refreshToken, expiresIn: this.accessSeconds, userId };
  }

  /** The caller behind an access token, or AuthError (missing, expired, tampered, revoked). */
  async verify(token: string): Promise<Caller> {
    for (const key of this.acceptedKeys) {
      let payload;
      try {
        ({ payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          algorithms: ['HS256'],
          currentDate: new Date(this.now()),
        }));
      } catch {
        continue;
      }
      const issued = payload['t'];
      if (
        typeof payload.sub !== 'string' ||
        typeof payload['pk'] !== 'string' ||
        typeof issued !== 'number' ||
        typeof payload.exp !== 'number'
      )
        break;
      if (issued <= (this.revokedAt.get(payload.sub) ?? -1))
        throw new AuthError('This session was signed out; sign in again.');
      return { userId: payload.sub, publicKey: payload['pk'], expiresAt: payload.exp * 1000 };
    }
    throw new AuthError('The access token is missing, expired or invalid.');
  }
}
