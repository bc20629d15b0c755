// In a game day two players share one cluster: each is scored on their own diagnosis and
// actions. The world records whose command changed it; the fix is credited to its maker and
// the damage charged to whoever did it, through the real room runtime and shell.
import { describe, expect, it } from 'vitest';
import { sameWorld, worldFingerprint } from '../../server/cluster/actors.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { seedDrawing } from '../helpers/pinned.js';
import { createMemoryRoomStore } from '../../server/db/memory-room-store.js';
import { RoomRegistry } from '../../server/rooms/registry.js';
import { loadScenarioCatalog, scenarioRuntime } from '../../server/rooms/scenario-runtime.js';

const loaded = loadScenarioDir().scenarios.find((s) => s.id === 'pending-pods')!;

describe('game day: fixes and damage belong to the player whose commands made them', () => {
  it('credits the taint removal to its maker and a deleted node to whoever deleted it', () => {
    // The taint variant in namespace shop on nodes ip-10-0-3-21/22/23: ip-10-0-3-22/23 keep the maintenance taint.
    const runtime = scenarioRuntime(loaded, seedDrawing(loaded, 'taint', { names: 1, nodes: 1 }));
    const cluster = runtime.start();
    const ana = runtime.newSession(cluster);
    const bo = runtime.newSession(cluster);
    runtime.advance(cluster, 20_000);
    const run = (session: typeof ana, actor: string, line: string) => {
      const result = runtime.runLine(cluster, session, line, actor);
      runtime.advance(cluster, 5_000);
      return { line, output: result.output, exitCode: result.exitCode, simTime: cluster.now, ...(result.observed ? { observed: result.observed } : {}) };
    };
    const anaCommands = [
      run(ana, 'ana', 'kubectl get pods -n shop'),
      run(ana, 'ana', 'kubectl describe pods -n shop -l app=storefront'),
      run(ana, 'ana', 'kubectl describe nodes | grep -i taints'),
      run(ana, 'ana', 'kubectl taint nodes ip-10-0-3-22 maintenance-'),
      run(ana, 'ana', 'kubectl taint nodes ip-10-0-3-23 maintenance-'),
    ];
    const boCommands = [run(bo, 'bo', 'kubectl get events -n shop'), run(bo, 'bo', 'kubectl delete node ip-10-0-3-21')];
    runtime.advance(cluster, 60_000);
    const diagnosis = { rootCause: 'leftover-taint', text: 'taints', evidence: ['pods-pending', 'taint-event', 'node-taints'] };
    const score = (participantId: string, commands: typeof anaCommands) =>
      runtime.score({ participantId, diagnosis, commands, hintsUsed: [], elapsedMs: cluster.now, cluster });
    const lines = (s: ReturnType<typeof score>) => (s.breakdown as { lines: { category: string; id?: string; points: number; why: string }[] }).lines;

    const ana_ = lines(score('ana', anaCommands));
    const bo_ = lines(score('bo', boCommands));
    expect(ana_.find((l) => l.id === 'taint-removed')!.points).toBe(10);
    expect(bo_.find((l) => l.id === 'taint-removed')).toMatchObject({ points: 0, why: "holds at the end, but another player's commands made it" });
    expect(bo_.find((l) => l.id === 'node:ip-10-0-3-21')).toMatchObject({ category: 'harmful', points: -25 });
    expect(ana_.find((l) => l.id === 'node:ip-10-0-3-21')).toBeUndefined();
    // Each on their own evidence: bo saw the events but not the nodes' taints.
    expect(bo_.find((l) => l.id === 'node-taints')!.points).toBeLessThan(0);
    expect(ana_.find((l) => l.id === 'node-taints')!.points).toBe(10);
    // The room scores against the boxes its form offers: an observation in the player's own words costs nothing.
    const own = lines(runtime.score({ participantId: 'ana', diagnosis: { ...diagnosis, evidence: [...diagnosis.evidence, 'describe node shows maintenance taint'] }, commands: anaCommands, hintsUsed: [], elapsedMs: cluster.now, cluster }));
    expect(own).toEqual(ana_);
  });
});

describe('game day: a fix made on a node is its maker\'s', () => {
  // Host fixes change the world without an API write or a new file: swap turned off, a file
  // edited in place, a certificate renewed, a unit unmasked. Missed, the node's recovery was
  // credited to whoever last changed the world (bo, who only labelled a node).
  it('credits the swap fix (swapoff, fstab edited in place, kubelet restarted) to the player who typed it', () => {
    const notready = loadScenarioDir().scenarios.find((s) => s.id === 'node-notready')!;
    // The swap variant, namespace shop, nodes cp-1 / worker-1..3 with worker-2 the broken one.
    const runtime = scenarioRuntime(notready, seedDrawing(notready, 'swap', { names: 0, nodes: 0 }));
    const cluster = runtime.start();
    const ana = runtime.newSession(cluster);
    const bo = runtime.newSession(cluster);
    runtime.advance(cluster, 20_000);
    const run = (session: typeof ana, actor: string, line: string) => {
      runtime.runLine(cluster, session, line, actor);
      runtime.advance(cluster, 5_000);
    };
    run(bo, 'bo', 'kubectl label node worker-1 team=bo');
    for (const line of ['ssh worker-2', 'sudo swapoff -a', "sudo sed -i '/swap/d' /etc/fstab", 'sudo systemctl restart kubelet', 'exit']) run(ana, 'ana', line);
    runtime.advance(cluster, 120_000);
    expect(cluster.actors?.fixedBy).toMatchObject({ 'node-back': 'ana', 'survives-reboot': 'ana' });
  });
});

describe('a room scores what a player did after diagnosing too', () => {
  // Scored only when submitted, a game day's player could diagnose and then wreck the shared
  // cluster for free (and an interview's candidate who fixed after diagnosing earned nothing).
  async function gameDay() {
    const seed = seedDrawing(loaded, 'taint', { names: 1, nodes: 1 });
    const registry = new RoomRegistry({ store: createMemoryRoomStore(), catalog: loadScenarioCatalog().catalog, tickMs: 0 });
    const created = await registry.create({ scenarioId: 'pending-pods', mode: 'gameday', seed, name: 'Host' });
    if (!('runner' in created)) throw new Error(created.error.message);
    const runner = created.runner;
    const join = async (name: string) => {
      const joined = await registry.joinByCode(runner.room.code, name, 'player');
      if (!('runner' in joined) || joined.placement.kind !== 'seat') throw new Error('not seated');
      return { participantId: joined.placement.participant.id, role: 'player' as const };
    };
    const ana = await join('Ana');
    await runner.act({ participantId: created.participantId, role: 'host' }, { type: 'start' });
    await runner.tick(20_000);
    for (const line of ['kubectl get pods -n shop', 'kubectl describe pods -n shop -l app=storefront', 'kubectl describe nodes']) await runner.act(ana, { type: 'run', line });
    await runner.act(ana, { type: 'diagnose', rootCause: 'leftover-taint', text: 'taints', evidence: ['pods-pending', 'taint-event', 'node-taints'] });
    const lines = () => (runner.room.scores[ana.participantId]!.breakdown as { lines: { category: string; id?: string; points: number }[] }).lines;
    return { registry, runner, ana, host: { participantId: created.participantId, role: 'host' as const }, lines };
  }

  it('damage done after the diagnosis is charged when the room ends', async () => {
    const { registry, runner, ana, host, lines } = await gameDay();
    const before = runner.room.scores[ana.participantId]!.total;
    expect(lines().filter((l) => l.category === 'harmful')).toEqual([]);
    await runner.act(ana, { type: 'run', line: 'kubectl delete deployment storefront -n shop' });
    await runner.act(host, { type: 'end' });
    expect(lines().find((l) => l.id === 'deployment:shop/storefront')).toMatchObject({ category: 'harmful', points: -45 });
    expect(runner.room.scores[ana.participantId]!.total).toBeLessThanOrEqual(before - 45);
    // What the player saw after diagnosing does not back the diagnosis retroactively, and the time stays theirs.
    expect(lines().find((l) => l.category === 'rootCause')!.points).toBe(40);
    registry.dispose();
  });

  it('a fix made after the diagnosis counts when the room ends', async () => {
    const { registry, runner, ana, host, lines } = await gameDay();
    expect(lines().find((l) => l.id === 'taint-removed')!.points).toBe(0);
    for (const node of ['ip-10-0-3-22', 'ip-10-0-3-23']) await runner.act(ana, { type: 'run', line: `kubectl taint nodes ${node} maintenance-` });
    await runner.tick(60_000);
    await runner.act(host, { type: 'end' });
    expect(lines().find((l) => l.id === 'taint-removed')!.points).toBe(10);
    registry.dispose();
  });
});

describe('the world fingerprint', () => {
  it('changes with an API write, a unit stopped, a node file written; not with a read', () => {
    const runtime = scenarioRuntime(loaded, 1);
    const cluster = runtime.start();
    const session = runtime.newSession(cluster);
    const step = (line: string): boolean => {
      const before = worldFingerprint(cluster);
      runtime.runLine(cluster, session, line);
      return sameWorld(before, worldFingerprint(cluster));
    };
    expect(step('kubectl get pods -A')).toBe(true);
    expect(step('kubectl create namespace scratch')).toBe(false);
    const node = Object.keys(cluster.nodes)[0]!;
    expect(step(`ssh ${node}`)).toBe(true);
    expect(step('sudo systemctl stop kubelet')).toBe(false);
    expect(step('sudo touch /etc/scratch')).toBe(false);
  });
});
