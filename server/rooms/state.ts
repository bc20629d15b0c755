// A room's in-memory state: the fold of its event log (reducer.ts). Owned by exactly one
// runner; the cluster and shell sessions inside are changed in place by the engine.
import type { Fact } from '../cluster/facts.js';
import type { ClusterState } from '../cluster/types.js';
import type { Diagnosis, RoomMode, RoomSettings, RoomStatus, Role, ScorePart, SignalKind, TerminalEntry } from '../protocol/index.js';
import type { ShellSession } from '../shell/types.js';

export interface RoomParticipant {
  id: string;
  name: string;
  role: Role;
  left: boolean;
}

export interface Terminal {
  session: ShellSession;
  /**
   * `observed`: the facts of the world the output showed (scoring only; never sent to anyone).
   * `streamed`: a running command printed more after its line (its output is no longer just the
   * one its command event logged, so a snapshot keeps it; snapshot.ts).
   */
  entries: (TerminalEntry & { simTime: number; prompt: string; observed?: Fact[]; streamed?: true })[];
  /** Simulated time of the player's last command (or join): auto-hints look at it. */
  lastActiveSimTime: number;
  /** Output characters the entries hold, and how many of the oldest were trimmed (retained.ts). */
  retainedChars: number;
  trimmedUpTo: number;
}

export interface PushedHint {
  seq: number;
  simTime: number;
  hintId: string;
  text: string;
  cost: number;
  /** Absent: every player got it. */
  participantId?: string;
}

/** An identity that asked for a seat needing the host's approval. */
export interface SeatRequest {
  id: string;
  name: string;
  seq: number;
  status: 'pending' | 'admitted' | 'refused';
  /** Admitted: the seat this identity now sits in (its own id for a new seat). */
  seatId?: string;
}

export interface Score {
  seq: number;
  total: number;
  max: number;
  parts: ScorePart[];
  breakdown: Record<string, unknown>;
}

export interface RoomState {
  id: string;
  code: string;
  mode: RoomMode;
  scenarioId: string;
  seed: number;
  status: RoomStatus;
  settings: RoomSettings;
  /** Sequence of the last applied event. */
  seq: number;
  /** Time limit including extensions. */
  limitMs: number;
  /** Simulated time run so far: the sum of tick events (pauses add nothing). */
  elapsedMs: number;
  /** Everyone who ever held a seat (left ones too). */
  participants: Record<string, RoomParticipant>;
  /** By requester id, in request order. */
  requests: Record<string, SeatRequest>;
  /** One per player. */
  terminals: Record<string, Terminal>;
  hints: PushedHint[];
  hintRequests: { seq: number; participantId: string }[];
  faults: { seq: number; faultId: string }[];
  /** `elapsedMs`: the room's running time when it was submitted (absent in snapshots from before it was kept). */
  diagnoses: Record<string, { seq: number; elapsedMs?: number } & Diagnosis>;
  scores: Record<string, Score>;
  /** Players who may see their score, with what they were shown last. */
  released: Record<string, { seq: number; total: number; max: number; parts: ScorePart[] }>;
  adjustments: { seq: number; participantId: string; points: number; reason: string }[];
  /** `at`: the event a replay comment is about. */
  notes: { seq: number; simTime: number; by: string; text: string; at?: number }[];
  /** Co-host invites by the sha256 of their secret: who made each, and who took its seat. */
  cohostInvites: Record<string, { by: string; usedBy?: string }>;
  signals: { seq: number; participantId: string; kind: SignalKind; amount?: number }[];
  /** Kubernetes API tokens by their sha256: the seat each opens (one per seat; gone when it leaves or the room ends). */
  apiTokens: Record<string, string>;
  /** Per seat, its API requests that showed facts of the world (scoring only; never sent to anyone). */
  apiObserved: Record<string, { seq: number; simTime: number; line: string; observed: Fact[] }[]>;
  /** Bytes of the API request bodies logged so far (their JSON): bounded by MAX_API_BODY_BYTES. */
  apiBodyBytes: number;
  cluster: ClusterState;
  /** Sequences of replayed commands whose output differed from the log: must stay empty. */
  divergences: number[];
}

export const remainingMs = (room: RoomState): number => Math.max(0, room.limitMs - room.elapsedMs);

export const players = (room: RoomState): RoomParticipant[] =>
  Object.values(room.participants).filter((p) => p.role === 'player' && !p.left);

/** Every player seat the room ever had, left ones too: a seat is never given out twice. */
export const playerSeats = (room: RoomState): RoomParticipant[] =>
  Object.values(room.participants).filter((p) => p.role === 'player');

/**
 * Where an identity (a token's participant id) sits: its own seat, the seat the host let
 * it into, or nowhere yet (a pending or refused request).
 */
export type Placement =
  | { kind: 'seat'; participant: RoomParticipant }
  | { kind: 'waiting'; request: SeatRequest }
  | { kind: 'refused'; request: SeatRequest }
  | { kind: 'unknown' };

export function placementOf(room: RoomState, identityId: string): Placement {
  const own = room.participants[identityId];
  if (own) return { kind: 'seat', participant: own };
  const request = room.requests[identityId];
  if (!request) return { kind: 'unknown' };
  if (request.status === 'pending') return { kind: 'waiting', request };
  const seat = request.seatId !== undefined ? room.participants[request.seatId] : undefined;
  return request.status === 'admitted' && seat ? { kind: 'seat', participant: seat } : { kind: 'refused', request };
}

export function adjustedTotal(room: RoomState, participantId: string): number | undefined {
  const score = Object.hasOwn(room.scores, participantId) ? room.scores[participantId] : undefined;
  return score ? score.total + adjustmentPoints(room, participantId) : undefined;
}

/** The points the host's adjustments give (or take from) a participant. */
export function adjustmentPoints(room: RoomState, participantId: string): number {
  return room.adjustments.filter((a) => a.participantId === participantId).reduce((sum, a) => sum + a.points, 0);
}

/**
 * What the log may carry of the seats' API request bodies, all seats together (16 MiB): each
 * body is logged with its request, so without it a player would grow the room's log and
 * snapshot by ~150 MiB a minute. A drill's manifests are a few KiB.
 */
export const MAX_API_BODY_BYTES = 16 * 1024 * 1024;

/** The bytes a request's body adds to the log (its JSON). */
export const apiBodyBytes = (body: unknown): number => (body === undefined ? 0 : Buffer.byteLength(JSON.stringify(body)));

/** May this seat use its own tools on the room's Kubernetes API? Hosts always (read only); others as the settings say. */
export function apiAllowed(room: RoomState, role: Role): boolean {
  return role === 'host' || (room.settings.allowApi ?? room.mode !== 'interview');
}
