// Typed errors of the server's services. Constraint violations from Postgres become one of three
// codes with a readable message; a raw driver error never reaches a caller.
export type ServiceErrorCode = 'CONFLICT' | 'NOT_FOUND' | 'INVALID';

export class ServiceError extends Error {
  override name = 'ServiceError';
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
}

const isPgError = (error: unknown): error is PgError =>
  typeof error === 'object' && error !== null && typeof (error as PgError).code === 'string';

/** Postgres SQLSTATE → our codes (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
export function toServiceError(error: unknown, what: string): unknown {
  if (error instanceof ServiceError) return error;
  if (!isPgError(error)) return error;
  const pgError = error;
  const constraint = pgError.constraint ? ` (${pgError.constraint})` : '';
  switch (pgError.code) {
    case '23505':
      return new ServiceError('CONFLICT', `${what} conflicts with an existing one${constraint}`);
    case '23503':
      return new ServiceError(
        'NOT_FOUND',
        `${what} refers to something that does not exist${constraint}`,
      );
    case '23514':
    case '23502':
    case '22P02':
    case '22001':
    case '22003':
    case '22023':
      return new ServiceError('INVALID', `${what} is not valid${constraint}`);
    default:
      return error;
  }
}

/** Runs a database call, turning constraint violations into ServiceErrors. */
export async function guarded<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toServiceError(error, what);
  }
}
