// What the world held when the incident began, kept in the state so the damage a session
// did can be told from the world itself (scoring/damage.ts), whatever the scenario.
import type { ClusterState, WorldBaseline } from './types.js';

export function captureBaseline(state: ClusterState): WorldBaseline {
  return {
    nodes: Object.keys(state.nodes).sort(),
    namespaces: Object.keys(state.namespaces).sort(),
    deployments: Object.keys(state.deployments).sort(),
    replicas: Object.fromEntries(Object.entries(state.deployments).map(([k, d]) => [k, d.spec.replicas])),
    daemonsets: Object.keys(state.daemonsets).sort(),
    services: Object.keys(state.services).sort(),
    controlPlane: (Object.keys(state.controlPlane) as (keyof ClusterState['controlPlane'])[]).filter((c) => state.controlPlane[c].running).sort(),
  };
}
