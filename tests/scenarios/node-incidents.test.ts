// The node incidents (node-notready): every folk remedy the file lists leaves every cause
// unsolved, each cause is told apart by its own key observation, and the history is there
// when the room opens (the failure began before, consistently in events, journal and ages).
import { describe, expect, it } from 'vitest';
import { playSteps } from '../../server/cli/scenarios-command.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { evaluate } from '../../server/scenarios/predicates.js';
import { advance, startScenario } from '../../server/scenarios/session.js';
import { seedForVariant, instantiate } from '../../server/scenarios/variant.js';
import { newSession, runLine } from '../../server/shell/index.js';

const { scenarios } = loadScenarioDir();
const loaded = scenarios.find((s) => s.id === 'node-notready')!;

describe('node-notready', () => {
  it('has at least three causes, each with a key evidence item of its own', () => {
    expect(loaded.variants.length).toBeGreaterThanOrEqual(3);
    const keys = loaded.variants.map((v) => {
      const { scenario } = instantiate(loaded, seedForVariant(loaded, v.id));
      return scenario.answer.evidence.filter((e) => e.key).map((e) => e.id).sort().join(',');
    });
    expect(new Set(keys).size).toBe(loaded.variants.length);
  });

  it.each(loaded.variants.map((v) => v.id))('no folk remedy fixes the %s variant', (variantId) => {
    const seed = seedForVariant(loaded, variantId);
    const { scenario } = instantiate(loaded, seed);
    expect(scenario.antiSolutions.length).toBeGreaterThanOrEqual(5);
    for (const anti of scenario.antiSolutions) {
      const { state } = playSteps(scenario, seed, anti.steps);
      const fixed = scenario.answer.remediation.filter((r) => !r.guard).every((r) => evaluate(state, r.predicate));
      expect(fixed, `${variantId}: "${anti.name}" solved it`).toBe(false);
      expect(evaluate(state, { deployment: { namespace: scenario.cluster.deployments[0]!.namespace, name: scenario.cluster.deployments[0]!.name, availableAtLeast: 6 } }), `${variantId}: "${anti.name}"`).toBe(false);
    }
  }, 120_000);

  // The node lifecycle controller marks a node Unknown once its heartbeat is older than the
  // grace period (kubernetes pkg/controller/nodelifecycle/node_lifecycle_controller.go,
  // tryUpdateNodeHealth: nodeMonitorGracePeriod 40s): a kubelet silent for 21 minutes is never
  // seen Ready, not even before the first tick.
  it('shows the silent node NotReady, tainted and its pods evicted at the first look (swap, seed 1)', () => {
    const { scenario } = instantiate(loaded, 1);
    const state = startScenario(scenario, 1);
    const sh = (line: string) => runLine(state, newSession(state), line).output;
    expect(state.now).toBe(0);
    expect(sh('kubectl get node worker-2 --no-headers')).toMatch(/^worker-2 +NotReady /);
    expect(sh('kubectl get node worker-2 -o jsonpath="{.spec.taints[*].key}"')).toBe('node.kubernetes.io/unreachable node.kubernetes.io/unreachable');
    expect(sh('kubectl get node worker-2 -o jsonpath="{.status.conditions[?(@.type==\'Ready\')].lastTransitionTime}"')).toBe('2024-06-03T08:39:40Z');
    expect(sh(`kubectl get pods -n ${scenario.cluster.deployments[0]!.namespace} --field-selector spec.nodeName=worker-2 --no-headers`)).toMatch(/^\S+ +0\/1 +Terminating /);
  });

  it.each(loaded.variants.map((v) => v.id))('the %s variant has a history when the room opens', (variantId) => {
    const seed = seedForVariant(loaded, variantId);
    const { scenario } = instantiate(loaded, seed);
    const state = startScenario(scenario, seed);
    const session = newSession(state);
    const bad = scenario.answer.evidence.find((e) => e.id === 'node-state')!.facts[0]!.name!;
    const sh = (line: string) => runLine(state, session, line).output;
    if (variantId === 'disk') {
      // The captures were written over the last minutes; the eviction manager starts at once.
      expect(sh(`ssh ${bad} sudo ls -l /var/tmp/captures`).split('\n').filter((l) => l.endsWith('.pcap')).length).toBeGreaterThan(10);
      return;
    }
    // The node stopped being Ready ~20 minutes before the room opened, and the journal goes back as far.
    advance(state, scenario, 2000);
    const condition = state.nodes[bad]!.status.conditions.find((c) => c.type === 'Ready')!;
    expect(state.nodes[bad]!.status.conditions.find((c) => c.type === 'Ready')!.status).not.toBe('True');
    expect(condition.lastTransitionTime).toBeLessThan(-15 * 60_000);
    const unit = variantId === 'swap' ? 'kubelet' : 'containerd';
    expect(state.nodes[bad]!.host.units[unit]!.failed!.restarts).toBeGreaterThan(100);
    expect(sh(`kubectl get pods -n ${scenario.cluster.deployments[0]!.namespace}`)).toMatch(/Terminating/);
  });
});
