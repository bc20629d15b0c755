// Applies the SQL migrations in prisma/migrations at start-up, the way `prisma migrate
// deploy` would, and records them in Prisma's own `_prisma_migrations` table so the real
// CLI sees the same history. Each migration runs in its own transaction; a session
// advisory lock (the key Prisma's CLI uses) keeps two processes from migrating at once.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

/** Prisma's schema engine takes this advisory lock around `migrate deploy`/`migrate dev`. */
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

// Same DDL as Prisma's schema engine, so `prisma migrate status` reads our records.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  sql: string;
  /** sha256 of migration.sql, hex — what Prisma stores in `checksum`. */
  checksum: string;
}

export interface MigrateResult {
  /** Migrations applied by this call, in order (empty when the database was up to date). */
  applied: string[];
  /** Migrations recorded in the database that this code does not have (a newer version ran). */
  unknown: string[];
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export async function readMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const migrations: MigrationFile[] = [];
  for (const name of names) {
    const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
    migrations.push({ name, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

export async function applyMigrations(
  pool: pg.Pool,
  options: { migrationsDir?: string; log?: (message: string) => void } = {},
): Promise<MigrateResult> {
  const migrations = await readMigrations(options.migrationsDir);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
    try {
      return await applyPending(client, migrations, options.log);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function applyPending(
  client: pg.PoolClient,
  migrations: MigrationFile[],
  log: ((message: string) => void) | undefined,
): Promise<MigrateResult> {
  await client.query(CREATE_MIGRATIONS_TABLE);
  // Rolled-back attempts (`prisma migrate resolve --rolled-back`) do not count as applied.
  const { rows } = await client.query<AppliedRow>(
    `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"
     WHERE rolled_back_at IS NULL ORDER BY started_at`,
  );
  const recorded = new Map(rows.map((row) => [row.migration_name, row]));

  for (const row of rows) {
    if (row.finished_at === null) {
      throw new MigrationError(
        `Migration ${row.migration_name} failed in an earlier run and is not finished. ` +
          `Fix the database by hand, then mark it with \`prisma migrate resolve\`.`,
      );
    }
  }
  for (const migration of migrations) {
    const row = recorded.get(migration.name);
    if (row && row.checksum !== migration.checksum) {
      throw new MigrationError(
        `Migration ${migration.name} was modified after it was applied ` +
          `(checksum in database ${row.checksum}, file ${migration.checksum}). ` +
          `Restore the original prisma/migrations/${migration.name}/migration.sql and put changes in a new migration.`,
      );
    }
  }

  const applied: string[] = [];
  for (const migration of migrations.filter((m) => !recorded.has(m.name))) {
    log?.(`applying migration ${migration.name}`);
    await client.query('BEGIN');
    try {
      const id = randomUUID();
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`,
        [id, migration.checksum, migration.name],
      );
      await client.query(migration.sql);
      await client.query(
        `UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
        [id],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${(error as Error).message}`, {
        cause: error,
      });
    }
    applied.push(migration.name);
  }

  const known = new Set(migrations.map((m) => m.name));
  const unknown = rows.map((row) => row.migration_name).filter((name) => !known.has(name));
  return { applied, unknown };
}
