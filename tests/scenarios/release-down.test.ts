// "The new release is down": rollback against fixing forward. `rollout undo` brings every
// cause back (the previous revision's image runs its own program); a fix forward works only
// where the cause lives in the manifest (the limit, the tag), never for a program that fails
// by itself. What each cause shows is the real kubelet's: OOMKilled/137 in Last State
// (kubelet kuberuntime_container.go), ErrImagePull → ImagePullBackOff with the registry's
// "not found" (images/image_manager.go), exit 1 and the previous run's log.
import { describe, expect, it } from 'vitest';
import { playSteps } from '../../server/cli/scenarios-command.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { evaluate } from '../../server/scenarios/predicates.js';
import type { SolutionStepValue } from '../../server/scenarios/schema.js';
import { pinInstance } from '../../server/scenarios/variant.js';

const loaded = loadScenarioDir().scenarios.find((s) => s.id === 'release-down')!;
// Dressing 0: payments/settlement, release 2.4.0 (pushed as v2.4.0), previous v2.3.7.
const NS = '-n payments';

function serving(variant: string, steps: SolutionStepValue[]): { fixed: boolean; outputs: string[] } {
  const { scenario, seed } = pinInstance(loaded, variant);
  const { state, commands } = playSteps(scenario, seed, [{ wait: 60 }, ...steps, { wait: 150 }]);
  const check = scenario.answer.remediation.find((r) => r.id === 'serving')!;
  return { fixed: evaluate(state, check.predicate), outputs: commands.map((c) => c.output) };
}

describe('release-down', () => {
  it.each(['oom', 'image', 'crash'])('%s: rollout undo brings the previous revision back and it serves', (variant) => {
    expect(serving(variant, [`kubectl rollout undo deployment/settlement ${NS}`]).fixed).toBe(true);
  });

  it('oom: raising the limit fixes forward; the tag does not matter', () => {
    expect(serving('oom', [`kubectl set resources deployment settlement ${NS} --limits=memory=1Gi`]).fixed).toBe(true);
    expect(serving('oom', [`kubectl set image deployment/settlement ${NS} settlement=ghcr.io/acme/settlement:v2.4.0`]).fixed).toBe(false);
  });

  it('image: naming the pushed tag fixes forward; a bigger limit does not', () => {
    expect(serving('image', [`kubectl set image deployment/settlement ${NS} settlement=ghcr.io/acme/settlement:v2.4.0`]).fixed).toBe(true);
    expect(serving('image', [`kubectl set resources deployment settlement ${NS} --limits=memory=2Gi`]).fixed).toBe(false);
  });

  it('crash: nothing in the manifest fixes the program; going back to the old image does', () => {
    expect(serving('crash', [`kubectl set resources deployment settlement ${NS} --limits=memory=2Gi`]).fixed).toBe(false);
    expect(serving('crash', [`kubectl set image deployment/settlement ${NS} settlement=ghcr.io/acme/settlement:v2.3.7`]).fixed).toBe(true);
  });

  it('each cause shows what the kubelet really reports', () => {
    const oom = serving('oom', [`kubectl describe pods ${NS}`]).outputs[0]!;
    expect(oom).toMatch(/ {4}Last State: {5}Terminated\n {6}Reason: {7}OOMKilled\n {6}Exit Code: {4}137\n/);
    expect(oom).toMatch(/ {4}Limits:\n {6}memory: {2}512Mi\n/);
    const image = serving('image', [`kubectl get pods ${NS}`, `kubectl describe pods ${NS}`]).outputs;
    expect(image[0]).toMatch(/settlement-\w+-\w+ {3}0\/1 {5}(ImagePullBackOff|ErrImagePull) /);
    expect(image[1]).toContain('Failed to pull image "ghcr.io/acme/settlement:2.4.0": rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/acme/settlement:2.4.0": failed to resolve reference "ghcr.io/acme/settlement:2.4.0": ghcr.io/acme/settlement:2.4.0: not found');
    const crash = serving('crash', [`kubectl describe pods ${NS}`, `kubectl logs deployment/settlement ${NS} --previous`]).outputs;
    expect(crash[0]).toMatch(/ {4}Last State: {5}Terminated\n {6}Reason: {7}Error\n {6}Exit Code: {4}1\n/);
    expect(crash[1]).toContain('ERROR Message    : ERROR: relation "settlement_batches" does not exist');
  });
});
