// /api routes: scenarios, room creation (hosted and solo), room summary, leaderboard.
// Handlers validate (zod, via the type provider), call the registry, shape the answer.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  CreateRoomBody, CreateRoomResponse, CreateSoloBody, CreateSoloResponse, HttpError, LeaderboardResponse,
  RoomCodeParams, RoomSummary, ScenarioIdParams, ScenarioListQuery, ScenarioListResponse, failure,
} from '../protocol/index.js';
import type { ScenarioRuntime } from '../rooms/runtime.js';
import { sendError } from './errors.js';

export async function roomsRoutes(app: FastifyInstance): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { registry, limits } = app.game;

  // Room creation: per address (the route's limit), for everyone together, then the cap on open rooms.
  const creationTotal = app.createRateLimit({ max: limits.roomCreation.total, timeWindow: '1 minute', keyGenerator: () => 'room-creation' });
  const creation = {
    config: { rateLimit: { max: limits.roomCreation.perIp, timeWindow: '1 minute' } },
    preHandler: [
      async (request: FastifyRequest, reply: FastifyReply) => {
        const total = await creationTotal(request);
        if (!total.isAllowed && total.isExceeded) return sendError(reply, failure('rate_limited', 'too many rooms are being created; try again in a minute'));
        const open = registry.list().filter((runner) => runner.room.status !== 'ended').length;
        if (open >= limits.maxOpenRooms) return sendError(reply, failure('unavailable', 'this server is running as many rooms as it can; try again later'));
      },
    ],
  };

  api.get('/api/scenarios', {
    schema: {
      summary: 'Scenarios, easiest first (player view: title, briefing, difficulty, tags, estimated minutes; no answer key); ?tag= filters',
      tags: ['scenarios'], querystring: ScenarioListQuery, response: { 200: ScenarioListResponse },
    },
  }, async (request) => {
    const { tag } = request.query;
    const all = registry.catalog.list();
    return { scenarios: tag === undefined ? all : all.filter((s) => Array.isArray(s.tags) && s.tags.includes(tag)) };
  });

  api.post('/api/rooms', {
    schema: {
      summary: 'Create an interview or game-day room; the caller becomes its host',
      tags: ['rooms'], body: CreateRoomBody, response: { 201: CreateRoomResponse, 400: HttpError, 404: HttpError, 429: HttpError, 503: HttpError },
    },
    ...creation,
  }, async (request, reply) => {
    const { scenarioId, mode, seed, hostName, allowSpectators, stacked } = request.body;
    const created = await registry.create({ scenarioId, mode, name: hostName, settings: { allowSpectators, autoHints: false }, stacked, ...(seed !== undefined ? { seed } : {}) });
    if (!('runner' in created)) return sendError(reply, created);
    return reply.code(201).send({ roomId: created.runner.room.id, code: created.runner.room.code, hostToken: created.token });
  });

  api.post('/api/solo', {
    schema: {
      summary: 'Create and start a solo room; join it over socket.io with the returned token',
      tags: ['rooms'], body: CreateSoloBody, response: { 201: CreateSoloResponse, 400: HttpError, 404: HttpError, 429: HttpError, 503: HttpError },
    },
    ...creation,
  }, async (request, reply) => {
    const { scenarioId, name, autoHints, start } = request.body;
    const created = await registry.create({ scenarioId, mode: 'solo', name, settings: { allowSpectators: false, autoHints }, startNow: start });
    if (!('runner' in created)) return sendError(reply, created);
    return reply.code(201).send({ roomId: created.runner.room.id, code: created.runner.room.code, token: created.token, participantId: created.participantId });
  });

  // Anonymous: answered from memory or from the room and participant rows, never by
  // rebuilding a room (that is for the people who join it).
  api.get('/api/rooms/:code', {
    schema: { summary: 'Room summary by join code', tags: ['rooms'], params: RoomCodeParams, response: { 200: RoomSummary, 404: HttpError } },
  }, async (request, reply) => {
    const live = registry.inMemoryByCode(request.params.code);
    if (live) {
      const { room } = live;
      const people = Object.values(room.participants).filter((p) => !p.left);
      return {
        roomId: room.id, code: room.code, mode: room.mode, scenarioId: room.scenarioId, title: live.runtime.title, status: room.status,
        players: people.filter((p) => p.role === 'player').length, spectators: people.filter((p) => p.role === 'spectator').length,
        allowSpectators: room.settings.allowSpectators, ...briefingOf(live.runtime),
      };
    }
    const record = await registry.store.findRoomByCode(request.params.code);
    if (!record) return sendError(reply, failure('not_found', 'no room with that code'));
    const people = await registry.store.listParticipants(record.id);
    const runtime = registry.catalog.runtime(record.scenarioId, record.seed, record.stacked);
    return {
      roomId: record.id, code: record.code, mode: record.mode, scenarioId: record.scenarioId,
      title: runtime?.title ?? record.scenarioId, status: record.status, ...(runtime ? briefingOf(runtime) : {}),
      players: people.filter((p) => p.role === 'player').length, spectators: people.filter((p) => p.role === 'spectator').length,
      // Settings live in the log; a room not in memory has ended or is being rebuilt, and a
      // spectator's join answers for itself.
      allowSpectators: false,
    };
  });

  api.get('/api/leaderboard/:scenarioId', {
    schema: { summary: 'Best solo results of a scenario', tags: ['scenarios'], params: ScenarioIdParams, response: { 200: LeaderboardResponse, 404: HttpError } },
  }, async (request, reply) => {
    const { scenarioId } = request.params;
    if (!registry.catalog.has(scenarioId)) return sendError(reply, failure('not_found', `no scenario ${scenarioId}`));
    const entries = await registry.store.leaderboard(scenarioId, { mode: 'solo', limit: 50 });
    return {
      scenarioId,
      entries: entries.map((e) => ({ rank: e.rank, name: e.name, score: e.score, maxScore: e.maxScore, durationMs: e.durationMs, finishedAt: e.createdAt.toISOString() })),
    };
  });
}

/** The room's own briefing (its seed's names): the player view's, which holds nothing of the answer key. */
function briefingOf(runtime: ScenarioRuntime): { briefing?: string } {
  const { briefing } = runtime.playerView;
  return typeof briefing === 'string' ? { briefing } : {};
}
