// One contract, three stores: the Prisma RoomStore on the real PostgreSQL, the same on the
// embedded PGlite, and the in-memory double the room logic's tests use.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../server/db/client.js';
import { createMemoryRoomStore } from '../../server/db/memory-room-store.js';
import type { NewEvent, NewRoom, RoomStore } from '../../server/db/room-store.js';
import { createTempDir, createTestDatabase, type TempDir, type TestDatabase } from '../helpers/db.js';

type Engine = 'postgresql' | 'pglite' | 'memory';

let uniq = 0;
const newRoom = (over: Partial<NewRoom> = {}): NewRoom => ({
  code: `CODE-${++uniq}-${randomUUID().slice(0, 8)}`,
  mode: 'interview',
  scenarioId: 'etcd-nospace',
  seed: 4_000_000_001, // above int32: stored as BIGINT, returned as a number
  timeLimitSec: 900,
  ...over,
});
const event = (type: string, simTime = 0, participantId: string | null = null): NewEvent => ({
  type,
  payload: { type, detail: { nested: [1, 'two', null] } },
  participantId,
  simTime,
});
const token = (): string => `sha256-${randomUUID()}`;

describe.each(['postgresql', 'pglite', 'memory'] as Engine[])('RoomStore on %s', (engine) => {
  let store: RoomStore;
  let db: Database | undefined;
  let testDb: TestDatabase | undefined;
  let tempDir: TempDir | undefined;

  beforeAll(async () => {
    if (engine === 'memory') {
      store = createMemoryRoomStore();
      return;
    }
    if (engine === 'postgresql') testDb = await createTestDatabase();
    else tempDir = await createTempDir();
    db = await openDatabase({ databaseUrl: testDb?.url, dataDir: tempDir?.path ?? '' });
    store = db.store;
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
    await tempDir?.remove();
  });

  async function createRoom(over: Partial<NewRoom> = {}) {
    const outcome = await store.createRoom(newRoom(over));
    if (!outcome.ok) throw new Error(outcome.code);
    return outcome.room;
  }

  it('creates a room in the lobby and refuses a taken join code', async () => {
    const room = await createRoom({ code: 'K7Q-MZ4P' });
    expect(room).toMatchObject({ code: 'K7Q-MZ4P', status: 'lobby', lastSeq: 0, seed: 4_000_000_001, startedAt: null });
    expect(await store.createRoom(newRoom({ code: 'K7Q-MZ4P' }))).toEqual({ ok: false, code: 'code_taken' });
    expect(await store.findRoomByCode('K7Q-MZ4P')).toEqual(room);
    expect(await store.getRoom(room.id)).toEqual(room);
    expect(await store.getRoom(randomUUID())).toBeNull();
  });

  it('appends events with consecutive sequence numbers and lists them after a sequence', async () => {
    const room = await createRoom();
    const first = await store.appendEvents(room.id, 0, [event('created'), event('joined')]);
    expect(first).toMatchObject({ ok: true, lastSeq: 2 });
    const second = await store.appendEvents(room.id, 2, [event('started', 0), event('command', 1500)]);
    expect(second.ok && second.events.map((e) => e.seq)).toEqual([3, 4]);

    const all = await store.listEvents(room.id);
    expect(all.map((e) => [e.seq, e.type, e.simTime])).toEqual([
      [1, 'created', 0],
      [2, 'joined', 0],
      [3, 'started', 0],
      [4, 'command', 1500],
    ]);
    expect(all[0]?.payload).toEqual({ type: 'created', detail: { nested: [1, 'two', null] } });
    // What the append returned is what was stored, timestamps included (UTC in any TZ).
    expect(all.slice(2)).toEqual(second.ok && second.events);
    expect(Math.abs(all[0]!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect((await store.listEvents(room.id, 2)).map((e) => e.seq)).toEqual([3, 4]);
    expect((await store.listEvents(room.id, 1, 2)).map((e) => e.seq)).toEqual([2, 3]);
    expect(await store.listEvents(room.id, 4)).toEqual([]);
    // By sequence number (a snapshot's outputs read back): those that exist, in order.
    expect((await store.listEventsAt(room.id, [4, 2, 9])).map((e) => e.seq)).toEqual([2, 4]);
    expect(await store.listEventsAt(room.id, [])).toEqual([]);
    expect((await store.getRoom(room.id))?.lastSeq).toBe(4);
  });

  it('keeps any string a payload carries: NULs (a tar on an exec\'s stdin), lone surrogates, escapes', async () => {
    const room = await createRoom();
    const bytes = { stdin: 'ustar\u0000\u0000bin\u0000\u00ff', odd: '\ud800 half', quoted: 'a "b" \\ c\n' };
    const plain = await store.appendEvents(room.id, 0, [{ type: 'api.request', payload: bytes, participantId: null, simTime: 0 }]);
    expect(plain.ok).toBe(true);
    // The transaction path (events with room changes) too.
    const changed = await store.appendEvents(room.id, 1, [{ type: 'room.started', payload: bytes, participantId: null, simTime: 0 }], { room: { status: 'running' } });
    expect(changed.ok).toBe(true);
    expect((await store.listEvents(room.id)).map((e) => e.payload)).toEqual([bytes, bytes]);
  });

  it('refuses a stale expected sequence without writing anything', async () => {
    const room = await createRoom();
    await store.appendEvents(room.id, 0, [event('created')]);
    expect(await store.appendEvents(room.id, 0, [event('duplicate')], { room: { status: 'running' } })).toEqual({
      ok: false,
      code: 'seq_conflict',
      lastSeq: 1,
    });
    expect(await store.appendEvents(room.id, 5, [event('ahead')])).toEqual({ ok: false, code: 'seq_conflict', lastSeq: 1 });
    expect((await store.listEvents(room.id)).map((e) => e.type)).toEqual(['created']);
    expect((await store.getRoom(room.id))?.status).toBe('lobby');
    expect(await store.appendEvents(randomUUID(), 0, [event('x')])).toEqual({ ok: false, code: 'room_not_found' });
  });

  it('lets exactly one of many concurrent appends at the same sequence win', async () => {
    const room = await createRoom();
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.appendEvents(room.id, 0, [event(`writer-${i}`), event(`writer-${i}-b`)])),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok)).toEqual(Array(7).fill({ ok: false, code: 'seq_conflict', lastSeq: 2 }));
    const log = await store.listEvents(room.id);
    expect(log.map((e) => e.seq)).toEqual([1, 2]);
    expect(log[1]?.type).toBe(`${log[0]?.type}-b`);
  });

  it('applies room changes and new participants atomically with the events', async () => {
    const room = await createRoom();
    const hostId = randomUUID();
    const hostToken = token();
    const startedAt = new Date('2025-01-02T03:04:05.678Z');
    const outcome = await store.appendEvents(room.id, 0, [event('joined', 0, hostId), event('started', 0, hostId)], {
      participants: [{ id: hostId, name: 'Interviewer', role: 'host', tokenHash: hostToken }],
      room: { status: 'running', startedAt, timeLimitSec: 1200 },
    });
    expect(outcome.ok && outcome.participants).toEqual([expect.objectContaining({ id: hostId, name: 'Interviewer', role: 'host', lastSeenSeq: 0 })]);
    expect(await store.getRoom(room.id)).toMatchObject({ status: 'running', startedAt, timeLimitSec: 1200, lastSeq: 2 });
    expect((await store.findParticipantByTokenHash(hostToken))?.id).toBe(hostId);
    expect(await store.findParticipantByTokenHash(token())).toBeNull();
    expect((await store.listEvents(room.id)).map((e) => e.participantId)).toEqual([hostId, hostId]);

    await store.markSeen(hostId, 2);
    await store.markSeen(hostId, 1); // a late ack never lowers it
    expect((await store.listParticipants(room.id)).map((p) => [p.name, p.lastSeenSeq])).toEqual([['Interviewer', 2]]);
  });

  it('lists open rooms only', async () => {
    const open = await createRoom();
    const ended = await createRoom();
    await store.appendEvents(ended.id, 0, [event('ended')], { room: { status: 'ended', endedAt: new Date() } });
    const ids = (await store.listOpenRooms()).map((r) => r.id);
    expect(ids).toContain(open.id);
    expect(ids).not.toContain(ended.id);
  });

  it('keeps the latest snapshot with the sequence it follows, bytes intact, and drops older ones', async () => {
    const room = await createRoom();
    expect(await store.latestSnapshot(room.id)).toBeNull();
    await store.appendEvents(room.id, 0, [event('a'), event('b')]);
    await store.saveSnapshot(room.id, 2, new Uint8Array([0, 1, 2, 255]));
    await store.appendEvents(room.id, 2, [event('c')]);
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
    await store.saveSnapshot(room.id, 3, bytes);
    // A late write of an older snapshot never hides the newer one.
    await store.saveSnapshot(room.id, 1, new Uint8Array([9]));
    const latest = await store.latestSnapshot(room.id);
    expect(latest).toMatchObject({ roomId: room.id, seq: 3 });
    expect(Buffer.from(latest!.data).equals(Buffer.from(bytes))).toBe(true);
  });

  it('marks a room broken: it is no longer listed as open, and says why', async () => {
    const room = await createRoom();
    expect((await store.listOpenRooms()).map((r) => r.id)).toContain(room.id);
    expect((await store.getRoom(room.id))?.brokenReason).toBeNull();
    await store.markBroken(room.id, 'the log does not start with room.created');
    expect((await store.listOpenRooms()).map((r) => r.id)).not.toContain(room.id);
    expect((await store.getRoom(room.id))?.brokenReason).toBe('the log does not start with room.created');
  });

  it('stores results, replaces them on adjustment, and ranks the leaderboard per scenario and mode', async () => {
    const scenarioId = `lb-${randomUUID()}`;
    const play = async (mode: 'solo' | 'interview', name: string, score: number, durationMs: number) => {
      const room = await createRoom({ mode, scenarioId });
      const id = randomUUID();
      await store.appendEvents(room.id, 0, [event('joined', 0, id)], {
        participants: [{ id, name, role: 'player', tokenHash: token() }],
      });
      await store.appendEvents(room.id, 1, [event('ended')], {
        room: { status: 'ended' },
        results: [{ participantId: id, score, maxScore: 100, breakdown: { rootCause: score }, durationMs }],
      });
      return { room, id };
    };
    const ana = await play('solo', 'ana', 80, 300_000);
    await play('solo', 'bo', 80, 200_000);
    await play('solo', 'cy', 95, 600_000);
    await play('interview', 'dee', 99, 100_000);

    // An interviewer's adjustment replaces the result.
    await store.appendEvents(ana.room.id, 2, [event('score_adjusted')], {
      results: [{ participantId: ana.id, score: 60, maxScore: 100, breakdown: { rootCause: 60, adjusted: -20 }, durationMs: 300_000 }],
    });
    expect(await store.listResults(ana.room.id)).toEqual([
      expect.objectContaining({ score: 60, breakdown: { rootCause: 60, adjusted: -20 }, scenarioId, seed: 4_000_000_001 }),
    ]);

    const solo = await store.leaderboard(scenarioId, { mode: 'solo' });
    expect(solo.map((e) => [e.rank, e.name, e.score])).toEqual([
      [1, 'cy', 95],
      [2, 'bo', 80],
      [3, 'ana', 60],
    ]);
    expect((await store.leaderboard(scenarioId, { limit: 2 })).map((e) => e.name)).toEqual(['dee', 'cy']);
    expect(await store.leaderboard(`none-${randomUUID()}`)).toEqual([]);
  });
});

describe('Prisma RoomStore against a writer that bypassed the sequence', () => {
  let testDb: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await openDatabase({ databaseUrl: testDb.url, dataDir: '' });
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('reports a duplicate (roomId, seq) as a sequence conflict, writing nothing', async () => {
    const created = await db.store.createRoom(newRoom());
    if (!created.ok) throw new Error('room');
    await db.pool.query(
      `INSERT INTO "Event" ("roomId", seq, type, payload, "simTime") VALUES ($1, 1, 'rogue', '{}', 0)`,
      [created.room.id],
    );
    expect(await db.store.appendEvents(created.room.id, 0, [event('created')])).toEqual({ ok: false, code: 'seq_conflict', lastSeq: 0 });
    expect((await db.store.listEvents(created.room.id)).map((e) => e.type)).toEqual(['rogue']);
  });
});
