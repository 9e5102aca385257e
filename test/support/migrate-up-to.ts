// A database migrated only as far as a given migration, to test what a later one does to the
// rows that were already there.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { MIGRATIONS_DIR, migrate } from '../../server/db/migrate';

/** Applies the migrations numbered up to `last`, from a copy of them in a directory of its own. */
export async function migrateUpTo(pool: pg.Pool, last: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pubky-migrations-'));
  try {
    for (const name of await readdir(MIGRATIONS_DIR)) {
      if (Number.parseInt(name, 10) <= last) await cp(join(MIGRATIONS_DIR, name), join(dir, name));
    }
    await migrate(pool, { dir });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
