// Group commit on the real PostgreSQL: appends of many rooms arriving together become one
// statement (one commit), each room keeping its own sequence check and order, and one bad
// append failing alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { AppendWriter } from '../../server/db/append-writer.js';
import { openDatabase, type Database } from '../../server/db/client.js';
import type { NewEvent } from '../../server/db/room-store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let testDb: TestDatabase;
let db: Database;
let statements = 0;
let writer: AppendWriter;
/** The last statement the writer sent. */
let sent: { text: string; values: unknown[] } | undefined;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = await openDatabase({ databaseUrl: testDb.url, dataDir: '' });
  // The pool as the writer sees it, counting the statements it sends.
  const counting = {
    query: (...args: unknown[]) => {
      statements++;
      sent = args[0] as typeof sent;
      return (db.pool.query as (...a: unknown[]) => unknown)(...args);
    },
  } as unknown as pg.Pool;
  writer = new AppendWriter(counting);
});
afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

let uniq = 0;
async function newRooms(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = await db.store.createRoom({ code: `W${++uniq}`.padEnd(8, 'X'), mode: 'gameday', scenarioId: 'x', seed: 1, timeLimitSec: 60 });
    if (!created.ok) throw new Error('room');
    ids.push(created.room.id);
  }
  return ids;
}
const ev = (line: string, participantId: string | null = null): NewEvent => ({ type: 'command', simTime: 0, participantId, payload: { line, output: `out of ${line}\n` } });

describe('AppendWriter', () => {
  it('writes the appends of 50 rooms arriving in one turn as one statement, each at its own sequence', async () => {
    const rooms = await newRooms(50);
    statements = 0;
    const results = await Promise.all(rooms.map((id, i) => writer.append(id, 0, [ev(`a${i}`), ev(`b${i}`)])));
    expect(statements).toBe(1);
    expect(results.every((r) => r?.map((e) => e.seq).join() === '1,2')).toBe(true);
    for (const [i, id] of rooms.entries()) {
      expect((await db.store.listEvents(id)).map((e) => `${e.seq}:${e.payload.line}`)).toEqual([`1:a${i}`, `2:b${i}`]);
      expect((await db.store.getRoom(id))?.lastSeq).toBe(2);
    }
  });

  it('writes one batch at a time: the appends that arrive while it is written go together in the next', async () => {
    const rooms = await newRooms(4);
    // The first statement is held until the others have arrived, whatever the machine's speed.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let sentCount = 0;
    const gated = new AppendWriter({
      query: async (...args: unknown[]) => {
        if (sentCount++ === 0) await held;
        return (db.pool.query as (...a: unknown[]) => unknown)(...args);
      },
    } as unknown as pg.Pool);
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const first = gated.append(rooms[0]!, 0, [ev('first')]);
    await turn(); // the first batch is on its way
    const later: Promise<unknown>[] = [];
    for (const id of rooms.slice(1)) {
      later.push(gated.append(id, 0, [ev('later')]));
      await turn();
    }
    expect(sentCount).toBe(1);
    release();
    await Promise.all([first, ...later]);
    expect(sentCount).toBe(2);
  });

  it('refuses a stale append of one room without affecting the others in the batch', async () => {
    const [a, b] = await newRooms(2);
    await writer.append(a!, 0, [ev('first')]);
    const [stale, fresh] = await Promise.all([writer.append(a!, 0, [ev('stale')]), writer.append(b!, 0, [ev('fresh')])]);
    expect(stale).toBeNull();
    expect(fresh?.[0]?.seq).toBe(1);
    expect((await db.store.listEvents(a!)).map((e) => e.payload.line)).toEqual(['first']);
  });

  it('keeps one room\'s appends in order when several are queued at once', async () => {
    const [room] = await newRooms(1);
    const results = await Promise.all([writer.append(room!, 0, [ev('one')]), writer.append(room!, 1, [ev('two'), ev('three')]), writer.append(room!, 3, [ev('four')])]);
    expect(results.map((r) => r?.map((e) => e.seq))).toEqual([[1], [2, 3], [4]]);
    expect((await db.store.listEvents(room!)).map((e) => e.payload.line)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('fails only the bad append when one of a batch breaks a constraint', async () => {
    const [good, bad] = await newRooms(2);
    const [ok, failed] = await Promise.allSettled([writer.append(good!, 0, [ev('fine')]), writer.append(bad!, 0, [ev('who', 'no-such-participant')])]);
    expect(ok).toMatchObject({ status: 'fulfilled', value: [{ seq: 1 }] });
    expect(failed).toMatchObject({ status: 'rejected', reason: { code: '23503' } });
    expect((await db.store.getRoom(bad!))?.lastSeq).toBe(0);
    expect(await db.store.listEvents(bad!)).toEqual([]);
  });

  it('fails every append of a batch whose connection was lost, rather than writing them again one by one', async () => {
    // The batch committed and its answer was lost with the connection: each caller must hear
    // "unavailable" and check the log (the runner's wasStored). Written again on their own,
    // the appends found their rooms moved on and answered null, which a runner takes as a
    // conflict on its first try: the client told its stored command failed, nobody else told of it.
    const lost = new AppendWriter({
      query: async (...args: unknown[]) => {
        const result = await (db.pool.query as (...a: unknown[]) => Promise<unknown>)(...args);
        if ((args[0] as { name?: string }).name === 'kubedrill_append_batch') throw new Error('Connection terminated unexpectedly');
        return result;
      },
    } as unknown as pg.Pool);
    const [a, b] = await newRooms(2);
    const settled = await Promise.allSettled([lost.append(a!, 0, [ev('one')]), lost.append(b!, 0, [ev('two')])]);
    for (const outcome of settled) expect(outcome).toMatchObject({ status: 'rejected', reason: { message: 'Connection terminated unexpectedly' } });
    for (const room of [a!, b!]) expect((await db.store.getRoom(room))?.lastSeq).toBe(1);
  });

  it('looks rooms up by primary key even in the generic plan PostgreSQL switches a prepared statement to', async () => {
    // Many rooms, as a server that has run for a while has: a plan that scans Room costs
    // every append more as rooms accumulate (jsonb_to_recordset is guessed at 100 rows).
    await db.pool.query(`INSERT INTO "Room" ("id", "code", "mode", "scenarioId", "seed", "status", "timeLimitSec", "lastSeq")
      SELECT 'plan-' || g, 'P' || g, 'gameday', 'x', 1, 'running', 60, 0 FROM generate_series(1, 5000) AS g`);
    await db.pool.query('ANALYZE "Room"');
    const plans: string[] = [];
    // One room's append (its own statement), then two rooms' in one turn (the batch statement).
    const [one, a, b] = await newRooms(3);
    expect(await writer.append(one!, 0, [ev('kubectl get pods'), ev('date')])).not.toBeNull();
    plans.push(await genericPlan(sent!));
    const both = await Promise.all([writer.append(a!, 0, [ev('kubectl get pods')]), writer.append(b!, 0, [ev('date')])]);
    expect(both.every((records) => records !== null)).toBe(true);
    plans.push(await genericPlan(sent!));
    expect(plans[0]).not.toEqual(plans[1]);
    for (const plan of plans) {
      expect(plan).toMatch(/Index Scan (using|on) "Room_pkey"/);
      expect(plan).not.toMatch(/Seq Scan on "Room"/);
    }
  });

  it('stores a one-room append of several events with their types, payloads, participants and times', async () => {
    const [room] = await newRooms(1);
    const events: NewEvent[] = [
      { type: 'tick', simTime: 5, participantId: null, payload: { ms: 5 } },
      { type: 'command', simTime: 5, participantId: null, payload: { line: `echo '"{\\}"'`, output: 'tab\there "quoted" \\ ü\n', nested: { list: [1, null, 'x'] } } },
    ];
    const records = await writer.append(room!, 0, events);
    expect(records?.map((r) => r.seq)).toEqual([1, 2]);
    const stored = await db.pool.query('SELECT "seq", "type", "payload", "simTime" FROM "Event" WHERE "roomId" = $1 ORDER BY "seq"', [room]);
    expect(stored.rows).toEqual(events.map((e, i) => ({ seq: i + 1, type: e.type, payload: e.payload, simTime: e.simTime })));
    expect(await writer.append(room!, 0, [ev('late')])).toBeNull(); // the sequence moved on
  });
});

/** The plan PostgreSQL's generic plan gives the statement `sent` (EXPLAIN takes no bind parameters: values go in as literals). */
async function genericPlan(sent: { text: string; values: unknown[] }): Promise<string> {
  const client = await db.pool.connect();
  try {
    await client.query('SET plan_cache_mode = force_generic_plan');
    await client.query(`PREPARE append_plan AS ${sent.text}`);
    const element = (value: unknown): string => (value === null ? 'NULL' : `"${String(value).replace(/[\\"]/g, '\\$&')}"`);
    // An untyped literal takes the parameter's type, arrays included (`{…}` is PostgreSQL's array text).
    const literal = (value: unknown): string => client.escapeLiteral(Array.isArray(value) ? `{${value.map(element).join(',')}}` : String(value));
    const explained = await client.query(`EXPLAIN EXECUTE append_plan(${sent.values.map(literal).join(', ')})`);
    return explained.rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query('DEALLOCATE append_plan; RESET plan_cache_mode');
    client.release();
  }
}
