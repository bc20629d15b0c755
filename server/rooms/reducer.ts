// reduceRoom(room, event) → room: the room is a fold of its log. Deterministic: no clock,
// no randomness, no I/O; events that change the cluster call the engine (ticks advance it,
// faults change it, commands are re-executed and must print what the log recorded).
import type { Fact } from '../cluster/facts.js';
import { DEFAULT_SETTINGS, diagnosisOf, type EventOf, type RoomEvent } from '../protocol/index.js';
import type { LineResult } from '../shell/types.js';
import { appendOutput, keepOutputWithinBudget } from './retained.js';
import type { ScenarioRuntime } from './runtime.js';
import { apiAllowed, apiBodyBytes, type RoomState, type Terminal } from './state.js';
import type { ApiRequest } from '../kubeapi/handler.js';
import { targetOf, type SeatAnswer } from '../kubeapi/seat.js';
import { statusResponse } from '../kubeapi/status.js';
import { oneByte } from '../one-byte.js';

/** The first state, from the room.created event. */
export function createRoomState(runtime: ScenarioRuntime, roomId: string, event: EventOf<'room.created'>): RoomState {
  return {
    id: roomId,
    code: event.code,
    mode: event.mode,
    scenarioId: event.scenarioId,
    seed: event.seed,
    status: 'lobby',
    settings: { ...DEFAULT_SETTINGS, ...event.settings },
    seq: event.seq,
    limitMs: event.timeLimitMs,
    elapsedMs: 0,
    participants: {},
    requests: {},
    terminals: {},
    hints: [],
    hintRequests: [],
    faults: [],
    diagnoses: {},
    scores: {},
    released: {},
    adjustments: [],
    notes: [],
    cohostInvites: {},
    signals: [],
    apiTokens: {},
    apiObserved: {},
    apiBodyBytes: 0,
    cluster: runtime.start(),
    divergences: [],
  };
}

/**
 * Runs one typed line for a player: the cluster and their session change, the terminal
 * records it. The live runner calls this to learn the output it then logs; replay calls it
 * through reduceRoom.
 */
export function executeCommand(
  room: RoomState, runtime: ScenarioRuntime, participantId: string, line: string, seq: number, interactive = false,
): LineResult & { prompt: string; internalError?: unknown } {
  const terminal = room.terminals[participantId];
  if (!terminal) throw new Error(`command for ${participantId}, who has no terminal`);
  const simTime = room.cluster.now;
  // The prompt the player saw while typing: it depends on the session (node, user) before the line ran.
  const prompt = runtime.prompt(room.cluster, terminal.session);
  const { result, internalError } = runLineTotal(runtime, room.cluster, terminal.session, line, participantId, interactive);
  terminal.entries.push({
    seq, simTime, prompt, line, output: result.output, exitCode: result.exitCode,
    ...(result.clear ? { clear: true } : {}), ...(result.observed?.length ? { observed: result.observed } : {}),
  });
  keepOutputWithinBudget(terminal);
  terminal.lastActiveSimTime = simTime;
  return { ...result, prompt, ...(internalError !== undefined ? { internalError } : {}) };
}

/**
 * A player's running command prints what the time brought, at the end of their terminal. The
 * live runner calls this to learn the output it logs; replay calls it again through reduceRoom.
 * Where nothing streams (the ledger's clock-only cluster), the logged output stands in.
 */
export function executeStream(room: RoomState, runtime: ScenarioRuntime, participantId: string, logged?: { output: string; ended: boolean }): { output: string; ended: boolean; observed?: Fact[]; internalError?: unknown } {
  const terminal = room.terminals[participantId];
  if (!terminal) throw new Error(`output for ${participantId}, who has no terminal`);
  let step: { output: string; ended: boolean; observed?: Fact[]; internalError?: unknown };
  if (!runtime.continueStream) {
    step = logged ?? { output: '', ended: true };
    if (step.ended) delete terminal.session.stream;
  } else {
    try {
      const next = runtime.continueStream(room.cluster, terminal.session, participantId);
      step = { ...next, output: oneByte(next.output) };
    } catch (error) {
      delete terminal.session.stream;
      step = { output: INTERNAL_ERROR_OUTPUT, ended: true, internalError: error ?? new Error('continueStream threw') };
    }
  }
  appendOutput(terminal, step.output, step.observed);
  return step;
}

export const INTERNAL_ERROR_OUTPUT = 'bash: internal error\n';

/**
 * Serves one request of a seat's kubeconfig on the room's cluster: the live runner calls this
 * to learn the answer it logs, replay calls it again through reduceRoom (a write changes the
 * world again, a read observes again). What it showed is kept for scoring. Undefined where no
 * cluster answers (the ledger's runtime). An engine bug is an InternalError Status, logged like
 * any answer, so live play and replay stay in step.
 */
export function executeApiRequest(room: RoomState, runtime: ScenarioRuntime, participantId: string, request: ApiRequest, seq: number): (SeatAnswer & { internalError?: unknown }) | undefined {
  room.apiBodyBytes += apiBodyBytes(request.body);
  const target = targetOf(request.path);
  const participant = room.participants[participantId];
  if (!runtime.apiRequest || !target || !participant) return undefined;
  const simTime = room.cluster.now;
  let answer: SeatAnswer & { internalError?: unknown };
  try {
    answer = runtime.apiRequest(room.cluster, request, target, { readOnly: participant.role !== 'player', user: `kubedrill:${participant.role}` }, participantId);
  } catch (error) {
    const response = statusResponse(500, 'InternalError', 'an error on the server has prevented the request from succeeding');
    answer = { response, observed: [], summary: `${request.method} ${request.path} (500, InternalError)`, internalError: error ?? new Error('apiRequest threw') };
  }
  if (answer.observed.length > 0) (room.apiObserved[participantId] ??= []).push({ seq, simTime, line: answer.summary, observed: answer.observed });
  if (participant.role === 'player' && room.terminals[participantId]) room.terminals[participantId]!.lastActiveSimTime = simTime;
  return answer;
}

/** Takes back the API tokens of the seats `drop` names. */
function revokeTokens(room: RoomState, drop: (participantId: string) => boolean): void {
  for (const [hash, participantId] of Object.entries(room.apiTokens)) if (drop(participantId)) delete room.apiTokens[hash];
}

/**
 * A command always has a result: an engine bug becomes `bash: internal error` (exit 1) and
 * the command is logged like any other. Live and replay both come through here, so whatever
 * the failed line changed before it threw is changed again on replay, and the room stays in
 * step with its log. The error goes back to the caller, which reports it at the edge.
 */
function runLineTotal(runtime: ScenarioRuntime, cluster: RoomState['cluster'], session: Terminal['session'], line: string, actor: string, interactive: boolean): { result: LineResult; internalError?: unknown } {
  try {
    const result = runtime.runLine(cluster, session, line, actor, interactive);
    return { result: { ...result, output: oneByte(result.output) } };
  } catch (error) {
    return { result: { output: INTERNAL_ERROR_OUTPUT, exitCode: 1 }, internalError: error ?? new Error('runLine threw') };
  }
}

export function reduceRoom(room: RoomState, event: RoomEvent, runtime: ScenarioRuntime): RoomState {
  if (event.seq !== room.seq + 1) throw new Error(`room ${room.id}: event ${event.seq} after ${room.seq}`);
  room.seq = event.seq;
  switch (event.type) {
    case 'room.created':
      throw new Error('room.created starts a room; it is not applied to one');
    case 'room.settings':
      if (event.allowSpectators !== undefined) room.settings.allowSpectators = event.allowSpectators;
      if (event.autoHints !== undefined) room.settings.autoHints = event.autoHints;
      if (event.allowApi !== undefined) room.settings.allowApi = event.allowApi;
      // A host who stops allowing the API takes back the tokens of the seats that lose it.
      revokeTokens(room, (id) => !apiAllowed(room, room.participants[id]?.role ?? 'player'));
      break;
    case 'participant.joined':
      room.participants[event.participantId] = { id: event.participantId, name: event.name, role: event.role, left: false };
      if (event.invite !== undefined && room.cohostInvites[event.invite]) room.cohostInvites[event.invite]!.usedBy = event.participantId;
      if (event.role === 'player') {
        room.terminals[event.participantId] = { session: runtime.newSession(room.cluster), entries: [], lastActiveSimTime: room.cluster.now, retainedChars: 0, trimmedUpTo: 0 };
      }
      break;
    case 'participant.left':
    case 'participant.returned': {
      const participant = room.participants[event.participantId];
      if (participant) participant.left = event.type === 'participant.left';
      if (event.type === 'participant.left') revokeTokens(room, (id) => id === event.participantId);
      break;
    }
    case 'api.token':
      revokeTokens(room, (id) => id === event.participantId);
      room.apiTokens[event.tokenHash] = event.participantId;
      break;
    case 'api.request': {
      const answer = executeApiRequest(room, runtime, event.participantId, event.request as ApiRequest, event.seq);
      if (answer && (answer.response.status !== event.status || answer.summary !== event.summary)) room.divergences.push(event.seq);
      break;
    }
    case 'api.observed':
      (room.apiObserved[event.participantId] ??= []).push({ seq: event.seq, simTime: event.simTime, line: event.line, observed: event.observed });
      break;
    case 'cohost.invited':
      room.cohostInvites[event.inviteHash] = { by: event.by };
      break;
    case 'seat.requested':
      room.requests[event.participantId] = { id: event.participantId, name: event.name, seq: event.seq, status: 'pending' };
      break;
    case 'seat.admitted':
    case 'seat.refused': {
      const request = room.requests[event.participantId];
      if (!request) break;
      request.status = event.type === 'seat.admitted' ? 'admitted' : 'refused';
      if (event.type === 'seat.admitted') request.seatId = event.seatId;
      break;
    }
    case 'room.started':
    case 'room.resumed':
      room.status = 'running';
      // Stalling is measured in running time: a pause must not trigger an auto-hint.
      for (const terminal of Object.values(room.terminals)) terminal.lastActiveSimTime = room.cluster.now;
      break;
    case 'room.paused':
      room.status = 'paused';
      break;
    case 'room.extended':
      room.limitMs += event.ms;
      break;
    case 'room.ended':
      room.status = 'ended';
      room.apiTokens = {};
      break;
    case 'tick':
      runtime.advance(room.cluster, event.ms);
      room.elapsedMs += event.ms;
      break;
    case 'command': {
      const result = executeCommand(room, runtime, event.participantId, event.line, event.seq, event.streaming === true);
      const promptDiffers = event.prompt !== undefined && event.prompt !== result.prompt;
      if (result.output !== event.output || result.exitCode !== event.exitCode || promptDiffers) room.divergences.push(event.seq);
      break;
    }
    case 'command.output': {
      const step = executeStream(room, runtime, event.participantId, { output: event.output, ended: event.ended === true });
      if (step.output !== event.output || step.ended !== (event.ended === true)) room.divergences.push(event.seq);
      break;
    }
    case 'command.interrupted': {
      const terminal = room.terminals[event.participantId];
      if (terminal) appendOutput(terminal, runtime.interrupt ? runtime.interrupt(terminal.session) : '^C\n');
      break;
    }
    case 'fault.injected':
      runtime.injectFault(room.cluster, event.faultId);
      room.faults.push({ seq: event.seq, faultId: event.faultId });
      break;
    case 'hint.requested':
      room.hintRequests.push({ seq: event.seq, participantId: event.participantId });
      break;
    case 'hint.pushed':
      room.hints.push({
        seq: event.seq,
        simTime: event.simTime,
        hintId: event.hintId,
        text: event.text,
        cost: event.cost,
        ...(event.participantId ? { participantId: event.participantId } : {}),
      });
      break;
    case 'diagnosis.submitted':
      room.diagnoses[event.participantId] = { seq: event.seq, elapsedMs: room.elapsedMs, ...diagnosisOf(event) };
      break;
    case 'score.computed':
      room.scores[event.participantId] = { seq: event.seq, total: event.total, max: event.max, parts: event.parts, breakdown: event.breakdown };
      break;
    case 'score.released':
      room.released[event.participantId] = { seq: event.seq, total: event.total, max: event.max, parts: event.parts };
      break;
    case 'score.adjusted':
      room.adjustments.push({ seq: event.seq, participantId: event.participantId, points: event.points, reason: event.reason });
      break;
    case 'note.added':
      room.notes.push({ seq: event.seq, simTime: event.simTime, by: event.by, text: event.text, ...(event.at !== undefined ? { at: event.at } : {}) });
      break;
    case 'signal':
      room.signals.push({
        seq: event.seq,
        participantId: event.participantId,
        kind: event.kind,
        ...(event.amount !== undefined ? { amount: event.amount } : {}),
      });
      break;
  }
  return room;
}

/** Rebuilds a room from its whole log (restart, replay, report). */
export function replayRoom(runtime: ScenarioRuntime, roomId: string, events: readonly RoomEvent[]): RoomState {
  const [first, ...rest] = events;
  if (!first || first.type !== 'room.created') throw new Error(`room ${roomId}: log does not start with room.created`);
  const room = createRoomState(runtime, roomId, first);
  for (const event of rest) reduceRoom(room, event, runtime);
  return room;
}
