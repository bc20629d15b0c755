// Who changed the world. A room runs each player's line with their id; when the line changed
// the world (an API write, etcd, a unit, a file, a node's NAT rules, a control-plane process), that player is
// recorded as the last to change it. Fixes and damage that appear are credited or charged to
// them (scenarios/remediation.ts, scoring/damage.ts), so in a game day each player is scored
// on their own actions. Plain data in the state: a replay records the same.
import type { ActorRecord, ClusterState } from './types.js';

/**
 * A cheap summary that changes whenever a command changes the world. Taken before and after
 * every command: loops, not Object.keys/entries/values, which made ~2 KB of arrays a call.
 */
export function worldFingerprint(state: ClusterState): string {
  const e = state.etcd;
  const cp = state.controlPlane;
  let out = `${e.revision}|${e.dbSize}|${e.alarms.length}|${e.dataLost}|${cp.apiserver.running}${cp.scheduler.running}${cp.controllerManager.running}`;
  for (const key in state.nodes) {
    const node = state.nodes[key]!;
    out += `|${node.metadata.name}:${Object.keys(node.host.files).length}`;
    const units = node.host.units;
    for (const unit in units) out += `${unit[0]}${units[unit]!.active ? 1 : 0}`;
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
