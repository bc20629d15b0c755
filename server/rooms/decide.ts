// decide(room, runtime, actor, action) → { events } | { error }: the rules of a room as a
// pure function. It checks the actor's role and the room's status and returns the events
// the action produces; it changes nothing (the runner appends, then reduces).
import type { Fact } from '../cluster/facts.js';
import type { AckError, Diagnosis, DraftEvent, EventOf, ErrorCode, Role, RoomSettings, SignalKind } from '../protocol/index.js';
import { diagnosisOf, failure, LIMITS } from '../protocol/index.js';
import type { ScenarioRuntime } from './runtime.js';
import { bodyRefusal, type ApiRequest } from '../kubeapi/handler.js';
import { targetOf } from '../kubeapi/seat.js';
import { adjustedTotal, adjustmentPoints, apiAllowed, apiBodyBytes, MAX_API_BODY_BYTES, playerSeats, players, type RoomState } from './state.js';

export interface Actor {
  participantId: string;
  role: Role;
}

export type Action =
  /** `spectatorSeats`: the server's cap on spectators present at once (checked here, in the room's turn, so concurrent joins cannot overshoot it). `invite`: the sha256 of a co-host invite's secret (a host seat is taken only with one). */
  | { type: 'join'; participantId: string; name: string; role: Role; spectatorSeats?: number; invite?: string }
  | { type: 'invite-cohost'; inviteHash: string }
  | { type: 'leave' }
  /** A participant who left re-joins with their token: their seat again. */
  | { type: 'return' }
  | { type: 'give-up' }
  | { type: 'settings'; settings: Partial<RoomSettings> }
  | { type: 'admit'; requestId: string; seat?: string }
  | { type: 'refuse'; requestId: string }
  | { type: 'release'; participantId: string }
  | { type: 'run'; line: string }
  /** Ctrl-C on the player's running command. */
  | { type: 'interrupt' }
  | { type: 'request-hint' }
  | ({ type: 'diagnose' } & Diagnosis)
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'end' }
  | { type: 'extend'; ms: number }
  | { type: 'push-hint'; hintId: string; participantId?: string }
  | { type: 'inject-fault'; faultId: string }
  | { type: 'note'; text: string; at?: number }
  | { type: 'adjust'; participantId: string; points: number; reason: string }
  | { type: 'signal'; kind: SignalKind; amount?: number }
  /** A new Kubernetes API token for the actor's seat (`tokenHash`: its sha256), replacing the one it had. */
  | { type: 'api-token'; tokenHash: string }
  /** A request of the seat's kubeconfig to the room's Kubernetes API; the runner serves it and logs the answer's status. */
  | { type: 'api'; request: ApiRequest }
  /** What the seat's open watch (`line`) streamed since showed of the world (the edge steps it in the room's turn). */
  | { type: 'api-observed'; line: string; observed: Fact[] };

export type Decision = { ok: true; events: DraftEvent[] } | AckError;

const HOST_ACTIONS = new Set<Action['type']>(['start', 'pause', 'resume', 'end', 'extend', 'push-hint', 'inject-fault', 'note', 'adjust', 'admit', 'refuse', 'release', 'invite-cohost']);
const PLAYER_ACTIONS = new Set<Action['type']>(['run', 'interrupt', 'request-hint', 'diagnose', 'signal', 'give-up']);

const AFTER_THE_END = new Set<Action['type']>(['note', 'adjust', 'release', 'invite-cohost']);

/**
 * Notes one room keeps (each up to LIMITS.maxTextChars, in its state and its report): hosts
 * write a few dozen. Unbounded, POST /notes (no rate limit) grew a room by ~1 MB a second.
 */
export const MAX_NOTES = 500;

/** Co-host invites not yet taken at once; more are refused until some are used. */
export const MAX_OPEN_INVITES = 10;

/** Identities waiting for the host at once; more are refused until the host answers some. */
export const MAX_WAITING = 10;

/** A solo player who stops typing this long gets the next hint (once its `afterMs` has passed). */
export const SOLO_STALL_MS = 2 * 60_000;

const reject = (code: ErrorCode, message: string): AckError => failure(code, message);

/** A record's entry for an id an action names (a host may send `__proto__`): own keys only. */
const own = <T>(record: Record<string, T>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

export function decide(room: RoomState, runtime: ScenarioRuntime, actor: Actor, action: Action): Decision {
  // After the end a host may still write notes, adjust scores and release them (the review),
  // and a panel reviews together: co-hosts may still be invited and come in.
  const cohostJoin = action.type === 'join' && action.role === 'host';
  if (room.status === 'ended' && !AFTER_THE_END.has(action.type) && !cohostJoin) return reject('room_ended', 'the room has ended');
  // A solo player starts their own clock, once they have read the briefing.
  const soloStart = action.type === 'start' && room.mode === 'solo' && actor.role === 'player';
  if (HOST_ACTIONS.has(action.type) && actor.role !== 'host' && !soloStart) return reject('forbidden', `only the host may ${action.type}`);
  if (PLAYER_ACTIONS.has(action.type) && actor.role !== 'player') return reject('forbidden', `only players may ${action.type}`);
  if (action.type !== 'join' && !room.participants[actor.participantId]) return reject('forbidden', 'not a participant of this room');
  if (room.participants[actor.participantId]?.left && action.type !== 'return') return reject('forbidden', 'you left this room');

  const simTime = room.cluster.now;
  const by = actor.participantId;
  switch (action.type) {
    case 'join':
      return decideJoin(room, action);
    case 'leave':
      return accept({ type: 'participant.left', simTime, participantId: by });
    case 'return':
      return room.participants[by]?.left ? accept({ type: 'participant.returned', simTime, participantId: by }) : accept();
    case 'give-up':
      if (room.mode !== 'solo') return reject('conflict', 'only a solo player may give up; tell the host');
      if (room.diagnoses[by]) return reject('conflict', 'a diagnosis was already submitted');
      return { ok: true, events: endEvents(room, runtime, by, 'gave-up') };
    case 'settings':
      if (action.settings.allowSpectators !== undefined && actor.role !== 'host') return reject('forbidden', 'only the host decides who may watch');
      if (action.settings.autoHints !== undefined && (room.mode !== 'solo' || actor.role !== 'player')) return reject('forbidden', 'automatic hints are the solo player\'s choice');
      return accept({ type: 'room.settings', simTime, by, ...action.settings });
    case 'admit':
      return decideAdmit(room, action, by);
    case 'refuse':
      if (own(room.requests, action.requestId)?.status !== 'pending') return reject('not_found', 'nobody with that request is waiting');
      return accept({ type: 'seat.refused', simTime, participantId: action.requestId, by });
    case 'release': {
      const released = releaseEvent(room, action.participantId);
      return released ? accept(released) : reject('conflict', 'that player has no score yet');
    }
    case 'run':
      if (room.status !== 'running') return reject('conflict', notRunning(room));
      if (room.terminals[by]?.session.stream) return reject('conflict', 'a command is still running: press Ctrl-C first');
      // The runner executes the line and fills in output and exit code before logging it.
      return accept({ type: 'command', simTime, participantId: by, line: action.line, output: '', exitCode: 0 });
    case 'interrupt':
      if (!room.terminals[by]?.session.stream) return reject('conflict', 'no command is running');
      return accept({ type: 'command.interrupted', simTime, participantId: by });
    case 'request-hint': {
      if (room.status !== 'running') return reject('conflict', notRunning(room));
      const requested = { type: 'hint.requested', simTime, participantId: by } as const;
      if (room.mode !== 'solo') return accept(requested);
      const hint = nextHint(room, runtime, by);
      if (!hint) return reject('conflict', 'no more hints');
      return accept(requested, { type: 'hint.pushed', simTime, hintId: hint.id, text: hint.text, cost: hint.cost, by: 'system', participantId: by });
    }
    case 'diagnose': {
      if (room.status !== 'running' && room.status !== 'paused') return reject('conflict', notRunning(room));
      if (room.diagnoses[by]) return reject('conflict', 'a diagnosis was already submitted');
      if (action.secondCause !== undefined && !runtime.stacked) return reject('bad_request', 'this room has one root cause: name one');
      const diagnosis = diagnosisOf(action);
      const score = scoreEvent(room, runtime, by, diagnosis);
      const events: DraftEvent[] = [{ type: 'diagnosis.submitted', simTime, participantId: by, ...diagnosis }, score];
      if (room.mode === 'solo') events.push(...endEvents(room, runtime, by, 'submitted', [score]));
      return { ok: true, events };
    }
    case 'start':
      if (room.status !== 'lobby') return reject('conflict', 'the room has already started');
      return accept({ type: 'room.started', simTime, by });
    case 'pause':
      if (room.status !== 'running') return reject('conflict', notRunning(room));
      return accept({ type: 'room.paused', simTime, by });
    case 'resume':
      if (room.status !== 'paused') return reject('conflict', 'the room is not paused');
      return accept({ type: 'room.resumed', simTime, by });
    case 'end':
      return { ok: true, events: endEvents(room, runtime, by, 'host') };
    case 'extend':
      return accept({ type: 'room.extended', simTime, by, ms: action.ms });
    case 'push-hint': {
      const hint = runtime.hints.find((h) => h.id === action.hintId);
      if (!hint) return reject('not_found', `no hint ${action.hintId} in this scenario`);
      if (action.participantId !== undefined && own(room.participants, action.participantId)?.role !== 'player') {
        return reject('not_found', 'no such player in this room');
      }
      const already = room.hints.some((h) => h.hintId === hint.id && (h.participantId === undefined || h.participantId === action.participantId));
      if (already) return reject('conflict', 'that hint was already given');
      return accept({
        type: 'hint.pushed', simTime, hintId: hint.id, text: hint.text, cost: hint.cost, by,
        ...(action.participantId !== undefined ? { participantId: action.participantId } : {}),
      });
    }
    case 'inject-fault':
      if (!runtime.faults.some((f) => f.id === action.faultId)) return reject('not_found', `no optional fault ${action.faultId} in this scenario`);
      if (room.faults.some((f) => f.faultId === action.faultId)) return reject('conflict', 'that fault was already injected');
      return accept({ type: 'fault.injected', simTime, faultId: action.faultId, by });
    case 'note':
      if (action.at !== undefined && action.at > room.seq) return reject('bad_request', 'a note can only be about an event that happened');
      if (room.notes.length >= MAX_NOTES) return reject('conflict', `a room keeps at most ${MAX_NOTES} notes`);
      return accept({ type: 'note.added', simTime, by, text: action.text, ...(action.at !== undefined ? { at: action.at } : {}) });
    case 'invite-cohost': {
      if (Object.values(room.cohostInvites).filter((i) => i.usedBy === undefined).length >= MAX_OPEN_INVITES) {
        return reject('rate_limited', `at most ${MAX_OPEN_INVITES} co-host links may wait to be used`);
      }
      if (own(room.cohostInvites, action.inviteHash)) return reject('conflict', 'that invite exists');
      return accept({ type: 'cohost.invited', simTime, by, inviteHash: action.inviteHash });
    }
    case 'adjust': {
      if (!own(room.scores, action.participantId)) return reject('conflict', 'that player has no score yet');
      const adjusted = { type: 'score.adjusted', simTime, participantId: action.participantId, points: action.points, reason: action.reason, by } as const;
      // A score the player already sees is shown again with the adjustment.
      const again = own(room.released, action.participantId) ? releaseEvent(room, action.participantId, action.points) : undefined;
      return again ? accept(adjusted, again) : accept(adjusted);
    }
    case 'api-token':
      if (!apiAllowed(room, actor.role)) return reject('forbidden', 'the host does not allow your own tools on this room\'s cluster');
      return accept({ type: 'api.token', simTime, participantId: by, tokenHash: action.tokenHash });
    case 'api':
      if (!apiAllowed(room, actor.role)) return reject('forbidden', 'the host does not allow your own tools on this room\'s cluster');
      if (room.status !== 'running') return reject('conflict', notRunning(room));
      if (!runtime.apiRequest || !targetOf(action.request.path)) return reject('not_found', 'no such resource in this room\'s API');
      // Logged with the request, a body must be one the log, the snapshot and the broadcast can carry.
      const refused = bodyRefusal(action.request.body);
      if (refused) return reject(refused.status === 413 ? 'too_large' : 'bad_request', (refused.body as { message: string }).message);
      if (room.apiBodyBytes + apiBodyBytes(action.request.body) > MAX_API_BODY_BYTES) {
        return reject('too_large', `this room's logged API request bodies reached ${MAX_API_BODY_BYTES / 1048576} MiB: it takes no more (requests without a body still work)`);
      }
      return accept({ type: 'api.request', simTime, participantId: by, request: action.request, summary: '', status: 0 });
    case 'api-observed': {
      if (!apiAllowed(room, actor.role)) return reject('forbidden', 'the host does not allow your own tools on this room\'s cluster');
      // A watch's step may come after the room ended (it was checked in an earlier turn): nothing more counts then.
      if (room.status !== 'running') return reject('conflict', notRunning(room));
      const evidence = runtime.evidenceIn(action.observed);
      return accept({ type: 'api.observed', simTime, participantId: by, line: action.line, observed: action.observed, ...(evidence.length > 0 ? { evidence } : {}) });
    }
    case 'signal':
      return accept({ type: 'signal', simTime, participantId: by, kind: action.kind, ...(action.amount !== undefined ? { amount: action.amount } : {}) });
  }
}

/**
 * The room clock: `ms` of running time passed. Returns the tick, then what time causes:
 * the end when the limit is reached, an auto-hint for a stalled solo player.
 */
export function decideTick(room: RoomState, runtime: ScenarioRuntime, ms: number): DraftEvent[] {
  if (room.status !== 'running') return [];
  const simTime = room.cluster.now;
  const events: DraftEvent[] = [{ type: 'tick', simTime, ms }];
  if (room.elapsedMs + ms >= room.limitMs) return [...events, ...endEvents(room, runtime, 'system', 'time')];
  // Running commands print what the time brought (the runner runs each step after the tick).
  for (const [participantId, terminal] of Object.entries(room.terminals)) {
    if (terminal.session.stream) events.push({ type: 'command.output', simTime: simTime + ms, participantId, output: '' });
  }
  if (room.mode === 'solo' && room.settings.autoHints) {
    for (const player of players(room)) {
      const terminal = room.terminals[player.id];
      if (!terminal || room.diagnoses[player.id]) continue;
      const lastHelp = Math.max(terminal.lastActiveSimTime, ...hintsOf(room, player.id).map((h) => h.simTime));
      if (simTime + ms - lastHelp < SOLO_STALL_MS) continue;
      const hint = nextHint(room, runtime, player.id);
      if (hint && room.elapsedMs + ms >= (hint.afterMs ?? 0)) events.push({ type: 'hint.pushed', simTime, hintId: hint.id, text: hint.text, cost: hint.cost, by: 'system', participantId: player.id });
    }
  }
  return events;
}

/** The server ends a room on its own (a lobby nobody started in time): scored like an end by time. */
export function decideExpiry(room: RoomState, runtime: ScenarioRuntime): DraftEvent[] {
  return room.status === 'ended' ? [] : endEvents(room, runtime, 'system', 'time');
}

type ScoreDraft = Omit<EventOf<'score.computed'>, 'seq'>;
type EndReason = EventOf<'room.ended'>['reason'];

/**
 * Ending scores every player seat, left ones too (a missing diagnosis scores as missing), on
 * the world as it ends: a diagnosis submitted earlier keeps the evidence seen and the time
 * taken until then, but what its player did afterwards (a fix, a deleted namespace) counts
 * too; scored only when submitted, a game day's player could diagnose and then wreck the
 * cluster for free. Game days and solo rooms then show every player their score; an
 * interview's stay with the host until released (and a released one is shown again).
 * `fresh`: scores decided in the same step.
 */
function endEvents(room: RoomState, runtime: ScenarioRuntime, by: string, reason: EndReason, fresh: ScoreDraft[] = []): DraftEvent[] {
  const simTime = room.cluster.now;
  const decided = new Set(fresh.map((s) => s.participantId));
  const computed = playerSeats(room).filter((p) => !decided.has(p.id)).map((p) => scoreEvent(room, runtime, p.id, own(room.diagnoses, p.id) ?? null));
  const events: DraftEvent[] = [...computed];
  for (const score of [...fresh, ...computed]) {
    if (room.mode === 'interview' && !own(room.released, score.participantId)) continue;
    const adjustments = adjustmentPoints(room, score.participantId);
    events.push(released(score, score.total + adjustments, adjustments, simTime));
  }
  return [...events, { type: 'room.ended', simTime, by, reason }];
}

/** Shows a player their score as it stands (plus `pending` points of an adjustment being decided). */
function releaseEvent(room: RoomState, participantId: string, pending = 0): DraftEvent | undefined {
  const score = own(room.scores, participantId);
  const total = adjustedTotal(room, participantId);
  if (!score || total === undefined) return undefined;
  const adjustments = total - score.total + pending;
  return released({ participantId, max: score.max, parts: score.parts }, score.total + adjustments, adjustments, room.cluster.now);
}

function released(score: Pick<ScoreDraft, 'participantId' | 'max' | 'parts'>, total: number, adjustments: number, simTime: number): DraftEvent {
  const parts = adjustments !== 0 ? [...score.parts, { key: 'adjustment', points: adjustments, max: 0 }] : score.parts;
  return { type: 'score.released', simTime, participantId: score.participantId, total, max: score.max, parts: parts.map((p) => ({ key: p.key, points: p.points, max: p.max })) };
}

/**
 * A first join by code. Seats are not handed out twice: a solo room has its one player; an
 * interview's first player takes the candidate seat and any later new identity waits for the
 * host (who may hand it that seat: a candidate on a new device); in a game day under way a
 * newcomer waits too. Spectators come only when the host allows them. Names are unique.
 */
function decideJoin(room: RoomState, action: Extract<Action, { type: 'join' }>): Decision {
  const simTime = room.cluster.now;
  const joined = (): Decision => accept({ type: 'participant.joined', simTime, participantId: action.participantId, name: uniqueName(room, action.name), role: action.role });
  if (action.role === 'spectator') return seatClosed(room, 'spectator') ?? spectatorsFull(room, action.spectatorSeats) ?? joined();
  if (action.role === 'host') {
    // A host seat only with a co-host invite that nobody has used.
    const invite = action.invite !== undefined ? room.cohostInvites[action.invite] : undefined;
    if (!invite) return reject('forbidden', 'hosts join with the token their room gave them, or a co-host link');
    if (invite.usedBy !== undefined) return reject('forbidden', 'this co-host link was used already; ask the host for a new one');
    return accept({ type: 'participant.joined', simTime, participantId: action.participantId, name: uniqueName(room, action.name), role: 'host', invite: action.invite! });
  }
  if (action.role !== 'player') return reject('forbidden', 'hosts do not join by code');
  if (room.mode === 'solo') return reject('conflict', 'a solo room has a single player');
  const needsApproval = room.mode === 'interview' ? playerSeats(room).length > 0 : room.status !== 'lobby';
  if (!needsApproval) return joined();
  const waiting = Object.values(room.requests).filter((r) => r.status === 'pending').length;
  if (waiting >= MAX_WAITING) return reject('rate_limited', 'too many people are waiting for the host; try again later');
  return accept({ type: 'seat.requested', simTime, participantId: action.participantId, name: action.name });
}

function spectatorsFull(room: RoomState, seats: number | undefined): AckError | undefined {
  if (seats === undefined) return undefined;
  const present = Object.values(room.participants).filter((p) => p.role === 'spectator' && !p.left).length;
  return present >= seats ? reject('forbidden', `this room has no spectator seats left (${seats})`) : undefined;
}

/** Into the seat the host names, the interview's candidate seat, or (game day) a new seat. */
function decideAdmit(room: RoomState, action: Extract<Action, { type: 'admit' }>, by: string): Decision {
  const simTime = room.cluster.now;
  const request = own(room.requests, action.requestId);
  if (request?.status !== 'pending') return reject('not_found', 'nobody with that request is waiting');
  const seatId = action.seat ?? (room.mode === 'interview' ? playerSeats(room)[0]?.id : undefined);
  if (seatId !== undefined) {
    if (own(room.participants, seatId)?.role !== 'player') return reject('not_found', 'no such player seat in this room');
    return accept({ type: 'seat.admitted', simTime, participantId: request.id, seatId, by });
  }
  return accept(
    { type: 'seat.admitted', simTime, participantId: request.id, seatId: request.id, by },
    { type: 'participant.joined', simTime, participantId: request.id, name: uniqueName(room, request.name), role: 'player' },
  );
}

/** Why a seat of this role may not be taken (now), if it may not: spectators need the host's leave. */
export function seatClosed(room: RoomState, role: Role): AckError | undefined {
  return role === 'spectator' && !room.settings.allowSpectators ? reject('forbidden', 'the host does not allow spectators in this room') : undefined;
}

const nameKey = (name: string) => name.normalize('NFKC').toLowerCase();

/** `name`, or `name (2)`, `name (3)`… when someone in the room (left or not) already has it. */
export function uniqueName(room: RoomState, name: string): string {
  const taken = new Set(Object.values(room.participants).map((p) => nameKey(p.name)));
  if (!taken.has(nameKey(name))) return name;
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    // Cut to fit, never between the two halves of a surrogate pair.
    const base = name.slice(0, LIMITS.maxNameChars - suffix.length).replace(/[\uD800-\uDBFF]$/, '').trimEnd();
    const candidate = `${base}${suffix}`;
    if (!taken.has(nameKey(candidate))) return candidate;
  }
}

/**
 * A player's score on the cluster as it is now. `diagnosis`: one being submitted now, or the
 * one they submitted before (with its `seq` and `elapsedMs`): only what they saw until then
 * backs it, and its time is theirs.
 */
function scoreEvent(
  room: RoomState,
  runtime: ScenarioRuntime,
  participantId: string,
  diagnosis: (Diagnosis & { seq?: number; elapsedMs?: number }) | null,
): ScoreDraft {
  const terminal = room.terminals[participantId];
  const before = diagnosis?.seq ?? Infinity;
  // What the seat's own tools got from the API counts like what its terminal showed, in the order it happened.
  const typed = (terminal?.entries ?? []).map((e) => ({ seq: e.seq, line: e.line, output: e.output, exitCode: e.exitCode, simTime: e.simTime, ...(e.observed ? { observed: e.observed } : {}) }));
  const requested = (room.apiObserved[participantId] ?? []).map((a) => ({ seq: a.seq, line: a.line, output: '', exitCode: 0, simTime: a.simTime, observed: a.observed }));
  const score = runtime.score({
    participantId,
    diagnosis: diagnosis && diagnosisOf(diagnosis),
    commands: [...typed, ...requested].filter((c) => c.seq < before).sort((a, b) => a.seq - b.seq).map(({ seq: _seq, ...c }) => c),
    hintsUsed: hintsOf(room, participantId).filter((h) => h.seq < before).map((h) => ({ hintId: h.hintId, cost: h.cost })),
    elapsedMs: diagnosis?.elapsedMs ?? room.elapsedMs,
    cluster: room.cluster,
  });
  return { type: 'score.computed', simTime: room.cluster.now, participantId, total: score.total, max: score.max, parts: score.parts, breakdown: score.breakdown };
}

export const hintsOf = (room: RoomState, participantId: string) =>
  room.hints.filter((h) => h.participantId === undefined || h.participantId === participantId);

function nextHint(room: RoomState, runtime: ScenarioRuntime, participantId: string) {
  const given = new Set(hintsOf(room, participantId).map((h) => h.hintId));
  return runtime.hints.find((h) => !given.has(h.id));
}

function notRunning(room: RoomState): string {
  return room.status === 'lobby' ? 'the room has not started yet' : room.status === 'paused' ? 'the room is paused' : 'the room is not running';
}

const accept = (...events: DraftEvent[]): Decision => ({ ok: true, events });
