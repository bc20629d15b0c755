// `npm start`: builds the stale parts of dist/ (scripts/build.mjs), then runs `kubedrill serve`
// in this same process. Usually nothing is stale, and the check alone stays here: a second
// Node process for it cost about 0.3 s of every start. A build runs as a process of its own,
// so the server keeps none of it (esbuild's service process, Vite's memory and NODE_ENV).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isFresh, PARTS } from './build-state.mjs';

if (!PARTS.every(isFresh)) {
  const build = spawnSync(process.execPath, [fileURLToPath(new URL('build.mjs', import.meta.url)), '--if-stale'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
process.argv.splice(2, 0, 'serve');
await import('../bin/kubedrill.js');
