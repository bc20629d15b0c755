// Group commit for plain appends (a command and its output: nearly every write). Appends
// that arrive within the same event-loop turn, from any number of rooms, go to PostgreSQL
// as ONE statement — one transaction, one WAL flush — instead of one commit each. Each
// room keeps its own optimistic check: its events are inserted only if its lastSeq still
// is the expected one, so a stale writer of one room never blocks the others' appends.
//
// Ordering: a room's appends are written in the order they were queued, and never two of
// the same room at once (its next one waits for the previous batch). Durability is
// unchanged: each caller's promise settles only after the batch's COMMIT returned.
//
// While `maxInFlight` batches are being written, new appends wait and form the next batch:
// the busier the server, the larger the batches and the fewer the fsyncs per append.
import type pg from 'pg';
import type { EventRecord, NewEvent } from './room-store.js';
import { isStorageUnavailable } from './unavailable.js';

// Bumps each room's lastSeq only if it still is the expected one, and inserts the events
// of exactly the rooms it bumped. Prepared once per connection (named statement).
// The room ids also come as an array ($4) for `= ANY`: PostgreSQL soon runs a prepared
// statement with its generic plan, which guesses 100 rows for jsonb_to_recordset and then
// joins by scanning the whole Room table (every room ever played) on every append; `= ANY`
// makes it look the rooms up by primary key instead.
// This is the one statement every command's ack waits for: a check that the writer still
// owns the room (a fencing token) belongs in the `bumped` condition. Rows go in by room id
// (see write) so the fence's lease locks are taken in the order a renewal takes them.
const APPEND_BATCH_SQL = `
WITH appends AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS a("roomId" text, "expectedSeq" int, "count" int)
), bumped AS (
  UPDATE "Room" AS r SET "lastSeq" = a."expectedSeq" + a."count"
  FROM appends AS a
  WHERE r."id" = ANY($4::text[]) AND r."id" = a."roomId" AND r."lastSeq" = a."expectedSeq"
  RETURNING r."id"
)
INSERT INTO "Event" ("roomId", "seq", "type", "payload", "participantId", "simTime", "createdAt")
SELECT e."roomId", e."seq", e."type", e."payload", e."participantId", e."simTime", $3::timestamptz AT TIME ZONE 'UTC'
FROM json_to_recordset($2::json) AS e("roomId" text, "seq" int, "type" text, "payload" json, "participantId" text, "simTime" int)
JOIN bumped ON bumped."id" = e."roomId"
ORDER BY e."roomId", e."seq"
RETURNING "roomId"`;

const STATEMENT_NAME = 'kubedrill_append_batch';

// A batch of one room (every append of an idle or lightly loaded server): the same check
// and insert with the events as arrays, without decoding a JSON document of records
// (measured 0.53 ms against the batch statement's 0.76 ms for one command, on a quiet machine).
// The payloads go as one JSON array: as an array literal, pg escaped every quote of every
// output once more on the event loop (2.4% of a loaded server's CPU). Payloads are json
// (see the Event model): json functions, so their text, NUL escapes included, goes in as it is.
// Its row count says whether the room's events went in (no RETURNING rows to decode).
const APPEND_ONE_SQL = `
WITH bumped AS (
  UPDATE "Room" SET "lastSeq" = $2::int + cardinality($3::text[])
  WHERE "id" = $1 AND "lastSeq" = $2::int
  RETURNING "id"
)
INSERT INTO "Event" ("roomId", "seq", "type", "payload", "participantId", "simTime", "createdAt")
SELECT bumped."id", $2::int + e.ord::int, e.type, e.payload, e."participantId", e."simTime", $7::timestamptz AT TIME ZONE 'UTC'
FROM bumped, ROWS FROM (unnest($3::text[]), json_array_elements($4::json), unnest($5::text[]), unnest($6::int[])) WITH ORDINALITY AS e(type, payload, "participantId", "simTime", ord)`;

const ONE_STATEMENT_NAME = 'kubedrill_append_one';

interface QueuedAppend {
  roomId: string;
  expectedSeq: number;
  events: NewEvent[];
  /** The stored records, or null when the room's sequence moved on (or the room is gone). */
  resolve(records: EventRecord[] | null): void;
  reject(error: unknown): void;
}

export interface AppendWriterOptions {
  /**
   * Batches written at the same time (each holds a pool connection). Default 1: under load the
   * appends that arrive during a write form the next batch, so fewer statements and commits
   * carry them (200 rooms x 4 players: ~500 statements a second for 800 appends instead of
   * ~700, and 10% less server CPU a command; a batch of 12 appends takes 2 ms, one 1 ms).
   */
  maxInFlight?: number;
  /** Most appends in one statement. Default 500. */
  maxBatch?: number;
}

export class AppendWriter {
  private queue: QueuedAppend[] = [];
  private readonly writing = new Set<string>();
  private inFlight = 0;
  private scheduled = false;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;

  constructor(private readonly pool: pg.Pool, options: AppendWriterOptions = {}) {
    this.maxInFlight = options.maxInFlight ?? 1;
    this.maxBatch = options.maxBatch ?? 500;
  }

  /** Appends `events` at `expectedSeq` + 1…; null when the room's sequence is not `expectedSeq`. */
  append(roomId: string, expectedSeq: number, events: NewEvent[]): Promise<EventRecord[] | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ roomId, expectedSeq, events, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // After the current turn's I/O callbacks: every append they queued joins this batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight) {
      const batch = this.take();
      if (batch.length === 0) return;
      this.inFlight++;
      for (const item of batch) this.writing.add(item.roomId);
      void this.write(batch).finally(() => {
        for (const item of batch) this.writing.delete(item.roomId);
        this.inFlight--;
        this.schedule();
      });
    }
  }

  /** The next batch: queued appends in order, at most one per room, none of a room being written. */
  private take(): QueuedAppend[] {
    const batch: QueuedAppend[] = [];
    const rooms = new Set<string>();
    const rest: QueuedAppend[] = [];
    for (const item of this.queue) {
      if (batch.length < this.maxBatch && !rooms.has(item.roomId) && !this.writing.has(item.roomId)) {
        batch.push(item);
        rooms.add(item.roomId);
      } else {
        rest.push(item);
        rooms.add(item.roomId); // later appends of this room wait behind this one
      }
    }
    this.queue = rest;
    return batch;
  }

  private async write(batch: QueuedAppend[]): Promise<void> {
    // In room id order, as the rows go in (ORDER BY above): each event's fence takes its
    // room's lease FOR SHARE, and a lease renewal locks the same rows in room id order, so
    // both take them in one order and cannot deadlock (they did, in queue order, under load).
    batch.sort((x, y) => (x.roomId < y.roomId ? -1 : x.roomId > y.roomId ? 1 : 0));
    const createdAt = new Date();
    const records = batch.map((item) =>
      item.events.map((event, index): EventRecord => ({
        roomId: item.roomId,
        seq: item.expectedSeq + 1 + index,
        type: event.type,
        payload: event.payload,
        participantId: event.participantId ?? null,
        simTime: event.simTime,
        createdAt,
      })),
    );
    let result: pg.QueryResult<{ roomId: string }>;
    try {
      result = await this.pool.query<{ roomId: string }>(batch.length === 1 ? oneRoomQuery(batch[0]!, createdAt) : {
        name: STATEMENT_NAME,
        text: APPEND_BATCH_SQL,
        values: [
          JSON.stringify(batch.map((item) => ({ roomId: item.roomId, expectedSeq: item.expectedSeq, count: item.events.length }))),
          JSON.stringify(records.flat().map(({ roomId, seq, type, payload, participantId, simTime }) => ({ roomId, seq, type, payload, participantId, simTime }))),
          createdAt.toISOString(),
          batch.map((item) => item.roomId),
        ],
      });
    } catch (error) {
      // One bad append (say, an unknown participant) fails the whole statement: write each
      // on its own so the others still land and only the bad one reports the error. Not when
      // the database went away: that says nothing of any append, and the statement may have
      // committed with its answer lost. Each caller retries and checks the log then (the
      // runner's wasStored); written again here, they found their rooms moved on (null).
      if (batch.length > 1 && !isStorageUnavailable(error)) {
        await Promise.all(batch.map((item) => this.write([item])));
        return;
      }
      for (const item of batch) item.reject(error);
      return;
    }
    const inserted = new Map<string, number>();
    if (batch.length === 1) inserted.set(batch[0]!.roomId, result.rowCount ?? 0);
    else for (const row of result.rows) inserted.set(row.roomId, (inserted.get(row.roomId) ?? 0) + 1);
    batch.forEach((item, i) => item.resolve(inserted.get(item.roomId) === item.events.length ? records[i]! : null));
  }
}

function oneRoomQuery(item: QueuedAppend, createdAt: Date): pg.QueryConfig {
  const { roomId, expectedSeq, events } = item;
  return {
    name: ONE_STATEMENT_NAME,
    text: APPEND_ONE_SQL,
    values: [
      roomId,
      expectedSeq,
      events.map((e) => e.type),
      JSON.stringify(events.map((e) => e.payload)),
      events.map((e) => e.participantId ?? null),
      events.map((e) => e.simTime),
      createdAt.toISOString(),
    ],
  };
}
