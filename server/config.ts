// Companion-server configuration, read once from the environment (documented in the README).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FEED_PORT, DEFAULT_SERVER_PORT } from '../src-shared/app-info';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly feedPort: number;
  /** An operator's own Postgres; when absent the server runs an embedded one in dataDir. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly logLevel: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${name} must be a port number (0-65535), got "${raw}"`);
  }
  return port;
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const isRoot = process.getuid?.() === 0;
  return {
    host: env['HOST'] || '127.0.0.1',
    port: portFrom(env, 'PORT', DEFAULT_SERVER_PORT),
    feedPort: portFrom(env, 'FEED_PORT', DEFAULT_FEED_PORT),
    databaseUrl: env['DATABASE_URL'] || undefined,
    dataDir: env['PUBKY_DATA_DIR'] || defaultDataDir(env, isRoot),
    logLevel: env['LOG_LEVEL'] || 'info',
  };
}
