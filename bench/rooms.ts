// npm run bench:rooms — the room lifecycle on a throwaway PostgreSQL database:
//   1. rebuild time of a room with 5,000 events, replaying the whole log vs. starting from
//      its latest snapshot, at the longest tail the snapshot cadence let through (the room
//      is played on an in-memory store with the server's cadence, then its log and latest
//      snapshot are copied into PostgreSQL, which the rebuild reads); target ≤ 100 ms;
//   2. heap per room (ordinary solo rooms, and one whose player printed large outputs);
//   3. heap after every room ended and left memory, over three rounds after a warm-up
//      round: within 10 % of the baseline.
//   BENCH_SCENARIO (default pending-pods: the heaviest ticks), BENCH_EVENTS (5000),
//   BENCH_ROOMS (20). Runs with --expose-gc (see package.json).
import { loadScenarioCatalog } from '../server/rooms/scenario-runtime.js';
import { openDatabase } from '../server/db/client.js';
import { createMemoryRoomStore } from '../server/db/memory-room-store.js';
import type { RoomStore } from '../server/db/room-store.js';
import { RoomRegistry } from '../server/rooms/registry.js';
import { fromStored } from '../server/rooms/log.js';
import { reduceRoom } from '../server/rooms/reducer.js';
import { restoreRoom } from '../server/rooms/restore.js';
import { decodeRoom, encodeRoom, readLoggedOutputs } from '../server/rooms/snapshot.js';
import type { RoomRunner } from '../server/rooms/runner.js';
import { createTestDatabase } from '../tests/helpers/db.js';

const SCENARIO = process.env.BENCH_SCENARIO ?? 'pending-pods';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const ROOMS = Number(process.env.BENCH_ROOMS ?? 20);
const REBUILD_TARGET_MS = 100;
const HEAP_RATIO_TARGET = 1.1;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:rooms)');
const settle = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function heap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await settle(10);
  }
  return process.memoryUsage().heapUsed;
}

const LINES = [
  'kubectl get pods -A', 'kubectl get nodes', 'kubectl describe pod -n default', 'kubectl get events -A',
  'kubectl get deploy -A -o wide', 'kubectl describe nodes', 'kubectl get pods -A -o wide', 'kubectl top nodes',
];

type Catalog = ReturnType<typeof loadScenarioCatalog>['catalog'];

/** The server's snapshot cadence, except the wall-clock one (a bench plays faster than people). */
function newRegistry(store: RoomStore, catalog: Catalog): RoomRegistry {
  return new RoomRegistry({ store, catalog, tickMs: 0, maxEndedRooms: 0, snapshotMs: 3_600_000 });
}

/** Copies a room (row, participants, log, latest snapshot) from one store to another. */
async function copyRoom(from: RoomStore, to: RoomStore, roomId: string): Promise<void> {
  const room = (await from.getRoom(roomId))!;
  const created = await to.createRoom({ id: room.id, code: room.code, mode: room.mode, scenarioId: room.scenarioId, seed: room.seed, timeLimitSec: room.timeLimitSec });
  if (!created.ok) throw new Error('copy: code taken');
  const participants = await from.listParticipants(roomId);
  const events = await from.listEvents(roomId, 0);
  // The first events with the participants (one transaction), the rest in plain batches.
  for (let at = 0; at < events.length; ) {
    const size = at === 0 ? 1 : 1000;
    const chunk = events.slice(at, at + size).map(({ type, payload, participantId, simTime }) => ({ type, payload, participantId, simTime }));
    const outcome = await to.appendEvents(roomId, at, chunk, at === 0 ? { participants: participants.map(({ id, name, role, tokenHash }) => ({ id, name, role, tokenHash })) } : {});
    if (!outcome.ok) throw new Error(`copy: ${outcome.code}`);
    at += chunk.length;
  }
  const snapshot = await from.latestSnapshot(roomId);
  if (snapshot) await to.saveSnapshot(roomId, snapshot.seq, snapshot.data);
}

async function hostedRoom(registry: RoomRegistry, scenarioId: string) {
  const created = await registry.create({ scenarioId, mode: 'gameday', seed: 5, name: 'Host' });
  if (!('runner' in created)) throw new Error(created.error.message);
  const joined = await registry.joinByCode(created.runner.room.code, 'Ops', 'player');
  if (!('runner' in joined)) throw new Error(joined.error.message);
  if (joined.placement.kind !== 'seat') throw new Error('the player waits for the host');
  const host = { participantId: created.participantId, role: 'host' as const };
  await created.runner.act(host, { type: 'extend', ms: 24 * 3600_000 });
  await created.runner.act(host, { type: 'start' });
  return { runner: created.runner, host, player: { participantId: joined.placement.participant.id, role: 'player' as const } };
}

async function benchRebuild(store: RoomStore, catalog: Catalog): Promise<boolean> {
  const memory = createMemoryRoomStore();
  const registry = newRegistry(memory, catalog);
  const { runner, player } = await hostedRoom(registry, SCENARIO);
  const started = performance.now();
  let i = 0;
  let longestTail = 0;
  // Commands and clock ticks until EVENTS; then on until the tail is as long as the longest
  // seen over the last 300 events (or 300 more events have passed).
  for (;;) {
    const tail = runner.room.seq - ((await memory.latestSnapshot(runner.room.id))?.seq ?? 0);
    if (runner.room.seq >= EVENTS && (tail >= longestTail || runner.room.seq >= EVENTS + 300)) break;
    if (runner.room.seq >= EVENTS - 300) longestTail = Math.max(longestTail, tail);
    await runner.act(player, { type: 'run', line: LINES[i++ % LINES.length]! });
    await runner.tick(1000);
    await settle(); // background snapshots land as they would between inputs
  }
  await settle(50);
  registry.dispose();
  await copyRoom(memory, store, runner.room.id);
  console.log(`played a ${SCENARIO} room of ${runner.room.seq} events (${i} commands) in ${((performance.now() - started) / 1000).toFixed(1)} s; copied to PostgreSQL`);

  const runtime = catalog.runtime(SCENARIO, 5)!;
  const noSnapshots: RoomStore = { ...store, latestSnapshot: async () => null };
  let t = 0;
  const full: number[] = [];
  const fromSnapshot: number[] = [];
  let tail = 0;
  for (let round = 0; round < 3; round++) {
    t = performance.now();
    await restoreRoom(noSnapshots, runtime, runner.room.id);
    full.push(performance.now() - t);
    for (let k = 0; k < 3; k++) {
      t = performance.now();
      const restored = await restoreRoom(store, runtime, runner.room.id);
      fromSnapshot.push(performance.now() - t);
      tail = restored.state.seq - restored.snapshotSeq;
    }
  }
  // Where the time goes: reading the snapshot, decoding it, reading and folding the tail.
  const phases = { read: 0, decode: 0, outputs: 0, tail: 0, fold: 0 };
  t = performance.now();
  const snapshot = (await store.latestSnapshot(runner.room.id))!;
  phases.read = performance.now() - t;
  t = performance.now();
  const decoded = decodeRoom(snapshot.data, runner.room.id, snapshot.seq)!;
  phases.decode = performance.now() - t;
  t = performance.now();
  await readLoggedOutputs(decoded, (seqs) => store.listEventsAt(runner.room.id, seqs));
  const { state } = decoded;
  phases.outputs = performance.now() - t;
  t = performance.now();
  const events = (await store.listEvents(runner.room.id, snapshot.seq)).map(fromStored);
  phases.tail = performance.now() - t;
  t = performance.now();
  for (const event of events) reduceRoom(state, event, runtime);
  phases.fold = performance.now() - t;
  t = performance.now();
  encodeRoom(state);
  const encodeMs = performance.now() - t;
  console.log(`snapshot ${mb(snapshot.data.byteLength)} (taking one: ${encodeMs.toFixed(1)} ms, in the background): read ${phases.read.toFixed(1)} ms, decode ${phases.decode.toFixed(1)} ms, outputs read ${phases.outputs.toFixed(1)} ms, tail read ${phases.tail.toFixed(1)} ms, fold of ${events.length} events ${phases.fold.toFixed(1)} ms`);
  const snap = median(fromSnapshot);
  const pass = snap <= REBUILD_TARGET_MS;
  console.log(`rebuild, whole log: ${median(full).toFixed(0)} ms (median of 3)`);
  console.log(`rebuild, snapshot + tail of ${tail} events: ${snap.toFixed(1)} ms (median of 9; worst ${Math.max(...fromSnapshot).toFixed(1)} ms)  target <= ${REBUILD_TARGET_MS} ms  ${pass ? 'PASS' : 'FAIL'}`);
  console.log(`ratio whole/snapshot: ${(median(full) / snap).toFixed(1)}x`);
  return pass;
}

/**
 * One round: ROOMS solo rooms with 10 commands each, then a hosted room whose player
 * printed 30 × 1 MiB, then every room ends. Returns the heap with the rooms; no room
 * stays referenced from here once it returns.
 */
async function round(registry: RoomRegistry, baseline: number): Promise<{ perRoom: number; heavy: number }> {
  const rooms: RoomRunner[] = [];
  for (let r = 0; r < ROOMS; r++) {
    const created = await registry.create({ scenarioId: r % 2 ? 'etcd-nospace' : 'pending-pods', mode: 'solo', name: `p${r}` });
    if (!('runner' in created)) throw new Error(created.error.message);
    const player = { participantId: created.participantId, role: 'player' as const };
    for (let c = 0; c < 10; c++) {
      await created.runner.act(player, { type: 'run', line: LINES[c % LINES.length]! });
      await created.runner.tick(1000);
    }
    rooms.push(created.runner);
  }
  const withRooms = await heap();
  const heavy = await hostedRoom(registry, 'etcd-nospace');
  for (let c = 0; c < 30; c++) await heavy.runner.act(heavy.player, { type: 'run', line: "printf '%1048576s' x" });
  rooms.push(heavy.runner);
  const withHeavy = await heap();
  for (const runner of rooms.splice(0)) await runner.expire();
  await settle(100);
  return { perRoom: (withRooms - baseline) / ROOMS, heavy: withHeavy - withRooms };
}

async function benchHeap(registry: RoomRegistry): Promise<boolean> {
  // A warm-up round: compiled code, the database client's caches and the like stay; rooms must not.
  await round(registry, 0);
  const baseline = await heap();
  console.log(`heap: baseline after a warm-up round ${mb(baseline)}`);
  let worst = 0;
  for (let n = 1; n <= 3; n++) {
    const { perRoom, heavy } = await round(registry, baseline);
    const after = await heap();
    worst = Math.max(worst, after / baseline);
    console.log(`round ${n}: ${mb(perRoom)} per solo room (10 commands); the room that printed 30 × 1 MiB: ${mb(heavy)}; after all ended and left memory ${mb(after)} = ${(after / baseline).toFixed(3)} × baseline (rooms in memory: ${registry.list().length})`);
  }
  const pass = worst <= HEAP_RATIO_TARGET;
  console.log(`heap after rooms end, worst of 3 rounds: ${worst.toFixed(3)} × baseline  target <= ${HEAP_RATIO_TARGET}  ${pass ? 'PASS' : 'FAIL'}`);
  return pass;
}

const testDb = await createTestDatabase();
const db = await openDatabase({ databaseUrl: testDb.url, dataDir: '' });
try {
  const { catalog } = loadScenarioCatalog();
  const rebuildOk = await benchRebuild(db.store, catalog);
  const registry = newRegistry(db.store, catalog);
  const heapOk = await benchHeap(registry);
  registry.dispose();
  console.log(rebuildOk && heapOk ? 'bench:rooms PASS' : 'bench:rooms FAIL');
  process.exitCode = rebuildOk && heapOk ? 0 : 1;
} finally {
  await db.close();
  await testDb.drop();
}
