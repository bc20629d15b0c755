// Where `kubedrill shell` gets its cluster from: the one place a scenario loader plugs in.
// Until scenarios exist, only the built-in demo cluster is known.
import { createCluster, demoClusterSpec } from '../cluster/index.js';
import type { ClusterState } from '../cluster/types.js';

export const DEMO_SCENARIO = 'demo';

export type ClusterSource = { ok: true; state: ClusterState } | { ok: false; error: string };

/** The cluster for scenario `id` and variant `seed`, or the message `kubedrill` prints (exit 2). */
export function clusterFor(id: string, seed: number): ClusterSource {
  if (id === DEMO_SCENARIO) return { ok: true, state: createCluster(demoClusterSpec, seed) };
  return { ok: false, error: `kubedrill: unknown scenario "${id}"` };
}
