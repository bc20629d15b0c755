// The room as this browser knows it: the view the join returned, folded forward with every
// room event (the same fold the server does, reduced to what a view shows). Replay uses the
// same fold from an empty view, so live and replayed screens cannot disagree.
import type { HostRoomView, RoomView, ViewerEvent } from '../../../server/protocol/index.js';

export interface RoomModel {
  view: RoomView;
  /** Commands of players whose terminal this viewer does not see (a player's replay counts them). */
  otherCommands?: Record<string, number>;
  /** Hint requests not yet answered by a pushed hint (hosts act on them). */
  hintRequests: { seq: number; participantId: string }[];
  /** Recent non-tick events, oldest first (activity feeds). */
  activity: ViewerEvent[];
  /** Per player, the latest requests of their own tools to the room's Kubernetes API (shown beside their terminal). */
  apiCalls?: Record<string, { seq: number; summary: string; status: number }[]>;
}

/** Requests kept per player for the line beside their terminal. */
const API_CALLS_SHOWN = 50;

/** A request of a player's own tools, beside their terminal (live, replay, and a host's console seeded from the log). */
export function noteApiCall(model: RoomModel, event: Extract<ViewerEvent, { type: 'api.request' }>): void {
  if (!sees(model.view, event.participantId)) return;
  const calls = ((model.apiCalls ??= {})[event.participantId] ??= []);
  calls.push({ seq: event.seq, summary: event.summary, status: event.status });
  if (calls.length > API_CALLS_SHOWN) calls.shift();
}

/** Whether players may use their own tools: solo rooms and game days unless the host says no; interviews when the host says yes. */
export const apiSetting = (view: RoomView): boolean => view.settings.allowApi ?? view.mode !== 'interview';

const ACTIVITY_LIMIT = 200;

export const hostPart = (view: RoomView): HostRoomView['host'] | undefined => ('host' in view ? view.host : undefined);

export function modelFromView(view: RoomView): RoomModel {
  return { view, hintRequests: [], activity: [] };
}

/** A view with nothing in it yet, for folding a whole log (replay). */
export function emptyView(roomId: string, you: RoomView['you']): RoomView {
  return {
    roomId, code: '', mode: 'solo', scenarioId: 'unknown', status: 'lobby', settings: { allowSpectators: false, autoHints: false }, seq: 0,
    timer: { limitMs: 0, elapsedMs: 0, remainingMs: 0 },
    scenario: {}, you, participants: [], terminals: [], hints: [], diagnoses: [], scores: [],
  };
}

function terminalOf(view: RoomView, participantId: string) {
  let terminal = view.terminals.find((t) => t.participantId === participantId);
  if (!terminal) {
    terminal = { participantId, prompt: '$ ', entries: [] };
    view.terminals.push(terminal);
  }
  return terminal;
}

const sees = (view: RoomView, participantId: string) => view.you.role !== 'player' || view.you.participantId === participantId;

/** Hosts: the answer-key evidence an event showed (a line, a request, a watch's later events) ticks the player's checklist. */
function tickEvidence(host: HostRoomView['host'], event: ViewerEvent & { participantId: string }): void {
  if (!('evidence' in event) || !event.evidence) return;
  const seen = (host.seen[event.participantId] ??= []);
  for (const evidenceId of event.evidence) if (!seen.some((s) => s.evidenceId === evidenceId)) seen.push({ evidenceId, seq: event.seq });
}

export function applyEvent(model: RoomModel, event: ViewerEvent): void {
  const { view } = model;
  const host = hostPart(view);
  view.seq = Math.max(view.seq, event.seq);
  if (event.type !== 'tick') {
    model.activity.push(event);
    if (model.activity.length > ACTIVITY_LIMIT) model.activity.shift();
  }
  switch (event.type) {
    case 'room.created':
      view.mode = event.mode;
      view.scenarioId = event.scenarioId;
      view.timer = { limitMs: event.timeLimitMs, elapsedMs: 0, remainingMs: event.timeLimitMs };
      if ('code' in event) view.code = event.code;
      if (event.settings) view.settings = { ...event.settings };
      break;
    case 'room.settings':
      if (event.allowSpectators !== undefined) view.settings.allowSpectators = event.allowSpectators;
      if (event.autoHints !== undefined) view.settings.autoHints = event.autoHints;
      if (event.allowApi !== undefined) view.settings.allowApi = event.allowApi;
      break;
    case 'participant.joined': {
      view.participants = view.participants.filter((p) => p.id !== event.participantId);
      view.participants.push({ id: event.participantId, name: event.name, role: event.role, online: true });
      if (event.role === 'player' && sees(view, event.participantId)) terminalOf(view, event.participantId);
      break;
    }
    case 'participant.left':
    case 'participant.returned': {
      // Kept with a mark, so names still resolve and the host keeps seeing who was there.
      const participant = view.participants.find((p) => p.id === event.participantId);
      if (participant) participant.left = event.type === 'participant.left';
      break;
    }
    case 'seat.requested':
      host?.requests.push({ id: event.participantId, name: event.name, status: 'pending' });
      break;
    case 'seat.admitted':
    case 'seat.refused': {
      const request = host?.requests.find((r) => r.id === event.participantId);
      if (!request) break;
      request.status = event.type === 'seat.admitted' ? 'admitted' : 'refused';
      if (event.type === 'seat.admitted') request.seatId = event.seatId;
      break;
    }
    case 'room.started':
    case 'room.resumed':
      view.status = 'running';
      break;
    case 'room.paused':
      view.status = 'paused';
      break;
    case 'room.ended':
      view.status = 'ended';
      break;
    case 'room.extended':
      view.timer.limitMs += event.ms;
      view.timer.remainingMs = Math.max(0, view.timer.limitMs - view.timer.elapsedMs);
      break;
    case 'tick':
      view.timer.elapsedMs += event.ms;
      view.timer.remainingMs = Math.max(0, view.timer.limitMs - view.timer.elapsedMs);
      break;
    case 'command':
      // Hosts: what the line showed of the answer key ticks the player's checklist.
      if (host) tickEvidence(host, event);
      if (!sees(view, event.participantId)) break;
      terminalOf(view, event.participantId).entries.push({
        seq: event.seq, ...(event.prompt !== undefined ? { prompt: event.prompt } : {}), line: event.line, output: event.output, exitCode: event.exitCode,
        ...(event.clear ? { clear: true } : {}),
      });
      setStreaming(terminalOf(view, event.participantId), event.streaming === true);
      break;
    case 'api.request':
      if (host) tickEvidence(host, event);
      noteApiCall(model, event);
      break;
    case 'api.observed':
      // A seat's watch showed more as it streamed: the host's checklist ticks as for a request.
      if (host) tickEvidence(host, event);
      break;
    case 'command.output':
    case 'command.interrupted': {
      if (!sees(view, event.participantId)) break;
      const terminal = terminalOf(view, event.participantId);
      const last = terminal.entries.at(-1);
      if (last) last.output += event.type === 'command.output' ? event.output : '^C\n';
      setStreaming(terminal, event.type === 'command.output' && event.ended !== true);
      break;
    }
    case 'hint.requested':
      model.hintRequests.push({ seq: event.seq, participantId: event.participantId });
      break;
    case 'hint.pushed': {
      view.hints.push({ seq: event.seq, hintId: event.hintId, text: event.text, cost: event.cost, ...(event.participantId ? { participantId: event.participantId } : {}) });
      model.hintRequests = model.hintRequests.filter((r) => event.participantId !== undefined && r.participantId !== event.participantId);
      const known = host?.hints.find((h) => h.id === event.hintId);
      if (known) known.pushed = true;
      break;
    }
    case 'diagnosis.submitted':
      view.diagnoses = view.diagnoses.filter((d) => d.participantId !== event.participantId);
      view.diagnoses.push({ participantId: event.participantId, rootCause: event.rootCause, text: event.text, evidence: event.evidence });
      break;
    case 'score.computed':
      view.scores = view.scores.filter((s) => s.participantId !== event.participantId);
      view.scores.push({ participantId: event.participantId, total: event.total, max: event.max, parts: event.parts });
      if (host) host.breakdowns[event.participantId] = event.breakdown;
      break;
    case 'score.released':
      // The host keeps the computed score (adjustments apart) and notes that the player sees it.
      if (host) {
        if (!host.released.includes(event.participantId)) host.released.push(event.participantId);
        break;
      }
      view.scores = view.scores.filter((s) => s.participantId !== event.participantId);
      view.scores.push({ participantId: event.participantId, total: event.total, max: event.max, parts: event.parts });
      break;
    case 'fault.injected': {
      const fault = host?.faults.find((f) => f.id === event.faultId);
      if (fault) fault.injected = true;
      break;
    }
    case 'score.adjusted':
      host?.adjustments.push({ seq: event.seq, participantId: event.participantId, points: event.points, reason: event.reason });
      break;
    case 'note.added':
      host?.notes.push({ seq: event.seq, by: event.by, text: event.text, ...(event.at !== undefined ? { at: event.at } : {}) });
      break;
    case 'signal':
      host?.signals.push({ seq: event.seq, participantId: event.participantId, kind: event.kind, ...(event.amount !== undefined ? { amount: event.amount } : {}) });
      break;
  }
}

export function nameOf(view: RoomView, participantId: string): string {
  if (participantId === 'system') return 'system';
  return view.participants.find((p) => p.id === participantId)?.name ?? participantId.slice(0, 8);
}

function setStreaming(terminal: RoomView['terminals'][number], streaming: boolean): void {
  if (streaming) terminal.streaming = true;
  else delete terminal.streaming;
}

/** Counts the other players' commands up to event `upToSeq` (a player's replay knows when, not what). */
export function countOtherCommands(model: RoomModel, commands: readonly { seq: number; participantId: string }[], upToSeq: number): void {
  const counts: Record<string, number> = {};
  for (const c of commands) if (c.seq <= upToSeq) counts[c.participantId] = (counts[c.participantId] ?? 0) + 1;
  model.otherCommands = counts;
}

/** How many commands a player ran, as far as this viewer knows. */
export function commandCount(model: RoomModel, participantId: string): number {
  const seen = model.view.terminals.find((t) => t.participantId === participantId)?.entries.length;
  return seen ?? model.otherCommands?.[participantId] ?? 0;
}

/** Participants still in the room (hosts' views also list those who left). */
export const present = (view: RoomView) => view.participants.filter((p) => !p.left);

/** A player's score with the host's adjustments added. */
export function adjustedScore(view: RoomView, participantId: string): { total: number; max: number } | undefined {
  const score = view.scores.find((s) => s.participantId === participantId);
  if (!score) return undefined;
  const adjustments = hostPart(view)?.adjustments.filter((a) => a.participantId === participantId) ?? [];
  return { total: score.total + adjustments.reduce((sum, a) => sum + a.points, 0), max: score.max };
}
