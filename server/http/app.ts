// The companion server's HTTP API. Errors are JSON `{ error: { code, message } }`.
import Fastify, { type FastifyInstance } from 'fastify';
import type pg from 'pg';
import { currentSchemaVersion } from '../db/migrate';
import { isDatabaseUnavailable } from '../db/pool';
import { BODY_LIMITS } from '../api/validation';
import { pkarrRelay } from '../relay/pkarr-relay';
import { apiRoutes, httpStatusOf } from '../api/routes';
import { AuthService } from '../auth/auth-service';
import { registerMetrics } from './metrics';
import { DEFAULT_REQUEST_LIMITS, registerRequestLimits, type RequestLimits } from './rate-limits';
import type { DhtClient } from '../../src-shared/publish/dht-client';
import type { BatchVerifier } from '../crypto/batch-verifier';

export const DEFAULT_RELAY_PUTS_PER_MINUTE = 120;

export interface AppDeps {
  readonly pool: pg.Pool;
  readonly logLevel: string;
  /** Where log lines go (stdout when absent; tests read them). */
  readonly logStream?: { write(line: string): void };
  /** The origin clients reach this server at: sign-in messages and AuthToken scopes name it. */
  readonly publicOrigin: string;
  /** Where apps reach the live feed (told in /healthz, so the app needs one address only). */
  readonly feedUrl?: string;
  /** PUTs per minute per client address on the PKARR relay; 0 turns the limit off. */
  readonly relayPutsPerMinute?: number;
  /** Sign-in and write budgets per client address (DEFAULT_REQUEST_LIMITS when absent). */
  readonly limits?: Partial<RequestLimits>;
  /** METRICS_TOKEN: /metrics wants it as a Bearer token; unset, /metrics answers loopback only. */
  readonly metricsToken?: string | undefined;
  /** Fastify's trustProxy: whom to believe about the client's address (TRUST_PROXY). */
  readonly trustProxy?: boolean | readonly string[];
  readonly auth?: AuthService;
  /** The relay's bridge to the DHT, when the operator configured one. */
  readonly dht?: DhtClient | undefined;
  /** Checks uploaded packets' signatures (a worker pool in the server); inline when absent. */
  readonly signatures?: BatchVerifier;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    logger: { level: deps.logLevel, ...(deps.logStream && { stream: deps.logStream }) },
    // Small by default; the routes that document larger bodies say so (BODY_LIMITS).
    bodyLimit: BODY_LIMITS.default,
    // A client that trickles its request is cut off (Fastify's default is no limit).
    requestTimeout: 30_000,
    trustProxy:
      typeof deps.trustProxy === 'object' ? [...deps.trustProxy] : (deps.trustProxy ?? false),
    // Relay clients join `<relay>/` and `/<key>`; `//key` must still find the key.
    routerOptions: { ignoreDuplicateSlashes: true },
  });

  app.setErrorHandler(
    (error: { statusCode?: number; code?: string; message: string }, request, reply) => {
      if (isDatabaseUnavailable(error)) {
        // Postgres is away (restarting, failing over): the request did not happen; try again.
        request.log.warn({ message: error.message }, 'database unavailable');
        void reply
          .status(503)
          .header('Retry-After', '2')
          .send({
            error: { code: 'UNAVAILABLE', message: 'The database is unavailable; retry shortly.' },
          });
        return;
      }
      const status =
        httpStatusOf(error) ??
        (error.statusCode && error.statusCode >= 400 ? error.statusCode : 500);
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      void reply.status(status).send({
        error: {
          code: status >= 500 ? 'INTERNAL' : (error.code ?? 'BAD_REQUEST'),
          message: status >= 500 ? 'Internal server error' : error.message,
        },
      });
    },
  );
  app.setNotFoundHandler((_request, reply) => {
    void reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'No such route' } });
  });

  app.get('/healthz', async (request, reply) => {
    try {
      const schemaVersion = await currentSchemaVersion(deps.pool);
      return { db: 'ok', schemaVersion, ...(deps.feedUrl ? { feedUrl: deps.feedUrl } : {}) };
    } catch (error) {
      request.log.warn({ err: error }, 'health check could not reach the database');
      return reply.status(503).send({ db: 'unavailable' });
    }
  });

  registerRequestLimits(app, {
    ...DEFAULT_REQUEST_LIMITS,
    relayPutsPerMinute: deps.relayPutsPerMinute ?? DEFAULT_RELAY_PUTS_PER_MINUTE,
    ...deps.limits,
  });
  const metrics = registerMetrics(app, deps.pool, deps.metricsToken);
  void app.register(apiRoutes, {
    pool: deps.pool,
    auth: deps.auth ?? new AuthService(deps.pool, { origin: deps.publicOrigin }),
    onSync: (status) => metrics.syncOutcomes.inc({ status }),
    ...(deps.signatures && { signatures: deps.signatures }),
  });
  void app.register(pkarrRelay, {
    prefix: '/relay',
    pool: deps.pool,
    dht: deps.dht,
  });

  return app;
}
