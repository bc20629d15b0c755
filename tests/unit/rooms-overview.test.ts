// The cluster overview hosts and spectators see: nodes and pods with the words kubectl
// prints, the latest events, and its timeline through a replayed log.
import { describe, expect, it } from 'vitest';
import { clusterOverview, OVERVIEW_EVENTS, overviewTimeline } from '../../server/rooms/overview.js';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import type { RoomEvent } from '../../server/protocol/index.js';
import { fakeRuntime } from './rooms-fake.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { seedDrawing } from '../helpers/pinned.js';

const { catalog } = loadScenarioCatalog();
// The upstream cause, orders/billing on nodes ip-10-0-1-10/21/22, no noise workload.
const SEED = seedDrawing(loadScenarioDir().scenarios.find((s) => s.id === 'coredns-down')!, 'upstream', { names: 1, nodes: 1, noise: 0 });
const runtime = () => catalog.runtime('coredns-down', SEED)!;

describe('clusterOverview', () => {
  it('lists nodes with kubectl STATUS and ROLES, and counts pods by STATUS', () => {
    const rt = runtime();
    const cluster = rt.start();
    const session = rt.newSession(cluster);
    expect(rt.runLine(cluster, session, 'kubectl cordon ip-10-0-1-21').exitCode).toBe(0);
    const overview = clusterOverview(cluster);
    expect(overview.nodes).toEqual([
      { name: 'ip-10-0-1-10', status: 'Ready', roles: 'control-plane' },
      { name: 'ip-10-0-1-21', status: 'Ready,SchedulingDisabled', roles: '<none>' },
      { name: 'ip-10-0-1-22', status: 'Ready', roles: '<none>' },
    ]);
    // The same counts `kubectl get pods -A` shows in its STATUS column.
    const statuses = rt.runLine(cluster, session, 'kubectl get pods -A --no-headers').output.trim().split('\n').map((row) => row.split(/\s+/)[3]!);
    const counted: Record<string, number> = {};
    for (const s of statuses) counted[s] = (counted[s] ?? 0) + 1;
    expect(overview.pods).toEqual(counted);
  });

  it('shows Pending pods and FailedScheduling warnings after a scale-up past capacity, latest events last', () => {
    const rt = runtime();
    const cluster = rt.start();
    rt.runLine(cluster, rt.newSession(cluster), 'kubectl scale deploy billing -n orders --replicas=100');
    rt.advance(cluster, 5000);
    const overview = clusterOverview(cluster);
    expect(overview.pods.Pending).toBeGreaterThan(0);
    expect(Object.keys(overview.pods)[0]).toBe(Object.entries(overview.pods).sort(([, a], [, b]) => b - a)[0]![0]);
    expect(overview.events).toHaveLength(OVERVIEW_EVENTS);
    expect(overview.events.map((e) => e.lastSeen)).toEqual([...overview.events.map((e) => e.lastSeen)].sort((a, b) => a - b));
    expect(overview.events.some((e) => e.type === 'Warning' && e.reason === 'FailedScheduling' && /^pod\/billing-/.test(e.object) && /Insufficient cpu/.test(e.message))).toBe(true);
    // Pure: the same cluster, the same overview text.
    expect(JSON.stringify(clusterOverview(structuredClone(cluster)))).toBe(JSON.stringify(overview));
  });
});

describe('overviewTimeline', () => {
  const log: RoomEvent[] = [
    { seq: 1, simTime: 0, type: 'room.created', mode: 'gameday', scenarioId: 'coredns-down', seed: 1, code: 'ABCDEFGH', timeLimitMs: 600_000 },
    { seq: 2, simTime: 0, type: 'participant.joined', participantId: 'p1', name: 'Ann', role: 'player' },
    { seq: 3, simTime: 0, type: 'room.started', by: 'system' },
    { seq: 4, simTime: 0, type: 'command', participantId: 'p1', line: 'kubectl scale deploy billing -n orders --replicas=100', output: 'deployment.apps/billing scaled\n', exitCode: 0 },
    { seq: 5, simTime: 0, type: 'tick', ms: 5000 },
    { seq: 6, simTime: 5000, type: 'note.added', by: 'h', text: 'watching' },
  ];

  it('records the overview at the start and after each event that changed it', async () => {
    const timeline = await overviewTimeline(runtime(), 'room', log);
    expect(timeline[0]!.seq).toBe(1);
    expect(timeline[0]!.overview.pods.Pending).toBeUndefined();
    const last = timeline.at(-1)!;
    expect(last.seq).toBe(5);
    expect(last.overview.pods.Pending).toBeGreaterThan(0);
    expect(new Set(timeline.map((t) => JSON.stringify(t.overview))).size).toBe(timeline.length);
  });

  it('is empty for a runtime without a real cluster', async () => {
    expect(await overviewTimeline(fakeRuntime(), 'room', log)).toEqual([]);
  });
});
