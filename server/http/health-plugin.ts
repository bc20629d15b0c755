// GET /healthz: 200 when the server and its database answer, 503 otherwise, so a load
// balancer or orchestrator stops routing to an instance that lost its database.
import fp from 'fastify-plugin';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';

const HealthResponse = z.object({
  status: z.enum(['ok', 'error']),
  database: z.enum(['ok', 'unreachable']),
  error: z.string().optional(),
});

export const healthPlugin = fp(
  async (app) => {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/healthz',
      {
        schema: {
          summary: 'Liveness and database check',
          tags: ['ops'],
          response: { 200: HealthResponse, 503: HealthResponse },
        },
        logLevel: 'warn',
      },
      async (request, reply) => {
        try {
          await app.db.ping();
          return { status: 'ok' as const, database: 'ok' as const };
        } catch (error) {
          request.log.error({ err: error }, 'health check: database unreachable');
          return reply.code(503).send({ status: 'error', database: 'unreachable', error: 'database unavailable' });
        }
      },
    );
  },
  { name: 'kubedrill-health', fastify: '5.x', dependencies: ['kubedrill-database', 'kubedrill-openapi'] },
);
