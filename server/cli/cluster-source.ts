// Where `kubedrill shell` gets its cluster from: the built-in demo cluster, or a scenario
// file (scenarios/<id>.yaml) whose variant the seed picks; its faults fire as time advances.
import { join } from 'node:path';
import { createCluster, demoClusterSpec, tick } from '../cluster/index.js';
import type { ClusterState } from '../cluster/types.js';
import { formatProblem, loadScenarioFile, SCENARIOS_DIR } from '../scenarios/load.js';
import { advance, startScenario } from '../scenarios/session.js';
import { instantiate } from '../scenarios/variant.js';

export const DEMO_SCENARIO = 'demo';

export type ClusterSource =
  | { ok: true; state: ClusterState; /** Advances simulated time (and the scenario's timeline). */ advance: (state: ClusterState, ms: number) => void }
  | { ok: false; error: string };

/** The cluster for scenario `id` and variant `seed`, or the message `kubedrill` prints (exit 2). */
export function clusterFor(id: string, seed: number): ClusterSource {
  if (id === DEMO_SCENARIO) return { ok: true, state: createCluster(demoClusterSpec, seed), advance: tick };
  if (!/^[a-z0-9-]+$/.test(id)) return { ok: false, error: `kubedrill: unknown scenario "${id}"` };
  const loaded = loadScenarioFile(join(SCENARIOS_DIR, `${id}.yaml`));
  if (!loaded.ok) {
    const missing = loaded.problems.length === 1 && loaded.problems[0]!.message.startsWith('cannot read');
    return { ok: false, error: missing ? `kubedrill: unknown scenario "${id}"` : loaded.problems.map(formatProblem).join('\n') };
  }
  const { scenario } = instantiate(loaded.scenario, seed);
  return { ok: true, state: startScenario(scenario, seed), advance: (state, ms) => void advance(state, scenario, ms) };
}
