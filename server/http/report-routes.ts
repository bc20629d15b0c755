// Reports (host token) and replays (host, or the player themself). Both read the stored
// log; a replay is filtered for its viewer exactly like live broadcasts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { HttpError, ReplayResponse, RoomIdParams, RoomReport, failure, type AckError } from '../protocol/index.js';
import { fromStored } from '../rooms/log.js';
import { overviewTimeline } from '../rooms/overview.js';
import { buildReport } from '../rooms/report.js';
import type { RoomRunner } from '../rooms/runner.js';
import { viewerOf, viewFor, type Viewer } from '../rooms/view.js';
import { bearerToken, sendError } from './errors.js';
import { renderReportHtml } from './report-html.js';

export async function reportRoutes(app: FastifyInstance): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { registry } = app.game;

  /** The room and the viewer the bearer token stands for, if it belongs to this room. */
  async function authorise(request: FastifyRequest, roomId: string): Promise<{ runner: RoomRunner; viewer: Viewer } | AckError> {
    const token = bearerToken(request.headers.authorization);
    if (!token) return failure('forbidden', 'send the participant token as "Authorization: Bearer <token>"');
    const found = await registry.findByToken(token);
    if (!('runner' in found) || found.runner.room.id !== roomId || found.placement.kind !== 'seat') return failure('forbidden', 'that token does not belong to this room');
    const { participant } = found.placement;
    return { runner: found.runner, viewer: viewerOf(participant.id, participant.role) };
  }

  async function hostReport(request: FastifyRequest<{ Params: { id: string } }>): Promise<{ report: RoomReport } | { error: AckError }> {
    const auth = await authorise(request, request.params.id);
    if (!('runner' in auth)) return { error: auth };
    if (auth.viewer.role !== 'host') return { error: failure('forbidden', 'reports are for the host') };
    const log = (await registry.store.listEvents(auth.runner.room.id, 0)).map(fromStored);
    return { report: buildReport(auth.runner.room, auth.runner.runtime, log) };
  }

  api.get('/api/rooms/:id/report', {
    schema: { summary: 'Room report (host token): timeline, commands, hints, diagnoses, scores', tags: ['reports'], params: RoomIdParams, response: { 200: RoomReport, 403: HttpError } },
  }, async (request, reply) => {
    const result = await hostReport(request);
    return 'error' in result ? sendError(reply, result.error) : result.report;
  });

  api.get('/api/rooms/:id/report.html', {
    schema: { summary: 'Printable room report (host token)', tags: ['reports'], params: RoomIdParams },
  }, async (request, reply) => {
    const result = await hostReport(request);
    if ('error' in result) return sendError(reply, result.error);
    return reply.type('text/html; charset=utf-8').send(renderReportHtml(result.report));
  });

  api.get('/api/rooms/:id/replay', {
    schema: { summary: 'The room log as the token holder may see it', tags: ['reports'], params: RoomIdParams, response: { 200: ReplayResponse, 403: HttpError } },
  }, async (request, reply) => {
    const auth = await authorise(request, request.params.id);
    if (!('runner' in auth)) return sendError(reply, auth);
    if (auth.viewer.role === 'spectator') return sendError(reply, failure('forbidden', 'replays are for the host and the players'));
    const log = (await registry.store.listEvents(auth.runner.room.id, 0)).map(fromStored);
    const events = log.map((e) => viewFor(auth.viewer, e)).filter((e) => e !== null);
    const { room, runtime } = auth.runner;
    if (auth.viewer.role !== 'host') {
      const otherCommands = log.flatMap((e) => (e.type === 'command' && e.participantId !== auth.viewer.participantId ? [{ seq: e.seq, participantId: e.participantId }] : []));
      return { roomId: room.id, scenarioId: room.scenarioId, events, otherCommands };
    }
    // The overview at any moment of the replay, computed from the replayed cluster.
    return { roomId: room.id, scenarioId: room.scenarioId, seed: room.seed, events, overviews: overviewTimeline(runtime, room.id, log) };
  });
}
