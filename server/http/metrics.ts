// Prometheus metrics at GET /metrics: request counts and latencies by route and status, relay
// and sync outcomes, the database pool, and the process defaults. They tell an attacker how busy
// the server is and what fails: with METRICS_TOKEN set they need it as a Bearer token, without
// it they answer only to this machine (loopback); anyone else is told there is no such route.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly syncOutcomes: Counter<'status'>;
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

function allowed(request: FastifyRequest, token: string | undefined): boolean {
  if (!token) return LOOPBACK.test(request.socket.remoteAddress ?? '');
  const presented = Buffer.from(request.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

export function registerMetrics(
  app: FastifyInstance,
  pool: pg.Pool,
  token?: string | undefined,
): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Histogram({
    name: 'pubky_http_request_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });
  const syncOutcomes = new Counter({
    name: 'pubky_sync_packets_total',
    help: 'Packets uploaded by apps, by outcome',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'pubky_db_pool_clients',
    help: 'Database pool clients by state',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL: keys and ids must not become label values.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', async (request, reply) => {
    if (!allowed(request, token))
      return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'No such route' } });
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  return { registry, syncOutcomes };
}
