// `npm run schema`: migrates a fresh embedded database and writes the schema it ends with to
// docs/current-schema.sql (what a reader opens to see "what does this trigger do now?").
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../server/db/embedded-postgres';
import { migrate } from '../server/db/migrate';
import { createPool } from '../server/db/pool';
import { schemaText } from '../server/db/schema-text';

const SCHEMA_FILE = 'docs/current-schema.sql';

async function main(): Promise<void> {
  const baseDir = await mkdtemp(join(tmpdir(), 'pubky-schema-'));
  const cluster = await startEmbeddedPostgres({ baseDir });
  const pool = createPool(cluster.url, { max: 2 });
  try {
    await migrate(pool);
    await writeFile(SCHEMA_FILE, await schemaText(pool));
    console.log(`wrote ${SCHEMA_FILE}`);
  } finally {
    await pool.end();
    await cluster.stop();
    await rm(baseDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`schema failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
