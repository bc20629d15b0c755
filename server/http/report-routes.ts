// Reports (host token) and replays (host, or the player themself). Both read the stored
// log; a replay is filtered for its viewer exactly like live broadcasts. A room that is
// not in memory is not rebuilt for them when it has ended (or is broken): its report is
// folded from the log without simulating the cluster (ledger.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { HttpError, NoteBody, NoteResponse, ReplayResponse, RoomIdParams, RoomReport, failure, type AckError, type OverviewMessage, type RoomEvent } from '../protocol/index.js';
import { ELSEWHERE } from '../rooms/registry.js';
import { fromStored } from '../rooms/log.js';
import { overviewTimeline } from '../rooms/overview.js';
import { foldLedger } from '../rooms/ledger.js';
import { buildReport } from '../rooms/report.js';
import type { ScenarioRuntime } from '../rooms/runtime.js';
import { placementOf, type RoomState } from '../rooms/state.js';
import { hashToken } from '../rooms/tokens.js';
import { viewerOf, viewFor, type Viewer } from '../rooms/view.js';
import { bearerToken, sendError } from './errors.js';
import { renderReportHtml } from './report-html.js';

interface Authorised {
  room: Readonly<RoomState>;
  runtime: ScenarioRuntime;
  log: RoomEvent[];
  viewer: Viewer;
}

export async function reportRoutes(app: FastifyInstance): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { registry } = app.game;

  /** The room (as state and runtime), its log and the viewer the bearer token stands for, if it belongs to this room. */
  const overviews = new OverviewCache();

  /** The identity a request's bearer token names in this room. */
  async function identityIn(request: FastifyRequest, roomId: string): Promise<{ id: string } | AckError> {
    const token = bearerToken(request.headers.authorization);
    if (!token) return failure('forbidden', 'send the participant token as "Authorization: Bearer <token>"');
    const identity = await registry.store.findParticipantByTokenHash(hashToken(token));
    if (!identity || identity.roomId !== roomId) return failure('forbidden', 'that token does not belong to this room');
    return identity;
  }

  async function authorise(request: FastifyRequest, roomId: string): Promise<Authorised | AckError> {
    const identity = await identityIn(request, roomId);
    if (!('id' in identity)) return identity;
    const found = await roomWithLog(roomId);
    if (!('room' in found)) return found;
    // Only a seat's token reads the room (a request waiting for the host, or refused, does not).
    const placement = placementOf(found.room, identity.id);
    if (placement.kind !== 'seat') return failure('forbidden', 'that token does not belong to this room');
    return { ...found, viewer: viewerOf(placement.participant.id, placement.participant.role) };
  }

  /** The room and its log: from memory, folded from the log when it ended (or broke) elsewhere, else rebuilt. */
  async function roomWithLog(roomId: string): Promise<Omit<Authorised, 'viewer'> | AckError> {
    const live = registry.inMemory(roomId);
    const record = live ? undefined : await registry.store.getRoom(roomId);
    const fold = async (): Promise<Omit<Authorised, 'viewer'> | AckError> => {
      const runtime = registry.catalog.runtime(record!.scenarioId, record!.seed, record!.stacked);
      if (!runtime) return failure('room_broken', `scenario ${record!.scenarioId} is not installed`);
      const log = (await registry.store.listEvents(roomId, 0)).map(fromStored);
      return { room: foldLedger(runtime, roomId, log), runtime, log };
    };
    if (!live && record && (record.status === 'ended' || record.brokenReason !== null)) return fold();
    const runner = live ?? (await registry.get(roomId));
    // Another process owns the room (several processes): its log gives the same report.
    if (!('room' in runner)) return record && runner.error.message === ELSEWHERE ? fold() : runner;
    const log = (await registry.store.listEvents(roomId, 0)).map(fromStored).filter((e) => e.seq <= runner.room.seq);
    return { room: runner.room, runtime: runner.runtime, log };
  }

  async function hostReport(request: FastifyRequest<{ Params: { id: string } }>): Promise<{ report: RoomReport } | { error: AckError }> {
    const auth = await authorise(request, request.params.id);
    if (!('room' in auth)) return { error: auth };
    if (auth.viewer.role !== 'host') return { error: failure('forbidden', 'reports are for the host') };
    return { report: buildReport(auth.room, auth.runtime, auth.log) };
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

  // A host comments at a moment of the replay: a note like the console's, logged through the room.
  api.post('/api/rooms/:id/notes', {
    schema: {
      summary: 'Add a host note, optionally about one event of the log (a replay comment)', tags: ['reports'],
      params: RoomIdParams, body: NoteBody, response: { 201: NoteResponse, 400: HttpError, 403: HttpError, 404: HttpError },
    },
  }, async (request, reply) => {
    // The token and the room only: a note needs no copy of the log.
    const identity = await identityIn(request, request.params.id);
    if (!('id' in identity)) return sendError(reply, identity);
    const runner = await registry.get(request.params.id);
    if (!('room' in runner)) return sendError(reply, runner);
    const placement = placementOf(runner.room, identity.id);
    if (placement.kind !== 'seat') return sendError(reply, failure('forbidden', 'that token does not belong to this room'));
    if (placement.participant.role !== 'host') return sendError(reply, failure('forbidden', 'comments are for the hosts'));
    const viewer = viewerOf(placement.participant.id, placement.participant.role);
    const { text, at } = request.body;
    const result = await runner.act(viewer, { type: 'note', text, ...(at !== undefined ? { at } : {}) });
    if (!result.ok) return sendError(reply, result);
    return reply.code(201).send({ seq: result.events.at(-1)!.seq });
  });

  api.get('/api/rooms/:id/replay', {
    schema: { summary: 'The room log as the token holder may see it', tags: ['reports'], params: RoomIdParams, response: { 200: ReplayResponse, 403: HttpError } },
  }, async (request, reply) => {
    const auth = await authorise(request, request.params.id);
    if (!('room' in auth)) return sendError(reply, auth);
    if (auth.viewer.role === 'spectator') return sendError(reply, failure('forbidden', 'replays are for the host and the players'));
    const { room, runtime, log } = auth;
    const events = log.map((e) => viewFor(auth.viewer, e)).filter((e) => e !== null);
    if (auth.viewer.role !== 'host') {
      const otherCommands = log.flatMap((e) => (e.type === 'command' && e.participantId !== auth.viewer.participantId ? [{ seq: e.seq, participantId: e.participantId }] : []));
      return { roomId: room.id, scenarioId: room.scenarioId, events, otherCommands };
    }
    // The overview at any moment of the replay, computed from the replayed cluster.
    return { roomId: room.id, scenarioId: room.scenarioId, seed: room.seed, events, overviews: await overviews.get(room.id, log.at(-1)?.seq ?? 0, () => overviewTimeline(runtime, room.id, log)) };
  });
}

/**
 * Replaying a room's cluster for its overview timeline is the costliest read there is (every
 * command runs again): one computation at a time for the whole server, shared by everyone who
 * asks for the same room at the same length, and the last few kept. So hosts reloading a
 * replay cannot stall the running rooms.
 */
export class OverviewCache {
  private readonly done = new Map<string, OverviewMessage[]>();
  private readonly running = new Map<string, Promise<OverviewMessage[]>>();
  private queue: Promise<unknown> = Promise.resolve();

  get(roomId: string, seq: number, compute: () => Promise<OverviewMessage[]>): Promise<OverviewMessage[]> {
    const key = `${roomId}:${seq}`;
    const kept = this.done.get(key);
    if (kept) return Promise.resolve(kept);
    let pending = this.running.get(key);
    if (!pending) {
      pending = this.queue.then(compute).then((timeline) => {
        this.done.set(key, timeline);
        for (const old of this.done.keys()) if (this.done.size > MAX_KEPT_OVERVIEWS) this.done.delete(old);
        return timeline;
      }).finally(() => this.running.delete(key));
      this.queue = pending.catch(() => undefined);
      this.running.set(key, pending);
    }
    return pending;
  }
}

const MAX_KEPT_OVERVIEWS = 8;
