// Request limits per client address, with @fastify/rate-limit: each sign-in route, each write
// route and relay PUT has a budget per minute; reads carry no limiter at all (nothing runs for
// them). Buckets live in this process's memory (an LRU of bounded size per route), so with
// several server processes each enforces its own: a limit guards the process that pays for the
// work, and needs no shared store (docs/security.md).
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';

export interface RequestLimits {
  /** Sign-in requests (`/auth/*`) per minute per address, per route; 0 turns the limit off. */
  readonly signInPerMinute: number;
  /** Writes (POST, PATCH, PUT, DELETE on the API) per minute per address, per route. */
  readonly writesPerMinute: number;
  /** PKARR relay PUTs per minute per address. */
  readonly relayPutsPerMinute: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  signInPerMinute: 30,
  writesPerMinute: 600,
  relayPutsPerMinute: 120,
};

function budgetOf(limits: RequestLimits, url: string, methods: readonly string[]): number {
  if (url.startsWith('/relay/')) return methods.includes('PUT') ? limits.relayPutsPerMinute : 0;
  if (url.startsWith('/auth/')) return limits.signInPerMinute;
  return methods.some((m) => ['POST', 'PATCH', 'PUT', 'DELETE'].includes(m))
    ? limits.writesPerMinute
    : 0;
}

/** Call on the root instance before any route is added: each limited route gets its budget. */
export function registerRequestLimits(app: FastifyInstance, limits: RequestLimits): void {
  app.addHook('onRoute', (route) => {
    const max = budgetOf(limits, route.url, [route.method].flat());
    if (max <= 0) return;
    route.config = { ...(route.config as object), rateLimit: { max, timeWindow: 60_000 } };
  });
  void app.register(rateLimit, {
    global: false,
    // Large enough that filling it takes 100,000 addresses within a minute.
    cache: 100_000,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `Too many requests: at most ${context.max} a minute; retry after ${context.after}.`,
    }),
  });
}
