// One real Postgres per test run: DATABASE_URL when set, otherwise an embedded cluster in a fresh
// directory under the OS temp dir. Each test file then makes its own database in it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../server/db/embedded-postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env['DATABASE_URL']) {
    project.provide('pgAdminUrl', process.env['DATABASE_URL']);
    return async () => {};
  }
  const baseDir = await mkdtemp(join(tmpdir(), 'pubky-test-pg-'));
  const cluster = await startEmbeddedPostgres({ baseDir });
  project.provide('pgAdminUrl', cluster.url);
  return async () => {
    await cluster.stop();
    await rm(baseDir, { recursive: true, force: true });
  };
}
