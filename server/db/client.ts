// Opens kubedrill's database: the PostgreSQL at DATABASE_URL, or an embedded PGlite when
// there is none. Migrations are applied before Prisma Client is created, through the same
// pg Pool Prisma then uses (with PGlite that one connection is all there is).
import pg from 'pg';
import { isStorageUnavailable } from './unavailable.js';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';
import { EMBEDDED_POOL_MAX, startEmbeddedDatabase, type EmbeddedDatabase } from './embedded.js';
import { applyMigrations, type MigrateResult } from './migrate.js';
import { createPrismaRoomStore } from './prisma-room-store.js';
import type { RoomStore } from './room-store.js';

export interface DatabaseConfig {
  /** External PostgreSQL; undefined starts the embedded database. */
  databaseUrl: string | undefined;
  /** Folder of the embedded database (used only without databaseUrl). */
  dataDir: string;
}

export interface DatabaseOptions {
  log?: (message: string) => void;
  /** Pool size for an external server (the embedded one always uses 1). */
  poolMax?: number;
  migrationsDir?: string;
  /**
   * This process's incarnation when several processes serve rooms: every connection carries
   * it (kubedrill.owner), and the database refuses its appends to rooms it does not lease.
   */
  owner?: string;
  /** The embedded database when the caller started it already (used only without databaseUrl). */
  embedded?: Promise<EmbeddedDatabase>;
}

export interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  store: RoomStore;
  /** Present when running on the embedded PGlite. */
  embedded: EmbeddedDatabase | undefined;
  migrations: MigrateResult;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  /** Disconnects Prisma, ends the pool, stops the embedded database. Idempotent. */
  close(): Promise<void>;
}

export async function openDatabase(config: DatabaseConfig, options: DatabaseOptions = {}): Promise<Database> {
  const embedded = config.databaseUrl === undefined ? await (options.embedded ?? startEmbeddedDatabase(config.dataDir)) : undefined;
  const pool = new pg.Pool({
    ...(embedded ? embedded.connection : { connectionString: config.databaseUrl }),
    max: embedded ? EMBEDDED_POOL_MAX : (options.poolMax ?? 10),
    ...(options.owner ? { options: `-c kubedrill.owner=${options.owner}` } : {}),
    // The embedded server has one backend: keep its connection instead of reconnecting.
    idleTimeoutMillis: embedded ? 0 : 10_000,
  });
  // A connection losing its server must not crash the process, and is logged whether it sat
  // idle in the pool ('error') or was running a query: that one's caller gets the error and
  // gives the connection back with it ('release'), and it went unlogged as a connection loss.
  const lost = (error: Error): void => options.log?.(`database connection error: ${error.message}`);
  pool.on('error', lost);
  pool.on('release', (error: Error | undefined) => {
    if (error && isStorageUnavailable(error)) lost(error);
  });

  let prisma: PrismaClient | undefined;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    try {
      await prisma?.$disconnect();
      await pool.end();
    } finally {
      await embedded?.stop();
    }
  };

  try {
    const migrations = await applyMigrations(pool, {
      ...(options.log ? { log: options.log } : {}),
      ...(options.migrationsDir ? { migrationsDir: options.migrationsDir } : {}),
    });
    for (const name of migrations.unknown) options.log?.(`database has migration ${name} that this version does not know`);
    prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    const client = prisma;
    return {
      prisma: client,
      pool,
      store: createPrismaRoomStore(client, pool),
      embedded,
      migrations,
      ping: async () => {
        await pool.query('SELECT 1');
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
