// A room's memory is bounded: a terminal keeps its latest outputs up to a budget (older
// ones become a notice, the log keeps them whole, replay and the report trim alike), and
// ended rooms leave memory by size as well as by count.
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { createMemoryRoomStore } from '../../server/db/memory-room-store.js';
import { fromStored } from '../../server/rooms/log.js';
import { replayRoom } from '../../server/rooms/reducer.js';
import { RoomRegistry } from '../../server/rooms/registry.js';
import { buildReport } from '../../server/rooms/report.js';
import { RETAINED_OUTPUT_CHARS } from '../../server/rooms/retained.js';
import type { RoomRunner } from '../../server/rooms/runner.js';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { fakeCatalog } from './rooms-fake.js';

describe('retained output', () => {
  it('keeps the latest outputs of a terminal within budget; the report and a replay show what it keeps', async () => {
    const { catalog } = loadScenarioCatalog();
    const store = createMemoryRoomStore();
    const registry = new RoomRegistry({ store, catalog, tickMs: 0 });
    const created = await registry.create({ scenarioId: 'etcd-nospace', mode: 'solo', name: 'Big' });
    if (!('runner' in created)) throw new Error(created.error.message);
    const { runner } = created;
    const player = { participantId: created.participantId, role: 'player' as const };
    const line = "printf '%200000s' x";
    for (let i = 0; i < 12; i++) expect((await runner.act(player, { type: 'run', line })).ok).toBe(true);
    expect((await runner.act(player, { type: 'run', line: 'kubectl get nodes' })).ok).toBe(true);

    const terminal = runner.room.terminals[player.participantId]!;
    const kept = terminal.entries.reduce((sum, e) => sum + e.output.length, 0);
    expect(kept).toBe(terminal.retainedChars);
    expect(kept).toBeLessThanOrEqual(RETAINED_OUTPUT_CHARS);
    expect(terminal.entries[0]!.output).toMatch(/^\[output not kept: \d+ characters/);
    expect(terminal.entries.at(-2)!.output.length).toBeGreaterThanOrEqual(200_000);

    const log = (await store.listEvents(runner.room.id, 0)).map(fromStored);
    const big = log.filter((e) => e.type === 'command' && e.line === line);
    expect(big.every((e) => e.type === 'command' && e.output.length >= 200_000)).toBe(true);
    const report = buildReport(runner.room as never, runner.runtime, log);
    const commands = report.participants.find((p) => p.id === player.participantId)!.commands;
    // The report shows what the terminal keeps: with every output whole it was as large as the log.
    expect(commands.map((c) => c.output)).toEqual(terminal.entries.map((e) => e.output));
    const replayed = replayRoom(runner.runtime, runner.room.id, log);
    expect(replayed.divergences).toEqual([]);
    expect(isDeepStrictEqual(replayed.terminals, runner.room.terminals)).toBe(true);
    registry.dispose();
  });
});

describe('ended rooms in memory', () => {
  it('leave by size as well as by count', async () => {
    const registry = new RoomRegistry({ store: createMemoryRoomStore(), catalog: fakeCatalog(), tickMs: 0, maxEndedRooms: 100, maxEndedBytes: 1 });
    const ended: RoomRunner[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await registry.create({ scenarioId: 'fake', mode: 'gameday', seed: i, name: 'H' });
      if (!('runner' in created)) throw new Error(created.error.message);
      await created.runner.act({ participantId: created.participantId, role: 'host' }, { type: 'end' });
      ended.push(created.runner);
      // The final snapshot (paced, deflated off the loop) gives the room its size: a busy machine takes a while.
      await vi.waitFor(() => expect(created.runner.approximateBytes).toBeGreaterThan(0), { timeout: 10_000 });
    }
    // Each ended room weighs more than the 1-byte budget: only the one just handed out may stay.
    expect(registry.list().filter((r) => r.room.status === 'ended').length).toBeLessThanOrEqual(1);
    // Rooms that left memory come back from their snapshot on demand.
    const back = await registry.get(ended[0]!.room.id);
    expect('room' in back && back.room.status).toBe('ended');
    registry.dispose();
  });
});
