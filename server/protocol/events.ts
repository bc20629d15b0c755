// The room log. Every change to a room is one of these events with a per-room sequence
// number; the room state is a fold over them (server/rooms/reducer.ts).
//
// Two families of types:
// - `RoomEvent`: the full event as stored and as hosts receive it (notes, integrity
//   signals, fault ids, full score breakdowns).
// - `PublicEvent`: what players and spectators may receive. Its schemas are separate
//   objects listing only safe fields (zod strips anything else on parse), and host-only
//   event types are not members of the union at all, so the type cannot hold a secret.
import { z } from 'zod';
import { DisplayName, ParticipantId, Role, RoomMode, ScenarioId, Seed } from './common.js';
import { typedText } from './text.js';
import { FACT_SOURCES } from '../cluster/facts.js';

const Base = {
  seq: z.number().int().positive(),
  /** Simulated ms since the scenario began when the event happened. */
  simTime: z.number().int().nonnegative(),
};

/** Who did something: a participant, or the room's own clock (time limit, auto-hints). */
export const Actor = z.union([ParticipantId, z.literal('system')]);

/** `submitted`: a solo player's diagnosis ends their room; `gave-up`: a solo player stopped without one. */
export const EndReason = z.enum(['host', 'time', 'submitted', 'gave-up']);

/**
 * What a room allows, chosen at creation and changed by `room.settings`. Logs written
 * before settings existed have none: both are off.
 */
export const RoomSettings = z.object({
  /** Whether anyone with the join code may watch every terminal (hosted rooms; the host decides). */
  allowSpectators: z.boolean(),
  /** Solo: a player stalled for two minutes gets the next hint, at its cost (the player opts in). */
  autoHints: z.boolean(),
  /**
   * Whether a seat may download a kubeconfig and use its own tools on the room's Kubernetes
   * API. Absent: solo rooms and game days allow it, interviews do not (the host decides).
   */
  allowApi: z.boolean().optional(),
});
export type RoomSettings = z.infer<typeof RoomSettings>;
export const DEFAULT_SETTINGS: RoomSettings = { allowSpectators: false, autoHints: false };

/** Score parts players see once their score is released: a category and points, never the scenario's explanations. */
export const ScorePart = z.object({
  key: z.string(),
  points: z.number(),
  max: z.number(),
});
export type ScorePart = z.infer<typeof ScorePart>;

export const DiagnosisFields = {
  rootCause: typedText({ max: 200 }).min(1),
  /** The other cause, in a room with a stacked second fault (refused elsewhere). */
  secondCause: typedText({ max: 200 }).min(1).optional(),
  text: typedText({ max: 4000, multiline: true }),
  evidence: z.array(typedText({ max: 500 })).max(50),
};

const DiagnosisObject = z.object(DiagnosisFields);
/** What a player submits; logs from before stacked faults have no secondCause. */
export type Diagnosis = z.infer<typeof DiagnosisObject>;

/** The diagnosis fields of anything that carries them, field by field (no secondCause when none was named). */
export function diagnosisOf(d: Diagnosis): Diagnosis {
  return { rootCause: d.rootCause, ...(d.secondCause === undefined ? {} : { secondCause: d.secondCause }), text: d.text, evidence: d.evidence };
}

// ---- events both families share, field for field ----
const RoomCreatedPublic = z.object({
  ...Base, type: z.literal('room.created'), mode: RoomMode, scenarioId: ScenarioId, timeLimitMs: z.number().int().positive(), settings: RoomSettings.optional(),
});
const RoomSettingsChanged = z.object({ ...Base, type: z.literal('room.settings'), by: Actor, ...RoomSettings.partial().shape });
/** `name` is unique in the room (the decision made it so: "Pat (2)"). */
const ParticipantJoined = z.object({ ...Base, type: z.literal('participant.joined'), participantId: ParticipantId, name: DisplayName, role: Role });
const ParticipantLeft = z.object({ ...Base, type: z.literal('participant.left'), participantId: ParticipantId });
/** A participant who left came back with their token: the same seat, terminal and diagnosis. */
const ParticipantReturned = z.object({ ...Base, type: z.literal('participant.returned'), participantId: ParticipantId });
const RoomStarted = z.object({ ...Base, type: z.literal('room.started'), by: Actor });
const RoomPaused = z.object({ ...Base, type: z.literal('room.paused'), by: Actor });
const RoomResumed = z.object({ ...Base, type: z.literal('room.resumed'), by: Actor });
const RoomExtended = z.object({ ...Base, type: z.literal('room.extended'), by: Actor, ms: z.number().int().positive() });
const RoomEnded = z.object({ ...Base, type: z.literal('room.ended'), by: Actor, reason: EndReason });
/** Simulated time advanced by `ms` (only while running). Replay re-applies it. */
const Tick = z.object({ ...Base, type: z.literal('tick'), ms: z.number().int().positive() });
/** A typed line and what it printed; replay re-runs the line and must print the same. */
const CommandPublic = z.object({
  ...Base,
  type: z.literal('command'),
  participantId: ParticipantId,
  /** The prompt shown before the line was typed; absent in logs written before it was recorded. */
  prompt: z.string().optional(),
  line: z.string(),
  output: z.string(),
  exitCode: z.number().int(),
  clear: z.boolean().optional(),
  /** The line goes on printing as simulated time passes (`kubectl get -w`…) until Ctrl-C. */
  streaming: z.boolean().optional(),
});
/** A player's running command printed more as simulated time passed; `ended`: it stopped by itself. Replay runs the step again. */
const CommandOutput = z.object({ ...Base, type: z.literal('command.output'), participantId: ParticipantId, output: z.string(), ended: z.boolean().optional() });
/** Ctrl-C: the player's running command stopped. */
const CommandInterrupted = z.object({ ...Base, type: z.literal('command.interrupted'), participantId: ParticipantId });
const HintRequested = z.object({ ...Base, type: z.literal('hint.requested'), participantId: ParticipantId });
/** A hint given to one player (`participantId`) or to every player (absent). */
const HintPushed = z.object({
  ...Base,
  type: z.literal('hint.pushed'),
  hintId: z.string(),
  text: z.string(),
  cost: z.number(),
  by: Actor,
  participantId: ParticipantId.optional(),
});
const DiagnosisSubmitted = z.object({ ...Base, type: z.literal('diagnosis.submitted'), participantId: ParticipantId, ...DiagnosisFields });
/**
 * A player's score as they may now see it: the computed parts plus the host's adjustments.
 * The host releases it in an interview; gameday and solo rooms release every score at the end.
 */
const ScoreReleased = z.object({
  ...Base, type: z.literal('score.released'), participantId: ParticipantId, total: z.number(), max: z.number(), parts: z.array(ScorePart),
});

/** A request of a participant's kubeconfig to the room's Kubernetes API (server/kubeapi/seat.ts), as the host's console shows it. */
const ApiRequestPublic = z.object({
  ...Base, type: z.literal('api.request'), participantId: ParticipantId,
  /** `GET pods -n kube-system (200, 14 items)`. */
  summary: z.string(),
  status: z.number().int(),
});

// ---- full (host) events ----
/** `stacked`: the host stacked a second fault onto the incident (absent: one incident). */
const RoomCreated = RoomCreatedPublic.extend({ seed: Seed, stacked: z.literal(true).optional(), code: z.string() });
/** `evidence`: the answer-key evidence items this line showed (hosts tick them off live); absent in older logs and when none. */
const Command = CommandPublic.extend({ evidence: z.array(z.string()).optional() });
/** The request itself, which replay serves again (and must answer with the same status); `evidence` as for a command. */
const ApiRequest = ApiRequestPublic.extend({
  request: z.object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    path: z.string(),
    query: z.record(z.string(), z.string()),
    accept: z.string(),
    contentType: z.string(),
    body: z.unknown().optional(),
  }),
  evidence: z.array(z.string()).optional(),
});
/**
 * What a seat's watch streamed after its first batch showed of the world (kubeapi/seat.ts
 * observeWatch): the facts themselves, since the watch's cursor lives at the edge and replay
 * cannot step it again. `line` names the watch for the scoring's citation; `evidence` as for a command.
 */
const ApiObserved = z.object({
  ...Base, type: z.literal('api.observed'), participantId: ParticipantId,
  line: z.string().max(1024),
  observed: z.array(z.object({
    source: z.enum(FACT_SOURCES), node: z.string().optional(), kind: z.string().optional(), namespace: z.string().optional(), name: z.string().optional(),
    field: z.string(), value: z.string(),
  }).strict()).min(1).max(2000), // a line's reveals at most (shell/reveals.ts MAX_REVEALS_PER_LINE)
  evidence: z.array(z.string()).optional(),
});
/**
 * A seat's Kubernetes API token (its sha256; the secret went only to the seat's kubeconfig).
 * One per seat: a new one replaces it; it stops working when the seat leaves or the room ends.
 */
const ApiTokenIssued = z.object({ ...Base, type: z.literal('api.token'), participantId: ParticipantId, tokenHash: z.string().regex(/^[0-9a-f]{64}$/) });
/** `invite`: the hash of the co-host invite a host seat was taken with (each invite opens one seat). */
const ParticipantJoinedFull = ParticipantJoined.extend({ invite: z.string().optional() });
/** A host made a co-host link: its secret's sha256 (`inviteHash`); whoever opens it first joins as a host. */
const CohostInvited = z.object({ ...Base, type: z.literal('cohost.invited'), by: Actor, inviteHash: z.string().regex(/^[0-9a-f]{64}$/) });
/**
 * A new identity asked for a player seat where the room needs the host's approval (an
 * interview whose candidate seat is taken, a game day under way). `participantId` is the
 * requester's identity (their token), not yet a seat.
 */
const SeatRequested = z.object({ ...Base, type: z.literal('seat.requested'), participantId: ParticipantId, name: DisplayName });
/** The host let the requester in: into a new seat (`seatId` = their id) or an existing one (an interview's candidate seat). */
const SeatAdmitted = z.object({ ...Base, type: z.literal('seat.admitted'), participantId: ParticipantId, seatId: ParticipantId, by: Actor });
const SeatRefused = z.object({ ...Base, type: z.literal('seat.refused'), participantId: ParticipantId, by: Actor });
const FaultInjected = z.object({ ...Base, type: z.literal('fault.injected'), faultId: z.string(), by: Actor });
const ScoreComputed = z.object({
  ...Base,
  type: z.literal('score.computed'),
  participantId: ParticipantId,
  total: z.number(),
  max: z.number(),
  parts: z.array(ScorePart),
  /** The scorer's full breakdown (explanations from the answer key): hosts only. */
  breakdown: z.record(z.string(), z.unknown()),
});
const ScoreAdjusted = z.object({ ...Base, type: z.literal('score.adjusted'), participantId: ParticipantId, points: z.number(), reason: z.string(), by: Actor });
/** A host's note; `at`: the event (seq) it comments on, when written at a moment of the replay. */
const NoteAdded = z.object({ ...Base, type: z.literal('note.added'), by: Actor, text: z.string(), at: z.number().int().positive().optional() });
export const SignalKind = z.enum(['focus-lost', 'paste']);
export type SignalKind = z.infer<typeof SignalKind>;
const Signal = z.object({
  ...Base,
  type: z.literal('signal'),
  participantId: ParticipantId,
  kind: SignalKind,
  /** Characters pasted, or ms away from the tab. */
  amount: z.number().int().nonnegative().optional(),
});

export const RoomEvent = z.discriminatedUnion('type', [
  RoomCreated, RoomSettingsChanged, ParticipantJoinedFull, ParticipantLeft, ParticipantReturned, SeatRequested, SeatAdmitted, SeatRefused, CohostInvited,
  RoomStarted, RoomPaused, RoomResumed, RoomExtended, RoomEnded,
  Tick, Command, CommandOutput, CommandInterrupted, FaultInjected, HintRequested, HintPushed, DiagnosisSubmitted, ScoreComputed, ScoreAdjusted, ScoreReleased, NoteAdded, Signal,
  ApiRequest, ApiTokenIssued, ApiObserved,
]);
export type RoomEvent = z.infer<typeof RoomEvent>;
export type RoomEventType = RoomEvent['type'];
export type EventOf<T extends RoomEventType> = Extract<RoomEvent, { type: T }>;

// ---- public (player / spectator) events ----
// No score.computed: a score reaches players and spectators only as score.released, so the
// points of a submission cannot be read back before the host (or the end) says so.
export const PublicEvent = z.discriminatedUnion('type', [
  RoomCreatedPublic, RoomSettingsChanged, ParticipantJoined, ParticipantLeft, ParticipantReturned, RoomStarted, RoomPaused, RoomResumed, RoomExtended, RoomEnded,
  Tick, CommandPublic, CommandOutput, CommandInterrupted, HintRequested, HintPushed, DiagnosisSubmitted, ScoreReleased, ApiRequestPublic,
]);
export type PublicEvent = z.infer<typeof PublicEvent>;

/** What a viewer receives: hosts get the full event, everyone else the public one. */
export type ViewerEvent = RoomEvent | PublicEvent;

/** An event before the store gave it a sequence number. */
export type DraftEvent = RoomEvent extends infer E ? (E extends RoomEvent ? Omit<E, 'seq'> : never) : never;
