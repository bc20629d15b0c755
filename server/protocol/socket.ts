// socket.io messages. Client → server messages are `socket.emit(name, payload, ack)`;
// each payload has a schema here and the server answers through the ack with
// `{ ok: true, ... } | { ok: false, error: { code, message } }`.
// Server → client: `room:event` (one or more events as its arguments, in order, already
// filtered for the viewer), `room:storage` (saving stopped working or works again: the
// room waits meanwhile); for hosts and spectators, `room:overview` (the cluster overview,
// when it changed); for an identity waiting for a seat, `room:admission` (the host's answer).
import { z } from 'zod';
import { DisplayName, JoinCode, LIMITS, ParticipantId, Role, RoomMode, RoomStatus, ScenarioId, Token } from './common.js';
import { DiagnosisFields, RoomSettings, ScorePart, SignalKind } from './events.js';
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
/** A co-host opens the link a host made (`host:cohost-invite`): the invite's secret opens one host seat. */
export const JoinAsCohost = z.object({ code: JoinCode, name: DisplayName, invite: Token });

export const ClientMessages = {
  /** First join (code + name) or re-join with a token: answers with the room view. */
  // A co-host join first: JoinByCode would accept it too, dropping the invite.
  'room:join': z.union([JoinByToken, JoinAsCohost, JoinByCode]),
  /** Reconnect: answers with exactly the events after `lastSeq` this viewer may see. */
  'room:resume': z.object({ token: Token, lastSeq: z.number().int().nonnegative() }),
  'room:leave': Empty,
  'cmd:run': z.object({ line: Line, clientSeq: z.number().int().nonnegative().optional() }),
  /** Ctrl-C: stops the player's running command (`kubectl get -w`, `watch`…). */
  'cmd:interrupt': Empty,
  'cmd:complete': z.object({ line: Line, cursor: z.number().int().nonnegative() }),
  'hint:request': Empty,
  'diagnosis:submit': z.object(DiagnosisFields),
  /** Solo: stop without a diagnosis; the room ends and the debrief follows. */
  'player:give-up': Empty,
  /** Solo, after the end: the debrief (the real cause, what was seen and missed, the reference path). */
  'room:debrief': Empty,
  /** Solo: the player has read the briefing; the clock starts now (rooms created with `start: false`). */
  'player:start': Empty,
  /** The host sets `allowSpectators`; a solo player sets `autoHints`. */
  'room:settings': RoomSettings.partial().strict().refine((s) => Object.keys(s).length > 0, 'change at least one setting'),
  'host:start': Empty,
  'host:pause': Empty,
  'host:resume': Empty,
  'host:end': Empty,
  'host:extend': z.object({ minutes: z.number().int().min(1).max(120) }),
  'host:hint': z.object({ hintId: typedText({ max: 100 }).min(1), participantId: ParticipantId.optional() }),
  'host:fault': z.object({ faultId: typedText({ max: 100 }).min(1) }),
  /** `at`: the event (seq) the note comments on, when written at a moment of the replay. */
  'host:note': z.object({ text: typedText({ max: LIMITS.maxTextChars, trim: true, multiline: true }).min(1), at: z.number().int().positive().optional() }),
  /** A co-host link: answers `{ invite }`, a secret that lets one person in as a host (`room:join` with code, name and invite). */
  'host:cohost-invite': Empty,
  'host:adjust': z.object({ participantId: ParticipantId, points: z.number().min(-1000).max(1000), reason: typedText({ max: 1000, trim: true }).min(1) }),
  /** Lets a waiting identity in: into a new seat, or into the existing player seat `seat`. */
  'host:admit': z.object({ requestId: ParticipantId, seat: ParticipantId.optional() }),
  'host:refuse': z.object({ requestId: ParticipantId }),
  /** Interview: the candidate may now see their score. */
  'host:release': z.object({ participantId: ParticipantId }),
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
  /** A command is still printing (until Ctrl-C): the last entry grows. */
  streaming: z.boolean().optional(),
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

/** Saving the room's events failed (`available: false`: the room waits, its clock stopped, and retries) or works again. */
export const StorageMessage = z.object({ available: z.boolean(), message: z.string() });
export type StorageMessage = z.infer<typeof StorageMessage>;

/** `left`: hosts see everyone who ever joined; the others see only who is still in. */
export const ParticipantView = z.object({ id: ParticipantId, name: z.string(), role: Role, online: z.boolean(), left: z.boolean().optional() });

/** A score line as the scorer wrote it: what it is about, its points and why, in words. */
export const ScoreLineView = z.object({ category: z.string(), label: z.string(), points: z.number(), max: z.number(), why: z.string() });
export type ScoreLineView = z.infer<typeof ScoreLineView>;

/**
 * What a solo player learns after the end: the real cause and how it shows, the evidence
 * (found or missed, each with the scorer's why), the reference path, and every score line.
 */
export const Debrief = z.object({
  cause: z.object({ title: z.string(), explanation: z.string() }),
  evidence: z.array(z.object({ label: z.string(), finding: z.string(), found: z.boolean(), why: z.string() })),
  /** The reference run: command lines, and waits in seconds. */
  reference: z.array(z.union([z.object({ line: z.string() }), z.object({ waitSec: z.number() })])),
  prevention: z.array(z.string()),
  score: z.object({ total: z.number(), max: z.number(), lines: z.array(ScoreLineView) }),
});
export type Debrief = z.infer<typeof Debrief>;

export const PublicRoomView = z.object({
  roomId: z.string(),
  code: z.string(),
  mode: RoomMode,
  scenarioId: ScenarioId,
  status: RoomStatus,
  settings: RoomSettings,
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
  /** Hosts: every computed score; players and spectators: released scores only. */
  scores: z.array(z.object({ participantId: ParticipantId, total: z.number(), max: z.number(), parts: z.array(ScorePart) })),
  /** Hosts and spectators only; absent for players and for runtimes without a real cluster. */
  overview: ClusterOverview.optional(),
  /** A solo player's, once their room has ended. */
  debrief: Debrief.optional(),
});
export type PublicRoomView = z.infer<typeof PublicRoomView>;

/**
 * The answer key in words, for the host console (and, in part, the solo debrief): the cause,
 * what shows it (each evidence item: where to look and what one finds), the fixes that count,
 * the damage that costs, a reference run and prevention. No selectors or predicates.
 */
export const KeyInWords = z.object({
  cause: z.object({ title: z.string(), explanation: z.string() }),
  /** The stacked second fault's cause, in a room with two. */
  secondCause: z.object({ title: z.string(), explanation: z.string() }).optional(),
  evidence: z.array(z.object({ id: z.string(), label: z.string(), text: z.string(), key: z.boolean(), points: z.number() })),
  fixes: z.array(z.object({ id: z.string(), text: z.string(), guard: z.boolean(), points: z.number() })),
  harmful: z.array(z.object({ text: z.string(), penalty: z.number() })),
  reference: Debrief.shape.reference,
  prevention: z.array(z.string()),
});
export type KeyInWords = z.infer<typeof KeyInWords>;

export const HostExtras = z.object({
  seed: z.number().int(),
  /** The answer key to read (the raw `answerKey` stays for the toggle). */
  key: KeyInWords,
  /** Per player: each evidence item their terminal has shown, with the command (seq) that first showed it. */
  seen: z.record(ParticipantId, z.array(z.object({ evidenceId: z.string(), seq: z.number().int() }))),
  /** The scenario's answer key as authored (root cause, evidence, remediations, hints, faults). */
  answerKey: z.record(z.string(), z.unknown()),
  hints: z.array(z.object({ id: z.string(), text: z.string(), cost: z.number(), pushed: z.boolean() })),
  faults: z.array(z.object({ id: z.string(), description: z.string(), injected: z.boolean() })),
  notes: z.array(z.object({ seq: z.number().int(), by: z.string(), text: z.string(), at: z.number().int().optional() })),
  signals: z.array(z.object({ seq: z.number().int(), participantId: ParticipantId, kind: SignalKind, amount: z.number().optional() })),
  adjustments: z.array(z.object({ seq: z.number().int(), participantId: ParticipantId, points: z.number(), reason: z.string() })),
  breakdowns: z.record(z.string(), z.record(z.string(), z.unknown())),
  /** Players whose score the players may see (released by the host, or by the end). */
  released: z.array(ParticipantId),
  /** Everyone who asked for a seat that needed approval, and what became of it. */
  requests: z.array(z.object({ id: ParticipantId, name: z.string(), status: z.enum(['pending', 'admitted', 'refused']), seatId: ParticipantId.optional() })),
});
export const HostRoomView = PublicRoomView.extend({ host: HostExtras });
export type HostRoomView = z.infer<typeof HostRoomView>;
export type RoomView = PublicRoomView | HostRoomView;

// ---- ack payloads ----
export type JoinAck = SeatedAck | WaitingAck;
export interface SeatedAck {
  /** Present on a first join: keep it (localStorage) to re-join from a reload or a new tab. */
  token?: string;
  view: RoomView;
}
/**
 * The room needs the host's approval for this new identity: wait for `room:admission`, then
 * join again with the token (a reload joins with it too and waits again while pending).
 */
export interface WaitingAck {
  /** Present on a first join by code. */
  token?: string;
  waiting: { roomId: string; code: string; name: string };
}
/** `room:admission`: the host's answer to a waiting identity. */
export const AdmissionMessage = z.object({ admitted: z.boolean() });
export type AdmissionMessage = z.infer<typeof AdmissionMessage>;
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
  /** The command goes on printing (room:event `command.output`) until `cmd:interrupt` or its end. */
  streaming?: boolean;
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
export const SERVER_EVENTS = { event: 'room:event', overview: 'room:overview', storage: 'room:storage', admission: 'room:admission' } as const;
