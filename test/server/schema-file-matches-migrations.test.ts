// docs/current-schema.sql is what the migrations produce, read from the catalog (issue 18): a
// migration changed without `npm run schema` fails here, down to one function's body.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrate';
import { schemaText } from '../../server/db/schema-text';
import { freshDatabase } from '../support/database';

const db = await freshDatabase();
await migrate(db.pool);

describe('docs/current-schema.sql', () => {
  it('is exactly the schema the migrations produce (run `npm run schema` after changing one)', async () => {
    const generated = await schemaText(db.pool);
    const checkedIn = await readFile('docs/current-schema.sql', 'utf8');
    expect(generated === checkedIn, 'docs/current-schema.sql is stale: run `npm run schema`').toBe(
      true,
    );
  });

  it('holds every function body: a changed one no longer matches', async () => {
    const before = await schemaText(db.pool);
    await db.pool.query(
      `CREATE OR REPLACE FUNCTION is_private_address(address text) RETURNS boolean
       LANGUAGE sql IMMUTABLE AS $$ SELECT false $$`,
    );
    const after = await schemaText(db.pool);
    expect(after).not.toBe(before);
    expect(after).toContain('SELECT false');
  });
});
