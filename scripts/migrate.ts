// `npm run migrate [-- --status]`: applies (or lists) the Postgres migrations on DATABASE_URL,
// or on the embedded cluster in PUBKY_DATA_DIR when DATABASE_URL is unset.
import { loadConfig } from '../server/config';
import { migrate, migrationStatus } from '../server/db/migrate';
import { openDatabase } from '../server/db/open-database';

async function main(): Promise<void> {
  const { ownerPool: pool, close } = await openDatabase(loadConfig(), { maxConnections: 2 });
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
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
