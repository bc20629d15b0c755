// npm run bench:server — command round-trip over socket.io, next to a bare socket.io echo
// measured in the same run, then p99 under load (200 rooms × 4 players, 1 command/s each).
// npm run bench:load — the load part alone, 5 consecutive runs on the same rooms, each
// judged on its own (p99 ≤ 50 ms) and the spread across them.
// The game server runs as its own process (`node bin/kubedrill.js serve`: the build in
// dist/ when it is fresh, so build first) on a throwaway PostgreSQL database; so does the
// echo server; the clients run here.
//   BENCH_SCENARIO (default etcd-nospace), BENCH_COMMAND (default "kubectl get pods -A"),
//   BENCH_ROOMS (200), BENCH_PLAYERS (4), BENCH_SECONDS (20), BENCH_IDLE_ROUNDS (600; 0 skips
//   the idle part), BENCH_RUNS (1): consecutive load runs (0 skips the load part), BENCH_WARMUP_SECONDS (5): load
//   before the runs, printed but not judged,
//   BENCH_SYNC_COMMIT=off to measure PostgreSQL with synchronous_commit off (acks then
//   survive a server crash but not a database crash: a trade-off, not the default).
// The idle part measures the echo, the commands, a bare append and the echo server storing
// before it acks, in turns (bursts of 15).
//
// A command is acknowledged only after its event is durably written (a PostgreSQL commit
// with synchronous_commit on: a WAL fsync). So the idle floor is the echo plus one bare
// durable append; the bench measures that append too (a prepared one-row INSERT of a
// command-sized payload, from this process) and prints the components next to the ratio.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { createTestDatabase } from '../tests/helpers/db.js';
import { call, client, commandLoad, fmt, freePort, percentile, root, SERVER_NODE_FLAGS, startProcess, verdict } from './common.js';

const SCENARIO = process.env.BENCH_SCENARIO ?? 'etcd-nospace';
const COMMAND = process.env.BENCH_COMMAND ?? 'kubectl get pods -A';
const ROOMS = Number(process.env.BENCH_ROOMS ?? 200);
const PLAYERS = Number(process.env.BENCH_PLAYERS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const IDLE_ROUNDS = Number(process.env.BENCH_IDLE_ROUNDS ?? 600);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
/** The idle target: a command's round trip within 1.3× the floor (echo + one durable append). */
const FLOOR_TARGET = 1.3;

// The echo server also answers `cmd:store` after the bare durable append (a server that stores
// before it acks, and does nothing else): the least any design that stores before acking takes
// here. The floor adds its two parts measured from this process; through a server the same
// INSERT also waits for the server to be woken by the database's answer (in this VM, ~0.1 ms).
const ECHO_SERVER = `
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import pg from 'pg';
const db = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL });
await db.connect();
const http = createServer();
const io = new Server(http, { serveClient: false });
io.on('connection', (s) => {
  s.on('cmd:run', (payload, ack) => ack({ ok: true, output: payload.line }));
  s.on('cmd:store', async (payload, ack) => {
    await db.query({ name: 'bench_append', text: 'INSERT INTO bench_append (payload) VALUES ($1)', values: [payload.payload] });
    ack({ ok: true, output: payload.line });
  });
});
http.listen(0, '127.0.0.1', () => console.log('listening ' + http.address().port));
`;

/** Times `rounds` sequential calls of `once`, adding the samples to `samples`. */
async function timed(rounds: number, once: () => Promise<void>, samples: number[]): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await once();
    samples.push(performance.now() - started);
  }
}

async function command(socket: Socket): Promise<void> {
  const ack = await call(socket, 'cmd:run', { line: COMMAND });
  if (!ack.ok) throw new Error(`cmd:run failed: ${ack.error?.message}`);
}

async function createRoom(base: string, players: number): Promise<Socket[]> {
  const response = await fetch(`${base}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenarioId: SCENARIO, mode: 'gameday', hostName: 'bench host' }),
  });
  const room = (await response.json()) as { code: string; hostToken: string };
  const host = await client(base);
  await call(host, 'room:join', { token: room.hostToken });
  const sockets = [];
  for (let i = 0; i < players; i++) {
    const s = await client(base);
    const joined = await call(s, 'room:join', { code: room.code, name: `player ${i + 1}` });
    if (!joined.ok) throw new Error(`join failed: ${joined.error?.message}`);
    sockets.push(s);
  }
  await call(host, 'host:start', {});
  return [host, ...sockets];
}

/** Mean command handling (receipt → ack) and event write time, from the server's /metrics. */
async function serverMeans(base: string): Promise<string> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const mean = (name: string) => {
    const sum = Number(text.match(new RegExp(`^${name}_sum (\\S+)`, 'm'))?.[1]);
    const count = Number(text.match(new RegExp(`^${name}_count (\\S+)`, 'm'))?.[1]);
    return count > 0 ? fmt((sum / count) * 1000) : 'n/a';
  };
  return `cmd:run handling ${mean('kubedrill_command_duration_seconds')}, event write ${mean('kubedrill_event_write_duration_seconds')}`;
}

const APPEND_PAYLOAD = JSON.stringify({ line: COMMAND, output: 'x'.repeat(1500), exitCode: 0 });

/** The floor under any acknowledged command: one durable one-row INSERT (commit + WAL fsync). */
async function bareDurableAppend(databaseUrl: string): Promise<{ append(): Promise<void>; close(): Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const payload = APPEND_PAYLOAD;
  return {
    append: async () => {
      await client.query({ name: 'bench_append', text: 'INSERT INTO bench_append (payload) VALUES ($1)', values: [payload] });
    },
    close: () => client.end(),
  };
}

/**
 * Idle: one player alone on the server vs the bare echo and a bare durable append. The three
 * are measured in turns, 15 of each per block (the server allows 10 commands/s per socket,
 * burst 20: a block, then a pause), so a shared machine's load weighs on all three alike.
 */
async function idle(base: string, echoUrl: string, databaseUrl: string): Promise<void> {
  const echoSocket = await client(echoUrl);
  const [, player] = await createRoom(base, 1);
  const bare = await bareDurableAppend(databaseUrl);
  const echoSamples: number[] = [];
  const cmdSamples: number[] = [];
  const appendSamples: number[] = [];
  const storedSamples: number[] = [];
  await new Promise((r) => setTimeout(r, 2000)); // a full token bucket to start with
  for (let block = -3; block < Math.ceil(IDLE_ROUNDS / 15); block++) {
    const keep = block >= 0; // the first three blocks warm up
    await timed(15, async () => void (await call(echoSocket, 'cmd:run', { line: COMMAND })), keep ? echoSamples : []);
    await timed(15, () => command(player!), keep ? cmdSamples : []);
    await timed(15, bare.append, keep ? appendSamples : []);
    await timed(15, async () => void (await call(echoSocket, 'cmd:store', { line: COMMAND, payload: APPEND_PAYLOAD })), keep ? storedSamples : []);
    await new Promise((r) => setTimeout(r, 1600));
  }
  await bare.close();
  const echoP50 = percentile(echoSamples, 50);
  const echoP99 = percentile(echoSamples, 99);
  const cmdP50 = percentile(cmdSamples, 50);
  const cmdP99 = percentile(cmdSamples, 99);
  const appendP50 = percentile(appendSamples, 50);
  const floor = echoP50 + appendP50;
  const storedP50 = percentile(storedSamples, 50);
  console.log(`idle, ${cmdSamples.length} round trips of "${COMMAND}" (${SCENARIO}), in turns with the echo and the bare append:`);
  console.log(`  socket.io echo          p50 ${fmt(echoP50)}   p99 ${fmt(echoP99)}`);
  console.log(`  bare durable append     p50 ${fmt(appendP50)}   p99 ${fmt(percentile(appendSamples, 99))}   (one-row INSERT, synchronous commit)`);
  console.log(`  kubedrill cmd:run       p50 ${fmt(cmdP50)}   p99 ${fmt(cmdP99)}`);
  console.log(`  server side (means): ${await serverMeans(base)}`);
  console.log(`  ratio to the echo       p50 ${(cmdP50 / echoP50).toFixed(2)}×   p99 ${(cmdP99 / echoP99).toFixed(2)}×`);
  console.log(`  floor (echo + append)   p50 ${fmt(floor)} (${(floor / echoP50).toFixed(2)}× the echo)`);
  console.log(`  cmd:run / floor         p50 ${(cmdP50 / floor).toFixed(2)}×   target ≤ ${FLOOR_TARGET}×: ${verdict(cmdP50 <= FLOOR_TARGET * floor)}`);
  console.log(`  echo server storing first (the same INSERT, then the ack)   p50 ${fmt(storedP50)} (${(storedP50 / floor).toFixed(2)}× the floor: the least a server that stores before acking takes here)`);
  console.log(`  cmd:run / that server   p50 ${(cmdP50 / storedP50).toFixed(2)}×`);
  echoSocket.close();
  player!.close();
}

/** One load run: every player one command per second, staggered over the first second. */
async function loadRun(base: string, players: Socket[], serverPid: number): Promise<{ p50: number; p99: number; max: number; count: number; failures: number }> {
  const before = await serverFigures(base);
  const cpuBefore = processCpuMs(serverPid);
  const { samples, failures, clientLag, slowBySecond } = await commandLoad(players, COMMAND, SECONDS);
  const cpuMs = processCpuMs(serverPid) - cpuBefore;
  const after = await serverFigures(base);
  const run = { p50: percentile(samples, 50), p99: percentile(samples, 99), max: Math.max(...samples), count: samples.length, failures };
  console.log(`  ${run.count} commands (${(run.count / SECONDS).toFixed(0)}/s), ${failures} failed   p50 ${fmt(run.p50)}   p99 ${fmt(run.p99)}   max ${fmt(run.max)}   p99 ≤ 50 ms: ${verdict(run.p99 <= 50 && failures === 0)}`);
  console.log(`    server side (means since start): ${await serverMeans(base)}`);
  // CPU time, unlike latency, hardly moves with other load on the machine: the figure to compare changes by.
  console.log(`    server CPU ${(cpuMs / SECONDS / 10).toFixed(0)} % of a core, ${(cpuMs / run.count).toFixed(3)} ms a command (ticks, snapshots and GC included)`);
  // Both monitors time a 10 ms timer: what it took beyond that is how long the loop was held.
  const held = (lag: { p99: number; max: number }) => `${fmt(Math.max(0, lag.p99 - 10))} / ${fmt(Math.max(0, lag.max - 10))}`;
  console.log(`    event loop held p99/max: server ${held(after.lag)}, clients ${held(clientLag)}`);
  // Where the slow ones were slow: inside the server (receipt to ack), and its writes.
  const over = (name: keyof ServerFigures['over'], ms: 25 | 50) => after.over[name][ms] - before.over[name][ms];
  console.log(`    in the server over 25/50 ms: commands ${over('commands', 25)} / ${over('commands', 50)}, event writes ${over('writes', 25)} / ${over('writes', 50)}`);
  console.log(`    acks over 50 ms by second of the run: ${slowBySecond.join(' ')}   (full GCs in the server: ${after.majorGcs - before.majorGcs})`);
  return run;
}

interface ServerFigures {
  /** Event-loop delay since the last scrape (prom-client restarts its histogram at every scrape). */
  lag: { p99: number; max: number };
  /** How many commands (receipt to ack) and event writes so far took over 25 and 50 ms. */
  over: Record<'commands' | 'writes', Record<25 | 50, number>>;
  /** Full (mark-compact) garbage collections so far. */
  majorGcs: number;
}

async function serverFigures(base: string): Promise<ServerFigures> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const value = (pattern: string) => Number(text.match(new RegExp(`^${pattern} (\\S+)`, 'm'))?.[1]);
  const lagMs = (name: string) => value(`kubedrill_nodejs_eventloop_lag_${name}_seconds`) * 1000;
  const over = (histogram: string) => {
    const count = value(`${histogram}_count`);
    return { 25: count - value(`${histogram}_bucket\\{le="0.025"\\}`), 50: count - value(`${histogram}_bucket\\{le="0.05"\\}`) };
  };
  return {
    lag: { p99: lagMs('p99'), max: lagMs('max') },
    over: { commands: over('kubedrill_command_duration_seconds'), writes: over('kubedrill_event_write_duration_seconds') },
    majorGcs: value('kubedrill_nodejs_gc_duration_seconds_count\\{kind="major"\\}'),
  };
}

/** User + system CPU ms a process has used (Linux /proc; clock ticks are 10 ms). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Load: ROOMS rooms × PLAYERS players, each player one command per second, RUNS runs after a warm-up. */
async function load(base: string, serverPid: number): Promise<void> {
  const rooms: Socket[][] = [];
  for (let i = 0; i < ROOMS; i++) rooms.push(await createRoom(base, PLAYERS));
  const players = rooms.flatMap((sockets) => sockets.slice(1));
  console.log(`load, ${ROOMS} rooms × ${PLAYERS} players, 1 command/s each, ${RUNS} run(s) of ${SECONDS} s (rooms ticking every second):`);
  if (WARMUP_SECONDS > 0) {
    // A server that has just compiled nothing but joins runs its first commands cold (the JIT,
    // every room's first listing); a server in service has run them before. Shown, not judged.
    const { samples } = await commandLoad(players, COMMAND, WARMUP_SECONDS);
    console.log(`  warm-up, ${WARMUP_SECONDS} s (not judged): p50 ${fmt(percentile(samples, 50))}   p99 ${fmt(percentile(samples, 99))}   max ${fmt(Math.max(...samples))}`);
  }
  const runs = [];
  for (let run = 0; run < RUNS; run++) runs.push(await loadRun(base, players, serverPid));
  if (RUNS > 1) {
    const p99s = runs.map((r) => r.p99);
    const passed = runs.filter((r) => r.p99 <= 50 && r.failures === 0).length;
    console.log(`  p99 across runs: ${p99s.map((p) => p.toFixed(1)).join(', ')} ms (spread ${fmt(Math.min(...p99s))} – ${fmt(Math.max(...p99s))})   ${passed} of ${RUNS} runs ≤ 50 ms: ${verdict(passed === RUNS)}`);
  }
  for (const sockets of rooms) for (const s of sockets) s.close();
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const port = await freePort();
  const url = new URL(db.url);
  if (process.env.BENCH_SYNC_COMMIT === 'off') url.searchParams.set('options', '-c synchronous_commit=off');
  // As it runs in production, plus BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" profiles it).
  const nodeArgs = [...SERVER_NODE_FLAGS, ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const game = await startProcess([...nodeArgs, 'bin/kubedrill.js', 'serve'], {
    DATABASE_URL: url.toString(), PORT: String(port), HOST: '127.0.0.1',
    // Every bench client comes from 127.0.0.1: lift the per-address limits meant for strangers.
    KUBEDRILL_RATE_ROOMS: '100000/100000', KUBEDRILL_MAX_ROOMS: String(ROOMS + 10),
  }, /Server listening at/);
  console.log(`server: node ${[...nodeArgs, 'bin/kubedrill.js serve'].join(' ')}; PostgreSQL synchronous_commit: ${process.env.BENCH_SYNC_COMMIT === 'off' ? 'off' : 'on (default)'}`);
  const base = `http://127.0.0.1:${port}`;
  const schema = new pg.Client({ connectionString: db.url });
  await schema.connect();
  await schema.query('CREATE TABLE bench_append (id serial PRIMARY KEY, payload jsonb NOT NULL)');
  await schema.end();
  const echo = await startProcess(['--input-type=module', '-e', ECHO_SERVER], { NODE_PATH: `${root}/node_modules`, BENCH_DATABASE_URL: db.url }, /listening (\d+)/);
  const echoUrl = `http://127.0.0.1:${echo.match[1]}`;
  try {
    if (IDLE_ROUNDS > 0) await idle(base, echoUrl, db.url);
    if (RUNS > 0) await load(base, game.child.pid!);
  } finally {
    game.child.kill('SIGTERM');
    echo.child.kill('SIGTERM');
    await Promise.all([once(game.child, 'exit'), once(echo.child, 'exit')]);
    await db.drop();
  }
}

await main();
