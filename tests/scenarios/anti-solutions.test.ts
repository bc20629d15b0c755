// `kubedrill scenarios check` on every scenario file (new incidents are covered as they are
// added): each variant has folk remedies listed, and none of them — restart the pods,
// rollout restart, restart the kubelet everywhere, delete and recreate, scale up, reboot the
// node — fixes any cause (every outcome check it could earn stays failing). The check
// itself catches a remedy that does fix: the reference solution played as an anti-solution.
import { describe, expect, it } from 'vitest';
import { checkAntiSolutions, runAntiSolution } from '../../server/cli/scenarios-command.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { pinInstance, solutionOf } from '../../server/scenarios/variant.js';

const { scenarios, problems } = loadScenarioDir();

describe('anti-solutions', () => {
  it('every scenario file loads', () => {
    expect(problems).toEqual([]);
  });

  it.each(scenarios.map((s) => [s.id, s] as const))('%s: every variant lists folk remedies and none of them fixes it', (_id, loaded) => {
    for (const v of loaded.variants) expect(v.scenario.antiSolutions.length, v.id).toBeGreaterThanOrEqual(4);
    const { problems: found } = checkAntiSolutions(loaded);
    expect(found.map((p) => p.message)).toEqual([]);
  }, 240_000);

  it('the check reports a remedy that does fix (the reference solution, played as one)', () => {
    const loaded = scenarios.find((s) => s.id === 'pending-pods')!;
    const { scenario, variantId, seed } = pinInstance(loaded, 'taint');
    const run = runAntiSolution(scenario, variantId, seed, { name: 'the real fix', steps: solutionOf(scenario).steps });
    expect(run.fixed).toContain('taint-removed');
  });

  it('a blind kubelet restart everywhere does not start the masked control-plane kubelet (pending-pods, scheduler)', () => {
    const loaded = scenarios.find((s) => s.id === 'pending-pods')!;
    const { scenario, variantId, seed } = pinInstance(loaded, 'scheduler');
    const anti = scenario.antiSolutions.find((a) => a.name === 'restart the kubelet everywhere')!;
    expect(runAntiSolution(scenario, variantId, seed, anti).fixed).toEqual([]);
  });
});
