// Where `kubedrill shell` gets its cluster from: the built-in demo cluster, or a scenario
// file (scenarios/<id>.yaml) whose variant the seed picks; its faults fire as time advances.
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
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

/** The cluster for the `--scenario`/`--seed` flags, or undefined after printing why (exit status 2). */
export function clusterOrExit(flags: { scenario: string; seed: number }): Extract<ClusterSource, { ok: true }> | undefined {
  const source = clusterFor(flags.scenario, flags.seed);
  if (source.ok) return source;
  process.stderr.write(`${source.error}\n`);
  process.exitCode = 2;
  return undefined;
}

/** commander's parser of an integer option (`--seed`, `--port`). */
export function integer(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('not an integer.');
  return Number(value);
}

/** Where simulated time follows the wall clock, the most it catches up at once (a laptop asleep). */
export const MAX_IDLE_TICK_MS = 10 * 60_000;

/** The `--scenario ID` and `--seed N` options of the commands that load one cluster. */
export function scenarioOptions(command: Command): Command {
  return command.option('--scenario <id>', 'scenario to load', DEMO_SCENARIO).option('--seed <n>', 'variant seed', integer, 1);
}
