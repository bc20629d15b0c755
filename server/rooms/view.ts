// The one place that decides what each viewer may see. Hosts see everything; spectators
// see every terminal but no notes, signals, fault ids, seat requests or answer-key
// explanations; a player sees the room, their own terminal, hints and diagnosis. Scores
// reach players and spectators only once released (score.released), never as computed.
// Public objects are built field by field (never spread from the full event), so a new
// secret field cannot leak by default.
import { diagnosisOf, type HostRoomView, type PublicEvent, type PublicRoomView, type Role, type RoomEvent, type RoomView, type ViewerEvent } from '../protocol/index.js';
import type { ScenarioRuntime } from './runtime.js';
import { hintsOf } from './decide.js';
import { buildDebrief } from './debrief.js';
import { remainingMs, type RoomState } from './state.js';

export interface Viewer {
  role: Role;
  participantId: string;
}

export function viewFor(viewer: Viewer, event: RoomEvent): ViewerEvent | null {
  if (viewer.role === 'host') return event;
  const pub = toPublic(event);
  if (!pub || viewer.role === 'spectator') return pub;
  return visibleToPlayer(viewer.participantId, pub) ? pub : null;
}

function visibleToPlayer(participantId: string, event: PublicEvent): boolean {
  switch (event.type) {
    case 'command':
    case 'command.output':
    case 'command.interrupted':
    case 'api.request':
    case 'hint.requested':
    case 'diagnosis.submitted':
    case 'score.released':
      return event.participantId === participantId;
    case 'hint.pushed':
      return event.participantId === undefined || event.participantId === participantId;
    default:
      return true;
  }
}

/** The public form of an event, or null for host-only events. */
export function toPublic(event: RoomEvent): PublicEvent | null {
  const { seq, simTime } = event;
  switch (event.type) {
    case 'room.created':
      return {
        seq, simTime, type: event.type, mode: event.mode, scenarioId: event.scenarioId, timeLimitMs: event.timeLimitMs,
        ...(event.settings ? {
          settings: { allowSpectators: event.settings.allowSpectators, autoHints: event.settings.autoHints, ...(event.settings.allowApi !== undefined ? { allowApi: event.settings.allowApi } : {}) },
        } : {}),
      };
    case 'room.settings':
      return {
        seq, simTime, type: event.type, by: event.by,
        ...(event.allowSpectators !== undefined ? { allowSpectators: event.allowSpectators } : {}),
        ...(event.autoHints !== undefined ? { autoHints: event.autoHints } : {}),
        ...(event.allowApi !== undefined ? { allowApi: event.allowApi } : {}),
      };
    case 'participant.joined':
      return { seq, simTime, type: event.type, participantId: event.participantId, name: event.name, role: event.role };
    case 'participant.left':
    case 'participant.returned':
      return { seq, simTime, type: event.type, participantId: event.participantId };
    case 'room.started':
    case 'room.paused':
    case 'room.resumed':
      return { seq, simTime, type: event.type, by: event.by };
    case 'room.extended':
      return { seq, simTime, type: event.type, by: event.by, ms: event.ms };
    case 'room.ended':
      return { seq, simTime, type: event.type, by: event.by, reason: event.reason };
    case 'tick':
      return { seq, simTime, type: event.type, ms: event.ms };
    case 'command':
      return {
        seq, simTime, type: event.type, participantId: event.participantId,
        ...(event.prompt !== undefined ? { prompt: event.prompt } : {}),
        line: event.line, output: event.output, exitCode: event.exitCode,
        ...(event.clear ? { clear: true } : {}),
        ...(event.streaming ? { streaming: true } : {}),
      };
    case 'command.output':
      return { seq, simTime, type: event.type, participantId: event.participantId, output: event.output, ...(event.ended ? { ended: true } : {}) };
    case 'command.interrupted':
      return { seq, simTime, type: event.type, participantId: event.participantId };
    case 'api.request':
      return { seq, simTime, type: event.type, participantId: event.participantId, summary: event.summary, status: event.status };
    case 'hint.requested':
      return { seq, simTime, type: event.type, participantId: event.participantId };
    case 'hint.pushed':
      return {
        seq, simTime, type: event.type, hintId: event.hintId, text: event.text, cost: event.cost, by: event.by,
        ...(event.participantId !== undefined ? { participantId: event.participantId } : {}),
      };
    case 'diagnosis.submitted':
      return { seq, simTime, type: event.type, participantId: event.participantId, ...diagnosisOf(event) };
    case 'score.released':
      return {
        seq, simTime, type: event.type, participantId: event.participantId, total: event.total, max: event.max,
        parts: event.parts.map((p) => ({ key: p.key, points: p.points, max: p.max })),
      };
    case 'cohost.invited':
    case 'seat.requested':
    case 'seat.admitted':
    case 'seat.refused':
    case 'score.computed':
    case 'fault.injected':
    case 'score.adjusted':
    case 'note.added':
    case 'signal':
    case 'api.token':
    case 'api.observed':
      return null;
  }
}

/** The room as one viewer sees it now (join and re-join answers). */
export function roomViewFor(room: RoomState, runtime: ScenarioRuntime, viewer: Viewer, online: ReadonlySet<string>): RoomView {
  const sees = (participantId: string) => viewer.role !== 'player' || viewer.participantId === participantId;
  const you = room.participants[viewer.participantId];
  const view: PublicRoomView = {
    roomId: room.id,
    code: room.code,
    mode: room.mode,
    scenarioId: room.scenarioId,
    status: room.status,
    settings: { ...room.settings },
    seq: room.seq,
    timer: { limitMs: room.limitMs, elapsedMs: room.elapsedMs, remainingMs: remainingMs(room) },
    scenario: runtime.playerView,
    you: { participantId: viewer.participantId, name: you?.name ?? '', role: viewer.role },
    participants: Object.values(room.participants)
      .filter((p) => viewer.role === 'host' || !p.left)
      .map((p) => ({ id: p.id, name: p.name, role: p.role, online: online.has(p.id), ...(p.left ? { left: true } : {}) })),
    terminals: Object.entries(room.terminals)
      .filter(([id]) => sees(id))
      .map(([participantId, t]) => ({
        participantId,
        prompt: runtime.prompt(room.cluster, t.session),
        entries: t.entries.map((e) => ({ seq: e.seq, prompt: e.prompt, line: e.line, output: e.output, exitCode: e.exitCode, ...(e.clear ? { clear: true } : {}) })),
        ...(t.session.stream ? { streaming: true } : {}),
      })),
    hints: (viewer.role === 'player' ? hintsOf(room, viewer.participantId) : room.hints).map((h) => ({
      seq: h.seq, hintId: h.hintId, text: h.text, cost: h.cost, ...(h.participantId !== undefined ? { participantId: h.participantId } : {}),
    })),
    diagnoses: Object.entries(room.diagnoses)
      .filter(([id]) => sees(id))
      .map(([participantId, d]) => ({ participantId, ...diagnosisOf(d) })),
    scores: Object.entries(viewer.role === 'host' ? room.scores : room.released)
      .filter(([id]) => sees(id))
      .map(([participantId, s]) => ({ participantId, total: s.total, max: s.max, parts: s.parts.map((p) => ({ key: p.key, points: p.points, max: p.max })) })),
  };
  const debrief = viewer.role === 'player' ? buildDebrief(room, runtime, viewer.participantId) : undefined;
  if (debrief) view.debrief = debrief;
  // Players see the cluster only through their terminal.
  if (viewer.role !== 'player' && runtime.overview) view.overview = runtime.overview(room.cluster);
  if (viewer.role !== 'host') return view;
  const host: HostRoomView['host'] = {
    seed: room.seed,
    key: runtime.keyInWords,
    seen: evidenceSeen(room, runtime),
    answerKey: runtime.answerKey,
    hints: runtime.hints.map((h) => ({ id: h.id, text: h.text, cost: h.cost, pushed: room.hints.some((p) => p.hintId === h.id) })),
    faults: runtime.faults.map((f) => ({ id: f.id, description: f.description, injected: room.faults.some((i) => i.faultId === f.id) })),
    notes: room.notes.map((n) => ({ seq: n.seq, by: n.by, text: n.text, ...(n.at !== undefined ? { at: n.at } : {}) })),
    signals: room.signals.map((s) => ({ ...s })),
    adjustments: room.adjustments.map((a) => ({ ...a })),
    breakdowns: Object.fromEntries(Object.entries(room.scores).map(([id, s]) => [id, s.breakdown])),
    released: Object.keys(room.released),
    requests: Object.values(room.requests).map((r) => ({ id: r.id, name: r.name, status: r.status, ...(r.seatId !== undefined ? { seatId: r.seatId } : {}) })),
  };
  return { ...view, host };
}

// An entry's observed facts never change: the evidence they show is worked out once per entry,
// not again for every host who joins or reconnects.
const evidenceCache = new WeakMap<object, string[]>();
function evidenceOf(entry: object, observed: Parameters<ScenarioRuntime['evidenceIn']>[0], runtime: ScenarioRuntime): string[] {
  let ids = evidenceCache.get(entry);
  if (!ids) evidenceCache.set(entry, (ids = runtime.evidenceIn(observed)));
  return ids;
}

/** Per player, each evidence item their terminal has shown and the command that first showed it (hosts only). */
function evidenceSeen(room: RoomState, runtime: ScenarioRuntime): HostRoomView['host']['seen'] {
  return Object.fromEntries(Object.entries(room.terminals).map(([participantId, terminal]) => {
    const first = new Map<string, number>();
    for (const entry of terminal.entries) {
      if (!entry.observed) continue;
      for (const id of evidenceOf(entry, entry.observed, runtime)) if (!first.has(id)) first.set(id, entry.seq);
    }
    return [participantId, [...first].map(([evidenceId, seq]) => ({ evidenceId, seq }))];
  }));
}

export const viewerOf = (participantId: string, role: Role): Viewer => ({ role, participantId });
