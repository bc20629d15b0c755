// What the room runner needs from storage, as plain TypeScript: the runner and its tests
// depend on this interface only. The real implementation is Prisma
// (prisma-room-store.ts); memory-room-store.ts is a faithful in-process double.
//
// The event log is the truth. Every write goes through appendEvents(), which appends at
// an expected sequence (optimistic lock: a stale writer gets `seq_conflict`, never a gap or
// a duplicate) and applies, in the same transaction, the projections those events imply:
// room status/timer, new participants, results. Snapshots are written apart, in the
// background (saveSnapshot): they are a cache of the log, never needed for an ack.

export type RoomMode = 'interview' | 'gameday' | 'solo';
export type RoomStatus = 'lobby' | 'running' | 'paused' | 'ended';
export type ParticipantRole = 'player' | 'host' | 'spectator';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface RoomRecord {
  id: string;
  code: string;
  mode: RoomMode;
  scenarioId: string;
  seed: number;
  /** A second fault is stacked on the incident (the host chose it). */
  stacked: boolean;
  status: RoomStatus;
  timeLimitSec: number;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  /** Sequence of the last appended event; 0 for a room with no events. */
  lastSeq: number;
  /** Why the room's log could not be rebuilt; null for a sound room. */
  brokenReason: string | null;
}

export interface NewRoom {
  /** Generated (uuid) when omitted. */
  id?: string;
  code: string;
  mode: RoomMode;
  scenarioId: string;
  seed: number;
  /** Default false. */
  stacked?: boolean;
  timeLimitSec: number;
}

export interface ParticipantRecord {
  id: string;
  roomId: string;
  name: string;
  role: ParticipantRole;
  tokenHash: string;
  createdAt: Date;
  lastSeenSeq: number;
}

export interface NewParticipant {
  /** Give an id when an event appended with it refers to the participant; generated otherwise. */
  id?: string;
  name: string;
  role: ParticipantRole;
  /** sha256 (hex) of the reconnect token. */
  tokenHash: string;
}

export interface NewEvent {
  type: string;
  payload: JsonObject;
  participantId?: string | null;
  /** Simulated ms since the scenario began. */
  simTime: number;
}

export interface EventRecord {
  roomId: string;
  seq: number;
  type: string;
  payload: JsonObject;
  participantId: string | null;
  simTime: number;
  createdAt: Date;
}

/** Room columns an append may change (projections of the events appended). */
export interface RoomPatch {
  status?: RoomStatus;
  timeLimitSec?: number;
  startedAt?: Date | null;
  endedAt?: Date | null;
}

export interface NewResult {
  participantId: string;
  score: number;
  maxScore: number;
  breakdown: JsonObject;
  durationMs: number;
}

export interface ResultRecord extends NewResult {
  roomId: string;
  scenarioId: string;
  seed: number;
  createdAt: Date;
}

export interface LeaderboardEntry {
  /** 1-based; ties in score are ranked by shorter duration, then earlier finish. */
  rank: number;
  roomId: string;
  participantId: string;
  name: string;
  seed: number;
  score: number;
  maxScore: number;
  durationMs: number;
  createdAt: Date;
}

export interface SnapshotRecord {
  roomId: string;
  /** The snapshot is the room state after this event. */
  seq: number;
  /** server/rooms/snapshot.ts encodes and decodes it. */
  data: Uint8Array;
  createdAt: Date;
}

/** Projections written atomically with the appended events. */
export interface AppendChanges {
  room?: RoomPatch;
  /** Created before the events are inserted, so events may refer to them. */
  participants?: NewParticipant[];
  /** Upserted per (room, participant): a later score adjustment replaces the result. */
  results?: NewResult[];
}

export type AppendOutcome =
  | { ok: true; events: EventRecord[]; participants: ParticipantRecord[]; lastSeq: number }
  | { ok: false; code: 'seq_conflict'; lastSeq: number }
  | { ok: false; code: 'room_not_found' };

export type CreateRoomOutcome = { ok: true; room: RoomRecord } | { ok: false; code: 'code_taken' };

export interface RoomStore {
  /** `code_taken` when the join code exists: pick another code and retry. */
  createRoom(room: NewRoom): Promise<CreateRoomOutcome>;
  getRoom(roomId: string): Promise<RoomRecord | null>;
  findRoomByCode(code: string): Promise<RoomRecord | null>;
  /** Rooms not ended (lobby, running, paused) and not broken, oldest first: what a restarted server resumes. */
  listOpenRooms(): Promise<RoomRecord[]>;
  /** Closes a room whose log cannot be rebuilt: it is no longer listed as open. */
  markBroken(roomId: string, reason: string): Promise<void>;

  /**
   * Appends `events` as seq expectedSeq+1, expectedSeq+2, … if and only if the room's last
   * sequence is still `expectedSeq`; otherwise nothing is written and `seq_conflict` says
   * where the log is. `events` must not be empty.
   */
  appendEvents(roomId: string, expectedSeq: number, events: NewEvent[], changes?: AppendChanges): Promise<AppendOutcome>;
  /** Events with seq > afterSeq, in order; at most `limit` when given. */
  listEvents(roomId: string, afterSeq?: number, limit?: number): Promise<EventRecord[]>;
  /** The room's events with these sequence numbers (those that exist), in order. */
  listEventsAt(roomId: string, seqs: readonly number[]): Promise<EventRecord[]>;

  listParticipants(roomId: string): Promise<ParticipantRecord[]>;
  findParticipantByTokenHash(tokenHash: string): Promise<ParticipantRecord | null>;
  /** Raises lastSeenSeq (never lowers it: acks may arrive out of order). */
  markSeen(participantId: string, seq: number): Promise<void>;

  latestSnapshot(roomId: string): Promise<SnapshotRecord | null>;
  /** Stores the room state after event `seq` and drops the room's older snapshots. */
  saveSnapshot(roomId: string, seq: number, data: Uint8Array): Promise<void>;

  listResults(roomId: string): Promise<ResultRecord[]>;
  /** Best results for a scenario (score desc); `mode` keeps only rooms of that mode (e.g. solo). */
  leaderboard(scenarioId: string, options?: { limit?: number; mode?: RoomMode }): Promise<LeaderboardEntry[]>;
}
