// The Node client of the companion server's live feed: subscribes, hands events on in order, and
// after a dropped connection reconnects with backoff and `since=<last seq>`, so it misses nothing
// and sees nothing twice. The server's tests drive the feed with it; the app's main process runs
// it once it signs in to a server (issue 20).
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { FeedEvent, ServerMessage, Subscription } from '../src-shared/feed-messages';

export interface FeedClientOptions {
  /** One or more server processes on the same database; the client moves on when one fails. */
  readonly urls: readonly string[];
  /** Called before every (re)connect: access tokens are short-lived. */
  readonly token: () => Promise<string>;
  readonly subscriptions: readonly Subscription[];
  readonly since?: number;
  readonly maxBackoffMs?: number;
}

export class FeedClient extends EventEmitter<{
  event: [FeedEvent];
  /**
   * What the server refused, or a frame that was not the protocol. Not named 'error': an
   * EventEmitter throws an 'error' nobody listens to, and one hostile frame must not do that.
   */
  problem: [{ code: string; message: string }];
  connected: [];
  disconnected: [number];
  /** The server ended a subscription: the caller lost access (removed, or a role change). */
  ended: [Subscription];
}> {
  private socket: WebSocket | undefined;
  private lastSeq: number | undefined;
  private attempts = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private urlIndex = 0;

  constructor(private readonly options: FeedClientOptions) {
    super();
    this.lastSeq = options.since;
  }

  /** The last event seen: persist it to resume after the app restarts. */
  get position(): number | undefined {
    return this.lastSeq;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  private async connect(): Promise<void> {
    let token: string;
    try {
      token = await this.options.token();
    } catch {
      this.retry();
      return;
    }
    const query = new URLSearchParams({ token });
    if (this.lastSeq !== undefined) query.set('since', String(this.lastSeq));
    const url = this.options.urls[this.urlIndex % this.options.urls.length];
    const socket = new WebSocket(`${url}/?${query}`);
    this.socket = socket;
    socket.on('open', () => {
      this.attempts = 0;
      for (const subscription of this.options.subscriptions) {
        socket.send(JSON.stringify({ type: 'subscribe', data: subscription }));
      }
      this.emit('connected');
    });
    socket.on('message', (raw, isBinary) => {
      let message: ServerMessage;
      try {
        if (isBinary) throw new Error('binary frame');
        message = JSON.parse(raw.toString()) as ServerMessage;
        if (typeof message !== 'object' || message === null) throw new Error('not an object');
      } catch {
        this.emit('problem', {
          code: 'INVALID_FRAME',
          message: 'The server sent a frame that is not the feed protocol.',
        });
        return;
      }
      this.onMessage(message);
    });
    socket.on('error', () => undefined); // 'close' follows and decides
    socket.on('close', (code) => {
      this.emit('disconnected', code);
      if (this.socket !== socket) return;
      this.urlIndex++; // the next attempt goes to the next server
      this.retry();
    });
  }

  private onMessage(message: ServerMessage): void {
    if (message.type === 'error') {
      this.emit('problem', message.data);
      return;
    }
    if (message.type === 'subscription_ended') {
      this.emit('ended', message.data.subscription);
      return;
    }
    if (!('seq' in message) || typeof message.seq !== 'number') return;
    if (this.lastSeq !== undefined && message.seq <= this.lastSeq) return;
    this.lastSeq = message.seq;
    this.emit('event', message);
  }

  private retry(): void {
    if (this.stopped) return;
    const cap = this.options.maxBackoffMs ?? 30_000;
    const delay = Math.min(cap, 250 * 2 ** this.attempts++) * (0.5 + Math.random() / 2);
    this.timer = setTimeout(() => void this.connect(), delay);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
  }
}
