// Reports (host token) and replays (host, or the player themself). Both read the stored
// log a page at a time, its outputs kept as the terminals keep them, once the token is
// known to be allowed, a few at once per process and rate-limited per address; a replay is
// filtered for its viewer exactly like live broadcasts. A room that is not in memory is not
// rebuilt for them when it has ended (or is broken): its report is folded from the log
// without simulating the cluster (ledger.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { HttpError, NoteBody, NoteResponse, ReplayResponse, RoomIdParams, RoomReport, failure, type AckError, type OverviewMessage, type RoomEvent } from '../protocol/index.js';
import type { ParticipantRecord, RoomRecord } from '../db/room-store.js';
import { ELSEWHERE } from '../rooms/registry.js';
import { forEachPage } from '../rooms/log.js';
import { OverviewFold } from '../rooms/overview.js';
import { LedgerFold } from '../rooms/ledger.js';
import { buildReport } from '../rooms/report.js';
import { RETAINED_OUTPUT_CHARS, RetainedEvents } from '../rooms/retained.js';
import type { RoomRunner } from '../rooms/runner.js';
import type { ScenarioRuntime } from '../rooms/runtime.js';
import { placementOf, type RoomState } from '../rooms/state.js';
import { hashToken } from '../rooms/tokens.js';
import { viewerOf, viewFor, type Viewer } from '../rooms/view.js';
import { bearerToken, sendError } from './errors.js';
import { renderReportHtml } from './report-html.js';
import { ReadGate } from './read-gate.js';

/** Where a permitted read finds the room: in memory, or folded from its log (ended, broken or elsewhere). */
type Source = { runner: RoomRunner; viewer: Viewer } | { record: RoomRecord; runtime: ScenarioRuntime; identity: ParticipantRecord };

/** The room as a read saw it, with its events as `keep` took them. */
interface Read {
  room: Readonly<RoomState>;
  runtime: ScenarioRuntime;
  viewer: Viewer;
  lastSeq: number;
}

type Role = ParticipantRecord['role'];

export async function reportRoutes(app: FastifyInstance): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { registry, limits } = app.game;

  const overviews = new OverviewCache();
  const reads = new ReadGate(limits.logReads.concurrent);
  // Per address: a whole-log read is the costliest request a seat's token can make.
  const logRead = { config: { rateLimit: { max: limits.logReads.perIp, timeWindow: '1 minute' } } };

  /** The identity a request's bearer token names in this room. */
  async function identityIn(request: FastifyRequest, roomId: string): Promise<ParticipantRecord | AckError> {
    const token = bearerToken(request.headers.authorization);
    if (!token) return failure('forbidden', 'send the participant token as "Authorization: Bearer <token>"');
    const identity = await registry.store.findParticipantByTokenHash(hashToken(token));
    if (!identity || identity.roomId !== roomId) return failure('forbidden', 'that token does not belong to this room');
    return identity;
  }

  /**
   * Whether the token may read the room (`refuse` says why a role may not), and where the room
   * is: decided before any of the log is read, so a refused request costs no read. A room not
   * in memory is checked by the token's role; its seat is only known once its log is folded.
   */
  async function authorise(request: FastifyRequest, roomId: string, refuse: (role: Role) => string | undefined): Promise<Source | AckError> {
    const identity = await identityIn(request, roomId);
    if (!('id' in identity)) return identity;
    const refused = refuse(identity.role);
    if (refused) return failure('forbidden', refused);
    const live = registry.inMemory(roomId);
    const record = live ? undefined : await registry.store.getRoom(roomId);
    const fold = (): Source | AckError => {
      const runtime = registry.catalog.runtime(record!.scenarioId, record!.seed, record!.stacked);
      return runtime ? { record: record!, runtime, identity } : failure('room_broken', `scenario ${record!.scenarioId} is not installed`);
    };
    if (!live && record && (record.status === 'ended' || record.brokenReason !== null)) return fold();
    const runner = live ?? (await registry.get(roomId));
    // Another process owns the room (several processes): its log gives the same report.
    if (!('room' in runner)) return record && runner.error.message === ELSEWHERE ? fold() : runner;
    const seated = seatOf(runner.room, identity.id, refuse);
    return 'error' in seated ? seated : { runner, viewer: seated };
  }

  /**
   * Reads the room's log a page at a time, handing each event to `keep`: a room in memory is
   * the room, one not in memory is folded as it is read (ledger.ts). Called under the read
   * gate, which the caller holds until it is done with what it read.
   */
  async function read(source: Source, refuse: (role: Role) => string | undefined, keep: (event: RoomEvent) => void): Promise<Read | AckError> {
    if ('runner' in source) {
      const { runner, viewer } = source;
      const seq = runner.room.seq;
      const done = await registry.lookUp(() => forEachPage(registry.store, runner.room.id, 0, seq, (page) => page.forEach(keep)));
      return done ?? { room: runner.room, runtime: runner.runtime, viewer, lastSeq: seq };
    }
    const { record, runtime, identity } = source;
    const ledger = new LedgerFold(runtime, record.id);
    let lastSeq = 0;
    const done = await registry.lookUp(() => forEachPage(registry.store, record.id, 0, Infinity, (page) => {
      for (const event of page) {
        ledger.push(event);
        keep(event);
        lastSeq = event.seq;
      }
    }));
    if (done) return done;
    const room = ledger.finish();
    const viewer = seatOf(room, identity.id, refuse);
    return 'error' in viewer ? viewer : { room, runtime, viewer, lastSeq };
  }

  /** Output characters a read keeps of the log: what the room's terminals keep (retained.ts). */
  async function retainedBudget(source: Source): Promise<number> {
    const terminals = 'runner' in source
      ? Object.keys(source.runner.room.terminals).length
      : (await registry.store.listParticipants(source.record.id)).filter((p) => p.role === 'player').length;
    return RETAINED_OUTPUT_CHARS * Math.max(1, terminals);
  }

  const hostsOnly = (role: Role) => (role === 'host' ? undefined : 'reports are for the host');

  async function hostReport(request: FastifyRequest<{ Params: { id: string } }>): Promise<{ report: RoomReport } | { error: AckError }> {
    const source = await authorise(request, request.params.id, hostsOnly);
    if ('error' in source) return { error: source };
    const report = await reads.run(async () => {
      const log = new RetainedEvents<RoomEvent>(await retainedBudget(source));
      const done = await read(source, hostsOnly, (event) => log.push(event));
      return 'error' in done ? done : buildReport(done.room, done.runtime, log.events);
    });
    return 'error' in report ? { error: report } : { report };
  }

  api.get('/api/rooms/:id/report', {
    ...logRead,
    schema: { summary: 'Room report (host token): timeline, commands, hints, diagnoses, scores', tags: ['reports'], params: RoomIdParams, response: { 200: RoomReport, 403: HttpError, 503: HttpError } },
  }, async (request, reply) => {
    const result = await hostReport(request);
    return 'error' in result ? sendError(reply, result.error) : result.report;
  });

  api.get('/api/rooms/:id/report.html', {
    ...logRead,
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

  const notSpectators = (role: Role) => (role === 'spectator' ? 'replays are for the host and the players' : undefined);

  api.get('/api/rooms/:id/replay', {
    ...logRead,
    schema: { summary: 'The room log as the token holder may see it', tags: ['reports'], params: RoomIdParams, response: { 200: ReplayResponse, 403: HttpError, 503: HttpError } },
  }, async (request, reply) => {
    const source = await authorise(request, request.params.id, notSpectators);
    if ('error' in source) return sendError(reply, source);
    const viewer = 'runner' in source ? source.viewer : viewerOf(source.identity.id, source.identity.role);
    // The overview's replay too holds its slot: outside the gate, hosts' replays queued for it
    // without bound, each holding the events it had read.
    const replay = await reads.run(async () => {
      const events = new RetainedEvents(await retainedBudget(source));
      const otherCommands: { seq: number; participantId: string }[] = [];
      const done = await read(source, notSpectators, (event) => {
        const seen = viewFor(viewer, event);
        if (seen !== null) events.push(seen);
        if (event.type === 'command' && event.participantId !== viewer.participantId) otherCommands.push({ seq: event.seq, participantId: event.participantId });
      });
      if ('error' in done) return done;
      const { room, runtime, lastSeq } = done;
      if (viewer.role !== 'host') return { roomId: room.id, scenarioId: room.scenarioId, events: events.events, otherCommands };
      // The overview at any moment of the replay, computed from the replayed cluster (the log read again, a page at a time).
      const timeline = await overviews.get(room.id, lastSeq, async () => {
        const fold = new OverviewFold(runtime, room.id);
        await forEachPage(registry.store, room.id, 0, lastSeq, (page) => fold.push(page));
        return fold.timeline;
      });
      return { roomId: room.id, scenarioId: room.scenarioId, seed: room.seed, events: events.events, overviews: timeline };
    });
    return 'error' in replay ? sendError(reply, replay) : replay;
  });
}

/** The viewer a participant's seat makes of them, unless they have none or `refuse` refuses its role. */
function seatOf(room: Readonly<RoomState>, identityId: string, refuse: (role: Role) => string | undefined): Viewer | AckError {
  // Only a seat's token reads the room (a request waiting for the host, or refused, does not).
  const placement = placementOf(room, identityId);
  if (placement.kind !== 'seat') return failure('forbidden', 'that token does not belong to this room');
  const refused = refuse(placement.participant.role);
  return refused ? failure('forbidden', refused) : viewerOf(placement.participant.id, placement.participant.role);
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
