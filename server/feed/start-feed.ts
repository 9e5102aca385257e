// Starts the live feed on a database: the LISTEN event source and the WebSocket server.
import type pg from 'pg';
import type { AuthService } from '../auth/auth-service';
import { FeedEventSource } from './event-source';
import { PubkyWebSocketHandler, type FeedLimits } from './pubky-websocket-handler';

export interface RunningFeed {
  readonly port: number;
  readonly events: FeedEventSource;
  close(): Promise<void>;
}

export async function startFeed(options: {
  pool: pg.Pool;
  databaseUrl: string;
  auth: AuthService;
  host: string;
  port: number;
  limits?: Partial<FeedLimits>;
  /** How long the event log keeps events for resuming clients. */
  retentionDays?: number;
  log?: (fields: Record<string, unknown>, message: string) => void;
}): Promise<RunningFeed> {
  const events = new FeedEventSource(options.databaseUrl, options.pool);
  await events.start();
  const handler = new PubkyWebSocketHandler(
    {
      pool: options.pool,
      auth: options.auth,
      events,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.log ? { log: options.log } : {}),
    },
    { host: options.host, port: options.port },
  );
  const port = await handler.listening();
  const retentionDays = options.retentionDays ?? 7;
  const pruning = setInterval(
    () => void events.prune(retentionDays).catch(() => undefined),
    60 * 60_000,
  );
  pruning.unref();
  return {
    port,
    events,
    close: async () => {
      clearInterval(pruning);
      await handler.close();
      await events.close();
    },
  };
}
