// GET /metrics in Prometheus text format, for whoever KUBEDRILL_METRICS lets read it.
import type { FastifyInstance } from 'fastify';
import { requireOpsToken, type OpsRouteAccess } from './ops-access.js';

export async function metricsRoute(app: FastifyInstance, options: OpsRouteAccess): Promise<void> {
  if (options.access === 'off') return;
  const onRequest = options.access === 'token' && options.token ? requireOpsToken(options.token) : [];
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['ops'] }, logLevel: 'warn', onRequest }, async (_request, reply) => {
    const { registry } = app.game.metrics;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
