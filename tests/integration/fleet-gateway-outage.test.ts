// Several processes (REDIS_URL): a join or resume on a process that does not own the room
// first reads where the room is. With PostgreSQL unreachable that read fails; the answer
// must be `unavailable` (the browser tries a resume again) and not `internal` (the browser
// takes it as the room lost for good), as on a single process.
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../server/db/generated/prisma/client.js';
import { createPrismaRoomStore } from '../../server/db/prisma-room-store.js';
import type { RoomStore } from '../../server/db/room-store.js';
import { createGateway } from '../../server/fleet/gateway.js';
import type { Ownership } from '../../server/fleet/ownership.js';
import type { RoomRegistry } from '../../server/rooms/registry.js';

let pool: pg.Pool;
let prisma: PrismaClient;
let store: RoomStore;
beforeAll(async () => {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  // A PostgreSQL nobody answers at (the store as the server builds it, on a closed port).
  pool = new pg.Pool({ connectionString: `postgresql://postgres@127.0.0.1:${port}/nobody` });
  pool.on('error', () => undefined);
  prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  store = createPrismaRoomStore(prisma, pool);
});
afterAll(async () => {
  await prisma?.$disconnect().catch(() => undefined);
  await pool?.end().catch(() => undefined);
});

it('answers unavailable, not internal, when the database cannot be reached to find the room', async () => {
  // Nothing past the room lookup is reached: the lookup is what meets the outage.
  const gateway = createGateway(store, {} as RoomRegistry, {} as Ownership);
  expect(await gateway.route({ token: 'a-participant-token', lastSeq: 3 }, '127.0.0.1')).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  expect(await gateway.route({ code: 'ABCD2345', name: 'Ops', role: 'player' } as never, '127.0.0.1')).toMatchObject({ ok: false, error: { code: 'unavailable' } });
});
