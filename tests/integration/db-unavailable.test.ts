// isStorageUnavailable on real errors: an unreachable PostgreSQL (pg and Prisma) is worth
// waiting for; a bad request is not.
import { createServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PrismaClient } from '../../server/db/generated/prisma/client.js';
import { isStorageUnavailable } from '../../server/db/unavailable.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let testDb: TestDatabase;
let closedPort: number;
beforeAll(async () => {
  testDb = await createTestDatabase();
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  closedPort = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
});
afterAll(async () => {
  await testDb?.drop();
});

const caught = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a failure'); }, (error: unknown) => error);

it('says yes for a database nobody answers at, through pg and through Prisma', async () => {
  const pool = new pg.Pool({ connectionString: `postgresql://postgres@127.0.0.1:${closedPort}/x` });
  pool.on('error', () => undefined);
  expect(isStorageUnavailable(await caught(pool.query('SELECT 1')))).toBe(true);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  expect(isStorageUnavailable(await caught(prisma.room.findMany()))).toBe(true);
  await prisma.$disconnect().catch(() => undefined);
  await pool.end().catch(() => undefined);
});

it('says yes for a connection the server terminates, no for a bad request', async () => {
  const pool = new pg.Pool({ connectionString: testDb.url, max: 2 });
  pool.on('error', () => undefined);
  const client = await pool.connect();
  client.on('error', () => undefined);
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const sleeping = caught(client.query('SELECT pg_sleep(10)'));
  await pool.query('SELECT pg_terminate_backend($1)', [pid]);
  expect(isStorageUnavailable(await sleeping)).toBe(true);
  client.release(true);
  expect(isStorageUnavailable(await caught(pool.query('SELEC 1')))).toBe(false);
  expect(isStorageUnavailable(await caught(pool.query('SELECT 1/0')))).toBe(false);
  expect(isStorageUnavailable(new Error('room x: its log cannot be rebuilt'))).toBe(false);
  await pool.end();
});
