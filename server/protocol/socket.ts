// socket.io messages. Client → server messages are `socket.emit(name, payload, ack)`;
// each payload has a schema here and the server answers through the ack with
// `{ ok: true, ... } | { ok: false, error: { code, message } }`.
// Server → client: `room:event` (one or more events as its arguments, in order, already
// filtered for the viewer) and, for hosts
// and spectators, `room:overview` (the cluster overview, when it changed).
import { z } from 'zod';
import { DisplayName, JoinCode, LIMITS, ParticipantId, Role, RoomMode, RoomStatus, ScenarioId, Token } from './common.js';
import { DiagnosisFields, ScorePart, SignalKind } from './events.js';
import { typedText } from './text.js';
import type { PublicEvent, RoomEvent } from './events.js';

const Empty = z.object({}).strict();
const Line = typedText({ max: LIMITS.maxLineChars, multiline: true });

export const JoinByCode = z.object({
  code: JoinCode,
  name: DisplayName,
  /** Hosts join with the token POST /api/rooms returned, never by code. */
  role: z.enum(['player', 'spectator']).default('player'),
});
export const JoinByToken = z.object({ token: Token });

export const ClientMessages = {
  /** First join (code + name) or re-join with a token: answers with the room view. */
  'room:join': z.union([JoinByToken, JoinByCode]),
  /** Reconnect: answers with exactly the events after `lastSeq` this viewer may see. */
  'room:resume': z.object({ token: Token, lastSeq: z.number().int().nonnegative() }),
  'room:leave': Empty,
  'cmd:run': z.object({ line: Line, clientSeq: z.number().int().nonnegative().optional() }),
  'cmd:complete': z.object({ line: Line, cursor: z.number().int().nonnegative() }),
  'hint:request': Empty,
  'diagnosis:submit': z.object(DiagnosisFields),
  'host:start': Empty,
  'host:pause': Empty,
  'host:resume': Empty,
  'host:end': Empty,
  'host:extend': z.object({ minutes: z.number().int().min(1).max(120) }),
  'host:hint': z.object({ hintId: typedText({ max: 100 }).min(1), participantId: ParticipantId.optional() }),
  'host:fault': z.object({ faultId: typedText({ max: 100 }).min(1) }),
  'host:note': z.object({ text: typedText({ max: LIMITS.maxTextChars, trim: true, multiline: true }).min(1) }),
  'host:adjust': z.object({ participantId: ParticipantId, points: z.number().min(-1000).max(1000), reason: typedText({ max: 1000, trim: true }).min(1) }),
  /** Interview integrity: the candidate's tab lost focus, or text was pasted. */
  'client:signal': z.object({ kind: SignalKind, amount: z.number().int().nonnegative().max(1e9).optional() }),
} as const;
export type ClientMessageName = keyof typeof ClientMessages;
export type ClientMessage<N extends ClientMessageName> = z.infer<(typeof ClientMessages)[N]>;

// ---- the room as one viewer sees it (join / re-join answer) ----

export const TerminalEntry = z.object({
  seq: z.number().int(),
  /** The prompt shown before the line was typed (`(ctx) player@workstation:~$ `). */
  prompt: z.string().optional(),
  line: z.string(),
  output: z.string(),
  exitCode: z.number().int(),
  clear: z.boolean().optional(),
});
export type TerminalEntry = z.infer<typeof TerminalEntry>;

export const TerminalView = z.object({
  participantId: ParticipantId,
  /** The prompt to print before the next line (`$ `, `root@node-1:~# `…). */
  prompt: z.string(),
  entries: z.array(TerminalEntry),
});

/**
 * The cluster at a glance, for hosts and spectators only (players see the cluster through
 * their terminal): nodes and pods with kubectl's STATUS words, and the latest events.
 */
export const ClusterOverview = z.object({
  nodes: z.array(z.object({ name: z.string(), status: z.string(), roles: z.string() })),
  /** Pods per kubectl STATUS (`Running`, `Pending`, `CrashLoopBackOff`…), busiest first. */
  pods: z.record(z.string(), z.number().int().nonnegative()),
  /** Most recent last. `lastSeen` is simulated ms (like every event's simTime), so the overview only changes when the cluster does. */
  events: z.array(z.object({ type: z.string(), reason: z.string(), object: z.string(), message: z.string(), count: z.number().int(), lastSeen: z.number() })),
});
export type ClusterOverview = z.infer<typeof ClusterOverview>;

/** `room:overview`: the overview changed (after the event `seq`). Hosts and spectators only. */
export const OverviewMessage = z.object({ seq: z.number().int().nonnegative(), overview: ClusterOverview });
export type OverviewMessage = z.infer<typeof OverviewMessage>;

export const ParticipantView = z.object({ id: ParticipantId, name: z.string(), role: Role, online: z.boolean() });

export const PublicRoomView = z.object({
  roomId: z.string(),
  code: z.string(),
  mode: RoomMode,
  scenarioId: ScenarioId,
  status: RoomStatus,
  /** Sequence of the last event the view includes: resume from here. */
  seq: z.number().int().nonnegative(),
  timer: z.object({ limitMs: z.number(), elapsedMs: z.number(), remainingMs: z.number() }),
  /** The scenario's player view (title, briefing, diagnosis choices) — no answer key. */
  scenario: z.record(z.string(), z.unknown()),
  you: z.object({ participantId: ParticipantId, name: z.string(), role: Role }),
  participants: z.array(ParticipantView),
  /** A player sees their own terminal; spectators and hosts see every player's. */
  terminals: z.array(TerminalView),
  hints: z.array(z.object({ seq: z.number().int(), hintId: z.string(), text: z.string(), cost: z.number(), participantId: ParticipantId.optional() })),
  diagnoses: z.array(z.object({ participantId: ParticipantId, ...DiagnosisFields })),
  scores: z.array(z.object({ participantId: ParticipantId, total: z.number(), max: z.number(), parts: z.array(ScorePart) })),
  /** Hosts and spectators only; absent for players and for runtimes without a real cluster. */
  overview: ClusterOverview.optional(),
});
export type PublicRoomView = z.infer<typeof PublicRoomView>;

export const HostExtras = z.object({
  seed: z.number().int(),
  /** The scenario's answer key as authored (root cause, evidence, remediations, hints, faults). */
  answerKey: z.record(z.string(), z.unknown()),
  hints: z.array(z.object({ id: z.string(), text: z.string(), cost: z.number(), pushed: z.boolean() })),
  faults: z.array(z.object({ id: z.string(), description: z.string(), injected: z.boolean() })),
  notes: z.array(z.object({ seq: z.number().int(), by: z.string(), text: z.string() })),
  signals: z.array(z.object({ seq: z.number().int(), participantId: ParticipantId, kind: SignalKind, amount: z.number().optional() })),
  adjustments: z.array(z.object({ seq: z.number().int(), participantId: ParticipantId, points: z.number(), reason: z.string() })),
  breakdowns: z.record(z.string(), z.record(z.string(), z.unknown())),
});
export const HostRoomView = PublicRoomView.extend({ host: HostExtras });
export type HostRoomView = z.infer<typeof HostRoomView>;
export type RoomView = PublicRoomView | HostRoomView;

// ---- ack payloads ----
export interface JoinAck {
  /** Present on a first join: keep it (localStorage) to re-join from a reload or a new tab. */
  token?: string;
  view: RoomView;
}
export interface ResumeAck {
  events: (RoomEvent | PublicEvent)[];
  /** Current room view, for clients that prefer to redraw. */
  view: RoomView;
}
export interface CommandAck {
  seq: number;
  output: string;
  exitCode: number;
  clear?: boolean;
  prompt: string;
  /** An editor to open: saving runs `save` with the edited text as a here-document (editLine). */
  edit?: { title: string; text: string; save: string };
  clientSeq?: number;
}
export interface CompleteAck {
  from: number;
  candidates: string[];
}
export interface ActionAck {
  /** Sequence of the last event the action appended (absent when it appended none). */
  seq?: number;
}

/** Server → client socket.io event names. */
export const SERVER_EVENTS = { event: 'room:event', overview: 'room:overview' } as const;
