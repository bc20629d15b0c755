// The damage a session did, read from the world the same way for every scenario: data
// destroyed in etcd, nodes, namespaces, workloads and Services deleted, a node's NAT rules
// flushed (and not yet written again by kube-proxy), control-plane components stopped (unless the incident itself stops them), and customer requests lost
// (the synthetic clients' answered share against what it was when the session began).
// Each item is charged to the player whose command did it (cluster/actors.ts).
import { actorRecord } from '../cluster/actors.js';
import { natFlushed } from '../cluster/network/pod-lookup.js';
import type { ClusterState } from '../cluster/types.js';
import { HEALTH_BUCKET_MS } from '../cluster/network/traffic.js';
import { clientTotals } from '../scenarios/predicates.js';
import type { Scenario } from '../scenarios/schema.js';

export interface DamageItem {
  /** Stable key: `node:worker-1`, `namespace:shop`, `traffic:shop/frontend`… */
  key: string;
  label: string;
  penalty: number;
  why: string;
}

const SYSTEM_NAMESPACE = 'kube-system';
const PENALTY = {
  etcdData: 60,
  node: 25,
  systemNamespace: 40,
  namespace: 45,
  appWorkload: 45,
  systemWorkload: 15,
  appService: 40,
  systemService: 25,
  controlPlane: 10,
  natFlushed: 20,
  /** Per minute of requests lost (all of one Service's traffic failing for a minute), up to trafficMax. */
  trafficPerMinute: 4,
  trafficMax: 30,
  /** Still losing requests when the session ends. */
  trafficAtEnd: 30,
} as const;
/** A Service counts as losing requests when its answered share is this far below where it started. */
const TRAFFIC_DROP = 0.25;
const namespaceOf = (key: string): string => key.split('/')[0]!;

/** Control-plane components the scenario's own faults stop: their being down is the incident, not damage. */
function incidentComponents(s: Scenario): Set<string> {
  return new Set(s.faults.flatMap((f) => f.actions.flatMap((a) => (a.controlPlane && !a.controlPlane.running ? [a.controlPlane.component] : []))));
}

/** Damage to the world's objects and processes, against the baseline. */
export function structuralDamage(state: ClusterState, s: Scenario): DamageItem[] {
  const base = state.baseline;
  if (!base) return [];
  const out: DamageItem[] = [];
  if (state.etcd.dataLost) out.push({ key: 'etcd:data', label: "etcd's data destroyed", penalty: PENALTY.etcdData, why: "etcd's data directory is gone: the cluster's whole state is lost" });
  for (const n of base.nodes) if (!state.nodes[n]) out.push({ key: `node:${n}`, label: `node ${n} deleted`, penalty: PENALTY.node, why: `the Node ${n} was deleted: its pods were evicted and its capacity lost` });
  const goneNamespaces = new Set(base.namespaces.filter((ns) => !state.namespaces[ns]));
  for (const ns of goneNamespaces) {
    const system = ns === SYSTEM_NAMESPACE;
    out.push({ key: `namespace:${ns}`, label: `namespace ${ns} deleted`, penalty: system ? PENALTY.systemNamespace : PENALTY.namespace, why: system ? "kube-system was deleted: the cluster's own components with it" : `the namespace ${ns} was deleted with everything in it` });
  }
  const inLiveNamespace = (key: string) => !goneNamespaces.has(namespaceOf(key));
  for (const key of base.deployments.filter((k) => inLiveNamespace(k))) {
    const system = namespaceOf(key) === SYSTEM_NAMESPACE;
    const dep = state.deployments[key];
    // Scaled to zero is deleted as far as its users can tell.
    const gone = !dep ? 'deleted' : dep.spec.replicas === 0 && (base.replicas[key] ?? 0) > 0 ? 'scaled to zero' : undefined;
    if (!gone) continue;
    out.push({ key: `deployment:${key}`, label: `deployment ${key} ${gone}`, penalty: system ? PENALTY.systemWorkload : PENALTY.appWorkload, why: system ? `the system workload ${key} was ${gone}` : `the app ${key} was ${gone}: its customers are cut off` });
  }
  for (const key of base.daemonsets.filter((k) => !state.daemonsets[k] && inLiveNamespace(k))) {
    out.push({ key: `daemonset:${key}`, label: `daemonset ${key} deleted`, penalty: PENALTY.systemWorkload, why: `the DaemonSet ${key} was deleted from every node` });
  }
  for (const key of base.services.filter((k) => !state.services[k] && inLiveNamespace(k))) {
    const system = namespaceOf(key) === SYSTEM_NAMESPACE || key === 'default/kubernetes';
    out.push({ key: `service:${key}`, label: `service ${key} deleted`, penalty: system ? PENALTY.systemService : PENALTY.appService, why: `the Service ${key} was deleted: its address, and every client using it, went with it` });
  }
  for (const n of Object.keys(state.network.natFlushed ?? {}).sort()) {
    if (!natFlushed(state, n)) continue;
    out.push({ key: `nat:${n}`, label: `NAT rules flushed on ${n}`, penalty: PENALTY.natFlushed, why: `the nat table on ${n} was flushed: no Service answers through that node until kube-proxy writes its rules again (restart its pod there)` });
  }
  const incident = incidentComponents(s);
  for (const c of base.controlPlane) {
    const component = c as keyof ClusterState['controlPlane'];
    if (!state.controlPlane[component].running && !incident.has(c)) out.push({ key: `controlPlane:${c}`, label: `${c} stopped`, penalty: PENALTY.controlPlane, why: `${c} was running when the session began and is stopped now` });
  }
  return out;
}

/** After `actor`'s command changed the world: the damage that appeared is theirs. */
export function attributeDamage(state: ClusterState, s: Scenario, actor: string): void {
  const record = actorRecord(state);
  for (const item of structuralDamage(state, s)) record.damageBy[item.key] ??= actor;
}

/** A minute of health buckets: a Service served this well for that long was working. */
const HEALTHY_WINDOW_MS = 60_000;

/** A Service's requests since `from`, summed over its clients, per health bucket in time order. */
function bucketsSince(state: ClusterState, svc: string, from: number): { at: number; served: number; failed: number }[] {
  const byAt = new Map<number, { at: number; served: number; failed: number }>();
  for (const [key, buckets] of Object.entries(state.network.health ?? {})) {
    if (key.slice(0, key.indexOf('|')) !== svc) continue;
    for (const b of buckets) {
      if (b.at < from) continue;
      const sum = byAt.get(b.at) ?? { at: b.at, served: 0, failed: 0 };
      sum.served += b.served;
      sum.failed += b.failed;
      byAt.set(b.at, sum);
    }
  }
  return [...byAt.values()].sort((a, b) => a.at - b.at);
}

/**
 * Requests lost per Service since `from`, beyond the share that was failing anyway: the
 * share failing when the player began, or less once the Service has been served that well
 * for a whole minute since (an incident fixed and then broken again costs its customers).
 */
export function trafficDamage(state: ClusterState, from: number): DamageItem[] {
  const services = new Set(Object.keys(state.network.health ?? {}).map((k) => k.split('|')[0]!));
  const out: DamageItem[] = [];
  for (const svc of services) {
    const [ns, name] = svc.split('/') as [string, string];
    const before = clientTotals(state, ns, name, 0, from).reduce((t, r) => ({ served: t.served + r.served, failed: t.failed + r.failed }), { served: 0, failed: 0 });
    const startShare = before.served + before.failed > 0 ? before.failed / (before.served + before.failed) : 0;
    const buckets = bucketsSince(state, svc, from);
    const endFrom = state.now - HEALTHY_WINDOW_MS;
    let expected = startShare; // the share that may fail without anyone's fault
    let expectedAtEnd = startShare;
    let lost = 0;
    let sentAfter = 0;
    const window: { at: number; served: number; failed: number }[] = [];
    for (const b of buckets) {
      const sent = b.served + b.failed;
      sentAfter += sent;
      lost += b.failed - expected * sent; // what failed beyond the expected share (bucket noise evens out)
      window.push(b);
      while (window.length > 0 && window[0]!.at <= b.at - HEALTHY_WINDOW_MS) window.shift();
      // A full minute seen: its share is what the Service is capable of from here on.
      if (b.at - window[0]!.at >= HEALTHY_WINDOW_MS - HEALTH_BUCKET_MS) {
        const w = window.reduce((t, x) => ({ served: t.served + x.served, failed: t.failed + x.failed }), { served: 0, failed: 0 });
        if (w.served + w.failed > 0) expected = Math.min(expected, w.failed / (w.served + w.failed));
      }
      if (b.at < endFrom) expectedAtEnd = expected;
    }
    if (sentAfter === 0) continue;
    lost = Math.max(0, lost);
    const perMinute = state.network.traffic.filter((c) => c.service.namespace === ns && c.service.name === name).reduce((n, c) => n + c.requestsPerMinute, 0);
    const minutes = perMinute > 0 ? lost / perMinute : 0;
    const end = buckets.filter((b) => b.at >= endFrom).reduce((t, r) => ({ served: t.served + r.served, failed: t.failed + r.failed }), { served: 0, failed: 0 });
    const endShare = end.served + end.failed > 0 ? end.failed / (end.served + end.failed) : 0;
    const failingAtEnd = endShare - expectedAtEnd >= TRAFFIC_DROP;
    if (minutes < 0.5 && !failingAtEnd) continue;
    const penalty = Math.min(PENALTY.trafficMax, Math.round(minutes * PENALTY.trafficPerMinute)) + (failingAtEnd ? PENALTY.trafficAtEnd : 0);
    out.push({
      key: `traffic:${svc}`, label: `customer requests lost (${svc})`, penalty,
      why: `${Math.round(lost)} requests to ${svc} failed beyond the ${Math.round(startShare * 100)} % failing when you started${expected < startShare ? ' (or once it had been served for a minute, beyond what it then failed)' : ''} (${minutes.toFixed(1)} minutes of its traffic)${failingAtEnd ? '; it is still failing at the end' : ''}`,
    });
  }
  return out;
}
