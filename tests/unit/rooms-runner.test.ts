import { describe, expect, it, vi } from 'vitest';
import { createMemoryRoomStore } from '../../server/db/memory-room-store.js';
import type { RoomStore } from '../../server/db/room-store.js';
import { fromStored } from '../../server/rooms/log.js';
import { replayRoom } from '../../server/rooms/reducer.js';
import { RoomRegistry } from '../../server/rooms/registry.js';
import type { RoomRunner } from '../../server/rooms/runner.js';
import type { ScenarioRuntime } from '../../server/rooms/runtime.js';
import { viewFor } from '../../server/rooms/view.js';
import type { RoomEvent } from '../../server/protocol/index.js';
import { fakeCatalog, fakeRuntime, SECRET } from './rooms-fake.js';

async function setup(mode: 'interview' | 'gameday' | 'solo' = 'gameday', store: RoomStore = createMemoryRoomStore(), timeLimitMs = 60_000, settings = { allowSpectators: true, autoHints: false }) {
  const registry = new RoomRegistry({ store, catalog: fakeCatalog(timeLimitMs), tickMs: 0 });
  const created = await registry.create({ scenarioId: 'fake', mode, seed: 7, name: 'Hana', settings });
  if (!('runner' in created)) throw new Error(created.error.message);
  return { registry, store, runner: created.runner, hostId: created.participantId, token: created.token };
}

async function join(registry: RoomRegistry, runner: RoomRunner, name: string, role: 'player' | 'spectator' = 'player') {
  const joined = await registry.joinByCode(runner.room.code, name, role);
  if (!('runner' in joined) || joined.placement.kind !== 'seat') throw new Error('runner' in joined ? 'waiting' : joined.error.message);
  return joined.placement.participant.id;
}

/** The number of events of each append the store is asked for, from now on. */
function appendSizes(store: RoomStore): number[] {
  const sizes: number[] = [];
  const append = store.appendEvents.bind(store);
  store.appendEvents = (roomId, expectedSeq, events, changes) => (sizes.push(events.length), append(roomId, expectedSeq, events, changes));
  return sizes;
}

/** A started solo room whose fake runtime `change` altered, and its player. */
async function soloRoomWith(change: (runtime: ScenarioRuntime) => ScenarioRuntime) {
  const store = createMemoryRoomStore();
  const catalog = fakeCatalog(60_000);
  const runtimeOf = catalog.runtime;
  catalog.runtime = (id, seed) => change(runtimeOf(id, seed)!);
  const registry = new RoomRegistry({ store, catalog, tickMs: 0 });
  const created = await registry.create({ scenarioId: 'fake', mode: 'solo', seed: 7, name: 'Min', settings: { allowSpectators: false, autoHints: false } });
  if (!('runner' in created)) throw new Error(created.error.message);
  const { runner } = created;
  const player = { participantId: created.participantId, role: 'player' as const };
  await runner.act(player, { type: 'start' });
  return { registry, store, runner, player };
}

describe('room runner', () => {
  it('stores the inputs of players typing at once with one append, and answers and broadcasts each with its own events', async () => {
    const store = createMemoryRoomStore();
    const broadcasts: { origin?: string; types: string[] }[] = [];
    const registry = new RoomRegistry({ store, catalog: fakeCatalog(60_000), tickMs: 0, hooks: { onCommitted: (_r, events, origin, answer) => { broadcasts.push({ ...(origin ? { origin } : {}), types: events.map((e) => e.type) }); answer?.(); } } });
    const created = await registry.create({ scenarioId: 'fake', mode: 'gameday', seed: 7, name: 'Hana', settings: { allowSpectators: false, autoHints: false } });
    if (!('runner' in created)) throw new Error(created.error.message);
    const { runner } = created;
    const players = await Promise.all(['Ann', 'Bo', 'Cy'].map(async (name) => ({ participantId: await join(registry, runner, name), role: 'player' as const })));
    await runner.act({ participantId: created.participantId, role: 'host' }, { type: 'start' });
    await runner.tick(1000);
    runner['pendingMs'] = 500; // time not logged yet rides with the turn's first input
    const appends = appendSizes(store);
    broadcasts.length = 0;
    const answered: string[] = [];
    const results = await Promise.all([
      runner.act(players[0]!, { type: 'run', line: 'inc' }, { origin: 'a', answer: () => answered.push('a') }),
      runner.act(players[1]!, { type: 'pause' }, { origin: 'b', answer: () => answered.push('b') }), // a host's action: refused alone
      runner.act(players[1]!, { type: 'run', line: 'get' }, { origin: 'b', answer: () => answered.push('b') }),
      runner.act(players[2]!, { type: 'run', line: 'get' }, { origin: 'c', answer: () => answered.push('c') }),
    ]);
    expect(appends).toEqual([4]); // the tick and three commands, in one append
    expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const lines = results.filter((r) => r.ok).map((r) => (r as { line: { output: string } }).line.output);
    expect(lines).toEqual(['counter=18 now=1500\n', 'counter=18 now=1500\n', 'counter=18 now=1500\n']);
    expect(broadcasts).toEqual([{ origin: 'a', types: ['tick', 'command'] }, { origin: 'b', types: ['command'] }, { origin: 'c', types: ['command'] }]);
    expect(answered).toEqual(['a', 'b', 'c']);
    // The log is what memory holds: a replay gives the same room.
    const log = (await store.listEvents(runner.room.id, 0)).map(fromStored);
    expect(replayRoom(runner.runtime, runner.room.id, log).terminals).toEqual(runner.room.terminals);
    registry.dispose();
  });

  it('gives each line of a turn the prompt right after it, not the one after the whole turn', async () => {
    const { registry, runner, hostId } = await setup('solo');
    const player = { participantId: hostId, role: 'player' as const };
    await runner.act(player, { type: 'start' });
    // The fake runtime's prompt counts the lines typed: two lines of one player in one turn.
    const [first, second] = await Promise.all([runner.act(player, { type: 'run', line: 'get' }), runner.act(player, { type: 'run', line: 'get' })]);
    expect(first.ok && second.ok && [first.line?.promptAfter, second.line?.promptAfter]).toEqual(['1$ ', '2$ ']);
    registry.dispose();
  });

  it('takes at most 64 inputs in a turn: the rest wait for the next', async () => {
    const { registry, store, runner, hostId } = await setup('solo');
    const player = { participantId: hostId, role: 'player' as const }; // a solo room's creator plays
    await runner.act(player, { type: 'start' });
    const appends = appendSizes(store);
    const results = await Promise.all(Array.from({ length: 70 }, () => runner.act(player, { type: 'run', line: 'get' })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(appends).toEqual([64, 6]);
    registry.dispose();
  });

  it('fails only the input an engine error broke: the others of its turn run again on the room rebuilt from its log', async () => {
    let failNext = false;
    const { registry, store, runner, player } = await soloRoomWith((runtime) => ({
      ...runtime, evidenceIn: (observed) => { if (failNext) { failNext = false; throw new Error('engine bug'); } return runtime.evidenceIn(observed); },
    }));
    failNext = true;
    const [before, broken, after] = await Promise.all([
      runner.act(player, { type: 'run', line: 'inc' }),
      runner.act(player, { type: 'run', line: 'get' }), // its facts are read with the bug
      runner.act(player, { type: 'run', line: 'inc' }),
    ]);
    expect(broken).toMatchObject({ ok: false, error: { code: 'internal' } });
    const counter = (result: typeof before) => Number(/counter=(\d+)/.exec((result as { line: { output: string } }).line.output)![1]);
    expect(after.ok && before.ok).toBe(true);
    expect(counter(after)).toBe(2 * counter(before)); // on the rebuilt room: the broken line left nothing
    const log = (await store.listEvents(runner.room.id, 0)).map(fromStored);
    expect(log.filter((e) => e.type === 'command').map((e) => (e as { line: string }).line)).toEqual(['inc', 'inc']);
    expect(replayRoom(runner.runtime, runner.room.id, log).terminals).toEqual(runner.room.terminals);
    registry.dispose();
  });

  it('leaves the inputs after ~30 ms of engine work to the next turn, so a burst of heavy lines does not hold the process at once', async () => {
    // A line that works 12 ms, as one near its step budget does.
    const { registry, store, runner, player } = await soloRoomWith((runtime) => ({
      ...runtime, runLine: (c, session, line) => { const until = performance.now() + 12; while (line === 'slow' && performance.now() < until); return runtime.runLine(c, session, line); },
    }));
    const appends = appendSizes(store);
    const results = await Promise.all(Array.from({ length: 10 }, () => runner.act(player, { type: 'run', line: 'slow' })));
    expect(results.every((r) => r.ok)).toBe(true);
    // 30 ms of work reached by the third line: each turn stores at most three, in order.
    expect(appends.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...appends)).toBeLessThanOrEqual(3);
    const log = (await store.listEvents(runner.room.id, 0)).map(fromStored);
    expect(log.filter((e) => e.type === 'command')).toHaveLength(10);
    expect(replayRoom(runner.runtime, runner.room.id, log).terminals).toEqual(runner.room.terminals);
    registry.dispose();
  });

  it('reports what threw in a turn outside the engine (a broadcast) and answers its input', async () => {
    const store = createMemoryRoomStore();
    const errors: string[] = [];
    let failing = false;
    const onCommitted = (_r: RoomRunner, _e: RoomEvent[], _o?: string, answer?: () => void) => {
      if (failing) throw new Error('broadcast bug');
      answer?.();
    };
    const registry = new RoomRegistry({ store, catalog: fakeCatalog(60_000), tickMs: 0, hooks: { onCommitted, onError: (error, context) => errors.push(`${context}: ${(error as Error).message}`) } });
    const created = await registry.create({ scenarioId: 'fake', mode: 'solo', seed: 7, name: 'Min', settings: { allowSpectators: false, autoHints: false } });
    if (!('runner' in created)) throw new Error(created.error.message);
    const { runner } = created;
    const player = { participantId: created.participantId, role: 'player' as const };
    await runner.act(player, { type: 'start' });
    failing = true;
    expect(await runner.act(player, { type: 'run', line: 'inc' })).toMatchObject({ ok: false, error: { code: 'internal' } });
    await vi.waitFor(() => expect(errors).toEqual([`turn of room ${runner.room.id}: broadcast bug`]));
    registry.dispose();
  });

  it('takes no more command lines once the room state outgrew its ceiling (measured at snapshots)', async () => {
    const store = createMemoryRoomStore();
    const registry = new RoomRegistry({ store, catalog: fakeCatalog(60_000), tickMs: 0, snapshotEvery: 1, maxStateBytes: 50_000 });
    const created = await registry.create({ scenarioId: 'fake', mode: 'solo', seed: 7, name: 'Min', settings: { allowSpectators: false, autoHints: false } });
    if (!('runner' in created)) throw new Error(created.error.message);
    const { runner } = created;
    const player = { participantId: created.participantId, role: 'player' as const };
    await runner.act(player, { type: 'start' });
    const line = `echo ${'x'.repeat(20_000)}`;
    let refused: unknown;
    for (let i = 0; i < 20 && !refused; i++) {
      const r = await runner.act(player, { type: 'run', line });
      if (!r.ok) refused = r;
      await new Promise((resolve) => setTimeout(resolve, 5)); // the snapshot is taken after the ack
    }
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/grew past \d+ MiB: it takes no more commands/) } });
    // Writes through the seat's own kubectl are refused the same way (they grew it past the cap too).
    const write = await runner.act(player, { type: 'api', request: { method: 'POST', path: '/api/v1/namespaces/default/configmaps', query: {}, accept: 'application/json', contentType: 'application/json', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' } } } });
    expect(write).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/grew past \d+ MiB/) } });
    // Everything else still works: the player can still give up and be scored.
    expect((await runner.act(player, { type: 'give-up' })).ok).toBe(true);
    registry.dispose();
  });

  it('answers the actor while its stored events are broadcast, where the broadcast says; a refusal is not answered early', async () => {
    const order: string[] = [];
    const store = createMemoryRoomStore();
    const onCommitted = (_runner: RoomRunner, events: RoomEvent[], _origin?: string, answer?: () => void) => {
      order.push('own share');
      answer?.();
      order.push(`broadcast ${events.map((e) => e.type).join(',')}`);
    };
    const registry = new RoomRegistry({ store, catalog: fakeCatalog(60_000), tickMs: 0, hooks: { onCommitted } });
    const created = await registry.create({ scenarioId: 'fake', mode: 'gameday', seed: 7, name: 'Hana', settings: { allowSpectators: false, autoHints: false } });
    if (!('runner' in created)) throw new Error(created.error.message);
    const player = { participantId: await join(registry, created.runner, 'Min'), role: 'player' as const };
    const answer = (result: { ok: boolean }) => order.push(`answer ${result.ok}`);
    expect(await created.runner.act(player, { type: 'run', line: 'get' }, { answer })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(order).not.toContain('answer false');
    await created.runner.act({ participantId: created.participantId, role: 'host' }, { type: 'start' });
    order.length = 0;
    const result = await created.runner.act(player, { type: 'run', line: 'get' }, { answer });
    expect(result.ok).toBe(true);
    expect(order).toEqual(['own share', 'answer true', 'broadcast command']);
    registry.dispose();
  });

  it('runs the status machine lobby → running ⇄ paused → ended and refuses what does not fit', async () => {
    const { registry, runner, hostId } = await setup();
    const host = { participantId: hostId, role: 'host' as const };
    const p1 = await join(registry, runner, 'Min');
    const player = { participantId: p1, role: 'player' as const };

    expect(await runner.act(player, { type: 'run', line: 'get' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await runner.act(player, { type: 'start' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await runner.act(host, { type: 'start' })).ok).toBe(true);
    expect(runner.room.status).toBe('running');
    expect(await runner.act(host, { type: 'start' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await runner.act(host, { type: 'run', line: 'get' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await runner.act(host, { type: 'pause' });
    expect(runner.room.status).toBe('paused');
    expect(await runner.act(player, { type: 'run', line: 'get' })).toMatchObject({ ok: false, error: { code: 'conflict', message: 'the room is paused' } });
    await runner.act(host, { type: 'resume' });
    await runner.act(host, { type: 'end' });
    expect(runner.room.status).toBe('ended');
    expect(await runner.act(player, { type: 'run', line: 'get' })).toMatchObject({ ok: false, error: { code: 'room_ended' } });
    expect((await runner.act(host, { type: 'note', text: 'good reasoning' })).ok).toBe(true);
    // Ending scores the player who never submitted.
    expect(runner.room.scores[p1]).toMatchObject({ total: 0, max: 10 });
    registry.dispose();
  });

  it('ticks only while running and ends the room at the time limit', async () => {
    const { registry, runner, hostId } = await setup('gameday', createMemoryRoomStore(), 3000);
    const host = { participantId: hostId, role: 'host' as const };
    expect((await runner.tick(1000)).ok && runner.room.elapsedMs).toBe(0); // lobby: no tick
    await runner.act(host, { type: 'start' });
    await runner.tick(1000);
    await runner.act(host, { type: 'pause' });
    const paused = await runner.tick(1000);
    expect(paused).toEqual({ ok: true, events: [] });
    expect(runner.room.elapsedMs).toBe(1000);
    expect(runner.room.cluster.now).toBe(1000);
    await runner.act(host, { type: 'resume' });
    await runner.act(host, { type: 'extend', ms: 1000 });
    await runner.tick(1000);
    await runner.tick(1000);
    expect(runner.room.status).toBe('running');
    const last = await runner.tick(1000);
    expect(last.ok && last.events.map((e) => e.type)).toEqual(['tick', 'room.ended']);
    expect(runner.room.status).toBe('ended');
    expect(runner.room.elapsedMs).toBe(4000);
    registry.dispose();
  });

  it('logs running time with the next action, or every 5 s when idle', async () => {
    vi.useFakeTimers();
    try {
      const store = createMemoryRoomStore();
      const registry = new RoomRegistry({ store, catalog: fakeCatalog(), tickMs: 1000 });
      const created = await registry.create({ scenarioId: 'fake', mode: 'solo', seed: 7, name: 'Solo' });
      if (!('runner' in created)) throw new Error('create failed');
      const { runner, participantId } = created;
      const types = async () => (await store.listEvents(runner.room.id, 0)).map((e) => `${e.type}${e.type === 'tick' ? `:${e.payload.ms}` : ''}`);
      await vi.advanceTimersByTimeAsync(3000);
      expect(await types()).toEqual(['room.created', 'participant.joined', 'room.started']);
      const ran = await runner.act({ participantId, role: 'player' }, { type: 'run', line: 'get' });
      expect(ran.ok && ran.line!.output).toBe(`counter=${runner.room.seed + 1} now=3000\n`); // the 3 s were applied first, as one tick
      expect((await types()).slice(3)).toEqual(['tick:3000', 'command']);
      await vi.advanceTimersByTimeAsync(5000);
      expect((await types()).slice(5)).toEqual(['tick:5000']);
      registry.dispose();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(await types()).toHaveLength(6); // a disposed room's clock is gone
    } finally {
      vi.useRealTimers();
    }
  });

  it('rebuilds the same room from its log: commands re-executed print what was logged', async () => {
    const { registry, store, runner, hostId } = await setup();
    const host = { participantId: hostId, role: 'host' as const };
    const a = await join(registry, runner, 'A');
    const b = await join(registry, runner, 'B');
    await runner.act(host, { type: 'start' });
    const outputs: string[] = [];
    for (const [pid, line] of [[a, 'get'], [b, 'inc'], [a, 'get'], [b, 'nope']] as const) {
      const r = await runner.act({ participantId: pid, role: 'player' }, { type: 'run', line });
      if (r.ok) outputs.push(r.line!.output);
      await runner.tick(1000);
      if (line === 'inc') await runner.act(host, { type: 'inject-fault', faultId: 'jump' });
    }
    // Player A sees player B's change to the shared cluster.
    expect(outputs).toEqual(['counter=7 now=0\n', 'counter=16 now=1000\n', 'counter=117 now=2000\n', 'nope: command not found\n']);

    const log = (await store.listEvents(runner.room.id, 0)).map(fromStored);
    const replayed = replayRoom(fakeRuntime(7), runner.room.id, log);
    expect(replayed.divergences).toEqual([]);
    expect(JSON.stringify(replayed)).toBe(JSON.stringify(runner.room));

    // A log whose recorded output differs from what the engine prints is flagged.
    const tampered = log.map((e) => (e.type === 'command' && e.line === 'inc' ? { ...e, output: 'forged\n' } : e));
    expect(replayRoom(fakeRuntime(7), runner.room.id, tampered).divergences).toHaveLength(1);

    // A restarted registry continues the room where it was.
    registry.dispose();
    const restarted = new RoomRegistry({ store, catalog: fakeCatalog(), tickMs: 0 });
    expect(await restarted.reconcile()).toEqual({ resumed: 1, expired: 0, broken: [] });
    const again = (await restarted.get(runner.room.id)) as RoomRunner;
    expect(again.room.seq).toBe(runner.room.seq);
    const r = await again.act({ participantId: a, role: 'player' }, { type: 'run', line: 'get' });
    expect(r.ok && r.line!.output).toBe('counter=119 now=4000\n');
    restarted.dispose();
  });

  it('logs a command whose engine throws as `bash: internal error` and stays in step with its log', async () => {
    const store = createMemoryRoomStore();
    const errors: string[] = [];
    const registry = new RoomRegistry({ store, catalog: fakeCatalog(), tickMs: 0, hooks: { onError: (_e, context) => errors.push(context) } });
    const created = await registry.create({ scenarioId: 'fake', mode: 'gameday', seed: 7, name: 'Hana' });
    if (!('runner' in created)) throw new Error(created.error.message);
    const { runner } = created;
    const p1 = await join(registry, runner, 'Min');
    const player = { participantId: p1, role: 'player' as const };
    await runner.act({ participantId: created.participantId, role: 'host' }, { type: 'start' });
    await runner.tick(1000);

    const boom = await runner.act(player, { type: 'run', line: 'boom' });
    expect(boom).toMatchObject({ ok: true, line: { output: 'bash: internal error\n', exitCode: 1 } });
    expect(boom.ok && boom.line && 'internalError' in boom.line).toBe(false);
    expect(errors).toEqual([expect.stringContaining('command `boom`')]);
    const after = await runner.act(player, { type: 'run', line: 'get' });
    expect(after.ok).toBe(true);

    const stored = (await store.listEvents(runner.room.id, 0)).map(fromStored);
    expect(stored.at(-1)!.seq).toBe(runner.room.seq);
    expect(stored.find((e) => e.type === 'command' && e.line === 'boom')).toMatchObject({ output: 'bash: internal error\n', exitCode: 1 });
    const replayed = replayRoom(fakeRuntime(7), runner.room.id, stored);
    expect(replayed.divergences).toEqual([]);
    expect(replayed.cluster).toEqual(runner.room.cluster);
    expect(replayed.terminals[p1]!.session.history).toEqual(['boom', 'get']);
    registry.dispose();
  });

  it('rebuilds from the log when applying an action throws, instead of running ahead of it', async () => {
    const store = createMemoryRoomStore();
    const runtime = fakeRuntime(7);
    const registry = new RoomRegistry({ store, catalog: { ...fakeCatalog(), runtime: () => runtime }, tickMs: 0, hooks: { onError: () => {} } });
    const created = await registry.create({ scenarioId: 'fake', mode: 'gameday', seed: 7, name: 'Hana' });
    if (!('runner' in created)) throw new Error(created.error.message);
    const { runner } = created;
    const host = { participantId: created.participantId, role: 'host' as const };
    await runner.act(host, { type: 'start' });
    const before = runner.room.seq;
    const injectFault = runtime.injectFault;
    runtime.injectFault = () => { throw new Error('fault bug'); };
    expect(await runner.act(host, { type: 'inject-fault', faultId: 'jump' })).toMatchObject({ ok: false, error: { code: 'internal' } });
    runtime.injectFault = injectFault;
    expect(runner.room.seq).toBe(before);
    expect(runner.room.faults).toEqual([]);
    expect((await runner.act(host, { type: 'note', text: 'still works' })).ok).toBe(true);
    registry.dispose();
  });

  it('leaves the room untouched when the append fails', async () => {
    const memory = createMemoryRoomStore();
    let failAppends = false;
    const store: RoomStore = {
      ...memory,
      appendEvents: (...args) => (failAppends ? Promise.reject(new Error('database down')) : memory.appendEvents(...args)),
    };
    const { registry, runner, hostId } = await setup('gameday', store);
    const a = await join(registry, runner, 'A');
    await runner.act({ participantId: hostId, role: 'host' }, { type: 'start' });
    const before = JSON.stringify(runner.room);
    failAppends = true;
    expect(await runner.act({ participantId: a, role: 'player' }, { type: 'run', line: 'inc' })).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(runner.room)).toBe(before);
    failAppends = false;
    const r = await runner.act({ participantId: a, role: 'player' }, { type: 'run', line: 'get' });
    expect(r.ok && r.line!.output).toBe('counter=7 now=0\n');
    registry.dispose();
  });

  it('solo: no auto-hints unless the player opted in', async () => {
    const { registry, runner } = await setup('solo', createMemoryRoomStore(), 3_600_000);
    for (let i = 0; i < 5; i++) await runner.tick(60_000);
    expect(runner.room.hints).toEqual([]);
    registry.dispose();
  });

  it('solo: starts at once, one player only, auto-hints a stalled player who opted in, ends on diagnosis', async () => {
    const { registry, runner, hostId: playerId } = await setup('solo', createMemoryRoomStore(), 3_600_000, { allowSpectators: false, autoHints: true });
    expect(runner.room.status).toBe('running');
    expect(await registry.joinByCode(runner.room.code, 'Other', 'player')).toMatchObject({ ok: false, error: { code: 'conflict' } });
    for (let i = 0; i < 119; i++) await runner.tick(1000);
    expect(runner.room.hints).toEqual([]);
    await runner.tick(1000);
    expect(runner.room.hints.map((h) => h.hintId)).toEqual(['h1']);
    const player = { participantId: playerId, role: 'player' as const };
    const asked = await runner.act(player, { type: 'request-hint' });
    expect(asked.ok && asked.events.map((e) => e.type)).toEqual(['hint.requested', 'hint.pushed']);
    expect(await runner.act(player, { type: 'request-hint' })).toMatchObject({ ok: false, error: { code: 'conflict', message: 'no more hints' } });
    const submitted = await runner.act(player, { type: 'diagnose', rootCause: 'b', text: 'it was b', evidence: ['counter'] });
    expect(submitted.ok && submitted.events.map((e) => e.type)).toEqual(['diagnosis.submitted', 'score.computed', 'score.released', 'room.ended']);
    expect(runner.room.scores[playerId]).toMatchObject({ total: 7, max: 10 });
    const board = await registry.store.leaderboard('fake');
    expect(board).toMatchObject([{ rank: 1, participantId: playerId, name: 'Hana', score: 7, maxScore: 10 }]);
    registry.dispose();
  });

  it('host hints, faults, notes and adjustments are checked and projected', async () => {
    const { registry, runner, hostId } = await setup('interview');
    const host = { participantId: hostId, role: 'host' as const };
    const cand = await join(registry, runner, 'Cand');
    // A second identity waits for the host instead of taking a second seat.
    expect(await registry.joinByCode(runner.room.code, 'Second', 'player')).toMatchObject({ placement: { kind: 'waiting' } });
    await join(registry, runner, 'Watcher', 'spectator');
    await runner.act(host, { type: 'start' });
    expect(await runner.act(host, { type: 'push-hint', hintId: 'nope' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await runner.act(host, { type: 'push-hint', hintId: 'h2', participantId: cand })).ok).toBe(true);
    expect(await runner.act(host, { type: 'push-hint', hintId: 'h2', participantId: cand })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await runner.act(host, { type: 'adjust', participantId: cand, points: 2, reason: 'x' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await runner.act({ participantId: cand, role: 'player' }, { type: 'diagnose', rootCause: 'b', text: '', evidence: [] });
    expect(runner.room.status).toBe('running'); // only solo ends on a diagnosis
    await runner.act(host, { type: 'end' });
    expect((await runner.act(host, { type: 'adjust', participantId: cand, points: 3, reason: 'explained the quota well' })).ok).toBe(true);
    const results = await registry.store.listResults(runner.room.id);
    expect(results).toMatchObject([{ participantId: cand, score: 11, maxScore: 10 }]);
    registry.dispose();
  });

  it('rooms that play alike take their first snapshots at different points, never later than the cadence, then keep it', async () => {
    // 200 rooms started together were all due in the same second, every cycle: the burst
    // (serialising, deflating and storing every state at once) was a loaded server's worst stall.
    const store = createMemoryRoomStore();
    const snapshots = new Map<string, number[]>();
    const saveSnapshot = store.saveSnapshot.bind(store);
    store.saveSnapshot = async (roomId, seq, data) => {
      snapshots.set(roomId, [...(snapshots.get(roomId) ?? []), seq]);
      return saveSnapshot(roomId, seq, data);
    };
    const registry = new RoomRegistry({ store, catalog: fakeCatalog(60_000), tickMs: 0, snapshotEvery: 40, snapshotWorkMs: 1e9, snapshotMs: 1e9 });
    const runners: RoomRunner[] = [];
    for (let i = 0; i < 8; i++) {
      const created = await registry.create({ scenarioId: 'fake', mode: 'solo', seed: 7, name: 'Min', settings: { allowSpectators: false, autoHints: false } });
      if (!('runner' in created)) throw new Error(created.error.message);
      const player = { participantId: created.participantId, role: 'player' as const };
      await created.runner.act(player, { type: 'start' });
      runners.push(created.runner);
      for (let line = 0; line < 90; line++) {
        await created.runner.act(player, { type: 'run', line: 'echo hi' });
        // The snapshot is taken after the ack, in the pacer's turn, which a busy machine may delay.
        await vi.waitFor(() => expect(created.runner.snapshotPending).toBe(false), { timeout: 10_000, interval: 1 });
      }
    }
    const firsts = runners.map((runner) => snapshots.get(runner.room.id)![0]!);
    for (const seq of firsts) expect(seq).toBeLessThanOrEqual(3 + 40);
    expect(new Set(firsts).size).toBeGreaterThanOrEqual(4);
    // Out of step, they stay so at the full cadence (no more snapshots than it asks for).
    for (const runner of runners) {
      const [first, second] = snapshots.get(runner.room.id)!;
      expect(second! - first!).toBe(40);
    }
    registry.dispose();
  });
});

describe('room registry memory', () => {
  async function endedRoom(registry: RoomRegistry): Promise<RoomRunner> {
    const created = await registry.create({ scenarioId: 'fake', mode: 'gameday', seed: 7, name: 'Hana' });
    if (!('runner' in created)) throw new Error(created.error.message);
    await created.runner.act({ participantId: created.participantId, role: 'host' }, { type: 'start' });
    await created.runner.act({ participantId: created.participantId, role: 'host' }, { type: 'end' });
    return created.runner;
  }

  it('keeps only the most recently used ended rooms nobody sits in, and rebuilds the others on demand', async () => {
    const store = createMemoryRoomStore();
    const registry = new RoomRegistry({ store, catalog: fakeCatalog(), tickMs: 0, maxEndedRooms: 1 });
    const a = await endedRoom(registry);
    const held = await endedRoom(registry);
    registry.hold(held);
    const open = await registry.create({ scenarioId: 'fake', mode: 'gameday', seed: 7, name: 'Min' });
    if (!('runner' in open)) throw new Error(open.error.message);
    const b = await endedRoom(registry);
    const inMemory = () => registry.list();
    // a is the oldest ended room nobody holds: it left memory; the held room and the open one stay.
    expect(inMemory()).not.toContain(a);
    expect(inMemory()).toEqual(expect.arrayContaining([held, open.runner, b]));

    const again = (await registry.get(a.room.id)) as RoomRunner;
    expect(again).not.toBe(a);
    expect(again!.room).toMatchObject({ status: 'ended', seq: a.room.seq, code: a.room.code });
    expect(inMemory()).not.toContain(b); // a is the most recent now
    expect(((await registry.findByCode(b.room.code)) as RoomRunner).room.seq).toBe(b.room.seq);

    registry.release(held);
    expect(inMemory()).not.toContain(held);
    expect(inMemory()).toContain(open.runner);
    registry.dispose();
  });
});

describe('viewFor', () => {
  it('gives players and spectators no host-only event or answer-key text', async () => {
    const { registry, store, runner, hostId } = await setup('gameday');
    const host = { participantId: hostId, role: 'host' as const };
    const a = await join(registry, runner, 'A');
    const b = await join(registry, runner, 'B');
    const s = await join(registry, runner, 'S', 'spectator');
    await runner.act(host, { type: 'start' });
    await runner.act({ participantId: a, role: 'player' }, { type: 'run', line: 'get' });
    await runner.act({ participantId: a, role: 'player' }, { type: 'signal', kind: 'paste', amount: 40 });
    await runner.act(host, { type: 'note', text: 'A pasted something' });
    await runner.act(host, { type: 'inject-fault', faultId: 'jump' });
    await runner.act(host, { type: 'push-hint', hintId: 'h1', participantId: b });
    await runner.act({ participantId: a, role: 'player' }, { type: 'diagnose', rootCause: 'b', text: 'why', evidence: [] });
    const log = (await store.listEvents(runner.room.id, 0)).map(fromStored);
    const seenBy = (role: 'player' | 'spectator', participantId: string) =>
      log.map((e) => viewFor({ role, participantId } as never, e)).filter((e) => e !== null);

    const forA = seenBy('player', a);
    const forB = seenBy('player', b);
    const forS = seenBy('spectator', s);
    for (const seen of [forA, forB, forS]) {
      const text = JSON.stringify(seen);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('A pasted something');
      expect(seen.map((e) => e.type)).not.toContain('signal');
      expect(seen.map((e) => e.type)).not.toContain('fault.injected');
      expect(text).not.toContain('"seed"');
    }
    expect(forA.filter((e) => e.type === 'command')).toHaveLength(1);
    expect(forB.filter((e) => e.type === 'command')).toHaveLength(0); // another player's terminal
    expect(forB.filter((e) => e.type === 'hint.pushed')).toHaveLength(1);
    expect(forA.filter((e) => e.type === 'hint.pushed')).toHaveLength(0);
    expect(forS.filter((e) => e.type === 'command')).toHaveLength(1);
    // The score is the host's until the room ends: no points reach a player or spectator yet.
    for (const seen of [forA, forB, forS]) expect(seen.map((e) => e.type).filter((t) => t.startsWith('score.'))).toEqual([]);
    expect(JSON.stringify(log)).toContain(SECRET); // the host's log does hold it
    registry.dispose();
  });
});
