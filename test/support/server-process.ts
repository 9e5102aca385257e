// The companion server as operators run it (`server/main.ts` in its own process) on a fresh test
// database: for tests that must prove the process itself survives what they send.
import { afterAll } from 'vitest';
import { freePort } from '../../server/db/embedded-postgres';
import { freshDatabase, type TestDatabase } from './database';
import { spawnNode, waitFor, type Spawned } from './processes';

export interface ServerProcess {
  readonly base: string;
  readonly feedUrl: string;
  readonly db: TestDatabase;
  readonly process: Spawned;
  /** True while the process runs. */
  alive(): boolean;
  healthz(): Promise<number>;
}

export async function startServerProcess(env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const db = await freshDatabase();
  const port = await freePort();
  const feedPort = await freePort();
  const spawned = spawnNode(['--import', 'tsx', 'server/main.ts'], {
    DATABASE_URL: db.url,
    PORT: String(port),
    FEED_PORT: String(feedPort),
    LOG_LEVEL: 'warn',
    VERIFY_THREADS: '0',
    // What sign-in messages name: the address clients use.
    PUBLIC_ORIGIN: `http://127.0.0.1:${port}`,
    ...env,
  });
  let exited = false;
  void spawned.exited.then(() => (exited = true));
  afterAll(async () => {
    if (!exited) {
      spawned.child.kill('SIGTERM');
      await spawned.exited;
    }
  });
  const base = `http://127.0.0.1:${port}`;
  const healthz = async () => (await fetch(`${base}/healthz`)).status;
  await waitFor(async () => ((await healthz()) === 200 ? true : undefined), 30_000).catch(
    (error: Error) => {
      throw new Error(`${error.message}; server output:\n${spawned.output()}`);
    },
  );
  return {
    base,
    feedUrl: `ws://127.0.0.1:${feedPort}`,
    db,
    process: spawned,
    alive: () => !exited,
    healthz,
  };
}
