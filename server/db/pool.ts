// The server's connection pool, made to survive Postgres going away: every client has an error
// listener (a connection lost mid-transaction is that request's failure, never the process's),
// connecting and statements have deadlines, and an abandoned transaction is ended by Postgres.
import pg from 'pg';

export const POOL_LIMITS = {
  /** Waiting for a connection longer than this answers 503 rather than queueing forever. */
  connectionTimeoutMillis: 5_000,
  statement_timeout: 30_000,
  idle_in_transaction_session_timeout: 60_000,
} as const;

export function createPool(
  connectionString: string,
  options: { max?: number; log?: (fields: Record<string, unknown>, message: string) => void } = {},
): pg.Pool {
  const log = options.log ?? (() => undefined);
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, ...POOL_LIMITS });
  // 'error' on the pool covers idle clients; a checked-out client emits on itself.
  pool.on('error', (error: Error & { code?: string }) =>
    log({ message: error.message, code: error.code }, 'idle database connection lost'),
  );
  pool.on('connect', (client) =>
    client.on('error', (error: Error & { code?: string }) =>
      log({ message: error.message, code: error.code }, 'database connection lost'),
    ),
  );
  return pool;
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

/** True when an error means the database is away (answer 503 and let the caller retry). */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 3; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08')))
      return true;
    if (
      typeof message === 'string' &&
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
        message,
      )
    )
      return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
