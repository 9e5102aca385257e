// The migration runner on real Postgres: applies everything once, is idempotent, refuses an
// edited landed file and a database of the pre-release migrations, and serialises runners that
// start together.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, migrationStatus, MIGRATIONS_DIR, readMigrations } from '../../server/db/migrate';
import { freshDatabase } from '../support/database';
import { spawnNode } from '../support/processes';

describe('migration runner', () => {
  it('applies every migration to an empty database, then finds nothing to do', async () => {
    const db = await freshDatabase();
    const files = await readMigrations();
    const first = await migrate(db.pool);
    expect(first.applied).toEqual(files.map((f) => f.version));
    const second = await migrate(db.pool);
    expect(second.applied).toEqual([]);
    expect(second.schemaVersion).toBe(files.at(-1)?.version);
    const status = await migrationStatus(db.pool);
    expect(status.every((row) => row.appliedAt instanceof Date)).toBe(true);
  });

  it('replays every migration in order and no later one drops or renames a column', async () => {
    const db = await freshDatabase();
    const files = await readMigrations();
    const dir = await mkdtemp(join(tmpdir(), 'migrations-replay-'));
    afterAll(() => rm(dir, { recursive: true, force: true }));
    let previous = new Set<string>();
    for (const file of files) {
      const name = `${String(file.version).padStart(4, '0')}_${file.name}.sql`;
      await cp(join(MIGRATIONS_DIR, name), join(dir, name));
      await migrate(db.pool, { dir });
      const { rows } = await db.pool.query<{ c: string }>(
        "SELECT table_name || '.' || column_name AS c FROM information_schema.columns WHERE table_schema = 'public'",
      );
      const columns = new Set(rows.map((row) => row.c));
      const lost = [...previous].filter((column) => !columns.has(column));
      expect(lost, `migration ${name} dropped or renamed columns`).toEqual([]);
      previous = columns;
    }
    expect(previous.size).toBeGreaterThan(50);
  });

  it('refuses to run when a landed migration was edited', async () => {
    const db = await freshDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    afterAll(() => rm(dir, { recursive: true, force: true }));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await migrate(db.pool, { dir });
    const [firstFile] = (await readdir(dir)).sort();
    await writeFile(join(dir, firstFile!), '-- edited after landing\nSELECT 1;\n');
    await expect(migrate(db.pool, { dir })).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
  });

  it('pins every landed migration in migrations/landed.sha256: an edited one fails here, not only on a migrated database', async () => {
    const pinned = new Map(
      (await readFile(join(MIGRATIONS_DIR, 'landed.sha256'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => {
          const [checksum, name] = line.split(/\s+/);
          return [name!, checksum!] as const;
        }),
    );
    const files = await readMigrations();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const name = `${String(file.version).padStart(4, '0')}_${file.name}.sql`;
      expect(pinned.get(name), `${name}: add it to migrations/landed.sha256 when it lands`).toBe(
        file.checksum,
      );
    }
    expect(pinned.size).toBe(files.length);
  });

  it('refuses a database the pre-release migrations made, in one line that says what to do', async () => {
    const db = await freshDatabase();
    await db.pool.query(`
      CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
        checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO schema_migrations (version, name, checksum)
      VALUES (1, 'server_instances', 'x'), (2, 'families_domains_scores', 'y'),
             (31, 'one_freshness_rule', 'z')`);
    const refused = migrate(db.pool);
    await expect(refused).rejects.toMatchObject({ code: 'PRE_BASELINE' });
    const message = await refused.catch((error: Error) => error.message);
    expect(message).toMatch(/pre-release migrations .* new, empty database/);
    expect(message).not.toContain('\n');
    await expect(migrationStatus(db.pool)).rejects.toMatchObject({ code: 'PRE_BASELINE' });
    const { rows } = await db.pool.query("SELECT to_regclass('families') AS t");
    expect(rows[0].t).toBeNull();
  });

  it('rolls back a failing migration whole and records nothing for it', async () => {
    const db = await freshDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    afterAll(() => rm(dir, { recursive: true, force: true }));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await writeFile(
      join(dir, '9999_broken.sql'),
      'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n',
    );
    await expect(migrate(db.pool, { dir })).rejects.toMatchObject({ code: 'FAILED' });
    const { rows } = await db.pool.query("SELECT to_regclass('half_done') AS t");
    expect(rows[0].t).toBeNull();
    const status = await migrationStatus(db.pool, dir);
    expect(status.find((row) => row.version === 9999)?.appliedAt).toBeNull();
  });

  it('two runner processes started together: one applies, the other then has nothing to do', async () => {
    const db = await freshDatabase();
    const runners = [0, 1].map(() =>
      spawnNode(['--import', 'tsx', 'scripts/migrate.ts'], { DATABASE_URL: db.url }),
    );
    const codes = await Promise.all(runners.map((r) => r.exited));
    expect(codes).toEqual([0, 0]);
    const outputs = runners.map((r) => r.output());
    expect(outputs.filter((o) => o.includes('schema now at version'))).toHaveLength(1);
    expect(outputs.filter((o) => o.includes('nothing to do'))).toHaveLength(1);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0].n).toBe((await readMigrations()).length);
  });

  it('the z32_key rule passes exactly the 52-character z-base-32 keys', async () => {
    const db = await freshDatabase();
    await migrate(db.pool);
    const cast = async (text: string) => {
      try {
        await db.pool.query('SELECT $1::z32_key', [text]);
        return true;
      } catch (error) {
        expect((error as { code?: string }).code).toBe('23514');
        return false;
      }
    };
    const key = 'yb'.repeat(26);
    expect(await cast(key)).toBe(true);
    expect(await cast('o'.repeat(52))).toBe(true);
    expect(await cast(key.slice(1))).toBe(false); // 51
    expect(await cast(`${key}y`)).toBe(false); // 53
    expect(await cast(`${key.slice(1)}l`)).toBe(false); // l is not in the alphabet
    expect(await cast(key.toUpperCase())).toBe(false);
    expect(await cast(`${key.slice(1)}\n`)).toBe(false); // 52 with a trailing newline
    expect(await cast('')).toBe(false);
  });

  it('a feed row takes only the known event kinds (checked by a domain)', async () => {
    const db = await freshDatabase();
    await migrate(db.pool);
    const { rows } = await db.pool.query<{ id: string }>(
      "INSERT INTO families (name) VALUES ('f') RETURNING id",
    );
    const append = (kind: string) =>
      db.pool.query(
        `INSERT INTO feed_events (family_id, kind, entity, data) VALUES ($1, $2, '{}', '{}')`,
        [rows[0]!.id, kind],
      );
    for (const kind of [
      'pubky_domain_event',
      'pkarr_record_event',
      'sovereignty_score_event',
      'domain_migration_event',
      'guardian_event',
      'family_event',
    ]) {
      await append(kind);
    }
    for (const kind of ['', 'guardian', 'PKARR_RECORD_EVENT', 'pkarr_record_event ']) {
      await expect(append(kind)).rejects.toMatchObject({ code: '23514' });
    }
    const { rows: kept } = await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM feed_events WHERE family_id = $1',
      [rows[0]!.id],
    );
    expect(kept[0]!.n).toBe(6);
  });
});
