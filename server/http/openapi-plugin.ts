// zod schemas validate requests and serialize responses, and feed the OpenAPI document
// served at /docs (JSON at /docs/json).
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';

export const openApiPlugin = fp(
  async (app) => {
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'kubedrill',
          description: 'Multiplayer Kubernetes incident drills on a simulated cluster.',
          version: '0.1.0',
        },
      },
      transform: jsonSchemaTransform,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'kubedrill-openapi', fastify: '5.x' },
);
