// An owner cut off from PostgreSQL by a partition: its connections stay open but nothing
// passes (a TCP relay in front of the real PostgreSQL that stops relaying), so a lease
// renewal neither returns nor fails. The process must still give its rooms up once their
// lease surely ran out by its own clock — another process serves them by then — instead of
// keeping the room and its clients, whose commands would wait for minutes.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../server/db/client.js';
import { LeaseRepo } from '../../server/db/leases-repo.js';
import { Ownership } from '../../server/fleet/ownership.js';
import { connectedRedis } from '../helpers/cluster.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/** A relay to PostgreSQL that can be cut: `cut()` keeps every connection open and passes nothing more. */
async function relay(target: URL): Promise<{ url: string; cut(): void; close(): Promise<void> }> {
  let cut = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.on('data', (data) => {
        if (!cut) to.write(data);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => to.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    cut: () => (cut = true),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let testDb: TestDatabase;
let direct: Database;
let cutOff: Database;
let link: Awaited<ReturnType<typeof relay>>;
const redis: Redis[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  direct = await openDatabase({ databaseUrl: testDb.url, dataDir: '' }, { poolMax: 2 });
  link = await relay(new URL(testDb.url));
}, 60_000);

afterAll(async () => {
  for (const client of redis) client.disconnect();
  await link?.close();
  await Promise.all([direct?.close(), cutOff?.close().catch(() => undefined)]);
  await testDb?.drop();
});

it('gives a room up when its lease ran out even though the renewal never answers', async () => {
  const owner = randomUUID();
  cutOff = await openDatabase({ databaseUrl: link.url, dataDir: '' }, { owner, poolMax: 2 });
  const created = await direct.store.createRoom({ code: `P-${randomUUID().slice(0, 8)}`, mode: 'gameday', scenarioId: 'etcd-nospace', seed: 1, timeLimitSec: 900 });
  if (!created.ok) throw new Error('room not created');
  const roomId = created.room.id;
  const [publisher, subscriber] = (await connectedRedis(2)) as [Redis, Redis];
  redis.push(publisher, subscriber);
  const ownership = new Ownership(new LeaseRepo(cutOff.pool, owner, 'http://cut-off'), { publisher, subscriber }, { leaseMs: 1500, renewMs: 500, scanMs: 500 });
  expect(await ownership.claim(roomId)).toBeUndefined();
  const lost: number[] = [];
  const errors: string[] = [];
  ownership.start({ lost: () => lost.push(performance.now()), adopt: async () => undefined, error: (_e, context) => errors.push(context) });
  // Renewals work while the link does.
  await new Promise((r) => setTimeout(r, 1200));
  expect(ownership.holds(roomId)).toBe(true);
  expect(lost).toEqual([]);
  const cutAt = performance.now();
  link.cut();
  // Another process may claim the room once the lease ran out in the database (≤ 1.5 s
  // after the last renewal); this one lets go within a renewal period of that.
  while (lost.length === 0 && performance.now() - cutAt < 6_000) await new Promise((r) => setTimeout(r, 50));
  ownership.stop();
  expect(lost.length, `lost after ${Math.round(performance.now() - cutAt)} ms; errors: ${errors.join(', ')}`).toBe(1);
  expect(lost[0]! - cutAt).toBeLessThan(1500 + 500 + 300);
  expect(ownership.holds(roomId)).toBe(false);
}, 30_000);
