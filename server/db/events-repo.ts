// The per-room event log in PostgreSQL (Prisma). appendEvents is the one write path of a
// room: the conditional bump of Room.lastSeq serialises writers (row lock) and decides
// the sequence numbers; the (roomId, seq) primary key would refuse a duplicate anyway.
//
// Plain appends (a command and its output: nearly every write) take a fast path: the
// AppendWriter groups those of every room arriving in the same event-loop turn into one
// prepared SQL statement (one commit, one WAL flush) with a per-room sequence check.
// A Prisma interactive transaction costs several round trips per append; it is kept for
// the rare appends with projections (room status, participants, results).
import type { Prisma, PrismaClient } from './generated/prisma/client.js';
import type { Event, RoomSnapshot } from './generated/prisma/client.js';
import type pg from 'pg';
import type { AppendWriter } from './append-writer.js';
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
  writer: AppendWriter,
  roomId: string,
  expectedSeq: number,
  events: NewEvent[],
  changes: AppendChanges = {},
): Promise<AppendOutcome> {
  if (events.length === 0) throw new Error('appendEvents: no events to append');
  try {
    const hasChanges = changes.room || changes.participants?.length || changes.results?.length;
    const appended = hasChanges
      ? await appendWithChanges(prisma, roomId, expectedSeq, events, changes)
      : await appendPlain(writer, roomId, expectedSeq, events);
    if (appended) return appended;
  } catch (error) {
    // A duplicate (roomId, seq) can only come from a writer that bypassed lastSeq; same answer.
    const duplicate = (error as { code?: string; constraint?: string }).code === '23505' && (error as { constraint?: string }).constraint === 'Event_pkey';
    if (!duplicate && !isUniqueViolation(error, 'Event_pkey')) throw error;
  }
  const room = await prisma.room.findUnique({ where: { id: roomId }, select: { lastSeq: true } });
  return room ? { ok: false, code: 'seq_conflict', lastSeq: room.lastSeq } : { ok: false, code: 'room_not_found' };
}

/** null when the room's sequence moved on (or the room does not exist). */
async function appendPlain(writer: AppendWriter, roomId: string, expectedSeq: number, events: NewEvent[]): Promise<AppendOutcome | null> {
  const records = await writer.append(roomId, expectedSeq, events);
  return records && { ok: true, events: records, participants: [], lastSeq: expectedSeq + records.length };
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

export async function listEventsAt(db: Db, roomId: string, seqs: readonly number[]): Promise<EventRecord[]> {
  const rows = await db.event.findMany({ where: { roomId, seq: { in: [...seqs] } }, orderBy: { seq: 'asc' } });
  return rows.map(toEventRecord);
}

function toSnapshotRecord(row: RoomSnapshot): SnapshotRecord {
  return { roomId: row.roomId, seq: row.seq, data: row.data, createdAt: row.createdAt };
}

export async function latestSnapshot(db: Db, roomId: string): Promise<SnapshotRecord | null> {
  const row = await db.roomSnapshot.findFirst({ where: { roomId }, orderBy: { seq: 'desc' } });
  return row && toSnapshotRecord(row);
}

// Insert and prune in one statement: one round trip and one commit, and no Prisma query
// compilation on the event loop (hundreds of rooms snapshot every few seconds under load).
// Its commit does not wait for the disk (synchronous_commit off for this transaction only):
// a snapshot is a cache of the log, and one lost with a database crash leaves the one before
// it (the insert and the prune commit or vanish together). Under load ~10 snapshots a second
// each waited for a WAL flush of their 70-100 KB, next to the appends that must.
const SAVE_SNAPSHOT_SQL = `
WITH unhurried AS (
  SELECT set_config('synchronous_commit', 'off', true)
), saved AS (
  INSERT INTO "RoomSnapshot" ("roomId", "seq", "data") SELECT $1::text, $2::int, $3::bytea FROM unhurried ON CONFLICT DO NOTHING
)
DELETE FROM "RoomSnapshot" WHERE "roomId" = $1 AND "seq" < $2`;

/** One row per room: the new snapshot replaces older ones (a concurrent later one wins). */
export async function saveSnapshot(pool: pg.Pool, roomId: string, seq: number, data: Uint8Array): Promise<void> {
  await pool.query({ name: 'kubedrill_save_snapshot', text: SAVE_SNAPSHOT_SQL, values: [roomId, seq, Buffer.from(data.buffer, data.byteOffset, data.byteLength)] });
}
