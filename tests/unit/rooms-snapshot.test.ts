// Snapshots are a deterministic stand-in for replay: a room rebuilt from its latest
// snapshot plus the events after it is the same room (deeply equal, every field) as one
// replayed from its first event, and it goes on printing the same bytes. A snapshot that does not decode is
// ignored; a log that cannot be folded is a BrokenLogError. The ledger fold (reports of
// rooms not in memory) gives the same report as a full replay.
import { isDeepStrictEqual } from 'node:util';
import { serialize } from 'node:v8';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { createMemoryRoomStore } from '../../server/db/memory-room-store.js';
import type { EventRecord, RoomStore } from '../../server/db/room-store.js';
import { instantiate, loadScenarioDir } from '../../server/scenarios/index.js';
import { foldLedger } from '../../server/rooms/ledger.js';
import { fromStored } from '../../server/rooms/log.js';
import { replayRoom } from '../../server/rooms/reducer.js';
import { RoomRegistry } from '../../server/rooms/registry.js';
import { buildReport } from '../../server/rooms/report.js';
import { BrokenLogError, restoreRoom } from '../../server/rooms/restore.js';
import type { RoomRunner } from '../../server/rooms/runner.js';
import { decodeRoom, encodeRoom, readLoggedOutputs } from '../../server/rooms/snapshot.js';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';

const { catalog } = loadScenarioCatalog();
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
/**
 * Until no snapshot of the room is queued or being stored: on a busy machine the pacer pauses
 * four times as long as each snapshot took, which held one for 100+ ms (20 ms of settle was not enough).
 */
const snapshotsDone = (runner: RoomRunner) => vi.waitFor(() => expect(runner.snapshotPending).toBe(false), { timeout: 10_000, interval: 5 });

/** A game day on a real scenario: the solution's commands, ticks and a fault, with snapshots every 7 events (and no others). */
async function playedRoom(scenarioId: string, store: RoomStore = createMemoryRoomStore()) {
  const registry = new RoomRegistry({ store, catalog, tickMs: 0, snapshotEvery: 7, snapshotWorkMs: 1e9, snapshotMs: 1e9 });
  const created = await registry.create({ scenarioId, mode: 'gameday', seed: 3, name: 'Host' });
  if (!('runner' in created)) throw new Error(created.error.message);
  const { runner } = created;
  const host = { participantId: created.participantId, role: 'host' as const };
  const joined = await registry.joinByCode(runner.room.code, 'Ops', 'player');
  if (!('runner' in joined)) throw new Error(joined.error.message);
  if (joined.placement.kind !== 'seat') throw new Error('the player waits for the host');
  const player = { participantId: joined.placement.participant.id, role: 'player' as const };
  await runner.act(host, { type: 'start' });
  const loaded = loadScenarioDir().scenarios.find((s) => s.id === scenarioId)!;
  const steps = instantiate(loaded, 3).scenario.solutions[0]!.steps.filter((s): s is string => typeof s === 'string');
  const lines = [...steps, 'kubectl get pods -A', 'kubectl get events -A', 'history'];
  for (const [i, line] of lines.entries()) {
    await runner.act(player, { type: 'run', line });
    await runner.tick(1000 + i * 250);
    if (i === 2 && runner.runtime.faults[0]) await runner.act(host, { type: 'inject-fault', faultId: runner.runtime.faults[0].id });
    await settle();
    await snapshotsDone(runner);
  }
  // End between two snapshots, so a rebuild has a tail to replay, once no snapshot is still
  // on its way (one stored after the reads below began leaves no tail).
  while ((await store.latestSnapshot(runner.room.id))?.seq === runner.room.seq) {
    await runner.act(player, { type: 'run', line: 'kubectl get nodes' });
    await snapshotsDone(runner);
  }
  return { registry, store, runner, player, host };
}

describe.each(['etcd-nospace', 'pending-pods', 'coredns-down', 'snat-client-ip'])('snapshots of %s', (scenarioId) => {
  it('snapshot + tail gives the same room as replaying the whole log, and it goes on the same', async () => {
    const { registry, store, runner, player } = await playedRoom(scenarioId);
    const snapshot = await store.latestSnapshot(runner.room.id);
    expect(snapshot).not.toBeNull();
    expect(snapshot!.seq).toBeGreaterThan(1);
    expect(snapshot!.seq).toBeGreaterThan(runner.room.seq - 7 - 3);

    const runtime = catalog.runtime(scenarioId, 3)!;
    const restored = await restoreRoom(store, runtime, runner.room.id);
    expect(restored.snapshotSeq).toBe(snapshot!.seq);
    const log = (await store.listEvents(runner.room.id, 0)).map(fromStored);
    const replayed = replayRoom(runtime, runner.room.id, log);
    expect(replayed.divergences).toEqual([]);
    expect(restored.state.divergences).toEqual([]);
    expect(restored.snapshotSeq).toBeLessThan(replayed.seq); // a tail was replayed on top
    expect(isDeepStrictEqual(restored.state, replayed)).toBe(true);
    expect(isDeepStrictEqual(restored.state, runner.room)).toBe(true);

    // Both go on printing the same bytes.
    const terminalOf = (state: typeof replayed) => state.terminals[player.participantId]!;
    for (const line of ['kubectl get pods -A -o wide', 'kubectl describe nodes', 'kubectl get events -A']) {
      runtime.advance(restored.state.cluster, 4000);
      runtime.advance(replayed.cluster, 4000);
      const a = runtime.runLine(restored.state.cluster, terminalOf(restored.state).session, line);
      const b = runtime.runLine(replayed.cluster, terminalOf(replayed).session, line);
      expect(a).toEqual(b);
    }
    registry.dispose();
  });
});

describe('restoring a room', () => {
  it('ignores a snapshot that does not decode, or is of another room or sequence, and replays the log', async () => {
    const { registry, store, runner } = await playedRoom('etcd-nospace');
    const runtime = catalog.runtime('etcd-nospace', 3)!;
    const expected = (replayRoom(runtime, runner.room.id, (await store.listEvents(runner.room.id, 0)).map(fromStored)));
    const bads = [new Uint8Array([1, 2, 3]), deflateRawSync(serialize({ format: 999, state: runner.room })), deflateRawSync(serialize({ format: 2, state: { ...runner.room, id: 'other' } })), serialize({ format: 2, state: runner.room })];
    for (const bad of bads) {
      await store.saveSnapshot(runner.room.id, runner.room.seq + 100, bad);
      const restored = await restoreRoom(store, runtime, runner.room.id);
      expect(restored.snapshotSeq).toBe(0);
      expect(isDeepStrictEqual(restored.state, expected)).toBe(true);
    }
    registry.dispose();
  });

  it('leaves the outputs its command events logged to the log and reads them back; a streamed output stays in it', async () => {
    const { registry, store, runner, player } = await playedRoom('etcd-nospace');
    // A watch that printed more than its line (streamed), and long outputs.
    await runner.act(player, { type: 'run', line: 'kubectl get pods -A -w' });
    await runner.tick(3000);
    await runner.act(player, { type: 'interrupt' });
    await runner.act(player, { type: 'run', line: 'kubectl describe nodes' });
    await runner.act(player, { type: 'run', line: 'kubectl get events -A' });
    await snapshotsDone(runner);
    const entries = runner.room.terminals[player.participantId]!.entries;
    const streamed = entries.find((e) => e.streamed)!;
    expect(streamed.line).toBe('kubectl get pods -A -w');
    const described = entries.find((e) => e.line === 'kubectl describe nodes')!;
    expect(described.output.length).toBeGreaterThan(1000);
    // Snapshot now (every 7 events) and keep it the latest: nothing runs after.
    while ((await store.latestSnapshot(runner.room.id))?.seq !== runner.room.seq) {
      await runner.act(player, { type: 'run', line: 'kubectl get nodes -o wide' });
      await snapshotsDone(runner);
    }
    const snapshot = (await store.latestSnapshot(runner.room.id))!;
    const text = inflateRawSync(snapshot.data).toString('latin1');
    expect(text).not.toContain(described.output.slice(0, 300));
    expect(text).toContain(streamed.output.slice(-200));
    // Still what a room weighs in memory: its outputs count.
    expect(runner.approximateBytes).toBeGreaterThan(snapshot.data.byteLength + described.output.length);

    const runtime = catalog.runtime('etcd-nospace', 3)!;
    const reads: number[][] = [];
    const counting = { ...store, listEventsAt: (roomId: string, seqs: readonly number[]) => (reads.push([...seqs]), store.listEventsAt(roomId, seqs)) };
    const restored = await restoreRoom(counting, runtime, runner.room.id);
    expect(restored.snapshotSeq).toBe(snapshot.seq);
    expect(isDeepStrictEqual(restored.state, runner.room)).toBe(true);
    expect(reads.flat()).toContain(described.seq);
    expect(reads.flat()).not.toContain(streamed.seq);

    // A log that does not hold the output the snapshot left to it: the snapshot is not used.
    const tampered = { ...store, listEventsAt: async (roomId: string, seqs: readonly number[]) => (await store.listEventsAt(roomId, seqs)).map((r) => (r.seq === described.seq ? { ...r, payload: { ...r.payload, output: 'other' } } : r)) };
    const replayed = await restoreRoom(tampered, runtime, runner.room.id);
    expect(replayed.snapshotSeq).toBe(0);
    expect(isDeepStrictEqual(replayed.state, runner.room)).toBe(true);
    registry.dispose();
  });

  it('keeps in the snapshot an output its replay did not reproduce (a divergence): the log holds another', async () => {
    const { registry, store, runner } = await playedRoom('etcd-nospace');
    const entry = Object.values(runner.room.terminals).flatMap((t) => t.entries).find((e) => !e.streamed && e.output.length >= 1000)!;
    // The log holds an output of the same length the engine no longer gives (one from an older version).
    const other = entry.output.replace(/[a-z]/g, (c) => (c === 'x' ? 'y' : 'x'));
    const relogged = (records: EventRecord[]) => records.map((r) => (r.seq === entry.seq ? { ...r, payload: { ...r.payload, output: other } } : r));
    const older: RoomStore = {
      ...store,
      latestSnapshot: async () => null,
      listEvents: async (roomId, afterSeq, limit) => relogged(await store.listEvents(roomId, afterSeq, limit)),
      listEventsAt: async (roomId, seqs) => relogged(await store.listEventsAt(roomId, seqs)),
    };
    const { state } = await restoreRoom(older, catalog.runtime('etcd-nospace', 3)!, runner.room.id);
    expect(state.divergences).toContain(entry.seq);
    const decoded = decodeRoom(encodeRoom(state), state.id, state.seq)!;
    expect(await readLoggedOutputs(decoded, (seqs) => older.listEventsAt(state.id, seqs))).toBe(true);
    expect(isDeepStrictEqual(decoded.state, state)).toBe(true);
    registry.dispose();
  });

  it('lets the event loop run while it folds a long log', async () => {
    const { registry, store, runner } = await playedRoom('pending-pods');
    const noSnapshots = { ...store, latestSnapshot: async () => null };
    // Counts turns of the event loop (one setImmediate per turn) while the fold runs.
    let turns = 0;
    let folding = true;
    const turn = () => {
      turns++;
      if (folding) setImmediate(turn);
    };
    setImmediate(turn);
    const started = performance.now();
    await restoreRoom(noSnapshots, catalog.runtime('pending-pods', 3)!, runner.room.id);
    const took = performance.now() - started;
    folding = false;
    // Slices of about SLICE_MS: a fold that took this long let timers run several times.
    if (took > 60) expect(turns).toBeGreaterThanOrEqual(2);
    expect(took).toBeGreaterThan(0);
    registry.dispose();
  });

  it('reports a log that cannot be folded as BrokenLogError', async () => {
    const store = createMemoryRoomStore();
    const created = await store.createRoom({ code: 'BROKEN', mode: 'solo', scenarioId: 'etcd-nospace', seed: 1, timeLimitSec: 60 });
    if (!created.ok) throw new Error('no room');
    // A command by someone who never joined: no terminal to run it in.
    await store.appendEvents(created.room.id, 0, [
      { type: 'room.created', simTime: 0, payload: { mode: 'solo', scenarioId: 'etcd-nospace', seed: 1, code: 'BROKEN', timeLimitMs: 60_000 } },
      { type: 'command', simTime: 0, payload: { participantId: 'nobody', line: 'ls', output: '', exitCode: 0 } },
    ]);
    await expect(restoreRoom(store, catalog.runtime('etcd-nospace', 1)!, created.room.id)).rejects.toBeInstanceOf(BrokenLogError);
  });

  it('folds a log into the same report without simulating the cluster', async () => {
    const { registry, store, runner, host, player } = await playedRoom('pending-pods');
    // A line that lets time pass: the lines after it are stamped later, in the ledger too.
    await runner.act(player, { type: 'run', line: 'sleep 30' });
    await runner.act(player, { type: 'run', line: 'kubectl get nodes' });
    await runner.act(host, { type: 'note', text: 'checked the scheduler first' });
    await runner.act(host, { type: 'end' });
    const runtime = catalog.runtime('pending-pods', 3)!;
    const log = (await store.listEvents(runner.room.id, 0)).map(fromStored);
    const full = buildReport(replayRoom(runtime, runner.room.id, log), runtime, log);
    const folded = buildReport(foldLedger(runtime, runner.room.id, log), runtime, log);
    expect(folded).toEqual(full);
    expect(folded.participants.find((p) => p.role === 'player')!.commands.length).toBeGreaterThan(3);
    expect((registry.inMemory(runner.room.id) as RoomRunner).room.status).toBe('ended');
    registry.dispose();
  });
});
