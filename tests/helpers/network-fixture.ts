// A running demo cluster for the network tests, and small helpers to run node tools and
// `kubectl exec` programs against it.
import { LineBudget } from '../../server/shell/budget.js';
import { createCluster, demoClusterSpec, tick, type ClusterSpecInput } from '../../server/cluster/index.js';
import type { ClusterState, Pod } from '../../server/cluster/types.js';
import { runInContainer } from '../../server/shell/exec/index.js';
// The shell registers its runner as it loads (shell/entry.ts): exec runs scripts through it.
import '../../server/shell/index.js';
import { networkTools } from '../../server/shell/node/network/index.js';
import type { CommandContext, CommandResult } from '../../server/shell/types.js';

export function runningCluster(seed = 7, spec: ClusterSpecInput = demoClusterSpec, settleMs = 60_000): ClusterState {
  const state = createCluster(spec, seed);
  tick(state, settleMs);
  return state;
}

export function context(state: ClusterState, node?: string): CommandContext {
  return { state, session: { ...(node ? { node } : {}), root: true, vars: {}, history: [], namespace: 'default' }, env: {}, stdin: '', budget: new LineBudget() };
}

export function onNode(state: ClusterState, node: string, ...argv: string[]): CommandResult {
  const tool = networkTools[argv[0]!];
  if (!tool) throw new Error(`no tool ${argv[0]}`);
  return tool(context(state, node), argv);
}

export function podOf(state: ClusterState, prefix: string, namespace = 'default'): Pod {
  const pod = Object.values(state.pods).find((p) => p.metadata.namespace === namespace && p.metadata.name.startsWith(`${prefix}-`));
  if (!pod) throw new Error(`no pod ${namespace}/${prefix}-*`);
  return pod;
}

export function podsOf(state: ClusterState, prefix: string, namespace = 'default'): Pod[] {
  return Object.values(state.pods).filter((p) => p.metadata.namespace === namespace && p.metadata.name.startsWith(`${prefix}-`));
}

export function exec(state: ClusterState, pod: Pod, ...argv: string[]): CommandResult {
  return runInContainer(context(state), pod, pod.spec.containers[0]!.name, argv);
}

/** Every access-log line the pods of a deployment wrote, as [time, text]. */
export function accessLog(state: ClusterState, prefix: string): { at: number; text: string }[] {
  return podsOf(state, prefix).flatMap((p) => p.status.containerStatuses[0]!.logs).filter((l) => l.text.includes('"GET ')).sort((a, b) => a.at - b.at);
}
