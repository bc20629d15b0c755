// Embedded PostgreSQL for a fresh clone: PGlite (Postgres compiled to WASM) stores its
// files in a local folder, and `pg` (so Prisma's adapter too) talks the Postgres wire
// protocol to it through an in-process stream (pglite-stream.ts): no port, no socket file,
// so no other local process can reach the database.
//
// PGlite is ONE backend: two connections mid extended-query would corrupt each other's
// unnamed statements. We therefore use a pg Pool of exactly one connection
// (EMBEDDED_POOL_MAX) that never idles out: queries queue in the Pool, not in PGlite.
//
// A new database starts as a copy of the template `npm run build` leaves in
// dist/pglite-template (PGlite right after initdb): copying the folder takes a fraction of
// the seconds initdb takes in WASM. Without a build, PGlite runs initdb itself.
import { cp, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PGliteStream } from './pglite-stream.js';

export const EMBEDDED_POOL_MAX = 1;

/** Written by scripts/build.mjs (the same path from the bundle in dist/server). */
export const DEFAULT_TEMPLATE_DIR = fileURLToPath(new URL('../../dist/pglite-template', import.meta.url));

export interface EmbeddedDatabase {
  /** pg connection settings: each connection is a new in-process stream to PGlite. */
  connection: { stream: () => Duplex; user: string; database: string };
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

/** Starts PGlite on `<dataDir>/pgdata` (created if missing, from `templateDir` when it exists). */
export async function startEmbeddedDatabase(dataDir: string, templateDir = DEFAULT_TEMPLATE_DIR): Promise<EmbeddedDatabase> {
  const pgdata = path.join(dataDir, 'pgdata');
  await mkdir(dataDir, { recursive: true });
  const releaseLock = await lockDataDir(dataDir);
  try {
    if (!(await exists(path.join(pgdata, 'PG_VERSION'))) && (await exists(path.join(templateDir, 'PG_VERSION')))) {
      await copyTemplate(templateDir, pgdata);
    }
    const db = await PGlite.create(pgdata);
    let stopped = false;
    return {
      connection: { stream: () => new PGliteStream(db), user: 'postgres', database: 'postgres' },
      dataDir: pgdata,
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
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

const exists = (file: string): Promise<boolean> => stat(file).then(() => true, () => false);

/**
 * Copies the template beside `pgdata` first and renames it into place, so a copy cut short
 * (a crash, a full disk) never leaves a folder that looks like a database.
 */
async function copyTemplate(templateDir: string, pgdata: string): Promise<void> {
  const scratch = `${pgdata}.copy`;
  await rm(scratch, { recursive: true, force: true });
  await cp(templateDir, scratch, { recursive: true });
  await rm(path.join(scratch, '.built'), { force: true });
  await rm(pgdata, { recursive: true, force: true }); // what an interrupted initdb left
  await rename(scratch, pgdata);
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
