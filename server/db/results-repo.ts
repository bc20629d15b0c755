// Results and the per-scenario leaderboard in PostgreSQL (Prisma).
import type { Prisma, PrismaClient } from './generated/prisma/client.js';
import type { Result } from './generated/prisma/client.js';
import type { JsonObject, LeaderboardEntry, NewResult, ResultRecord, RoomMode } from './room-store.js';

type Db = PrismaClient | Prisma.TransactionClient;

function toResultRecord(row: Result): ResultRecord {
  return {
    roomId: row.roomId,
    participantId: row.participantId,
    scenarioId: row.scenarioId,
    seed: Number(row.seed),
    score: row.score,
    maxScore: row.maxScore,
    breakdown: row.breakdown as JsonObject,
    durationMs: row.durationMs,
    createdAt: row.createdAt,
  };
}

/** Writes results of a room; scenario and seed are copied from the room so the leaderboard needs no join. */
export async function upsertResults(db: Db, roomId: string, results: NewResult[]): Promise<void> {
  const room = await db.room.findUniqueOrThrow({ where: { id: roomId }, select: { scenarioId: true, seed: true } });
  for (const result of results) {
    const values = {
      score: result.score,
      maxScore: result.maxScore,
      breakdown: result.breakdown as Prisma.InputJsonObject,
      durationMs: result.durationMs,
    };
    await db.result.upsert({
      where: { roomId_participantId: { roomId, participantId: result.participantId } },
      create: { roomId, participantId: result.participantId, scenarioId: room.scenarioId, seed: room.seed, ...values },
      update: values,
    });
  }
}

export async function listResults(db: Db, roomId: string): Promise<ResultRecord[]> {
  const rows = await db.result.findMany({ where: { roomId }, orderBy: [{ score: 'desc' }, { durationMs: 'asc' }] });
  return rows.map(toResultRecord);
}

export async function leaderboard(
  db: Db,
  scenarioId: string,
  options: { limit?: number; mode?: RoomMode } = {},
): Promise<LeaderboardEntry[]> {
  const rows = await db.result.findMany({
    where: { scenarioId, ...(options.mode ? { room: { mode: options.mode } } : {}) },
    orderBy: [{ score: 'desc' }, { durationMs: 'asc' }, { createdAt: 'asc' }],
    take: options.limit ?? 20,
    include: { participant: { select: { name: true } } },
  });
  return rows.map((row, index) => ({
    rank: index + 1,
    roomId: row.roomId,
    participantId: row.participantId,
    name: row.participant.name,
    seed: Number(row.seed),
    score: row.score,
    maxScore: row.maxScore,
    durationMs: row.durationMs,
    createdAt: row.createdAt,
  }));
}
