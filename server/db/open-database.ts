// The database a server process uses: the operator's DATABASE_URL, or the embedded cluster in
// the data dir. One place decides, for the server, the feed alone and the migration runner.
//
// Two roles (docs/security.md): migrations run as the owner; the server then runs as a role
// that can only read and write rows (pubky_app, made by the baseline migration). With the embedded
// cluster both are ours: pubky_app gets a login with a generated password (`pg-app-password`
// beside the cluster, mode 0600). With DATABASE_URL the operator names the server's role there
// and the owner's in MIGRATION_DATABASE_URL (without it, both are DATABASE_URL's).
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import type { ServerConfig } from '../config';
import { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres';
import { createPool } from './pool';

export const RUNTIME_ROLE = 'pubky_app';

export interface OpenDatabase {
  /** The owner's connection: migrations only. */
  readonly ownerUrl: string;
  readonly ownerPool: pg.Pool;
  readonly embedded: RunningPostgres | undefined;
  /**
   * The server's least-privileged connection (call after migrating: the role is made then).
   * The owner's pool is ended once this is open, unless the operator gave one role for both.
   */
  runtime(options?: { maxConnections?: number }): Promise<{ url: string; pool: pg.Pool }>;
  /** Ends the pools, then stops the embedded cluster if there is one. */
  close(): Promise<void>;
}

type PoolLog = (fields: Record<string, unknown>, message: string) => void;

async function runtimePassword(dataDir: string): Promise<string> {
  const file = join(dataDir, 'pg-app-password');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(24).toString('hex');
    await writeFile(file, password, { mode: 0o600 });
    return password;
  }
}

export async function openDatabase(
  config: Pick<ServerConfig, 'databaseUrl' | 'dataDir'> & {
    readonly migrationDatabaseUrl?: string | undefined;
  },
  options: { maxConnections?: number; log?: (line: string) => void; poolLog?: PoolLog } = {},
): Promise<OpenDatabase> {
  let embedded: RunningPostgres | undefined;
  let ownerUrl = config.migrationDatabaseUrl ?? config.databaseUrl;
  if (!config.databaseUrl) {
    embedded = await startEmbeddedPostgres({
      baseDir: config.dataDir,
      ...(options.log ? { log: options.log } : {}),
    });
    ownerUrl = embedded.url;
  }
  const poolOptions = (max: number) => ({
    max,
    ...(options.poolLog ? { log: options.poolLog } : {}),
  });
  const ownerPool = createPool(ownerUrl!, poolOptions(options.maxConnections ?? 10));
  const pools = [ownerPool];
  return {
    ownerUrl: ownerUrl!,
    ownerPool,
    embedded,
    async runtime(runtimeOptions = {}) {
      const max = runtimeOptions.maxConnections ?? options.maxConnections ?? 10;
      let url: string;
      if (embedded) {
        const password = await runtimePassword(config.dataDir);
        // The password is ours (hex): quoted by Postgres all the same.
        const { rows } = await ownerPool.query<{ sql: string }>(
          `SELECT format('ALTER ROLE ${RUNTIME_ROLE} WITH LOGIN PASSWORD %L', $1::text) AS sql`,
          [password],
        );
        await ownerPool.query(rows[0]!.sql);
        const parsed = new URL(embedded.url);
        parsed.username = RUNTIME_ROLE;
        parsed.password = password;
        url = parsed.toString();
      } else if (config.migrationDatabaseUrl) {
        url = config.databaseUrl!;
      } else {
        // The operator gave one connection: the server runs with it (see the README).
        return { url: ownerUrl!, pool: ownerPool };
      }
      const pool = createPool(url, poolOptions(max));
      pools.push(pool);
      pools.splice(pools.indexOf(ownerPool), 1);
      await ownerPool.end();
      return { url, pool };
    },
    close: async () => {
      for (const pool of pools.reverse()) await pool.end().catch(() => undefined);
      await embedded?.stop();
    },
  };
}
