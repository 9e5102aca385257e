// The companion server's live feed in main: once signed in, main subscribes to each of its
// families (resuming from the last event it saw) and turns what arrives into main → renderer
// events, so the family's screens change without a reload. A removal or role change ends the
// subscription at the server; the screens then show what is left.
import { FeedClient } from '../src-node/feed-client';
import type { FeedEvent } from '../src-shared/feed-messages';
import type { MainEvents } from './events';
import type { FamilyClient } from './family-client';
import type { ServerSession } from './server-session';
import type { LocalStore } from './store/local-store';
import { checkServer } from './server-status';
import type { FamilySync } from './family-sync';

const RETRY_MS = 30_000;
/** How long quitting waits for the event being handled. */
const CLOSE_WAIT_MS = 3000;

export class LiveFeed {
  private client: FeedClient | undefined;
  private starting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly deps: {
      readonly server: () => string;
      readonly session: ServerSession;
      readonly families: FamilyClient;
      readonly events: MainEvents;
      readonly store: LocalStore;
      readonly sync?: FamilySync;
      readonly log: (line: string) => void;
    },
  ) {}

  /** Events are handled one after another, in the feed's order. */
  private handling: Promise<void> = Promise.resolve();

  /** Where this server's feed is, from its /healthz. */
  private async feedUrl(): Promise<string | undefined> {
    const status = await checkServer(this.deps.server());
    // Away: the caller retries later.
    if (!status.reachable) throw new Error(`server unreachable: ${status.reason}`);
    return status.feedUrl;
  }

  /** (Re)subscribes to the signed-in person's families; stops when signed out. */
  refresh(): Promise<void> {
    clearTimeout(this.retryTimer);
    if (this.closed) return Promise.resolve();
    this.starting ??= this.restart()
      .catch((error: unknown) => {
        if (this.closed) return;
        // The server is away (the app works on): try again later while signed in.
        this.deps.log(`live feed not started: ${String(error)}`);
        if (this.deps.session.view().state === 'signed-in') {
          this.retryTimer = setTimeout(() => void this.refresh(), RETRY_MS);
          this.retryTimer.unref();
        }
      })
      .finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async restart(): Promise<void> {
    if (this.closed) return;
    const since = this.client?.position ?? this.deps.store.getSetting<number>('feedPosition');
    this.stop();
    if (this.deps.session.view().state !== 'signed-in') return;
    const [url, families] = await Promise.all([this.feedUrl(), this.deps.families.families()]);
    if (!url || families.length === 0 || this.closed) return;
    const client = new FeedClient({
      urls: [url],
      token: () => this.deps.session.accessToken(),
      // A family's events for its owners and members; a guardian hears what it guards.
      subscriptions: [
        ...families
          .filter((family) => family.role !== 'guardian')
          .map((family) => ({ familyId: family.id })),
        ...(families.some((family) => family.role === 'guardian')
          ? [{ guardian: true as const }]
          : []),
      ],
      ...(typeof since === 'number' ? { since } : {}),
    });
    client.on('event', (event) => this.deliver(event));
    client.on('ended', (subscription) => {
      if (!('familyId' in subscription)) return;
      const familyId = subscription.familyId;
      this.handling = this.handling.then(() => {
        this.deps.sync?.forget(familyId);
        this.deps.events.emit('family:changed', { familyId, kind: 'access_ended' });
      });
    });
    client.on('problem', ({ code, message }) => this.deps.log(`live feed: ${code} ${message}`));
    this.client = client;
    client.start();
  }

  private deliver(event: FeedEvent): void {
    this.handling = this.handling
      .then(() => (this.closed ? undefined : this.deps.sync?.handle(event)))
      .catch((error: unknown) => this.deps.log(`feed event ${event.seq}: ${String(error)}`))
      .then(() => {
        if (this.closed) return;
        this.deps.events.emit('family:changed', { familyId: event.familyId, kind: event.type });
        // The position moves only past what was handled, so a restart picks up the rest.
        this.deps.store.setSetting('feedPosition', event.seq);
      });
  }

  /** For good (the app quits): nothing starts again, and a start under way stops. */
  async close(): Promise<void> {
    this.closed = true;
    this.stop();
    await this.starting?.catch(() => undefined);
    this.stop();
    // What is being handled finishes, or is left behind if the server keeps it waiting.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.handling,
      new Promise((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    this.client?.stop();
    this.client = undefined;
  }
}
