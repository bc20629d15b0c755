// Who changed the world. A room runs each player's line with their id; when the line changed
// the world (an API write, etcd, a unit, a file or its contents, a certificate, swap, a link,
// a node's NAT rules, a control-plane process), that player is
// recorded as the last to change it. Fixes and damage that appear are credited or charged to
// them (scenarios/remediation.ts, scoring/damage.ts), so in a game day each player is scored
// on their own actions. Plain data in the state: a replay records the same.
import type { ActorRecord, ClusterState } from './types.js';

/**
 * A cheap summary that changes whenever a command changes the world (compare two with
 * sameWorld). Taken before and after every command: the values themselves, not a string of
 * them, which made ~2 KB of strings and arrays a call.
 */
export function worldFingerprint(state: ClusterState): unknown[] {
  const e = state.etcd;
  const cp = state.controlPlane;
  const out: unknown[] = [e.revision, e.dbSize, e.alarms.length, e.dataLost, cp.apiserver.running, cp.scheduler.running, cp.controllerManager.running];
  for (const key in state.nodes) {
    const node = state.nodes[key]!;
    const host = node.host;
    const units = host.units;
    out.push(node.metadata.name, Object.keys(host.files).length);
    // Contents too: a host fix often edits a file in place (sed -i on /etc/fstab). An unchanged
    // file keeps its string, so comparing is a pointer check.
    for (const path in host.files) out.push(host.files[path]);
    for (const unit in units) out.push(unit, units[unit]!.active, units[unit]!.masked, units[unit]!.since, units[unit]!.pid);
    for (const cert in host.certs) out.push(cert, host.certs[cert]!.notAfter);
    for (const link in host.links) out.push(link, host.links[link]);
    out.push(host.swaps?.length, host.dataFiles && Object.keys(host.dataFiles).length, host.cniBin && Object.keys(host.cniBin).length);
    out.push(state.network.natFlushed?.[node.metadata.name]);
  }
  return out;
}

/** Two fingerprints of the same world. */
export function sameWorld(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function actorRecord(state: ClusterState): ActorRecord {
  return (state.actors ??= { changes: {}, fixedBy: {}, damageBy: {} });
}

/** `actor`'s command changed the world. */
export function noteChangeBy(state: ClusterState, actor: string): void {
  const record = actorRecord(state);
  record.last = actor;
  record.changes[actor] = (record.changes[actor] ?? 0) + 1;
  (record.firstChangeAt ??= {})[actor] ??= state.now;
}
