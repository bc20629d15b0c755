// `kubectl get` keeps each listing's table between commands and rebuilds only the rows whose
// object was written or whose age ticked over (server/shell/kubectl/listing.ts). A clone of
// the state has no kept tables, so it prints everything afresh: at every step of every
// scenario, with faults, fixes, local changes of static pods and long waits, both must print
// the same bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { setUnitActive } from '../../server/cluster/host.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { applyAction, FaultActionSchema } from '../../server/scenarios/faults.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { advance, injectableFaults, injectFault, startScenario } from '../../server/scenarios/session.js';
import { pinInstance, solutionOf } from '../../server/scenarios/variant.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { durationChangesAt, humanDuration } from '../../server/shell/kubectl/age.js';

const LISTINGS = [
  'kubectl get pods -A',
  'kubectl get pods -A -o wide',
  'kubectl get pods',
  'kubectl get pods -n kube-system --no-headers',
  'kubectl get pods -A --show-labels',
  'kubectl get pods -A -L app -L k8s-app',
  'kubectl get pods -A --sort-by=.metadata.name',
  'kubectl get all -A',
  'kubectl get deploy,rs,ds -A -o wide',
  'kubectl get nodes -o wide',
  'kubectl get svc,ep -A',
  'kubectl get ns',
  'kubectl get cm -A',
];

/** Every listing on the state itself (kept tables) and on a clone (none kept). */
function expectSameListings(state: ClusterState, when: string): void {
  const clone = structuredClone(state);
  const session = newSession(state);
  const fresh = newSession(clone);
  for (const line of LISTINGS) {
    expect(runLine(state, session, line).output, `${when}: ${line}`).toBe(runLine(clone, fresh, line).output);
  }
}

/** Writes of every sort on whatever the cluster holds: scale, delete, label, cordon, replace. */
function churn(state: ClusterState): string[] {
  const deployment = Object.values(state.deployments).find((d) => d.metadata.namespace === 'default');
  const pod = Object.values(state.pods).find((p) => p.metadata.namespace === 'default' && !p.static);
  const node = Object.values(state.nodes).at(-1)!.metadata.name;
  return [
    ...(deployment ? [`kubectl scale deploy ${deployment.metadata.name} --replicas=${deployment.spec.replicas + 1}`, `kubectl rollout restart deploy ${deployment.metadata.name}`] : []),
    ...(pod ? [`kubectl label pod ${pod.metadata.name} drill=yes --overwrite`, `kubectl delete pod ${pod.metadata.name}`] : []),
    `kubectl cordon ${node}`,
    `kubectl label node ${node} drill=yes`,
    `kubectl uncordon ${node}`,
    'kubectl get cm -n kube-system coredns -o yaml | kubectl apply -f -',
  ];
}

const { scenarios } = loadScenarioDir();

describe('kept listing tables', () => {
  it.each(scenarios.flatMap((s) => s.variants.map((v) => [s.id, v.id] as const)))(
    '%s/%s: print what a fresh listing prints at every step',
    (id, variant) => {
      const { scenario, seed } = pinInstance(scenarios.find((s) => s.id === id)!, variant);
      const state = startScenario(scenario, seed);
      const session = newSession(state);
      expectSameListings(state, 'start');
      let step = 0;
      const play = (line: string) => {
        runLine(state, session, line);
        advance(state, scenario, 5_000);
        expectSameListings(state, `step ${++step} (${line})`);
      };
      for (const s of solutionOf(scenario).steps) {
        if (typeof s === 'string') play(s);
        else {
          advance(state, scenario, s.wait * 1000);
          expectSameListings(state, `after waiting ${s.wait}s`);
        }
      }
      for (const fault of injectableFaults(scenario)) {
        injectFault(state, scenario, fault.id);
        advance(state, scenario, 20_000);
        expectSameListings(state, `after fault ${fault.id}`);
      }
      for (const line of churn(state)) play(line);
      // Ages tick over at every scale (the cluster's own objects are days old already).
      for (const ms of [1_000, 59_000, 9 * 60_000, 3_600_000]) {
        advance(state, scenario, ms);
        expectSameListings(state, `after ${ms} ms more`);
      }
    },
  );
});

describe('kept listing tables and the kubelet', () => {
  it('show a static pod the kubelet restarts on its own while etcd refuses writes', () => {
    const state = createCluster(demoClusterSpec, 3);
    tick(state, 10_000);
    const session = newSession(state);
    const line = 'kubectl get pods -n kube-system';
    const before = runLine(state, session, line).output;
    state.etcd.alarms.push({ memberID: state.etcd.members[0]!.id, alarm: 'NOSPACE' });
    state.controlPlane.scheduler.running = false;
    tick(state, 30_000);
    const after = runLine(state, session, line).output;
    expect(after).not.toBe(before);
    expect(after).toMatch(/kube-scheduler-\S+\s+0\/1\s+(CrashLoopBackOff|Error)\s+[1-9]/);
    expectSameListings(state, 'NOSPACE, scheduler down');
  });

  it('show a static pod whose process a fault stops while no kubelet runs', () => {
    const state = createCluster(demoClusterSpec, 4);
    tick(state, 10_000);
    const session = newSession(state);
    const line = 'kubectl get pods -n kube-system';
    const before = runLine(state, session, line).output;
    const controlPlane = Object.values(state.nodes).find((n) => 'node-role.kubernetes.io/control-plane' in n.metadata.labels)!;
    setUnitActive(state, controlPlane.metadata.name, 'kubelet', false);
    expect(applyAction(state, FaultActionSchema.parse({ controlPlane: { component: 'scheduler', running: false, exitCode: 137 } }))).toEqual({ ok: true });
    const after = runLine(state, session, line).output;
    expect(after).not.toBe(before);
    expect(after).toMatch(/kube-scheduler-\S+\s+0\/1\s+OOMKilled/);
    expectSameListings(state, 'kubelet stopped, scheduler killed');
  });
});

describe('durationChangesAt', () => {
  it('is after now, and humanDuration reads the same until then', () => {
    const MAX = 10 * 365 * 86_400_000;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX }), fc.integer({ min: -5_000, max: MAX }), fc.double({ min: 0, max: 1, noNaN: true }), (now, at, fraction) => {
        const until = durationChangesAt(now, at);
        expect(until).toBeGreaterThan(now);
        const later = now + Math.floor((until - 1 - now) * fraction);
        expect(humanDuration(later - at)).toBe(humanDuration(now - at));
        expect(humanDuration(until - 1 - at)).toBe(humanDuration(now - at));
      }),
      { numRuns: 2_000 },
    );
  });
});
