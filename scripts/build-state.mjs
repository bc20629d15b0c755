// Whether dist/ is up to date with its sources, by modification times: cheap enough (a few
// hundred stats, ~5 ms) for bin/kubedrill.js to check on every start, so a checkout whose
// sources moved on never runs an old build. Shared by scripts/build.mjs and the launcher.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = path.join(ROOT, 'dist');
/** The server bundle's entry (the `kubedrill` CLI) and the file written last by its build. */
export const SERVER_ENTRY = path.join(DIST, 'server/cli.js');
export const SERVER_STAMP = path.join(DIST, 'server/.built');
export const CLIENT_INDEX = path.join(DIST, 'client/index.html');
/** An initialised embedded database (a PGlite data dir after initdb): fresh ones start as a copy of it. */
export const PGLITE_TEMPLATE = path.join(DIST, 'pglite-template');

/** Newest mtime (ms) under `target` (a file or folder); 0 when it does not exist. */
function newest(target, skip) {
  let stats;
  try {
    stats = statSync(target);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let latest = stats.mtimeMs; // a deleted file shows as its folder's change
  for (const entry of readdirSync(target)) {
    const full = path.join(target, entry);
    if (!skip?.(full)) latest = Math.max(latest, newest(full, skip));
  }
  return latest;
}

const inRoot = (...parts) => path.join(ROOT, ...parts);
// Prisma's client is generated again by every `npm ci`: its schema stands for it.
const notGenerated = (full) => full.startsWith(inRoot('server/db/generated'));

/** The parts of dist/, in the order a build makes them. */
export const PARTS = ['server', 'client', 'template'];

/** What each part of dist/ is built from. */
const SOURCES = {
  server: () => Math.max(newest(inRoot('server'), notGenerated), newest(inRoot('prisma/schema.prisma'))),
  // The client imports the protocol and the shell parser from server/.
  client: () => Math.max(newest(inRoot('client')), newest(inRoot('server/protocol')), newest(inRoot('server/shell'))),
  // initdb's output depends only on the PGlite release.
  template: () => newest(inRoot('node_modules/@electric-sql/pglite/package.json')),
};

/** True when `part` was built after its sources last changed. Sources absent (an image with dist only) count as unchanged. */
export function isFresh(part) {
  const built = newest({ server: SERVER_STAMP, client: CLIENT_INDEX, template: path.join(PGLITE_TEMPLATE, '.built') }[part]);
  return built > 0 && built > SOURCES[part]();
}
