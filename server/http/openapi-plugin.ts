// zod schemas validate requests and serialize responses, and feed the OpenAPI document
// served at /docs (JSON at /docs/json) to whoever KUBEDRILL_DOCS lets read it.
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { requireOpsToken, type OpsRouteAccess } from './ops-access.js';

export const openApiPlugin = fp<OpsRouteAccess>(
  async (app, options) => {
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    if (options.access === 'off') return;
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
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      ...(options.access === 'token' && options.token ? { uiHooks: { onRequest: requireOpsToken(options.token) } } : {}),
    });
  },
  { name: 'kubedrill-openapi', fastify: '5.x' },
);
