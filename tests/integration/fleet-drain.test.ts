// A rolling deploy (SIGTERM): Ownership.drain hands each room over and gives its lease up. A
// room is released and announced (Redis) as soon as it is handed over, not when the slowest
// room of the process is: its clients, disconnected by the hand-over, resume elsewhere at once.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../server/db/client.js';
import { LeaseRepo } from '../../server/db/leases-repo.js';
import { Ownership, RELEASED_CHANNEL } from '../../server/fleet/ownership.js';
import { connectedRedis, ownerOf } from '../helpers/cluster.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let testDb: TestDatabase;
let db: Database;
const redis: Redis[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = await openDatabase({ databaseUrl: testDb.url, dataDir: '' }, { poolMax: 4 });
}, 60_000);

afterAll(async () => {
  for (const client of redis) client.disconnect();
  await db?.close();
  await testDb?.drop();
});

async function newRoom(): Promise<string> {
  const created = await db.store.createRoom({ code: `D-${randomUUID().slice(0, 8)}`, mode: 'gameday', scenarioId: 'etcd-nospace', seed: 1, timeLimitSec: 900 });
  if (!created.ok) throw new Error('room not created');
  return created.room.id;
}

it('releases and announces each room as soon as it is handed over, not after the slowest one', async () => {
  const [publisher, subscriber, listener] = (await connectedRedis(3)) as [Redis, Redis, Redis];
  redis.push(publisher, subscriber, listener);
  const announced: string[] = [];
  listener.on('message', (_channel: string, roomId: string) => announced.push(roomId));
  await listener.subscribe(RELEASED_CHANNEL);
  const ownership = new Ownership(new LeaseRepo(db.pool, randomUUID(), 'http://stopping'), { publisher, subscriber }, { leaseMs: 30_000, renewMs: 10_000, scanMs: 10_000 });
  const [fast, slow] = [await newRoom(), await newRoom()];
  expect(await ownership.claim(fast)).toBeUndefined();
  expect(await ownership.claim(slow)).toBeUndefined();
  ownership.start({ lost: () => undefined, adopt: async () => undefined, error: () => undefined });
  let finishSlow!: () => void;
  const slowDone = new Promise<void>((r) => (finishSlow = r));
  const drained = ownership.drain((roomId) => (roomId === slow ? slowDone : Promise.resolve()));
  // While the slow room is still being handed over, the fast one is free for another process.
  for (const deadline = performance.now() + 5_000; (await ownerOf(testDb.url, fast)) !== undefined || !announced.includes(fast); ) {
    expect(performance.now(), 'fast room released while the slow one is handed over').toBeLessThan(deadline);
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(await ownerOf(testDb.url, slow)).toBe('http://stopping');
  finishSlow();
  expect((await drained).sort()).toEqual([fast, slow].sort());
  expect(await ownerOf(testDb.url, slow)).toBeUndefined();
}, 30_000);

it('adopts announced rooms a few at a time, in the order they were released', async () => {
  const [publisher, subscriber] = (await connectedRedis(2)) as [Redis, Redis];
  redis.push(publisher, subscriber);
  let active = 0;
  let most = 0;
  const started: string[] = [];
  const ownership = new Ownership(new LeaseRepo(db.pool, randomUUID(), 'http://adopting'), { publisher, subscriber }, { leaseMs: 30_000, renewMs: 10_000, scanMs: 10_000 });
  ownership.start({
    lost: () => undefined,
    // A rebuild takes a while; all at once, each would wait for nearly all the others.
    adopt: async (roomId) => {
      started.push(roomId);
      most = Math.max(most, ++active);
      await new Promise((r) => setTimeout(r, 50));
      active--;
    },
    error: () => undefined,
  });
  // Subscribed once an announcement reaches it.
  const warm = randomUUID();
  while (!started.includes(warm)) {
    await publisher.publish(RELEASED_CHANNEL, warm);
    await new Promise((r) => setTimeout(r, 100));
  }
  while (active > 0) await new Promise((r) => setTimeout(r, 20));
  const rooms: string[] = Array.from({ length: 8 }, () => randomUUID());
  for (const roomId of rooms) await publisher.publish(RELEASED_CHANNEL, roomId);
  // Other processes on this Redis may announce rooms of their own: only these are followed.
  while (rooms.some((roomId) => !started.includes(roomId))) await new Promise((r) => setTimeout(r, 20));
  expect(started.filter((roomId) => rooms.includes(roomId))).toEqual(rooms);
  expect(most).toBeLessThanOrEqual(2);
  ownership.stop();
}, 30_000);
