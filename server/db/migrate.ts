// Forward-only SQL migrations from migrations/NNNN_name.sql. Each file runs in its own
// transaction and is recorded with its checksum; a landed file that changed is refused, and an
// advisory lock makes servers that start together take turns instead of racing. A database
// migrated by the pre-release files, folded into 0001_baseline in 0.1.0, is refused with what to
// do (docs/schema.md); migrations/landed.sha256 pins every landed file (a test compares).
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type pg from 'pg';

export const MIGRATIONS_DIR = resolve(import.meta.dirname, '../../migrations');

/** Arbitrary constant: the advisory-lock key every pubky-domains runner agrees on. */
const MIGRATION_LOCK_KEY = 0x70756b79;

export interface MigrationFile {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
  readonly sql: string;
}

export interface MigrationStatus {
  readonly version: number;
  readonly name: string;
  readonly appliedAt: Date | null;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
  constructor(
    readonly code:
      'CHECKSUM_MISMATCH' | 'UNKNOWN_VERSION' | 'BAD_FILENAME' | 'FAILED' | 'PRE_BASELINE',
    message: string,
  ) {
    super(message);
  }
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  const files: MigrationFile[] = [];
  for (const fileName of names) {
    const match = FILE_PATTERN.exec(fileName);
    if (!match) throw new MigrationError('BAD_FILENAME', `${fileName}: expected NNNN_name.sql`);
    const sql = await readFile(join(dir, fileName), 'utf8');
    const version = Number(match[1]);
    if (files.some((f) => f.version === version)) {
      throw new MigrationError('BAD_FILENAME', `two migrations share version ${version}`);
    }
    files.push({
      version,
      name: match[2] ?? '',
      checksum: createHash('sha256').update(sql).digest('hex'),
      sql,
    });
  }
  return files;
}

async function ensureLedger(client: pg.PoolClient): Promise<void> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
}

interface LedgerRow {
  version: number;
  name: string;
  checksum: string;
  applied_at: Date;
}

/** The first of the pre-release migrations (0001–0031) the baseline replaced. */
const PRE_BASELINE_FIRST = 'server_instances';

function checkLanded(files: readonly MigrationFile[], ledger: readonly LedgerRow[]): void {
  if (ledger.some((row) => row.version === 1 && row.name === PRE_BASELINE_FIRST)) {
    throw new MigrationError(
      'PRE_BASELINE',
      'this database was migrated by the pre-release migrations 0001-0031, which 0.1.0 folded into 0001_baseline: point DATABASE_URL at a new, empty database (docs/schema.md, "Pre-release databases")',
    );
  }
  for (const row of ledger) {
    const file = files.find((f) => f.version === row.version);
    if (!file) {
      throw new MigrationError(
        'UNKNOWN_VERSION',
        `the database has migration ${row.version} (${row.name}) that this code does not know: it is newer than this server`,
      );
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationError(
        'CHECKSUM_MISMATCH',
        `migration ${row.version} (${row.name}) was changed after it was applied; add a new migration instead`,
      );
    }
  }
}

export interface MigrateResult {
  readonly applied: readonly number[];
  readonly schemaVersion: number;
}

export async function migrate(
  pool: pg.Pool,
  options: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrateResult> {
  const files = await readMigrations(options.dir);
  const log = options.log ?? (() => {});
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await ensureLedger(client);
      const { rows: ledger } = await client.query<LedgerRow>(
        'SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version',
      );
      checkLanded(files, ledger);
      const done = new Set(ledger.map((row) => row.version));
      const applied: number[] = [];
      for (const file of files) {
        if (done.has(file.version)) continue;
        try {
          await client.query('BEGIN');
          // A migration may rewrite every row: the pool's statement deadline is for requests.
          await client.query('SET LOCAL statement_timeout = 0');
          await client.query(file.sql);
          await client.query(
            'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
            [file.version, file.name, file.checksum],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          const reason = error instanceof Error ? error.message : String(error);
          throw new MigrationError(
            'FAILED',
            `migration ${file.version} (${file.name}) failed: ${reason}`,
          );
        }
        log(`applied migration ${file.version} ${file.name}`);
        applied.push(file.version);
      }
      return { applied, schemaVersion: files.at(-1)?.version ?? 0 };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

export async function migrationStatus(pool: pg.Pool, dir?: string): Promise<MigrationStatus[]> {
  const files = await readMigrations(dir);
  const client = await pool.connect();
  try {
    await ensureLedger(client);
    const { rows } = await client.query<LedgerRow>(
      'SELECT version, name, checksum, applied_at FROM schema_migrations',
    );
    checkLanded(files, rows);
    return files.map((file) => ({
      version: file.version,
      name: file.name,
      appliedAt: rows.find((row) => row.version === file.version)?.applied_at ?? null,
    }));
  } finally {
    client.release();
  }
}

export async function currentSchemaVersion(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM schema_migrations',
  );
  return rows[0]?.version ?? 0;
}
