// Companion-server configuration, read once from the environment (documented in the README).
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FEED_PORT, DEFAULT_SERVER_PORT } from '../src-shared/app-info';
import { MAINLINE_BOOTSTRAP } from '../src-shared/publish/dht-client';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly feedPort: number;
  /** PUBLIC_FEED_URL: the feed's address as apps reach it (behind a proxy); default ws://HOST:FEED_PORT. */
  readonly publicFeedUrl: string | undefined;
  /** An operator's own Postgres; when absent the server runs an embedded one in dataDir. */
  readonly databaseUrl: string | undefined;
  /** MIGRATION_DATABASE_URL: the owner role migrations run as (DATABASE_URL's role when unset). */
  readonly migrationDatabaseUrl: string | undefined;
  readonly dataDir: string;
  readonly logLevel: string;
  readonly relayPutsPerMinute: number;
  /** Relays every stored packet is published on to (UPSTREAM_RELAYS, comma-separated URLs). */
  readonly upstreamRelays: readonly string[];
  /**
   * DHT_BOOTSTRAP: unset or empty = no DHT; `mainline` = the public Mainline bootstrap nodes;
   * otherwise comma-separated host:port nodes. With a DHT the relay is bridged both ways.
   */
  readonly dhtBootstrap: readonly string[] | undefined;
  readonly dhtPort: number;
  /** Worker threads that check uploaded signatures (VERIFY_THREADS); 0 checks them inline. */
  readonly verifyThreads: number;
  /** PUBLIC_ORIGIN: the URL clients reach the API at; every signed sign-in message names it. */
  readonly publicOrigin: string;
  /** JWT_SECRET_FILE: the access-token signing key (generated on first start when absent). */
  readonly jwtSecretFile: string;
  /** JWT_PREVIOUS_SECRET_FILE: the old key during a rotation, still accepted. */
  readonly jwtPreviousSecretFile: string | undefined;
  /** TRUST_PROXY: false, true (any proxy), or the proxies' addresses/CIDRs, comma-separated. */
  readonly trustProxy: boolean | readonly string[];
  readonly metricsToken: string | undefined;
  readonly signInPerMinute: number;
  readonly writesPerMinute: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, max = 65535): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ConfigError(`${name} must be a whole number from 0 to ${max}, got "${raw}"`);
  }
  return value;
}

/**
 * Where the embedded Postgres keeps its cluster. Per user under $HOME by default; for root it is
 * /var/lib, because Postgres refuses to run as root and the `postgres` user it runs as cannot
 * enter root's home.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv, isRoot: boolean): string {
  if (isRoot) return '/var/lib/pubky-domains';
  const dataHome = env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share');
  return join(dataHome, 'pubky-domains');
}

function urlsFrom(env: NodeJS.ProcessEnv, name: string): string[] {
  const raw = env[name];
  if (!raw) return [];
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      let url: URL;
      try {
        url = new URL(item);
      } catch {
        throw new ConfigError(`${name}: "${item}" is not a URL`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new ConfigError(`${name}: "${item}" must be an http(s) URL`);
      return item.replace(/\/+$/, '');
    });
}

function dhtBootstrapFrom(env: NodeJS.ProcessEnv): string[] | undefined {
  const raw = env['DHT_BOOTSTRAP']?.trim();
  if (!raw) return undefined;
  if (raw === 'mainline') return [...MAINLINE_BOOTSTRAP];
  return raw.split(',').map((node) => {
    const trimmed = node.trim();
    if (!/^[^\s:]+:\d{1,5}$/.test(trimmed))
      throw new ConfigError(`DHT_BOOTSTRAP: "${trimmed}" is not host:port (or use "mainline")`);
    return trimmed;
  });
}

function feedUrlFrom(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env['PUBLIC_FEED_URL'];
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_FEED_URL: "${raw}" is not a URL`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    throw new ConfigError(`PUBLIC_FEED_URL must be a ws:// or wss:// URL, got "${raw}"`);
  return url.href.replace(/\/$/, '');
}

function originFrom(env: NodeJS.ProcessEnv, host: string, port: number): string {
  const raw = env['PUBLIC_ORIGIN'];
  if (!raw) return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_ORIGIN: "${raw}" is not a URL`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/')
    throw new ConfigError(`PUBLIC_ORIGIN must be an http(s) origin with no path, got "${raw}"`);
  return url.origin;
}

/**
 * Behind a reverse proxy the client's address is in X-Forwarded-For, which anyone can write:
 * believe it only from the proxies named here. Unset: the peer's address is the client's.
 */
function trustProxyFrom(raw: string | undefined): boolean | string[] {
  const text = raw?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (
      !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(entry) &&
      !['loopback', 'linklocal', 'uniquelocal'].includes(entry)
    )
      throw new ConfigError(
        `TRUST_PROXY: "${entry}" is not an address, a CIDR or loopback/linklocal/uniquelocal`,
      );
  }
  return entries;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const isRoot = process.getuid?.() === 0;
  const host = env['HOST'] || '127.0.0.1';
  const port = intFrom(env, 'PORT', DEFAULT_SERVER_PORT);
  const dataDir = env['PUBKY_DATA_DIR'] || defaultDataDir(env, isRoot);
  return {
    jwtSecretFile: env['JWT_SECRET_FILE'] || join(dataDir, 'jwt-secret'),
    jwtPreviousSecretFile: env['JWT_PREVIOUS_SECRET_FILE'] || undefined,
    trustProxy: trustProxyFrom(env['TRUST_PROXY']),
    metricsToken: env['METRICS_TOKEN'] || undefined,
    signInPerMinute: intFrom(env, 'SIGN_IN_PER_MINUTE', 30, 1_000_000),
    writesPerMinute: intFrom(env, 'WRITES_PER_MINUTE', 600, 1_000_000),
    host,
    port,
    publicOrigin: originFrom(env, host, port),
    feedPort: intFrom(env, 'FEED_PORT', DEFAULT_FEED_PORT),
    publicFeedUrl: feedUrlFrom(env),
    databaseUrl: env['DATABASE_URL'] || undefined,
    migrationDatabaseUrl: (env['DATABASE_URL'] && env['MIGRATION_DATABASE_URL']) || undefined,
    dataDir,
    logLevel: env['LOG_LEVEL'] || 'info',
    relayPutsPerMinute: intFrom(env, 'RELAY_PUTS_PER_MINUTE', 120, 1_000_000),
    upstreamRelays: urlsFrom(env, 'UPSTREAM_RELAYS'),
    dhtBootstrap: dhtBootstrapFrom(env),
    dhtPort: intFrom(env, 'DHT_PORT', 0),
    // Two checking threads wherever there are two cores: an upload's batch is split between
    // them, which on two cores cut the open-loop p50 at 4,000 packets/s from ~25 to ~20 ms
    // (`npm run bench -- api`, three runs each) for a few percent of closed-loop throughput.
    // On one core the threads would only queue behind the event loop: checked inline there.
    verifyThreads: intFrom(env, 'VERIFY_THREADS', availableParallelism() > 1 ? 2 : 0, 64),
  };
}
