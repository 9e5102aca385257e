// `npm run server` end to end: first start initialises the embedded cluster and answers /healthz
// within 15 s, a restart within 3 s, SIGTERM stops it cleanly and the data survives.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../server/db/embedded-postgres';
import { spawnNode, waitFor } from '../support/processes';

const baseDir = await mkdtemp(join(tmpdir(), 'pubky-server-test-'));
afterAll(() => rm(baseDir, { recursive: true, force: true }));

async function startServer(port: number) {
  const started = Date.now();
  const server = spawnNode(['--import', 'tsx', 'server/main.ts'], {
    PUBKY_DATA_DIR: baseDir,
    PORT: String(port),
    FEED_PORT: '0',
    DATABASE_URL: '',
    LOG_LEVEL: 'info',
  });
  const health = await waitFor(async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    return response.status === 200 ? ((await response.json()) as unknown) : undefined;
  }, 20_000);
  return { server, health, elapsedMs: Date.now() - started };
}

async function clusterClient(log: string): Promise<pg.Client> {
  const match = /"pgPort":(\d+)/.exec(log);
  if (!match) throw new Error(`no pgPort in the server log:\n${log}`);
  const password = (await readFile(join(baseDir, 'pg-password'), 'utf8')).trim();
  const client = new pg.Client({
    host: '127.0.0.1',
    port: Number(match[1]),
    user: 'postgres',
    password,
    database: 'postgres',
  });
  await client.connect();
  return client;
}

describe('npm run server', () => {
  it('answers /healthz, stops cleanly on SIGTERM and finds its data after a restart', async () => {
    const port = await freePort();
    const first = await startServer(port);
    expect(first.health).toEqual({
      db: 'ok',
      schemaVersion: expect.any(Number),
      feedUrl: expect.stringMatching(/^ws:\/\//),
    });
    expect(first.elapsedMs).toBeLessThan(15_000);

    const client = await clusterClient(first.server.output());
    // The server runs as the least-privileged role; only the migrations ran as the owner.
    const { rows: roles } = await client.query<{ usename: string }>(
      `SELECT DISTINCT usename FROM pg_stat_activity
       WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    );
    expect(roles.map((r) => r.usename)).toEqual(['pubky_app']);
    await client.query(
      "INSERT INTO server_instances (hostname, pid, app_version) VALUES ('written-before-stop', 1, 'test')",
    );
    await client.end();

    first.server.child.kill('SIGTERM');
    expect(await first.server.exited).toBe(0);

    const second = await startServer(port);
    expect(second.elapsedMs).toBeLessThan(3_000);
    const again = await clusterClient(second.server.output());
    const { rows } = await again.query<{ hostname: string; stopped_at: Date | null }>(
      'SELECT hostname, stopped_at FROM server_instances ORDER BY id',
    );
    await again.end();
    expect(rows.map((row) => row.hostname)).toContain('written-before-stop');
    // The first process recorded its clean stop; the running one has not stopped.
    expect(rows[0]?.stopped_at).toBeInstanceOf(Date);
    expect(rows.at(-1)?.stopped_at).toBeNull();

    second.server.child.kill('SIGINT');
    expect(await second.server.exited).toBe(0);
  }, 60_000);
});
