// The database a server process uses: the operator's DATABASE_URL, or the embedded cluster in
// the data dir. One place decides, for the server, the feed alone and the migration runner.
import type pg from 'pg';
import { createPool } from './pool';
import type { ServerConfig } from '../config';
import { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres';

export interface OpenDatabase {
  readonly url: string;
  readonly pool: pg.Pool;
  readonly embedded: RunningPostgres | undefined;
  /** Ends the pool, then stops the embedded cluster if there is one. */
  close(): Promise<void>;
}

export async function openDatabase(
  config: Pick<ServerConfig, 'databaseUrl' | 'dataDir'>,
  options: {
    maxConnections?: number;
    log?: (line: string) => void;
    poolLog?: (fields: Record<string, unknown>, message: string) => void;
  } = {},
): Promise<OpenDatabase> {
  let embedded: RunningPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      baseDir: config.dataDir,
      ...(options.log ? { log: options.log } : {}),
    });
    url = embedded.url;
  }
  const pool = createPool(url, {
    max: options.maxConnections ?? 10,
    ...(options.poolLog ? { log: options.poolLog } : {}),
  });
  return {
    url,
    pool,
    embedded,
    close: async () => {
      await pool.end();
      await embedded?.stop();
    },
  };
}
