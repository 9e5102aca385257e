// A companion server API on a fresh, migrated database, listening on loopback for one test file.
import { afterAll } from 'vitest';
import { buildApp } from '../../server/http/app';
import { migrate } from '../../server/db/migrate';
import { freshDatabase, type TestDatabase } from './database';
import type { BatchVerifier } from '../../server/crypto/batch-verifier';

export async function startApiServer(
  options: { relayPutsPerMinute?: number; signatures?: BatchVerifier } = {},
): Promise<{ db: TestDatabase; base: string }> {
  const db = await freshDatabase();
  await migrate(db.pool);
  const app = buildApp({ pool: db.pool, logLevel: 'silent', ...options });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  afterAll(() => app.close());
  return { db, base };
}
