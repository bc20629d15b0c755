// GET /metrics in Prometheus text format.
import type { FastifyInstance } from 'fastify';

export async function metricsRoute(app: FastifyInstance): Promise<void> {
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['ops'] }, logLevel: 'warn' }, async (_request, reply) => {
    const { registry } = app.game.metrics;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
