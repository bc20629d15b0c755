// Room leases and the fence on the real PostgreSQL: two "processes" (two connection pools,
// each carrying its incarnation as kubedrill.owner) share one database. Only the holder of
// an unexpired lease may append to a room, on both write paths (the group commit and the
// Prisma transaction with projections) and for snapshots; a lease changes hands only when
// it ran out or was released; a connection without an incarnation is not fenced.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../server/db/client.js';
import { isNotLeased, LeaseRepo } from '../../server/db/leases-repo.js';
import type { NewEvent } from '../../server/db/room-store.js';
import { RoomRegistry, ELSEWHERE, type RoomClaims } from '../../server/rooms/registry.js';
import type { RoomRunner } from '../../server/rooms/runner.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { fakeCatalog } from '../unit/rooms-fake.js';

let testDb: TestDatabase;
let a: Database;
let b: Database;
let plain: Database;
const ownerA = randomUUID();
const ownerB = randomUUID();
let leasesA: LeaseRepo;
let leasesB: LeaseRepo;

const event = (type: string): NewEvent => ({ type, payload: { type }, participantId: null, simTime: 0 });

beforeAll(async () => {
  testDb = await createTestDatabase();
  a = await openDatabase({ databaseUrl: testDb.url, dataDir: '' }, { owner: ownerA, poolMax: 2 });
  b = await openDatabase({ databaseUrl: testDb.url, dataDir: '' }, { owner: ownerB, poolMax: 2 });
  plain = await openDatabase({ databaseUrl: testDb.url, dataDir: '' }, { poolMax: 2 });
  leasesA = new LeaseRepo(a.pool, ownerA, 'http://a');
  leasesB = new LeaseRepo(b.pool, ownerB, 'http://b');
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.close(), b?.close(), plain?.close()]);
  await testDb?.drop();
});

async function newRoom(): Promise<string> {
  const created = await a.store.createRoom({ code: `L-${randomUUID().slice(0, 8)}`, mode: 'gameday', scenarioId: 'etcd-nospace', seed: 1, timeLimitSec: 900 });
  if (!created.ok) throw new Error('room not created');
  return created.room.id;
}

async function refused(append: Promise<unknown>): Promise<boolean> {
  try {
    await append;
    return false;
  } catch (error) {
    return isNotLeased(error);
  }
}

it('lets only the lease holder append, on both write paths and for snapshots', async () => {
  const roomId = await newRoom();
  expect(await leasesA.claim(roomId, 10_000)).toEqual({ held: true, token: 1 });
  expect(await leasesB.claim(roomId, 10_000)).toMatchObject({ held: false, owner: ownerA, ownerUrl: 'http://a' });
  // The holder: a plain append (group commit) and one with projections (Prisma transaction).
  expect((await a.store.appendEvents(roomId, 0, [event('room.created')])).ok).toBe(true);
  expect((await a.store.appendEvents(roomId, 1, [event('room.started')], { room: { status: 'running' } })).ok).toBe(true);
  await a.store.saveSnapshot(roomId, 2, new Uint8Array([1, 2, 3]));
  // Another process: refused by the database, whatever the path.
  expect(await refused(b.store.appendEvents(roomId, 2, [event('tick')]))).toBe(true);
  expect(await refused(b.store.appendEvents(roomId, 2, [event('room.paused')], { room: { status: 'paused' } }))).toBe(true);
  expect(await refused(b.store.saveSnapshot(roomId, 2, new Uint8Array([9])))).toBe(true);
  expect((await plain.store.listEvents(roomId)).map((e) => e.seq)).toEqual([1, 2]);
  // A connection without an incarnation (single process, tools) is not fenced.
  expect((await plain.store.appendEvents(roomId, 2, [event('tick')])).ok).toBe(true);
});

it('moves a lease only once it ran out or was released, and refuses the deposed owner', async () => {
  const roomId = await newRoom();
  expect(await leasesA.claim(roomId, 300)).toEqual({ held: true, token: 1 });
  expect((await a.store.appendEvents(roomId, 0, [event('room.created')])).ok).toBe(true);
  // Renewing keeps it; re-claiming by the holder keeps the token.
  expect(await leasesA.renew([roomId], 300)).toEqual(new Set([roomId]));
  expect(await leasesA.claim(roomId, 300)).toEqual({ held: true, token: 1 });
  await new Promise((r) => setTimeout(r, 400));
  // Expired: A can no longer renew or append; B takes it over (the token goes up).
  expect(await leasesA.renew([roomId], 300)).toEqual(new Set());
  expect(await refused(a.store.appendEvents(roomId, 1, [event('late')]))).toBe(true);
  expect(await leasesB.claim(roomId, 10_000)).toEqual({ held: true, token: 2 });
  expect(await refused(a.store.appendEvents(roomId, 1, [event('late')]))).toBe(true);
  expect((await b.store.appendEvents(roomId, 1, [event('room.started')], { room: { status: 'running' } })).ok).toBe(true);
  expect(await leasesA.claim(roomId, 10_000)).toMatchObject({ held: false, owner: ownerB });
  // Released: free at once for another.
  await leasesB.release([roomId]);
  expect(await leasesA.claim(roomId, 10_000)).toEqual({ held: true, token: 3 });
  // Ended by another process that found A dead (nothing listening where A was), naming A:
  // naming anyone else changes nothing.
  await leasesB.expireOf(roomId, ownerB);
  expect(await leasesB.claim(roomId, 10_000)).toMatchObject({ held: false, owner: ownerA });
  await leasesB.expireOf(roomId, ownerA);
  expect(await leasesB.claim(roomId, 10_000)).toEqual({ held: true, token: 4 });
  expect(await refused(a.store.appendEvents(roomId, 2, [event('late')]))).toBe(true);
});

it('lists running rooms without a live lease as orphans', async () => {
  const running = await newRoom();
  expect(await leasesA.claim(running, 10_000)).toMatchObject({ held: true });
  expect((await a.store.appendEvents(running, 0, [event('room.started')], { room: { status: 'running' } })).ok).toBe(true);
  const lobby = await newRoom();
  expect(await leasesA.orphans(100)).not.toContain(running);
  // Its owner stops renewing (dies): once the lease ran out, the room is an orphan.
  expect(await leasesA.claim(running, 100)).toMatchObject({ held: true });
  await new Promise((r) => setTimeout(r, 200));
  const orphans = await leasesB.orphans(100);
  expect(orphans).toContain(running);
  expect(orphans).not.toContain(lobby);
  // A room that does not exist has nothing to own: the caller serves it (and answers not found).
  expect(await leasesB.claim(randomUUID(), 1000)).toEqual({ held: true, token: 0 });
});

/** The registry's view of a lease repo (what server/fleet/ownership.ts gives it, without renewals). */
const claimsOf = (leases: LeaseRepo, ttlMs: number): RoomClaims => ({
  claim: async (roomId) => {
    const claim = await leases.claim(roomId, ttlMs);
    return claim.held ? undefined : claim;
  },
  forget: () => undefined,
});

it('closes a deposed owner\'s room: its late action is refused by the database, answered unavailable, and the room leaves its memory', async () => {
  const evicted: RoomRunner[] = [];
  const first = new RoomRegistry({ store: a.store, catalog: fakeCatalog(), tickMs: 0, claims: claimsOf(leasesA, 6_000), onEvicted: (r) => evicted.push(r) });
  const second = new RoomRegistry({ store: b.store, catalog: fakeCatalog(), tickMs: 0, claims: claimsOf(leasesB, 10_000) });
  const created = await first.create({ scenarioId: 'fake', mode: 'gameday', seed: 7, name: 'Hana' });
  if (!('runner' in created)) throw new Error(created.error.message);
  const host = { participantId: created.participantId, role: 'host' as const };
  expect((await created.runner.act(host, { type: 'start' })).ok).toBe(true);
  // Owned by the first process: the second does not open it.
  expect(await second.get(created.runner.room.id)).toEqual({ ok: false, error: { code: 'unavailable', message: ELSEWHERE } });
  // The first stops renewing (say, cut off); once its lease ran out, the second takes the room over.
  await new Promise((r) => setTimeout(r, 6_100));
  const taken = await second.get(created.runner.room.id);
  if (!('room' in taken)) throw new Error(taken.error.message);
  expect((await taken.act(host, { type: 'note', text: 'new owner' })).ok).toBe(true);
  // The deposed first owner still has the room in memory. Its late write is refused by the
  // sequence check (the log moved on; it reloads it), the next one by the fence: closed.
  expect(await created.runner.act(host, { type: 'note', text: 'late write' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
  expect(await created.runner.act(host, { type: 'note', text: 'later write' })).toEqual({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('moved') } });
  expect(first.inMemory(created.runner.room.id)).toBeUndefined();
  expect(evicted).toEqual([created.runner]);
  const log = await plain.store.listEvents(created.runner.room.id);
  expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
  expect(log.filter((e) => e.type === 'note.added').map((e) => e.payload.text)).toEqual(['new owner']);
  first.dispose();
  second.dispose();
});

it('gives up the lease of a room it claimed but could not open (a broken log), instead of renewing it for good', async () => {
  const forgotten: string[] = [];
  // What the others' scan would read as the lease goes: already marked, so none adopts it.
  let marked: Promise<string | null | undefined> | undefined;
  const claims: RoomClaims = {
    ...claimsOf(leasesA, 30_000),
    forget: (roomId) => {
      forgotten.push(roomId);
      marked = a.store.getRoom(roomId).then((room) => room?.brokenReason);
    },
  };
  const registry = new RoomRegistry({ store: a.store, catalog: fakeCatalog(), tickMs: 0, claims });
  // A room row without a log: claimed, then refused as broken.
  const created = await a.store.createRoom({ code: `B-${randomUUID().slice(0, 8)}`, mode: 'gameday', scenarioId: 'fake', seed: 1, timeLimitSec: 900 });
  if (!created.ok) throw new Error('room not created');
  expect(await registry.get(created.room.id)).toMatchObject({ ok: false, error: { code: 'room_broken' } });
  expect(forgotten).toEqual([created.room.id]);
  expect(await marked).toMatch(/cannot be rebuilt/);
  registry.dispose();
});

/** Two new rooms with leases held by the first process, the one with the greater id leased (so stored) first. */
async function twoLeasedRooms(): Promise<[string, string]> {
  const [low, high] = [await newRoom(), await newRoom()].sort() as [string, string];
  expect(await leasesA.claim(high, 30_000)).toMatchObject({ held: true });
  expect(await leasesA.claim(low, 30_000)).toMatchObject({ held: true });
  return [low, high];
}

// A renewal and an append batch of many rooms both lock several lease rows (the batch's fence
// FOR SHARE). Taken in different orders they deadlock, and a failed renewal costs the process
// every room it holds (seen with 40 rooms on 3 processes under a rolling deploy). Both take
// them in room id order; each test plays the other side by hand in that order.
it('renews leases locking them in room id order, so an append batch holding the first one cannot deadlock it', async () => {
  const [low, high] = await twoLeasedRooms();
  const append = await a.pool.connect(); // an append batch of the same process: locks low, then high
  try {
    await append.query('BEGIN');
    await append.query('SELECT 1 FROM "RoomLease" WHERE "roomId" = $1 FOR SHARE', [low]);
    const renewal = leasesA.renew([high, low], 30_000).then((kept) => [...kept].sort(), (error: unknown) => error);
    await new Promise((r) => setTimeout(r, 300));
    await append.query('SELECT 1 FROM "RoomLease" WHERE "roomId" = $1 FOR SHARE', [high]);
    await append.query('COMMIT');
    expect(await renewal).toEqual([low, high]);
  } finally {
    append.release();
  }
}, 20_000);

it('writes an append batch in room id order, so a renewal holding the first lease cannot deadlock it', async () => {
  const [low, high] = await twoLeasedRooms();
  const { AppendWriter } = await import('../../server/db/append-writer.js');
  const writer = new AppendWriter(a.pool);
  const renewal = await plain.pool.connect(); // a renewal: locks low, then high
  try {
    await renewal.query('BEGIN');
    await renewal.query('SELECT 1 FROM "RoomLease" WHERE "roomId" = $1 FOR NO KEY UPDATE', [low]);
    // One batch (queued in the same turn), the greater room id first. A deadlock would not
    // show as an error here (the writer writes a failed batch's rooms again one by one) but
    // as the deadlock_timeout (1 s) the database waits before it looks for one.
    const began = performance.now();
    const written = Promise.all([writer.append(high, 0, [event('x')]), writer.append(low, 0, [event('y')])]).then(
      (records) => records.map((r) => r?.length),
      (error: unknown) => error,
    );
    await new Promise((r) => setTimeout(r, 300));
    await renewal.query('SELECT 1 FROM "RoomLease" WHERE "roomId" = $1 FOR NO KEY UPDATE', [high]);
    await renewal.query('COMMIT');
    expect(await written).toEqual([1, 1]);
    expect(performance.now() - began).toBeLessThan(900);
  } finally {
    renewal.release();
  }
}, 20_000);
