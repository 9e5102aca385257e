// The seed's PubkyWebSocketHandler: ws://host:3002?token=<JWT>[&since=<seq>]. Every
// subscription is checked against the caller's memberships; events carry a seq from the event
// log, so a client that reconnects with `since` gets what it missed, in order, once. Access is
// re-checked while the socket lives: the token's expiry (a client sends `auth` to stay), the
// user's revoked sessions, and membership changes, which arrive in the same ordered stream as
// the events they guard (docs/security.md).
import type { IncomingMessage } from 'node:http';
import type pg from 'pg';
import { WebSocket, WebSocketServer } from 'ws';
import {
  clientMessageSchema,
  FEED_CLOSE,
  MAX_FEED_FRAME,
  type FeedErrorCode,
  type ServerMessage,
  type Subscription,
} from '../../src-shared/feed-messages';
import { parsePublicKey, z32Encode } from '../../src-shared/pkarr';
import type { AuthService, Caller } from '../auth/auth-service';
import type { FeedEventSource, StoredEvent } from './event-source';
import { assertNever } from '../../src-shared/assert-never';
import { isDatabaseUnavailable } from '../db/pool';
import { FAMILY_READERS, lookUpFamily, roleIn } from '../auth/access';

export interface FeedLimits {
  readonly maxSubscriptions: number;
  readonly messagesPerSecond: number;
  /** Bytes queued for one client before it is cut off as too slow. */
  readonly maxBufferedBytes: number;
  readonly heartbeatMs: number;
  /** Live events held for one client while its resume reads the log. */
  readonly maxHeldEvents: number;
  /** Events one resume may read from the log before the client is told to reload. */
  readonly maxResumeEvents: number;
  /** Open sockets one user may hold (each of a family's devices holds one or two). */
  readonly maxConnectionsPerUser: number;
  /** Open sockets in this process, signed in or not. */
  readonly maxConnections: number;
}

export const DEFAULT_FEED_LIMITS: FeedLimits = {
  maxSubscriptions: 100,
  messagesPerSecond: 50,
  maxBufferedBytes: 4 * 1024 * 1024,
  heartbeatMs: 30_000,
  maxHeldEvents: 10_000,
  maxResumeEvents: 100_000,
  maxConnectionsPerUser: 20,
  maxConnections: 10_000,
};

/** A subscription, resolved at subscribe time to what it matches. */
interface Matcher {
  readonly key: string;
  readonly subscription: Subscription;
  /** Where its events come from: a family id, or `guardian:<userId>`. */
  readonly route: string;
  matches(event: StoredEvent): boolean;
}

interface Connection {
  readonly socket: WebSocket;
  caller: Caller;
  expiry: NodeJS.Timeout | undefined;
  readonly matchers: Map<string, Matcher>;
  /** `since` from the URL: each subscription first replays the log after it. */
  readonly resumeFrom: number | undefined;
  /** Seqs already sent (the recent ones): nothing is sent twice. */
  readonly sent: Set<number>;
  /** While a resume is being read from the log, live events wait here, in order. */
  held: StoredEvent[] | undefined;
  alive: boolean;
  windowStart: number;
  windowCount: number;
}

const send = (connection: Connection, message: ServerMessage) =>
  connection.socket.send(JSON.stringify(message));
const HEARTBEAT_SLICES = 10;
/** Adds `connection` to (or removes it from) the set kept under `key`; empty sets go. */
function indexed(
  index: Map<string, Set<Connection>>,
  key: string,
  connection: Connection,
  add: boolean,
): void {
  let set = index.get(key);
  if (add) {
    if (!set) index.set(key, (set = new Set()));
    set.add(connection);
  } else if (set) {
    set.delete(connection);
    if (set.size === 0) index.delete(key);
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const fail = (connection: Connection, code: FeedErrorCode, message: string) =>
  send(connection, { type: 'error', data: { code, message } });

export class PubkyWebSocketHandler {
  private readonly server: WebSocketServer;
  private readonly connections = new Set<Connection>();
  /** Connections by the routes their subscriptions listen on: an event visits only these. */
  private readonly routes = new Map<string, Set<Connection>>();
  /** Connections by user: revocations and membership changes visit only these. */
  private readonly byUser = new Map<string, Set<Connection>>();
  /** `user|family` → the seq of the user's latest removal from the family (recent ones). */
  private readonly removals = new Map<string, number>();
  private readonly heartbeat: NodeJS.Timeout;
  /** The heartbeat's current round: a snapshot of the connections, visited a slice per tick. */
  private round: Connection[] = [];
  private roundSlice = 0;

  constructor(
    private readonly deps: {
      pool: pg.Pool;
      auth: AuthService;
      events: FeedEventSource;
      limits?: Partial<FeedLimits>;
      log?: (fields: Record<string, unknown>, message: string) => void;
    },
    options: { port: number; host: string },
  ) {
    const limits = (this.limits = { ...DEFAULT_FEED_LIMITS, ...deps.limits });
    this.server = new WebSocketServer({
      port: options.port,
      host: options.host,
      maxPayload: MAX_FEED_FRAME,
    });
    this.server.on('connection', (socket, request) => this.accept(socket, request));
    deps.events.on('event', (event) => this.broadcast(event));
    deps.auth.on('revoked', (userId) => {
      for (const connection of this.byUser.get(userId) ?? [])
        connection.socket.close(FEED_CLOSE.unauthorized, 'signed out');
    });
    this.heartbeat = setInterval(
      () => this.checkAlive(),
      Math.max(1, Math.floor(limits.heartbeatMs / HEARTBEAT_SLICES)),
    );
    this.heartbeat.unref();
  }

  /** Read once: sendEvent consults them for every frame. */
  readonly limits: FeedLimits;

  listening(): Promise<number> {
    return new Promise((resolve) => {
      const address = () => (this.server.address() as { port: number }).port;
      if (this.server.address()) resolve(address());
      else this.server.once('listening', () => resolve(address()));
    });
  }

  /**
   * Messages can arrive before the token is checked: they wait on the same chain, so they are
   * handled after authentication and one at a time, in the order they came.
   */
  private accept(socket: WebSocket, request: IncomingMessage): void {
    if (this.server.clients.size > this.limits.maxConnections) {
      socket.close(FEED_CLOSE.tryAgainLater, 'server busy');
      return;
    }
    // This chain owns every promise of the socket: a failure closes this socket, never the process.
    let chain: Promise<Connection | undefined> = this.authenticate(socket, request).catch(
      (error: unknown) => {
        this.deps.log?.({ message: messageOf(error) }, 'feed handshake failed');
        socket.terminate();
        return undefined;
      },
    );
    socket.on('message', (raw, isBinary) => {
      chain = chain.then(async (connection) => {
        if (connection)
          await this.onMessage(connection, raw as Buffer, isBinary).catch((error: unknown) => {
            // Postgres away: the socket stays (live events resume with the database); the
            // client is told to send that message again.
            if (isDatabaseUnavailable(error)) {
              fail(
                connection,
                'UNAVAILABLE',
                'The database is unavailable; send that again shortly.',
              );
              return;
            }
            this.deps.log?.({ message: messageOf(error) }, 'feed message failed');
            socket.terminate();
          });
        return connection;
      });
    });
    socket.on('error', () => socket.terminate());
  }

  private async authenticate(
    socket: WebSocket,
    request: IncomingMessage,
  ): Promise<Connection | undefined> {
    // Only the query string matters, and a hostile request target (`//x:99999`) makes `new URL`
    // throw: read the query alone, which URLSearchParams parses without throwing.
    const target = request.url ?? '';
    const query = new URLSearchParams(
      target.includes('?') ? target.slice(target.indexOf('?')) : '',
    );
    let caller: Caller;
    try {
      caller = await this.deps.auth.verify(query.get('token') ?? '');
    } catch {
      socket.close(FEED_CLOSE.unauthorized, 'unauthorized');
      return undefined;
    }
    const sinceText = query.get('since');
    const since = sinceText === null ? undefined : Number(sinceText);
    if (since !== undefined && (!Number.isSafeInteger(since) || since < 0)) {
      socket.close(FEED_CLOSE.policy, 'since must be a sequence number');
      return undefined;
    }
    if (socket.readyState !== WebSocket.OPEN) return undefined;
    if ((this.byUser.get(caller.userId)?.size ?? 0) >= this.limits.maxConnectionsPerUser) {
      socket.close(FEED_CLOSE.policy, 'too many connections');
      return undefined;
    }
    const connection: Connection = {
      socket,
      caller,
      expiry: undefined,
      matchers: new Map(),
      resumeFrom: since,
      sent: new Set(),
      held: undefined,
      alive: true,
      windowStart: Date.now(),
      windowCount: 0,
    };
    this.connections.add(connection);
    indexed(this.byUser, connection.caller.userId, connection, true);
    this.armExpiry(connection);
    socket.on('pong', () => (connection.alive = true));
    socket.on('close', () => {
      clearTimeout(connection.expiry);
      indexed(this.byUser, connection.caller.userId, connection, false);
      this.connections.delete(connection);
      for (const matcher of connection.matchers.values())
        this.index(connection, matcher.route, false);
    });
    return connection;
  }

  /** The socket closes when its token expires, unless an `auth` message brought a fresh one. */
  private armExpiry(connection: Connection): void {
    clearTimeout(connection.expiry);
    // setTimeout's limit is ~24.8 days; tokens live minutes.
    const delay = Math.min(2 ** 31 - 1, Math.max(0, connection.caller.expiresAt - Date.now()));
    connection.expiry = setTimeout(
      () => connection.socket.close(FEED_CLOSE.unauthorized, 'token expired'),
      delay,
    );
    connection.expiry.unref();
  }

  private async reauthenticate(connection: Connection, token: string): Promise<void> {
    let caller: Caller;
    try {
      caller = await this.deps.auth.verify(token);
    } catch {
      fail(connection, 'INVALID_TOKEN', 'That token is invalid or expired; the current one holds.');
      return;
    }
    if (caller.userId !== connection.caller.userId) {
      fail(connection, 'INVALID_TOKEN', 'A connection stays with the user who opened it.');
      return;
    }
    connection.caller = caller;
    this.armExpiry(connection);
    send(connection, { type: 'authenticated', data: { expiresAt: caller.expiresAt } });
  }

  private limitedByRate(connection: Connection): boolean {
    const now = Date.now();
    if (now - connection.windowStart >= 1000) {
      connection.windowStart = now;
      connection.windowCount = 0;
    }
    connection.windowCount += 1;
    return connection.windowCount > this.limits.messagesPerSecond;
  }

  private async onMessage(connection: Connection, raw: Buffer, isBinary: boolean): Promise<void> {
    if (this.limitedByRate(connection)) {
      connection.socket.close(FEED_CLOSE.policy, 'too many messages');
      return;
    }
    let json: unknown;
    try {
      if (isBinary) throw new Error('binary');
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      fail(connection, 'INVALID_JSON', 'Messages are JSON text.');
      return;
    }
    const parsed = clientMessageSchema.safeParse(json);
    if (!parsed.success) {
      fail(connection, 'INVALID_MESSAGE', 'Unknown message type or malformed data.');
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ping':
        send(connection, { type: 'pong', data: message.data });
        return;
      case 'unsubscribe': {
        const matcher = connection.matchers.get(JSON.stringify(message.data));
        connection.matchers.delete(JSON.stringify(message.data));
        const stillRouted = [...connection.matchers.values()].some(
          (m) => m.route === matcher?.route,
        );
        if (matcher && !stillRouted) this.index(connection, matcher.route, false);
        send(connection, { type: 'unsubscribed', data: message.data });
        return;
      }
      case 'subscribe':
        await this.subscribe(connection, message.data);
        return;
      case 'auth':
        await this.reauthenticate(connection, message.data.token);
        return;
      default:
        assertNever(message);
    }
  }

  private async subscribe(connection: Connection, subscription: Subscription): Promise<void> {
    const key = JSON.stringify(subscription);
    if (!connection.matchers.has(key) && connection.matchers.size >= this.limits.maxSubscriptions) {
      fail(
        connection,
        'TOO_MANY_SUBSCRIPTIONS',
        `At most ${this.limits.maxSubscriptions} subscriptions.`,
      );
      return;
    }
    const startedAt = this.deps.events.position;
    let matcher = await this.authorise(connection.caller, subscription, key);
    // A removal that arrived while this was being checked wins over what the check read.
    if (
      matcher &&
      (this.removals.get(`${connection.caller.userId}|${matcher.route}`) ?? -1) > startedAt
    )
      matcher = undefined;
    if (!matcher) {
      // The same answer for "not yours" and "does not exist": ids are not to be probed.
      fail(connection, 'FORBIDDEN', 'No such subscription for you.');
      return;
    }
    connection.matchers.set(key, matcher);
    this.index(connection, matcher.route, true);
    send(connection, { type: 'subscribed', data: subscription });
    await this.resume(connection, matcher);
  }

  /**
   * With `since`, a new subscription first gets what the log holds after it, in order; live
   * events that arrive meanwhile wait, then follow. Seqs already sent are skipped.
   */
  private async resume(connection: Connection, matcher: Matcher): Promise<void> {
    if (connection.resumeFrom === undefined) return;
    if (connection.resumeFrom + 1 < (await this.deps.events.oldestRetained())) {
      fail(
        connection,
        'RESUME_EXPIRED',
        'Events after that seq are no longer kept; reload, then follow live.',
      );
      return;
    }
    connection.held ??= [];
    try {
      const families = await this.families(connection.caller.userId);
      let cursor = connection.resumeFrom;
      let read = 0;
      // Bounded: a resume stops when its socket closes, and one that would read more than
      // maxResumeEvents is told to reload instead (a reload is cheaper than replaying the log).
      while (connection.socket.readyState === WebSocket.OPEN) {
        const batch = await this.deps.events.readSince(cursor, families);
        if (!batch.length) break;
        read += batch.length;
        if (read > this.limits.maxResumeEvents) {
          fail(
            connection,
            'RESUME_EXPIRED',
            'Too many events since that seq to replay; reload, then follow live.',
          );
          break;
        }
        for (const event of batch) {
          // The replay meets removals in order too; after one, nothing more of that family.
          if (connection.matchers.get(matcher.key) !== matcher) break;
          if (matcher.matches(event)) this.sendEvent(connection, event);
          if (this.revokes(event, connection.caller.userId))
            this.endAccess(connection, event.familyId);
        }
        if (connection.matchers.get(matcher.key) !== matcher) break;
        cursor = batch.at(-1)!.seq;
      }
    } finally {
      const held = connection.held ?? [];
      connection.held = undefined;
      for (const event of held) this.offer(connection, event);
    }
  }

  private async families(userId: string): Promise<string[]> {
    const { rows } = await this.deps.pool.query<{ family_id: string }>(
      'SELECT family_id FROM family_members WHERE user_id = $1',
      [userId],
    );
    return rows.map((r) => r.family_id);
  }

  /** Resolves a subscription to a matcher, or undefined when the caller may not have it. */
  private async authorise(
    caller: Caller,
    subscription: Subscription,
    key: string,
  ): Promise<Matcher | undefined> {
    // The same rules as the HTTP API's (server/auth/access.ts): owners and members read.
    const memberOf = async (familyId: string | undefined) =>
      familyId !== undefined &&
      FAMILY_READERS.includes(
        (await roleIn(this.deps.pool, familyId, caller.userId)) ?? 'guardian',
      );

    if ('guardian' in subscription) {
      return {
        key,
        subscription,
        route: `guardian:${caller.userId}`,
        matches: (e) => e.kind === 'guardian_event' && e.entity['guardianUserId'] === caller.userId,
      };
    }
    if ('familyId' in subscription) {
      if (!(await memberOf(subscription.familyId))) return undefined;
      return {
        key,
        subscription,
        route: subscription.familyId,
        matches: (e) => e.familyId === subscription.familyId && e.kind !== 'guardian_event',
      };
    }
    /** A subscription to one row: it must exist and belong to one of the caller's families. */
    const row = async (
      table: 'domain_migrations' | 'domain_records' | 'pubky_domains',
      column: 'id' | 'public_key',
      value: string,
      kinds: readonly string[],
      entityKey: string,
    ): Promise<Matcher | undefined> => {
      const found = await lookUpFamily(this.deps.pool, table, column, value);
      if (!found || !(await memberOf(found.familyId))) return undefined;
      return {
        key,
        subscription,
        route: found.familyId,
        matches: (e) => kinds.includes(e.kind) && e.entity[entityKey] === found.id,
      };
    };
    const domainEvents = ['pubky_domain_event', 'pkarr_record_event'];
    if ('domainMigrationId' in subscription) {
      return row(
        'domain_migrations',
        'id',
        subscription.domainMigrationId,
        ['domain_migration_event'],
        'migrationId',
      );
    }
    if ('sovereigntyScoreDomainId' in subscription) {
      return row(
        'domain_records',
        'id',
        subscription.sovereigntyScoreDomainId,
        ['sovereignty_score_event'],
        'domainRecordId',
      );
    }
    if ('pubkyDomainId' in subscription) {
      return row('pubky_domains', 'id', subscription.pubkyDomainId, domainEvents, 'pubkyDomainId');
    }
    let publicKey: string;
    try {
      publicKey = z32Encode(parsePublicKey(subscription.pubkyUrl));
    } catch {
      return undefined;
    }
    return row('pubky_domains', 'public_key', publicKey, domainEvents, 'pubkyDomainId');
  }

  private index(connection: Connection, route: string, add: boolean): void {
    indexed(this.routes, route, connection, add);
  }

  private broadcast(event: StoredEvent): void {
    // The frame is the same for every recipient: serialise and UTF-8 encode it once (`ws` would
    // encode a string again for every socket).
    let frame: Buffer | undefined;
    const framed = () =>
      (frame ??= Buffer.from(
        JSON.stringify({
          type: event.kind,
          seq: event.seq,
          familyId: event.familyId,
          data: event.data,
        }),
      ));
    const visit = (route: string) => {
      for (const connection of this.routes.get(route) ?? []) this.offer(connection, event, framed);
    };
    visit(event.familyId);
    if (event.kind === 'guardian_event')
      visit(`guardian:${String(event.entity['guardianUserId'])}`);
    // The removed member hears of its removal (above), then nothing more of the family.
    const userId = String(event.entity['userId']);
    if (this.revokes(event, userId)) {
      this.removals.set(`${userId}|${event.familyId}`, event.seq);
      if (this.removals.size > 10_000) this.removals.delete(this.removals.keys().next().value!);
      for (const connection of this.byUser.get(userId) ?? [])
        this.endAccess(connection, event.familyId);
    }
  }

  /** True for a family event that takes `userId` out of the family's events (owner or member). */
  private revokes(event: StoredEvent, userId: string): boolean {
    if (event.kind !== 'family_event' || event.entity['userId'] !== userId) return false;
    const op = event.data['op'];
    return (
      op === 'member_removed' ||
      (op === 'member_role_changed' && !['owner', 'member'].includes(String(event.data['role'])))
    );
  }

  /** Drops every subscription the connection holds on the family's events, and says so. */
  private endAccess(connection: Connection, familyId: string): void {
    for (const [key, matcher] of connection.matchers) {
      if (matcher.route !== familyId) continue;
      connection.matchers.delete(key);
      if (connection.socket.readyState === WebSocket.OPEN)
        send(connection, {
          type: 'subscription_ended',
          data: { subscription: matcher.subscription, reason: 'access_changed' },
        });
    }
    this.index(connection, familyId, false);
  }

  private offer(connection: Connection, event: StoredEvent, framed?: () => Buffer): void {
    if (connection.held) {
      // Live events wait while a resume reads; a resume that cannot keep up is cut off.
      if (connection.held.length >= this.limits.maxHeldEvents) {
        connection.held.length = 0;
        connection.socket.close(FEED_CLOSE.slowConsumer, 'too slow');
        return;
      }
      connection.held.push(event);
      return;
    }
    for (const matcher of connection.matchers.values()) {
      if (matcher.matches(event)) {
        this.sendEvent(connection, event, framed);
        return;
      }
    }
  }

  private sendEvent(connection: Connection, event: StoredEvent, framed?: () => Buffer): void {
    if (connection.sent.has(event.seq) || connection.socket.readyState !== WebSocket.OPEN) return;
    // A consumer that does not keep up is cut off rather than slowing anyone else down.
    if (connection.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      connection.socket.close(FEED_CLOSE.slowConsumer, 'too slow');
      return;
    }
    connection.sent.add(event.seq);
    if (connection.sent.size > 100_000) {
      // Sets iterate in insertion order, which is (nearly) seq order: drop the oldest half.
      let drop = 50_000;
      for (const seq of connection.sent) {
        connection.sent.delete(seq);
        if (--drop === 0) break;
      }
    }
    if (framed) connection.socket.send(framed(), { binary: false });
    else {
      send(connection, {
        type: event.kind,
        seq: event.seq,
        familyId: event.familyId,
        data: event.data,
      });
    }
  }

  /**
   * One slice of the heartbeat: every connection is visited once per heartbeatMs, but a tenth at
   * a time, so 5,000 pings (and their pongs) do not all land in one tick and stall live frames.
   */
  private checkAlive(): void {
    if (this.roundSlice === 0) this.round = [...this.connections];
    const size = Math.ceil(this.round.length / HEARTBEAT_SLICES);
    for (const connection of this.round.slice(
      this.roundSlice * size,
      (this.roundSlice + 1) * size,
    )) {
      if (!this.connections.has(connection)) continue;
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
    this.roundSlice = (this.roundSlice + 1) % HEARTBEAT_SLICES;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const connection of this.connections)
      connection.socket.close(FEED_CLOSE.shutdown, 'server stopping');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
