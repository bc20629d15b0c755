// A snapshot is a cache of the log: its commit does not wait for the WAL to reach the disk
// (synchronous_commit off for its transaction only), while an append's does. Checked on a
// PostgreSQL of the test's own whose WAL writer is told to wait 10 s: after a snapshot the WAL
// is written further than it is flushed; after an append it is flushed as far as it is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openDatabase, type Database } from '../../server/db/client.js';
import { startOwnPostgres, type OwnPostgres } from '../helpers/own-postgres.js';

let server: OwnPostgres;
let db: Database;
let admin: pg.Client;

beforeAll(async () => {
  server = await startOwnPostgres();
  admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`ALTER SYSTEM SET wal_writer_delay = '10s'`);
  await admin.query('SELECT pg_reload_conf()');
  db = await openDatabase({ databaseUrl: server.url, dataDir: '' });
}, 60_000);
afterAll(async () => {
  await db?.close();
  await admin?.end();
  await server?.remove();
});

/** True when every WAL record written so far is flushed. */
async function flushed(): Promise<boolean> {
  const { rows } = await admin.query<{ done: boolean }>('SELECT pg_current_wal_flush_lsn() >= pg_current_wal_insert_lsn() AS done');
  return rows[0]!.done;
}

describe('snapshot commits', () => {
  it('do not wait for the WAL flush, while appends do', async () => {
    const created = await db.store.createRoom({ code: 'SNAPSYNC', mode: 'gameday', scenarioId: 'x', seed: 1, timeLimitSec: 60 });
    if (!created.ok) throw new Error('room');
    const roomId = created.room.id;
    await db.store.appendEvents(roomId, 0, [{ type: 'command', simTime: 0, participantId: null, payload: { line: 'ls', output: 'a\n' } }]);
    expect(await flushed()).toBe(true);
    await db.store.saveSnapshot(roomId, 1, new Uint8Array(4096).fill(7));
    expect(await flushed()).toBe(false);
    expect((await db.store.latestSnapshot(roomId))?.seq).toBe(1);
    await db.store.appendEvents(roomId, 1, [{ type: 'command', simTime: 0, participantId: null, payload: { line: 'ls', output: 'b\n' } }]);
    expect(await flushed()).toBe(true);
  });
});
