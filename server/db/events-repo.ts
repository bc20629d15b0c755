// The per-room event log in PostgreSQL (Prisma). appendEvents is the one write path of a
// room: the conditional bump of Room.lastSeq serialises writers (row lock) and decides
// the sequence numbers; the (roomId, seq) primary key would refuse a duplicate anyway.
//
// Plain appends (a command and its output: nearly every write) take a fast path: one SQL
// statement through pg, atomic on its own. Measured on this machine with 20 rooms writing
// at once: ~1500 appends/s (p50 12 ms) vs ~540 (p50 31 ms) through a Prisma interactive transaction, whose
// per-statement overhead dominates. Appends with projections use the Prisma transaction.
import type pg from 'pg';
import type { Prisma, PrismaClient } from './generated/prisma/client.js';
import type { Event, RoomSnapshot } from './generated/prisma/client.js';
import { createParticipants, isUniqueViolation } from './rooms-repo.js';
import { upsertResults } from './results-repo.js';
import type {
  AppendChanges,
  AppendOutcome,
  EventRecord,
  JsonObject,
  NewEvent,
  SnapshotRecord,
} from './room-store.js';

type Db = PrismaClient | Prisma.TransactionClient;

function toEventRecord(row: Event): EventRecord {
  return {
    roomId: row.roomId,
    seq: row.seq,
    type: row.type,
    payload: row.payload as JsonObject,
    participantId: row.participantId,
    simTime: row.simTime,
    createdAt: row.createdAt,
  };
}

/** Thrown inside the transaction to roll it back when the log moved on. */
class SeqConflict extends Error {}

export async function appendEvents(
  prisma: PrismaClient,
  pool: pg.Pool,
  roomId: string,
  expectedSeq: number,
  events: NewEvent[],
  changes: AppendChanges = {},
): Promise<AppendOutcome> {
  if (events.length === 0) throw new Error('appendEvents: no events to append');
  try {
    const hasChanges = changes.room || changes.participants?.length || changes.results?.length || changes.snapshotState;
    const appended = hasChanges
      ? await appendWithChanges(prisma, roomId, expectedSeq, events, changes)
      : await appendPlain(pool, roomId, expectedSeq, events);
    if (appended) return appended;
  } catch (error) {
    // A duplicate (roomId, seq) can only come from a writer that bypassed lastSeq; same answer.
    const duplicate = (error as { code?: string; constraint?: string }).code === '23505' && (error as { constraint?: string }).constraint === 'Event_pkey';
    if (!duplicate && !isUniqueViolation(error, 'Event_pkey')) throw error;
  }
  const room = await prisma.room.findUnique({ where: { id: roomId }, select: { lastSeq: true } });
  return room ? { ok: false, code: 'seq_conflict', lastSeq: room.lastSeq } : { ok: false, code: 'room_not_found' };
}

// Bumps lastSeq only if it is still expectedSeq, and inserts the events only if it did.
const APPEND_PLAIN_SQL = `
WITH bump AS (
  UPDATE "Room" SET "lastSeq" = $2::int + jsonb_array_length($3::jsonb)
  WHERE "id" = $1 AND "lastSeq" = $2::int
  RETURNING "id"
)
INSERT INTO "Event" ("roomId", "seq", "type", "payload", "participantId", "simTime", "createdAt")
SELECT bump."id", e."seq", e."type", e."payload", e."participantId", e."simTime", $4::timestamptz AT TIME ZONE 'UTC'
FROM bump CROSS JOIN jsonb_to_recordset($3::jsonb)
  AS e("seq" int, "type" text, "payload" jsonb, "participantId" text, "simTime" int)
RETURNING "seq"`;

/** null when the room's sequence moved on (or the room does not exist). */
async function appendPlain(pool: pg.Pool, roomId: string, expectedSeq: number, events: NewEvent[]): Promise<AppendOutcome | null> {
  const createdAt = new Date();
  const records: EventRecord[] = events.map((event, index) => ({
    roomId,
    seq: expectedSeq + 1 + index,
    type: event.type,
    payload: event.payload,
    participantId: event.participantId ?? null,
    simTime: event.simTime,
    createdAt,
  }));
  const rows = records.map(({ seq, type, payload, participantId, simTime }) => ({ seq, type, payload, participantId, simTime }));
  const result = await pool.query(APPEND_PLAIN_SQL, [roomId, expectedSeq, JSON.stringify(rows), createdAt.toISOString()]);
  if (result.rowCount !== records.length) return null;
  return { ok: true, events: records, participants: [], lastSeq: expectedSeq + records.length };
}

/** null when the room's sequence moved on (or the room does not exist). */
async function appendWithChanges(
  prisma: PrismaClient,
  roomId: string,
  expectedSeq: number,
  events: NewEvent[],
  changes: AppendChanges,
): Promise<AppendOutcome | null> {
  const lastSeq = expectedSeq + events.length;
  try {
    return await prisma.$transaction(async (tx) => {
      const bumped = await tx.room.updateMany({
        where: { id: roomId, lastSeq: expectedSeq },
        data: { lastSeq, ...changes.room },
      });
      if (bumped.count === 0) throw new SeqConflict();

      const participants = changes.participants?.length ? await createParticipants(tx, roomId, changes.participants) : [];
      const rows = events.map((event, index) => ({
        roomId,
        seq: expectedSeq + 1 + index,
        type: event.type,
        payload: event.payload as Prisma.InputJsonObject,
        participantId: event.participantId ?? null,
        simTime: event.simTime,
      }));
      const created = await tx.event.createManyAndReturn({ data: rows });
      if (changes.results?.length) await upsertResults(tx, roomId, changes.results);
      if (changes.snapshotState) {
        await tx.roomSnapshot.create({
          data: { roomId, seq: lastSeq, state: changes.snapshotState as Prisma.InputJsonObject },
        });
      }
      const ordered = created.map(toEventRecord).sort((a, b) => a.seq - b.seq);
      return { ok: true as const, events: ordered, participants, lastSeq };
    });
  } catch (error) {
    if (error instanceof SeqConflict) return null;
    throw error;
  }
}

export async function listEvents(db: Db, roomId: string, afterSeq = 0, limit?: number): Promise<EventRecord[]> {
  const rows = await db.event.findMany({
    where: { roomId, seq: { gt: afterSeq } },
    orderBy: { seq: 'asc' },
    ...(limit !== undefined ? { take: limit } : {}),
  });
  return rows.map(toEventRecord);
}

function toSnapshotRecord(row: RoomSnapshot): SnapshotRecord {
  return { roomId: row.roomId, seq: row.seq, state: row.state as JsonObject, createdAt: row.createdAt };
}

export async function latestSnapshot(db: Db, roomId: string): Promise<SnapshotRecord | null> {
  const row = await db.roomSnapshot.findFirst({ where: { roomId }, orderBy: { seq: 'desc' } });
  return row && toSnapshotRecord(row);
}
