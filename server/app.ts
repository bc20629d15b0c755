// buildApp() assembles the HTTP server from named plugins; it opens nothing itself, so
// tests build it around any database and call app.inject() without a port.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import helmet from '@fastify/helmet';
import type { LogLevel, OpsRoutes } from './config.js';
import { databasePlugin, type AppDatabase } from './http/database-plugin.js';
import { healthPlugin } from './http/health-plugin.js';
import { openApiPlugin } from './http/openapi-plugin.js';
import { gamePlugin, type GameOptions } from './http/game-plugin.js';
import { clientPlugin } from './http/client-plugin.js';
import { handleError } from './http/errors.js';
import { originPlugin } from './http/origin.js';

export interface BuildAppOptions {
  database: AppDatabase;
  /** pino options; `false` silences the log (tests). Defaults to info-level JSON lines. */
  logger?: FastifyServerOptions['logger'];
  logLevel?: LogLevel;
  /** Web origins besides the server's own that may call the API and open sockets (KUBEDRILL_ALLOWED_ORIGINS). */
  allowedOrigins?: readonly string[];
  /** Who may read /metrics and /docs (default everyone). */
  ops?: OpsRoutes;
  /** Reverse proxies in front whose X-Forwarded-For is believed (default 0). */
  trustProxyHops?: number;
  /** Rooms, sockets and /api routes; absent = the app serves only health and docs. */
  game?: GameOptions;
}

/**
 * What pages from this server may load and connect to: only this server. Styles may be
 * inline (xterm.js writes its own <style> element; the report page has one); scripts may
 * not. No upgrade-insecure-requests: a server on a LAN address is plain HTTP.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? { level: options.logLevel ?? 'info' },
    // Bodies are small JSON documents (room creation, diagnoses); anything larger is abuse.
    bodyLimit: 256 * 1024,
    // Shutdown closes every connection, busy or idle (a long-poll would hold it for 25 s).
    forceCloseConnections: true,
    // The n nearest hops are trusted proxies: request.ip is the address before them (as client-address.ts for sockets).
    trustProxy: (_address: string, hop: number) => hop < (options.trustProxyHops ?? 0),
  });
  app.setErrorHandler(handleError);
  await app.register(originPlugin, { allowedOrigins: options.allowedOrigins ?? [] });
  await app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY } });
  const ops = options.ops ?? { metrics: 'public', docs: 'public', token: undefined };
  await app.register(openApiPlugin, { access: ops.docs, token: ops.token });
  await app.register(databasePlugin, { database: options.database });
  await app.register(healthPlugin);
  if (options.game) await app.register(gamePlugin, { ...options.game, metrics: { access: ops.metrics, token: ops.token }, trustProxyHops: options.trustProxyHops ?? 0 });
  await app.register(clientPlugin);
  return app;
}
