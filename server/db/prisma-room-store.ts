// The RoomStore the server runs on: each method is one repository call.
import type pg from 'pg';
import type { PrismaClient } from './generated/prisma/client.js';
import { AppendWriter } from './append-writer.js';
import { appendEvents, latestSnapshot, listEvents, listEventsAt, saveSnapshot } from './events-repo.js';
import { leaderboard, listResults } from './results-repo.js';
import {
  createRoom,
  findParticipantByTokenHash,
  findRoomByCode,
  getRoom,
  listOpenRooms,
  listParticipants,
  markBroken,
  markSeen,
} from './rooms-repo.js';
import type { RoomStore } from './room-store.js';

export function createPrismaRoomStore(prisma: PrismaClient, pool: pg.Pool): RoomStore {
  const writer = new AppendWriter(pool);
  return {
    createRoom: (room) => createRoom(prisma, room),
    getRoom: (roomId) => getRoom(prisma, roomId),
    findRoomByCode: (code) => findRoomByCode(prisma, code),
    listOpenRooms: () => listOpenRooms(prisma),
    markBroken: (roomId, reason) => markBroken(prisma, roomId, reason),
    appendEvents: (roomId, expectedSeq, events, changes) => appendEvents(prisma, writer, roomId, expectedSeq, events, changes),
    listEvents: (roomId, afterSeq, limit) => listEvents(prisma, roomId, afterSeq, limit),
    listEventsAt: (roomId, seqs) => listEventsAt(prisma, roomId, seqs),
    listParticipants: (roomId) => listParticipants(prisma, roomId),
    findParticipantByTokenHash: (tokenHash) => findParticipantByTokenHash(prisma, tokenHash),
    markSeen: (participantId, seq) => markSeen(prisma, participantId, seq),
    latestSnapshot: (roomId) => latestSnapshot(prisma, roomId),
    saveSnapshot: (roomId, seq, data) => saveSnapshot(pool, roomId, seq, data),
    listResults: (roomId) => listResults(prisma, roomId),
    leaderboard: (scenarioId, options) => leaderboard(prisma, scenarioId, options),
  };
}
