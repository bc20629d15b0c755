// `npm run build`: everything `npm start` and a container run, built ahead of time into dist/.
//   dist/server/   the server and CLI bundled by esbuild (plain ESM JavaScript; npm packages
//                  stay external and load from node_modules, so Prisma's WASM and PGlite work as is)
//   dist/client/   the browser client (Vite, no source maps: the server serves this folder)
//   dist/pglite-template/  an initialised embedded database: a fresh one is a copy of it,
//                  which skips PGlite's initdb (most of a first start's time)
// `--if-stale` builds only the parts older than their sources (scripts/build-state.mjs), so
// `npm start` pays for a build once, not on every start. Parallel builds (test files, two
// terminals) wait for each other through a lock folder.
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, isFresh, PARTS, PGLITE_TEMPLATE, ROOT, SERVER_STAMP } from './build-state.mjs';

const LOCK_DIR = path.join(DIST, '.build.lock');

async function buildServer() {
  const { build } = await import('esbuild');
  const outdir = path.dirname(SERVER_STAMP);
  await rm(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    // The CLI; `serve` imports the server lazily, which splitting keeps as its own chunk.
    entryPoints: { cli: 'server/cli/main.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Every bundle file sits two folders below the root, as every source file that finds
    // a root folder by `new URL('../../…', import.meta.url)` does (migrations, scenarios, client).
    chunkNames: '[name]-[hash]',
    // Maps stay beside the bundle for `node --enable-source-maps`; nothing serves dist/server.
    sourcemap: true,
    logLevel: 'warning',
  });
  await writeFile(SERVER_STAMP, new Date().toISOString());
}

async function buildClient() {
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'client/vite.config.ts'), logLevel: 'error' });
}

async function buildTemplate() {
  const { PGlite } = await import('@electric-sql/pglite');
  const scratch = `${PGLITE_TEMPLATE}.tmp-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  const db = await PGlite.create(scratch);
  await db.close();
  await writeFile(path.join(scratch, '.built'), new Date().toISOString());
  await rm(PGLITE_TEMPLATE, { recursive: true, force: true });
  await cp(scratch, PGLITE_TEMPLATE, { recursive: true });
  await rm(scratch, { recursive: true, force: true });
}

const BUILDERS = { server: buildServer, client: buildClient, template: buildTemplate };

/** Builds `parts` (all by default); with ifStale, only those older than their sources. */
export async function build(parts = PARTS, { ifStale = false } = {}) {
  await mkdir(DIST, { recursive: true });
  for (let waited = 0; ; waited += 200) {
    if (ifStale && parts.every(isFresh)) return [];
    try {
      await mkdir(LOCK_DIR);
      break;
    } catch {
      // Another build is running (or crashed mid-build: take over after 3 minutes).
      if (waited > 180_000) await rm(LOCK_DIR, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    const built = [];
    for (const part of parts) {
      if (ifStale && isFresh(part)) continue;
      await BUILDERS[part]();
      built.push(part);
    }
    return built;
  } finally {
    await rm(LOCK_DIR, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ifStale = process.argv.includes('--if-stale');
  const named = process.argv.slice(2).filter((arg) => PARTS.includes(arg));
  const started = performance.now();
  const built = await build(named.length > 0 ? named : PARTS, { ifStale });
  if (built.length > 0) console.error(`kubedrill: built ${built.join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
