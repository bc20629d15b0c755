// An in-process RoomStore with the same contract as the Prisma one (the contract test in
// tests/integration/db-room-store.test.ts runs against both), for testing room logic
// without a database. Records are copied in and out so callers cannot alias the store.
import { randomUUID } from 'node:crypto';
import type {
  AppendChanges,
  AppendOutcome,
  CreateRoomOutcome,
  EventRecord,
  LeaderboardEntry,
  NewEvent,
  NewRoom,
  ParticipantRecord,
  ResultRecord,
  RoomRecord,
  RoomStore,
  SnapshotRecord,
} from './room-store.js';

export function createMemoryRoomStore(now: () => Date = () => new Date()): RoomStore {
  const rooms = new Map<string, RoomRecord>();
  const participants = new Map<string, ParticipantRecord>();
  const events = new Map<string, EventRecord[]>();
  const results = new Map<string, ResultRecord>();
  const snapshots = new Map<string, SnapshotRecord>();
  const copy = <T>(value: T): T => structuredClone(value);

  return {
    async createRoom(room: NewRoom): Promise<CreateRoomOutcome> {
      if ([...rooms.values()].some((r) => r.code === room.code)) return { ok: false, code: 'code_taken' };
      const record: RoomRecord = {
        id: room.id ?? randomUUID(),
        code: room.code,
        mode: room.mode,
        scenarioId: room.scenarioId,
        seed: room.seed,
        stacked: room.stacked ?? false,
        status: 'lobby',
        timeLimitSec: room.timeLimitSec,
        createdAt: now(),
        startedAt: null,
        endedAt: null,
        lastSeq: 0,
        brokenReason: null,
      };
      rooms.set(record.id, record);
      events.set(record.id, []);
      return { ok: true, room: copy(record) };
    },
    async getRoom(roomId) {
      const room = rooms.get(roomId);
      return room ? copy(room) : null;
    },
    async findRoomByCode(code) {
      const room = [...rooms.values()].find((r) => r.code === code);
      return room ? copy(room) : null;
    },
    async listOpenRooms() {
      return [...rooms.values()].filter((r) => r.status !== 'ended' && r.brokenReason === null).map((r) => copy(r));
    },
    async markBroken(roomId, reason) {
      const room = rooms.get(roomId);
      if (room) room.brokenReason = reason;
    },

    async appendEvents(roomId: string, expectedSeq: number, newEvents: NewEvent[], changes: AppendChanges = {}): Promise<AppendOutcome> {
      if (newEvents.length === 0) throw new Error('appendEvents: no events to append');
      const room = rooms.get(roomId);
      if (!room) return { ok: false, code: 'room_not_found' };
      if (room.lastSeq !== expectedSeq) return { ok: false, code: 'seq_conflict', lastSeq: room.lastSeq };
      const createdAt = now();
      const added = (changes.participants ?? []).map((p) => ({
        id: p.id ?? randomUUID(),
        roomId,
        name: p.name,
        role: p.role,
        tokenHash: p.tokenHash,
        createdAt,
        lastSeenSeq: 0,
      }));
      for (const p of added) {
        if (participants.has(p.id) || [...participants.values()].some((q) => q.tokenHash === p.tokenHash)) {
          throw new Error(`participant ${p.id} or its token hash already exists`);
        }
      }
      const records: EventRecord[] = newEvents.map((event, index) => ({
        roomId,
        seq: expectedSeq + 1 + index,
        type: event.type,
        payload: copy(event.payload),
        participantId: event.participantId ?? null,
        simTime: event.simTime,
        createdAt,
      }));
      // All checks passed: apply everything at once, like the transaction does.
      for (const p of added) participants.set(p.id, p);
      events.get(roomId)!.push(...records);
      Object.assign(room, copy(changes.room ?? {}), { lastSeq: expectedSeq + records.length });
      for (const result of changes.results ?? []) {
        results.set(`${roomId}/${result.participantId}`, {
          ...copy(result),
          roomId,
          scenarioId: room.scenarioId,
          seed: room.seed,
          createdAt: results.get(`${roomId}/${result.participantId}`)?.createdAt ?? createdAt,
        });
      }
      return { ok: true, events: copy(records), participants: copy(added), lastSeq: room.lastSeq };
    },
    async listEvents(roomId, afterSeq = 0, limit) {
      const after = (events.get(roomId) ?? []).filter((e) => e.seq > afterSeq);
      return copy(limit === undefined ? after : after.slice(0, limit));
    },
    async listEventsAt(roomId, seqs) {
      const wanted = new Set(seqs);
      return copy((events.get(roomId) ?? []).filter((e) => wanted.has(e.seq)));
    },

    async listParticipants(roomId) {
      return [...participants.values()].filter((p) => p.roomId === roomId).map((r) => copy(r));
    },
    async findParticipantByTokenHash(tokenHash) {
      const found = [...participants.values()].find((p) => p.tokenHash === tokenHash);
      return found ? copy(found) : null;
    },
    async markSeen(participantId, seq) {
      const participant = participants.get(participantId);
      if (participant && participant.lastSeenSeq < seq) participant.lastSeenSeq = seq;
    },

    async latestSnapshot(roomId) {
      const snapshot = snapshots.get(roomId);
      return snapshot ? copy(snapshot) : null;
    },
    async saveSnapshot(roomId, seq, data) {
      if ((snapshots.get(roomId)?.seq ?? -1) < seq) snapshots.set(roomId, { roomId, seq, data: new Uint8Array(data), createdAt: now() });
    },

    async listResults(roomId) {
      return [...results.values()]
        .filter((r) => r.roomId === roomId)
        .sort((a, b) => b.score - a.score || a.durationMs - b.durationMs)
        .map((r) => copy(r));
    },
    async leaderboard(scenarioId, options = {}): Promise<LeaderboardEntry[]> {
      return [...results.values()]
        .filter((r) => r.scenarioId === scenarioId && (!options.mode || rooms.get(r.roomId)?.mode === options.mode))
        .sort((a, b) => b.score - a.score || a.durationMs - b.durationMs || a.createdAt.getTime() - b.createdAt.getTime())
        .slice(0, options.limit ?? 20)
        .map((r, index) => ({
          rank: index + 1,
          roomId: r.roomId,
          participantId: r.participantId,
          name: participants.get(r.participantId)?.name ?? '',
          seed: r.seed,
          score: r.score,
          maxScore: r.maxScore,
          durationMs: r.durationMs,
          createdAt: r.createdAt,
        }));
    },
  };
}
