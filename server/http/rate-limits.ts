// Request limits per client address, with @fastify/rate-limit: sign-in, writes and relay PUTs
// each have a budget per minute; reads are not limited. Buckets live in this process's memory
// (an LRU of bounded size), so with several server processes each enforces its own: a limit
// guards the process that pays for the work, and needs no shared store (docs/security.md).
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface RequestLimits {
  /** Sign-in attempts (`/auth/*`) per minute per address; 0 turns the limit off. */
  readonly signInPerMinute: number;
  /** Writes (POST, PATCH, PUT, DELETE on the API) per minute per address. */
  readonly writesPerMinute: number;
  /** PKARR relay PUTs per minute per address. */
  readonly relayPutsPerMinute: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  signInPerMinute: 30,
  writesPerMinute: 600,
  relayPutsPerMinute: 120,
};

type Category = 'signIn' | 'write' | 'relayPut' | 'read';

function categoryOf(request: FastifyRequest): Category {
  const path = request.url.split('?', 1)[0] ?? '';
  if (/^\/+relay\//.test(path)) return request.method === 'PUT' ? 'relayPut' : 'read';
  if (path.startsWith('/auth/')) return 'signIn';
  return ['POST', 'PATCH', 'PUT', 'DELETE'].includes(request.method) ? 'write' : 'read';
}

const budget = (limits: RequestLimits, category: Category): number =>
  category === 'signIn'
    ? limits.signInPerMinute
    : category === 'write'
      ? limits.writesPerMinute
      : category === 'relayPut'
        ? limits.relayPutsPerMinute
        : 0;

/** Registered on the root instance (the plugin is not encapsulated): every route is covered. */
export function registerRequestLimits(app: FastifyInstance, limits: RequestLimits): void {
  void app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    // Large enough that filling it takes 100,000 addresses within a minute.
    cache: 100_000,
    allowList: (request) => budget(limits, categoryOf(request)) <= 0,
    keyGenerator: (request) => `${categoryOf(request)}|${request.ip}`,
    max: (request) => Math.max(1, budget(limits, categoryOf(request))),
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `Too many requests: at most ${context.max} a minute; retry after ${context.after}.`,
    }),
  });
}
