// Signing in to the family's companion server with one of this device's keys. Main signs the
// server's challenge in the vault; the refresh token is a secret and lives in the OS keychain; the
// access token lives in this object's memory only; the renderer learns "signed in as …" and
// nothing more. Access tokens are refreshed before they expire; signing out ends the refresh
// token on the server and forgets both here.
import { signInMessage } from '../src-shared/pubky/server-auth';
import type { SessionView } from '../src-shared/ipc';
import type { KeyVault } from './custody/key-vault';
import type { SecretStore } from './custody/secret-store';
import { AppError } from './errors';
import { serverRequest } from './server-request';
import type { LocalStore } from './store/local-store';

/** Refresh this long before the access token expires. */
const REFRESH_AHEAD_MS = 60_000;

interface SessionMeta {
  readonly server: string;
  readonly publicKey: string;
  readonly userId: string;
}

interface Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
  readonly userId: string;
}

export interface ServerSessionDeps {
  readonly server: () => string;
  readonly vault: KeyVault;
  /** Where the refresh token is kept: the OS keychain. */
  readonly secrets: SecretStore;
  /** Who is signed in where (public: the key and the user id). */
  readonly store: LocalStore;
  readonly now?: () => number;
  readonly onChange?: () => void;
  readonly log?: (line: string) => void;
}

const origin = (url: string) => new URL(url).origin;

export class ServerSession {
  private access: { token: string; expiresAt: number; server: string } | undefined;
  private refreshing: Promise<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: ServerSessionDeps) {
    this.now = deps.now ?? Date.now;
  }

  private account(server: string): string {
    return `session:${origin(server)}`;
  }

  private meta(): SessionMeta | undefined {
    const meta = this.deps.store.getSetting<SessionMeta>('session');
    return meta && origin(meta.server) === origin(this.deps.server()) ? meta : undefined;
  }

  view(): SessionView {
    const server = this.deps.server();
    const meta = this.meta();
    if (!meta || !this.deps.secrets.get(this.account(server)))
      return { state: 'signed-out', server };
    return { state: 'signed-in', server, publicKey: meta.publicKey, userId: meta.userId };
  }

  private async post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    const server = this.deps.server();
    const answer = await serverRequest(server, 'POST', path, {
      body,
      unreachable: `The companion server at ${origin(server)} does not answer. The app keeps working on this computer; try again when it is back.`,
    });
    return answer as { status: number; body: T };
  }

  private keep(server: string, tokens: Tokens): void {
    this.deps.secrets.set(this.account(server), new TextEncoder().encode(tokens.refreshToken));
    this.access = {
      token: tokens.accessToken,
      expiresAt: this.now() + tokens.expiresIn * 1000,
      server,
    };
    clearTimeout(this.timer);
    // Refresh ahead of expiry, so a feed socket or a request never meets an expired token.
    this.timer = setTimeout(
      () =>
        void this.accessToken().catch((error: unknown) =>
          this.deps.log?.(`session refresh failed: ${String(error)}`),
        ),
      Math.max(1000, tokens.expiresIn * 1000 - REFRESH_AHEAD_MS),
    );
    this.timer.unref();
  }

  /** Signs in as `publicKey` (a key in this device's vault). */
  async signIn(publicKey: string): Promise<SessionView> {
    const server = this.deps.server();
    const challenge = await this.post<{ nonce?: string }>('/auth/challenge', { publicKey });
    if (challenge.status !== 200 || typeof challenge.body?.nonce !== 'string')
      throw new AppError(
        'SIGN_IN_REFUSED',
        `The server refused to sign in this key (HTTP ${challenge.status}).`,
      );
    const signature = this.deps.vault.sign(
      publicKey,
      signInMessage(origin(server), challenge.body.nonce, publicKey),
    );
    const session = await this.post<Tokens>('/auth/session', {
      publicKey,
      nonce: challenge.body.nonce,
      signature: Buffer.from(signature).toString('base64'),
    });
    if (session.status !== 200 || typeof session.body?.refreshToken !== 'string')
      throw new AppError(
        'SIGN_IN_REFUSED',
        `The server refused the signed challenge (HTTP ${session.status}).`,
      );
    this.keep(server, session.body);
    this.deps.store.setSetting('session', {
      server,
      publicKey,
      userId: session.body.userId,
    } satisfies SessionMeta);
    this.deps.onChange?.();
    return this.view();
  }

  /** A current access token, refreshed first when it is about to expire. */
  accessToken(): Promise<string> {
    const server = this.deps.server();
    const access = this.access;
    if (access && access.server === server && access.expiresAt - this.now() > REFRESH_AHEAD_MS)
      return Promise.resolve(access.token);
    // One refresh at a time: two at once would present the same token twice.
    this.refreshing ??= this.refresh(server).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async refresh(server: string): Promise<string> {
    const stored = this.deps.secrets.get(this.account(server));
    if (!stored || !this.meta())
      throw new AppError('NOT_SIGNED_IN', 'Sign in to the companion server first.');
    const refreshToken = new TextDecoder().decode(stored);
    stored.fill(0);
    const answer = await this.post<Tokens>('/auth/refresh', { refreshToken });
    if (answer.status !== 200 || typeof answer.body?.accessToken !== 'string') {
      // The server ended this session (signed out elsewhere, or the token was stolen and used).
      this.forget(server);
      throw new AppError(
        'NOT_SIGNED_IN',
        'The companion server ended this session: sign in again.',
      );
    }
    this.keep(server, answer.body);
    return answer.body.accessToken;
  }

  private forget(server: string): void {
    this.deps.secrets.delete(this.account(server));
    this.deps.store.setSetting('session', null);
    this.access = undefined;
    clearTimeout(this.timer);
    this.deps.onChange?.();
  }

  /** Ends the session on the server (when it answers) and forgets it here in any case. */
  async signOut(): Promise<SessionView> {
    const server = this.deps.server();
    const stored = this.deps.secrets.get(this.account(server));
    if (stored) {
      const refreshToken = new TextDecoder().decode(stored);
      stored.fill(0);
      await this.post('/auth/sign-out', { refreshToken }).catch((error: unknown) =>
        this.deps.log?.(`sign-out could not reach the server: ${String(error)}`),
      );
    }
    this.forget(server);
    return this.view();
  }

  close(): void {
    clearTimeout(this.timer);
  }
}
