// npm run bench:startup — how long `node bin/kubedrill.js serve` takes from spawn to
// "Server listening" on the embedded database: on a fresh data folder (copied from the
// build's initialised template) and on an existing one. Builds dist/ first if it is stale,
// as `npm start` does. Targets: ≤ 4 s fresh, ≤ 2 s existing. Next to the wall time it prints
// the CPU time the process had used by then (/proc), which a busy machine inflates far less.
// Then the existing folder again through `npm start` (npm and the build's staleness check included).
//   BENCH_STARTS (3): starts of each kind; the median is the figure.
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from '../scripts/build.mjs';
import { fmt, freePort, percentile, startProcess, verdict } from './common.js';

const STARTS = Number(process.env.BENCH_STARTS ?? 3);

/** User + system CPU ms of a process so far (Linux /proc; clock ticks are 10 ms). */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** `npm start` itself: npm, the build's staleness check, then the server (run from npm, so npm_execpath is npm's CLI). */
const NPM_START = process.env.npm_execpath ? [process.env.npm_execpath, 'start'] : undefined;

async function timeStart(dataDir: string, command = ['bin/kubedrill.js', 'serve']): Promise<{ wall: number; cpu: number }> {
  const started = performance.now();
  const server = await startProcess(command, {
    DATABASE_URL: '', PORT: String(await freePort()), HOST: '127.0.0.1', KUBEDRILL_DATA_DIR: dataDir,
  }, /Server listening at/);
  const wall = performance.now() - started;
  const cpu = await cpuMs(server.child.pid!);
  server.child.kill('SIGTERM');
  await once(server.child, 'exit');
  return { wall, cpu };
}

function report(label: string, runs: { wall: number; cpu: number }[], targetMs: number): void {
  const wall = percentile(runs.map((r) => r.wall), 50);
  const cpu = percentile(runs.map((r) => r.cpu), 50);
  console.log(`  ${label.padEnd(22)} wall ${fmt(wall)}   cpu ${fmt(cpu)}   (wall of each: ${runs.map((r) => fmt(r.wall)).join(', ')})   target ≤ ${targetMs / 1000} s: ${verdict(wall <= targetMs)}`);
}

async function main(): Promise<void> {
  const built = await build(['server', 'client', 'template'], { ifStale: true });
  if (built.length > 0) console.log(`built ${built.join(', ')} first`);
  const scratch = await mkdtemp(path.join(tmpdir(), 'kubedrill-startup-'));
  try {
    const fresh: { wall: number; cpu: number }[] = [];
    const existing: { wall: number; cpu: number }[] = [];
    for (let i = 0; i < STARTS; i++) {
      const dataDir = path.join(scratch, `db${i}`);
      fresh.push(await timeStart(dataDir));
      existing.push(await timeStart(dataDir));
    }
    console.log(`start-up to "Server listening", embedded database, median of ${STARTS}:`);
    report('fresh data folder', fresh, 4000);
    report('existing data folder', existing, 2000);
    if (NPM_START) {
      // The same existing folder through `npm start` (cpu: npm's own process only).
      const viaNpm: { wall: number; cpu: number }[] = [];
      for (let i = 0; i < STARTS; i++) viaNpm.push(await timeStart(path.join(scratch, 'db0'), NPM_START));
      report('npm start, existing', viaNpm, 2000);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
