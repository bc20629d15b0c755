// Rooms and participants in PostgreSQL (Prisma). Rows become the plain records of
// room-store.ts here, so nothing outside server/db sees a Prisma type.
import { Prisma, type PrismaClient } from './generated/prisma/client.js';
import type { Participant, Room } from './generated/prisma/client.js';
import type { CreateRoomOutcome, NewParticipant, NewRoom, ParticipantRecord, RoomRecord } from './room-store.js';

type Db = PrismaClient | Prisma.TransactionClient;

export function toRoomRecord(row: Room): RoomRecord {
  return {
    id: row.id,
    code: row.code,
    mode: row.mode,
    scenarioId: row.scenarioId,
    seed: Number(row.seed),
    stacked: row.stacked,
    status: row.status,
    timeLimitSec: row.timeLimitSec,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    lastSeq: row.lastSeq,
    brokenReason: row.brokenReason,
  };
}

export function toParticipantRecord(row: Participant): ParticipantRecord {
  return {
    id: row.id,
    roomId: row.roomId,
    name: row.name,
    role: row.role,
    tokenHash: row.tokenHash,
    createdAt: row.createdAt,
    lastSeenSeq: row.lastSeenSeq,
  };
}

/** True for a unique-constraint failure (P2002) on the named constraint, e.g. `Room_code_key`. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return false;
  return error.message.includes(constraint) || JSON.stringify(error.meta ?? {}).includes(constraint);
}

export async function createRoom(db: Db, room: NewRoom): Promise<CreateRoomOutcome> {
  try {
    const row = await db.room.create({
      data: {
        ...(room.id ? { id: room.id } : {}),
        code: room.code,
        mode: room.mode,
        scenarioId: room.scenarioId,
        seed: BigInt(room.seed),
        stacked: room.stacked ?? false,
        timeLimitSec: room.timeLimitSec,
      },
    });
    return { ok: true, room: toRoomRecord(row) };
  } catch (error) {
    if (isUniqueViolation(error, 'Room_code_key')) return { ok: false, code: 'code_taken' };
    throw error;
  }
}

export async function getRoom(db: Db, roomId: string): Promise<RoomRecord | null> {
  const row = await db.room.findUnique({ where: { id: roomId } });
  return row && toRoomRecord(row);
}

export async function findRoomByCode(db: Db, code: string): Promise<RoomRecord | null> {
  const row = await db.room.findUnique({ where: { code } });
  return row && toRoomRecord(row);
}

export async function listOpenRooms(db: Db): Promise<RoomRecord[]> {
  const rows = await db.room.findMany({ where: { status: { not: 'ended' }, brokenReason: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.map(toRoomRecord);
}

export async function markBroken(db: Db, roomId: string, reason: string): Promise<void> {
  await db.room.updateMany({ where: { id: roomId }, data: { brokenReason: reason } });
}

export async function createParticipants(db: Db, roomId: string, participants: NewParticipant[]): Promise<ParticipantRecord[]> {
  const created: ParticipantRecord[] = [];
  for (const participant of participants) {
    const row = await db.participant.create({
      data: {
        ...(participant.id ? { id: participant.id } : {}),
        roomId,
        name: participant.name,
        role: participant.role,
        tokenHash: participant.tokenHash,
      },
    });
    created.push(toParticipantRecord(row));
  }
  return created;
}

export async function listParticipants(db: Db, roomId: string): Promise<ParticipantRecord[]> {
  const rows = await db.participant.findMany({ where: { roomId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.map(toParticipantRecord);
}

export async function findParticipantByTokenHash(db: Db, tokenHash: string): Promise<ParticipantRecord | null> {
  const row = await db.participant.findUnique({ where: { tokenHash } });
  return row && toParticipantRecord(row);
}

export async function markSeen(db: Db, participantId: string, seq: number): Promise<void> {
  await db.participant.updateMany({ where: { id: participantId, lastSeenSeq: { lt: seq } }, data: { lastSeenSeq: seq } });
}
