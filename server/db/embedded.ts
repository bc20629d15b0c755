// Embedded PostgreSQL for a fresh clone: PGlite (Postgres compiled to WASM) stores its
// files in a local folder and pglite-socket serves the Postgres wire protocol on a free
// loopback port, so `pg` and Prisma's adapter use it exactly like a real server.
//
// PGlite is ONE backend. pglite-socket can multiplex several sockets onto it, but it
// interleaves their protocol messages one by one, so two clients mid extended-query would
// corrupt each other's unnamed statements. We therefore let the server accept only a
// spare connection for reconnects and use a pg Pool of exactly one connection
// (EMBEDDED_POOL_MAX) that never idles out: queries queue in the Pool, not in PGlite.
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export const EMBEDDED_POOL_MAX = 1;

export interface EmbeddedDatabase {
  /** postgres:// URL of the local socket server. */
  url: string;
  /** The folder holding the database files. */
  dataDir: string;
  stop(): Promise<void>;
}

export class EmbeddedDatabaseLockedError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database in ${dataDir} is in use by another kubedrill process (pid ${pid}). ` +
        `Stop it, or give this one its own KUBEDRILL_DATA_DIR.`,
    );
    this.name = 'EmbeddedDatabaseLockedError';
  }
}

/** Starts PGlite on `<dataDir>/pgdata` (created if missing), served on 127.0.0.1. */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const pgdata = path.join(dataDir, 'pgdata');
  await mkdir(dataDir, { recursive: true });
  const releaseLock = await lockDataDir(dataDir);
  try {
    const db = await PGlite.create(pgdata);
    // Allow one spare socket so a reconnecting Pool is never refused while the old socket closes.
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: EMBEDDED_POOL_MAX + 1 });
    await server.start();
    const port = Number(server.getServerConn().split(':').pop());
    let stopped = false;
    return {
      url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
      dataDir: pgdata,
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          await server.stop();
          await db.close();
        } finally {
          await releaseLock();
        }
      },
    };
  } catch (error) {
    await releaseLock();
    throw error;
  }
}

/**
 * Two processes writing one PGlite folder would corrupt it, so the folder holds a lock file
 * with the owner's pid. A lock left by a killed process (pid gone) is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = path.join(dataDir, 'pgdata.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) throw new EmbeddedDatabaseLockedError(dataDir, owner);
      await rm(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock ${lockPath}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
