// `npm run migrate [-- --status]`: applies (or lists) the Postgres migrations on DATABASE_URL,
// or on the embedded cluster in PUBKY_DATA_DIR when DATABASE_URL is unset.
import pg from 'pg';
import { loadConfig } from '../server/config';
import { startEmbeddedPostgres, type RunningPostgres } from '../server/db/embedded-postgres';
import { migrate, migrationStatus } from '../server/db/migrate';

async function main(): Promise<void> {
  const config = loadConfig();
  let embedded: RunningPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ baseDir: config.dataDir });
    url = embedded.url;
  }
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    if (process.argv.includes('--status')) {
      for (const row of await migrationStatus(pool)) {
        const state = row.appliedAt ? `applied ${row.appliedAt.toISOString()}` : 'pending';
        console.log(`${String(row.version).padStart(4, '0')} ${row.name.padEnd(40)} ${state}`);
      }
    } else {
      const { applied, schemaVersion } = await migrate(pool, { log: (line) => console.log(line) });
      console.log(
        applied.length
          ? `schema now at version ${schemaVersion}`
          : `nothing to do: schema at version ${schemaVersion}`,
      );
    }
  } finally {
    await pool.end();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
