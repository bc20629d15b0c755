// The game: the room registry (rebuilt from the log when the server is ready), socket.io
// on the same HTTP server, the /api routes and /metrics. Closing the app stops every
// room clock and socket.
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import { DEFAULT_LIMITS, type EdgeLimits } from '../config.js';
import type { RoomStatus } from '../protocol/index.js';
import { createMetrics, type ServerMetrics } from '../metrics.js';
import { RoomRegistry } from '../rooms/registry.js';
import type { ScenarioCatalog } from '../rooms/runtime.js';
import { createGameSockets, type GameSockets } from '../socket/index.js';
import { metricsRoute } from './metrics-route.js';
import type { OpsRouteAccess } from './ops-access.js';
import { reportRoutes } from './report-routes.js';
import { roomsRoutes } from './rooms-routes.js';

export interface GameOptions {
  catalog: ScenarioCatalog;
  /** Wall ms per clock tick of a running room (default 1000); 0 = no clocks (tests). */
  tickMs?: number;
  /** Longest a running room goes without logging its time (ms, default 5000). */
  flushMs?: number;
  /** Ended rooms kept in memory while nobody is connected to them (default 100). */
  maxEndedRooms?: number;
  /** Abuse limits (default DEFAULT_LIMITS). */
  limits?: EdgeLimits;
  /** Who may read /metrics (default everyone). */
  metrics?: OpsRouteAccess;
}

declare module 'fastify' {
  interface FastifyInstance {
    game: { registry: RoomRegistry; metrics: ServerMetrics; sockets: GameSockets; limits: EdgeLimits };
  }
}

export const gamePlugin = fp<GameOptions>(
  async (app, options) => {
    let sockets: GameSockets | undefined;
    const registry = new RoomRegistry({
      store: app.db.store,
      catalog: options.catalog,
      tickMs: options.tickMs ?? 1000,
      ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
      ...(options.maxEndedRooms !== undefined ? { maxEndedRooms: options.maxEndedRooms } : {}),
      hooks: {
        onCommitted: (runner, events, origin) => sockets?.broadcast(runner, events, origin),
        onWrite: (ms) => metrics.eventWriteSeconds.observe(ms / 1000),
        onError: (error, context) => app.log.error({ err: error }, context),
      },
    });
    const metrics = createMetrics(() => {
      const counts: Record<RoomStatus, number> = { lobby: 0, running: 0, paused: 0, ended: 0 };
      for (const runner of registry.list()) counts[runner.room.status] += 1;
      return counts;
    });
    const limits = options.limits ?? DEFAULT_LIMITS;
    sockets = createGameSockets(app.server, { registry, metrics, log: app.log, limits }, app.originAllowed);
    app.decorate('game', { registry, metrics, sockets, limits });
    // Routes opt in (room creation); the answer is the app's error body with code rate_limited.
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) => Object.assign(new Error(`too many requests; try again in ${context.after}`), { statusCode: context.statusCode }),
    });

    app.addHook('onReady', async () => {
      const { loaded, failed } = await registry.loadOpenRooms();
      app.log.info(`rooms rebuilt from the log: ${loaded}${failed.length ? `, failed: ${failed.join(', ')}` : ''}`);
    });
    app.addHook('preClose', async () => {
      registry.dispose();
      sockets?.stop();
    });

    await app.register(roomsRoutes);
    await app.register(reportRoutes);
    await app.register(metricsRoute, options.metrics ?? { access: 'public' });
  },
  { name: 'kubedrill-game', fastify: '5.x', dependencies: ['kubedrill-database', 'kubedrill-openapi', 'kubedrill-origin'] },
);
