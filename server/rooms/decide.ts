// decide(room, runtime, actor, action) → { events } | { error }: the rules of a room as a
// pure function. It checks the actor's role and the room's status and returns the events
// the action produces; it changes nothing (the runner appends, then reduces).
import type { AckError, DraftEvent, ErrorCode, Role, SignalKind } from '../protocol/index.js';
import { failure } from '../protocol/index.js';
import type { ScenarioRuntime } from './runtime.js';
import { players, type RoomState } from './state.js';

export interface Actor {
  participantId: string;
  role: Role;
}

export type Action =
  | { type: 'join'; participantId: string; name: string; role: Role }
  | { type: 'leave' }
  | { type: 'run'; line: string }
  | { type: 'request-hint' }
  | { type: 'diagnose'; rootCause: string; text: string; evidence: string[] }
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'end' }
  | { type: 'extend'; ms: number }
  | { type: 'push-hint'; hintId: string; participantId?: string }
  | { type: 'inject-fault'; faultId: string }
  | { type: 'note'; text: string }
  | { type: 'adjust'; participantId: string; points: number; reason: string }
  | { type: 'signal'; kind: SignalKind; amount?: number };

export type Decision = { ok: true; events: DraftEvent[] } | AckError;

const HOST_ACTIONS = new Set<Action['type']>(['start', 'pause', 'resume', 'end', 'extend', 'push-hint', 'inject-fault', 'note', 'adjust']);
const PLAYER_ACTIONS = new Set<Action['type']>(['run', 'request-hint', 'diagnose', 'signal']);

/** A solo player who stops typing this long gets the next hint (once its `afterMs` has passed). */
export const SOLO_STALL_MS = 2 * 60_000;

const reject = (code: ErrorCode, message: string): AckError => failure(code, message);

export function decide(room: RoomState, runtime: ScenarioRuntime, actor: Actor, action: Action): Decision {
  // After the end a host may still write notes and adjust scores (the review).
  if (room.status === 'ended' && action.type !== 'note' && action.type !== 'adjust') return reject('room_ended', 'the room has ended');
  if (HOST_ACTIONS.has(action.type) && actor.role !== 'host') return reject('forbidden', `only the host may ${action.type}`);
  if (PLAYER_ACTIONS.has(action.type) && actor.role !== 'player') return reject('forbidden', `only players may ${action.type}`);
  if (action.type !== 'join' && !room.participants[actor.participantId]) return reject('forbidden', 'not a participant of this room');
  if (room.participants[actor.participantId]?.left) return reject('forbidden', 'you left this room');

  const simTime = room.cluster.now;
  const by = actor.participantId;
  switch (action.type) {
    case 'join': {
      if (action.role === 'player' && room.mode !== 'gameday' && players(room).length > 0) {
        return reject('conflict', `a ${room.mode} room has a single player`);
      }
      return accept({ type: 'participant.joined', simTime, participantId: action.participantId, name: action.name, role: action.role });
    }
    case 'leave':
      return accept({ type: 'participant.left', simTime, participantId: by });
    case 'run':
      if (room.status !== 'running') return reject('conflict', notRunning(room));
      // The runner executes the line and fills in output and exit code before logging it.
      return accept({ type: 'command', simTime, participantId: by, line: action.line, output: '', exitCode: 0 });
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
      const diagnosis = { rootCause: action.rootCause, text: action.text, evidence: action.evidence };
      const events: DraftEvent[] = [
        { type: 'diagnosis.submitted', simTime, participantId: by, ...diagnosis },
        scoreEvent(room, runtime, by, diagnosis),
      ];
      if (room.mode === 'solo') events.push({ type: 'room.ended', simTime, by, reason: 'submitted' });
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
      if (action.participantId !== undefined && room.participants[action.participantId]?.role !== 'player') {
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
      return accept({ type: 'note.added', simTime, by, text: action.text });
    case 'adjust':
      if (!room.scores[action.participantId]) return reject('conflict', 'that player has no score yet');
      return accept({ type: 'score.adjusted', simTime, participantId: action.participantId, points: action.points, reason: action.reason, by });
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
  if (room.mode === 'solo') {
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

/** Ending scores every player who has not submitted (their diagnosis counts as missing). */
function endEvents(room: RoomState, runtime: ScenarioRuntime, by: string, reason: 'host' | 'time'): DraftEvent[] {
  const simTime = room.cluster.now;
  const scores = players(room)
    .filter((p) => !room.scores[p.id])
    .map((p) => scoreEvent(room, runtime, p.id, null));
  return [...scores, { type: 'room.ended', simTime, by, reason }];
}

function scoreEvent(
  room: RoomState,
  runtime: ScenarioRuntime,
  participantId: string,
  diagnosis: { rootCause: string; text: string; evidence: string[] } | null,
): DraftEvent {
  const terminal = room.terminals[participantId];
  const score = runtime.score({
    participantId,
    diagnosis,
    commands: (terminal?.entries ?? []).map((e) => ({ line: e.line, output: e.output, exitCode: e.exitCode, simTime: e.simTime, ...(e.observed ? { observed: e.observed } : {}) })),
    hintsUsed: hintsOf(room, participantId).map((h) => ({ hintId: h.hintId, cost: h.cost })),
    elapsedMs: room.elapsedMs,
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
