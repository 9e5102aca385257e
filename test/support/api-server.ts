// A companion server API on a fresh, migrated database, listening on loopback for one test file.
import { afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../server/http/app';
import { migrate } from '../../server/db/migrate';
import { freePort } from '../../server/db/embedded-postgres';
import { AuthService, type AuthOptions } from '../../server/auth/auth-service';
import { freshDatabase, type TestDatabase } from './database';

/**
 * Builds the app on a port chosen first, so its public origin (which every signed sign-in
 * message names) is the address tests call it at.
 */
export async function listenApp(
  deps: Omit<AppDeps, 'publicOrigin' | 'logLevel'>,
  authOptions: Omit<AuthOptions, 'origin'> = {},
): Promise<{ app: FastifyInstance; base: string; auth: AuthService }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // The app's own AuthService, so tests can issue tokens it accepts (expired ones too).
  const auth = deps.auth ?? new AuthService(deps.pool, { origin: base, ...authOptions });
  // Tests sign in and write far faster than a family: limits are off unless a test sets them.
  const app = buildApp({
    logLevel: 'silent',
    publicOrigin: base,
    ...deps,
    limits: { signInPerMinute: 0, writesPerMinute: 0, ...deps.limits },
    auth,
  });
  await app.listen({ host: '127.0.0.1', port });
  return { app, base, auth };
}

export async function startApiServer(
  options: Omit<AppDeps, 'pool' | 'publicOrigin' | 'logLevel'> = {},
): Promise<{ db: TestDatabase; base: string; app: FastifyInstance; auth: AuthService }> {
  const db = await freshDatabase();
  await migrate(db.pool);
  const { app, base, auth } = await listenApp({ pool: db.pool, ...options });
  afterAll(() => app.close());
  return { db, base, app, auth };
}
