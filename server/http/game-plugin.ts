// The game: the room registry, socket.io on the same HTTP server, the /api routes and
// /metrics. Nothing is rebuilt before the server listens: rooms come back on demand, and
// once listening the registry reconciles open rooms in the background (then every
// `reconcileMs`). Closing the app stops every room clock and socket.
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import { DEFAULT_LIMITS, type EdgeLimits } from '../config.js';
import type { RoomStatus } from '../protocol/index.js';
import { createMetrics, type ServerMetrics } from '../metrics.js';
import { RoomRegistry } from '../rooms/registry.js';
import type { ScenarioCatalog } from '../rooms/runtime.js';
import { createGameSockets, type GameSockets } from '../socket/index.js';
import { createGateway, type Gateway } from '../fleet/gateway.js';
import type { Ownership } from '../fleet/ownership.js';
import { kubeApiPlugin, type KubeApiServing } from './kube-api-plugin.js';
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
  /** Trusted reverse proxies (X-Forwarded-For) for socket clients' addresses; HTTP uses fastify's trustProxy. */
  trustProxyHops?: number;
  /** Their total size in bytes (default 256 MiB). */
  maxEndedBytes?: number;
  /** A lobby nobody started ends after this long (ms, default 24 h). */
  lobbyTtlMs?: number;
  /** Period of the background reconcile (ms, default 60 000); 0 = only once after listening. */
  reconcileMs?: number;
  /** First and longest wait between attempts to reach an unavailable database (ms). */
  retryMs?: { first: number; max: number };
  /** Events between two room snapshots (default 32). */
  snapshotEvery?: number;
  /** Several processes serve rooms: this one owns the rooms it leases (server/fleet). */
  fleet?: Ownership;
  /** Serve the rooms' Kubernetes API to each seat's own tools (absent: not served). */
  kubeApi?: KubeApiServing;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** `gateway`: several processes serve rooms; where a room's owner is (server/fleet). */
    game: { registry: RoomRegistry; metrics: ServerMetrics; sockets: GameSockets; limits: EdgeLimits; gateway?: Gateway };
  }
}

export const gamePlugin = fp<GameOptions>(
  async (app, options) => {
    let sockets: GameSockets | undefined;
    const { fleet } = options;
    const registry = new RoomRegistry({
      store: app.db.store,
      ...(fleet ? { claims: fleet, onEvicted: (runner) => sockets?.letGo(runner) } : {}),
      catalog: options.catalog,
      tickMs: options.tickMs ?? 1000,
      ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
      ...(options.maxEndedRooms !== undefined ? { maxEndedRooms: options.maxEndedRooms } : {}),
      ...(options.maxEndedBytes !== undefined ? { maxEndedBytes: options.maxEndedBytes } : {}),
      ...(options.lobbyTtlMs !== undefined ? { lobbyTtlMs: options.lobbyTtlMs } : {}),
      ...(options.retryMs ? { retryMs: options.retryMs } : {}),
      ...(options.snapshotEvery !== undefined ? { snapshotEvery: options.snapshotEvery } : {}),
      hooks: {
        onCommitted: (runner, events, origin, answer, late) => (sockets ? sockets.broadcast(runner, events, origin, answer, late) : answer?.()),
        onStorage: (runner, available) => {
          app.log.warn(`room ${runner.room.id}: saving ${available ? 'works again' : 'is unavailable; the room waits'}`);
          sockets?.storage(runner, available);
        },
        onBroken: (runner, error) => app.log.error({ err: error }, `room ${runner.room.id} is broken and closed`),
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
    const gateway = fleet ? { gateway: createGateway(app.db.store, registry, fleet) } : {};
    sockets = createGameSockets(app.server, { registry, metrics, log: app.log, limits, trustProxyHops: options.trustProxyHops ?? 0, ...gateway }, app.originAllowed);
    app.decorate('game', { registry, metrics, sockets, limits, ...gateway });
    // Routes opt in (room creation); the answer is the app's error body with code rate_limited.
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) => Object.assign(new Error(`too many requests; try again in ${context.after}`), { statusCode: context.statusCode }),
    });

    let reconciling: Promise<void> | undefined;
    let reconcileTimer: ReturnType<typeof setInterval> | undefined;
    const reconcile = (): void => {
      reconciling ??= registry.reconcile().then(
        ({ resumed, expired, broken }) => {
          if (resumed || expired || broken.length) app.log.info(`rooms reconciled: ${resumed} running, ${expired} expired${broken.length ? `, broken: ${broken.join(', ')}` : ''}`);
        },
        (error: unknown) => app.log.error({ err: error }, 'reconciling open rooms failed; trying again later'),
      ).finally(() => {
        reconciling = undefined;
      });
    };
    // Listening comes first: a server with many or heavy rooms answers from its first second.
    app.addHook('onListen', async () => {
      fleet?.start({
        lost: (roomId) => {
          app.log.warn(`room ${roomId}: lease lost; another process serves it now`);
          registry.evict(roomId);
        },
        adopt: async (roomId) => {
          await registry.get(roomId);
        },
        error: (error, context) => app.log.error({ err: error }, context),
      });
      reconcile();
      const every = options.reconcileMs ?? 60_000;
      if (every > 0) {
        reconcileTimer = setInterval(reconcile, every);
        reconcileTimer.unref();
      }
    });
    app.addHook('preClose', async () => {
      clearInterval(reconcileTimer);
      // A rolling deploy: the rooms move to the other processes before the connections go.
      if (fleet) {
        sockets?.letGoPiped();
        const started = performance.now();
        // Each room's connections close as soon as it is handed over: its clients resume on
        // another process while this one still hands over the rest.
        const moved = await fleet.drain(async (roomId) => {
          const runner = registry.inMemory(roomId);
          await registry.handOver(roomId);
          if (runner) sockets?.letGo(runner);
        });
        app.log.info(`handed ${moved.length} room(s) over to the other processes in ${Math.round(performance.now() - started)} ms`);
      }
      registry.dispose();
      await reconciling;
      sockets?.stop();
    });

    await app.register(roomsRoutes);
    await app.register(reportRoutes);
    await app.register(metricsRoute, options.metrics ?? { access: 'public' });
    if (options.kubeApi) await app.register(kubeApiPlugin, options.kubeApi);
  },
  { name: 'kubedrill-game', fastify: '5.x', dependencies: ['kubedrill-database', 'kubedrill-openapi', 'kubedrill-origin'] },
);
