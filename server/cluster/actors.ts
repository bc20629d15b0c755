// Who changed the world. A room runs each player's line with their id; when the line changed
// the world (an API write, etcd, a unit, a file, a node's NAT rules, a control-plane process), that player is
// recorded as the last to change it. Fixes and damage that appear are credited or charged to
// them (scenarios/remediation.ts, scoring/damage.ts), so in a game day each player is scored
// on their own actions. Plain data in the state: a replay records the same.
import type { ActorRecord, ClusterState } from './types.js';

/** A cheap summary that changes whenever a command changes the world. */
export function worldFingerprint(state: ClusterState): string {
  const e = state.etcd;
  let out = `${e.revision}|${e.dbSize}|${e.alarms.length}|${e.dataLost}|${state.controlPlane.apiserver.running}${state.controlPlane.scheduler.running}${state.controlPlane.controllerManager.running}`;
  for (const node of Object.values(state.nodes)) {
    out += `|${node.metadata.name}:${Object.keys(node.host.files).length}`;
    for (const [unit, u] of Object.entries(node.host.units)) out += `${unit[0]}${u.active ? 1 : 0}`;
    const flushed = state.network.natFlushed?.[node.metadata.name];
    if (flushed !== undefined) out += `n${flushed}`;
  }
  return out;
}

export function actorRecord(state: ClusterState): ActorRecord {
  return (state.actors ??= { changes: {}, fixedBy: {}, damageBy: {} });
}

/** `actor`'s command changed the world. */
export function noteChangeBy(state: ClusterState, actor: string): void {
  const record = actorRecord(state);
  record.last = actor;
  record.changes[actor] = (record.changes[actor] ?? 0) + 1;
}
