// The start-up migration runner against the real PostgreSQL: records like Prisma's CLI,
// applies nothing twice, serialises concurrent starters, refuses edited history, and
// rolls a failing migration back whole.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyMigrations, DEFAULT_MIGRATIONS_DIR, MigrationError } from '../../server/db/migrate.js';
import { createTempDir, createTestDatabase, type TempDir, type TestDatabase } from '../helpers/db.js';

const INIT = '20251123000000_init';
/** Every migration in the repository, in the order they apply. */
const ALL = readdirSync(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

describe('applyMigrations on PostgreSQL', () => {
  let testDb: TestDatabase;
  let pools: pg.Pool[];
  let tempDir: TempDir | undefined;
  let poolErrors: Error[];

  const newPool = (): pg.Pool => {
    const pool = new pg.Pool({ connectionString: testDb.url, max: 2 });
    // As the server's pool does: an idle connection ended under it (the database dropped after a
    // timed-out test) is an error to report, not an uncaught exception that takes the worker down.
    pool.on('error', (error) => poolErrors.push(error));
    pools.push(pool);
    return pool;
  };

  beforeEach(async () => {
    testDb = await createTestDatabase();
    pools = [];
    poolErrors = [];
    tempDir = undefined;
  });
  afterEach(async () => {
    expect(poolErrors).toEqual([]);
    await Promise.all(pools.map((pool) => pool.end()));
    await testDb.drop();
    await tempDir?.remove();
  });

  it('applies the migrations and records them the way prisma migrate deploy does', async () => {
    const pool = newPool();
    expect(ALL[0]).toBe(INIT);
    expect(await applyMigrations(pool)).toEqual({ applied: ALL, unknown: [] });

    const sql = await readFile(path.join(DEFAULT_MIGRATIONS_DIR, INIT, 'migration.sql'), 'utf8');
    const { rows } = await pool.query('SELECT * FROM "_prisma_migrations" ORDER BY migration_name');
    expect(rows).toHaveLength(ALL.length);
    const row = rows[0];
    expect(row.migration_name).toBe(INIT);
    expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
    expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(row.finished_at).toBeInstanceOf(Date);
    expect(row.rolled_back_at).toBeNull();
    expect(row.applied_steps_count).toBe(1);

    const columns = await pool.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.rows.map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
      'id character varying',
      'checksum character varying',
      'finished_at timestamp with time zone',
      'migration_name character varying',
      'logs text',
      'rolled_back_at timestamp with time zone',
      'started_at timestamp with time zone',
      'applied_steps_count integer',
    ]);
    const tables = await pool.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    expect(tables.rows.map((t) => t.tablename)).toEqual(['Event', 'Participant', 'Result', 'Room', 'RoomLease', 'RoomSnapshot', '_prisma_migrations']);
  });

  it('is a no-op when run again', async () => {
    const pool = newPool();
    await applyMigrations(pool);
    expect(await applyMigrations(pool)).toEqual({ applied: [], unknown: [] });
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM "_prisma_migrations"');
    expect(rows[0].n).toBe(ALL.length);
  });

  it('lets only one of several processes starting together apply a migration', async () => {
    const results = await Promise.all([newPool(), newPool(), newPool()].map((pool) => applyMigrations(pool)));
    expect(results.flatMap((r) => r.applied)).toEqual(ALL);
    const { rows } = await newPool().query('SELECT count(*)::int AS n FROM "_prisma_migrations"');
    expect(rows[0].n).toBe(ALL.length);
  });

  it('refuses to start when an applied migration was edited', async () => {
    tempDir = await createTempDir();
    await cp(DEFAULT_MIGRATIONS_DIR, tempDir.path, { recursive: true });
    const pool = newPool();
    await applyMigrations(pool, { migrationsDir: tempDir.path });
    const file = path.join(tempDir.path, INIT, 'migration.sql');
    await writeFile(file, `${await readFile(file, 'utf8')}\n-- edited\n`);

    const error = await applyMigrations(pool, { migrationsDir: tempDir.path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(
      new RegExp(`^Migration ${INIT} was modified after it was applied \\(checksum in database [0-9a-f]{64}, file [0-9a-f]{64}\\)`),
    );
  });

  it('applies new migrations in name order and rolls a failing one back completely', async () => {
    tempDir = await createTempDir();
    await cp(DEFAULT_MIGRATIONS_DIR, tempDir.path, { recursive: true });
    const addGood = path.join(tempDir.path, '20991124000000_add_note');
    await mkdir(addGood);
    await writeFile(path.join(addGood, 'migration.sql'), 'ALTER TABLE "Room" ADD COLUMN "note" TEXT;\n');
    const pool = newPool();
    expect((await applyMigrations(pool, { migrationsDir: tempDir.path })).applied).toEqual([...ALL, '20991124000000_add_note']);

    const addBad = path.join(tempDir.path, '20991125000000_broken');
    await mkdir(addBad);
    await writeFile(path.join(addBad, 'migration.sql'), 'CREATE TABLE "Half" ("id" TEXT);\nSELECT no_such_function();\n');
    const error = await applyMigrations(pool, { migrationsDir: tempDir.path }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^Migration 20991125000000_broken failed and was rolled back: function no_such_function\(\) does not exist/);

    const half = await pool.query(`SELECT to_regclass('"Half"') AS t`);
    expect(half.rows[0].t).toBeNull();
    const { rows } = await pool.query('SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual([...ALL, '20991124000000_add_note']);
  });

  it('reports migrations recorded by a newer version without failing', async () => {
    const pool = newPool();
    await applyMigrations(pool);
    await pool.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
       VALUES ('00000000-0000-0000-0000-000000000001', 'x', '20991231000000_future', now(), 1)`,
    );
    expect(await applyMigrations(pool)).toEqual({ applied: [], unknown: ['20991231000000_future'] });
  });
});
