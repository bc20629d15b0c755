// Predicates on the cluster: the conditions a fault waits for and the remediations the
// answer key accepts. One predicate names exactly one resource kind (or all/any/not); the
// schema is a strict object with every kind optional, so a predicate on an unknown kind or
// field is rejected with the exact key ("Unrecognized key: statefulset") and editors
// complete the known ones from the generated JSON Schema.
import { z } from 'zod';
import { apiUnavailable, writeRefused } from '../cluster/api.js';
import { expiredCert } from '../cluster/pki.js';
import { etcdDiskFull, fstabSwaps } from '../cluster/host.js';
import { lookupDelayChance } from '../cluster/network/dns-delay.js';
import { lookupQueries } from '../cluster/network/dns.js';
import { readyEndpoints } from '../cluster/network/services.js';
import { clientAddressSeen } from '../cluster/network/traffic.js';
import type { ClusterState, Pod } from '../cluster/types.js';

const Name = z.string().min(1);
const Labels = z.record(z.string(), z.string());

const EtcdPredicate = z.strictObject({
  noAlarms: z.literal(true).optional(),
  alarm: z.enum(['NOSPACE', 'CORRUPT']).optional(),
  /** Physical DB size (what defrag shrinks) below this fraction of the quota. */
  dbSizeBelowFraction: z.number().gt(0).lte(1).optional(),
  healthy: z.boolean().optional(),
  dataLost: z.boolean().optional(),
  /** etcd commits writes: up, no NOSPACE alarm, room on its disk for the WAL. */
  writable: z.boolean().optional(),
});

const ApiserverPredicate = z.strictObject({
  /** kubectl can talk to it (process up, etcd answering). */
  healthy: z.boolean().optional(),
  /** Writes succeed (no NOSPACE alarm either). */
  acceptsWrites: z.boolean().optional(),
  /** It authenticated the workstation kubectl's latest request (its client certificate is valid). */
  workstationAuthenticated: z.boolean().optional(),
  /** Aggregated APIs answer through it (metrics.k8s.io: its front-proxy client certificate is valid). */
  aggregatedApis: z.boolean().optional(),
});

const ControlPlanePredicate = z.strictObject({
  component: z.enum(['apiserver', 'scheduler', 'controllerManager']),
  running: z.boolean(),
});

const DeploymentPredicate = z.strictObject({
  namespace: Name,
  name: Name,
  exists: z.boolean().optional(),
  availableAtLeast: z.number().int().nonnegative().optional(),
  replicasAtLeast: z.number().int().nonnegative().optional(),
  /** Every pod of the current template is ready and the old ones are gone (rollout complete). */
  rolledOut: z.literal(true).optional(),
});

/** Service fields a predicate may compare (dotted paths into the Service object). */
export const SERVICE_FIELDS = ['spec.type', 'spec.externalTrafficPolicy', 'spec.sessionAffinity', 'status.loadBalancer.ingress.0.ip'] as const;
const ServicePredicate = z
  .strictObject({
    namespace: Name,
    name: Name,
    field: z.enum(SERVICE_FIELDS).optional(),
    equals: z.string().optional(),
    /** The Service has at least this many ready endpoints (its selector finds ready pods). */
    readyEndpointsAtLeast: z.number().int().nonnegative().optional(),
  })
  .refine((p) => (p.field === undefined) === (p.equals === undefined), { message: 'field and equals go together' })
  .refine((p) => p.field !== undefined || p.readyEndpointsAtLeast !== undefined, { message: 'a service predicate needs field/equals or readyEndpointsAtLeast' });

const ConfigMapPredicate = z.strictObject({
  namespace: Name,
  name: Name,
  key: z.string(),
  contains: z.string().optional(),
  notContains: z.string().optional(),
});

const PodsPredicate = z.strictObject({
  namespace: Name,
  selector: Labels,
  allReady: z.literal(true).optional(),
  noneReady: z.literal(true).optional(),
  countAtLeast: z.number().int().nonnegative().optional(),
  somePending: z.boolean().optional(),
});

const NodePredicate = z.strictObject({
  name: Name,
  hasTaint: z.string().optional(),
  noTaint: z.string().optional(),
  schedulable: z.boolean().optional(),
  ready: z.boolean().optional(),
  labelEquals: z.strictObject({ key: z.string(), value: z.string() }).optional(),
  /** A node condition (DiskPressure, MemoryPressure…) holds ('True') or not. */
  condition: z.strictObject({ type: z.enum(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable']), status: z.enum(['True', 'False', 'Unknown']) }).optional(),
  /** /etc/fstab turns swap on at the next boot. */
  swapAtBoot: z.boolean().optional(),
});

/** A text file on a node (a config the fix must leave right). */
const FilePredicate = z.strictObject({ node: Name, path: z.string().min(1), contains: z.string().optional(), notContains: z.string().optional() });

const NamespacePredicate = z.strictObject({ name: Name, exists: z.boolean() });

/** How the Service's clients fared over the last `windowSec` of simulated time (cluster/network/traffic.ts). */
const TrafficPredicate = z.strictObject({
  namespace: Name,
  name: Name,
  /** Every client that sent requests got at least 95 % of them answered. */
  allClientsServed: z.literal(true).optional(),
  /** Requests answered / sent, all clients together, at least this. */
  servedShareAtLeast: z.number().min(0).max(1).optional(),
  /**
   * The app saw each outside client's own address on its latest answered request (as the
   * source or in X-Forwarded-For): not a node's, not a load balancer's.
   */
  clientAddressesSeen: z.literal(true).optional(),
  windowSec: z.number().positive().default(60),
});

/** A client counts as served when at least this share of its requests were answered. */
const CLIENT_SERVED_SHARE = 0.95;

/** Requests each client of the Service sent and got answered since `from`. */
export function clientTotals(state: ClusterState, namespace: string, name: string, from: number, to = Infinity): { served: number; failed: number }[] {
  const prefix = `${namespace}/${name}|`;
  return Object.entries(state.network.health ?? {})
    .filter(([key]) => key.startsWith(prefix))
    .map(([, buckets]) => {
      let served = 0, failed = 0;
      for (const b of buckets) if (b.at >= from && b.at < to) {
        served += b.served;
        failed += b.failed;
      }
      return { served, failed };
    });
}

/** A systemd unit on a node (what `systemctl is-active` says). */
const UnitPredicate = z.strictObject({ node: Name, name: Name, active: z.boolean() });

/** A node's filesystem (what `df` shows for a mount point). */
const DiskPredicate = z.strictObject({ node: Name, mount: Name, usedBelowFraction: z.number().gt(0).lte(1) });

/**
 * Name lookups from a workload's running pods (network/dns-delay.ts): `fast` = each pod's
 * lookup of `name` (or of the host in its container's `env` variable, so a trailing dot
 * there counts) waits out a resolver timeout less than one time in ten.
 */
const DnsPredicate = z.strictObject({
  namespace: Name,
  selector: Labels,
  name: z.string().min(1),
  env: z.string().optional(),
  fast: z.boolean(),
});


export interface Predicate {
  etcd?: z.infer<typeof EtcdPredicate>;
  apiserver?: z.infer<typeof ApiserverPredicate>;
  controlPlane?: z.infer<typeof ControlPlanePredicate>;
  deployment?: z.infer<typeof DeploymentPredicate>;
  service?: z.infer<typeof ServicePredicate>;
  configmap?: z.infer<typeof ConfigMapPredicate>;
  pods?: z.infer<typeof PodsPredicate>;
  node?: z.infer<typeof NodePredicate>;
  namespace?: z.infer<typeof NamespacePredicate>;
  unit?: z.infer<typeof UnitPredicate>;
  disk?: z.infer<typeof DiskPredicate>;
  file?: z.infer<typeof FilePredicate>;
  traffic?: z.input<typeof TrafficPredicate>;
  dns?: z.infer<typeof DnsPredicate>;
  all?: Predicate[];
  any?: Predicate[];
  not?: Predicate;
}

export const PREDICATE_KINDS = ['etcd', 'apiserver', 'controlPlane', 'deployment', 'service', 'configmap', 'pods', 'node', 'namespace', 'unit', 'traffic', 'disk', 'file', 'dns', 'all', 'any', 'not'] as const;

export const PredicateSchema: z.ZodType<Predicate> = z
  .strictObject({
    etcd: EtcdPredicate.optional(),
    apiserver: ApiserverPredicate.optional(),
    controlPlane: ControlPlanePredicate.optional(),
    deployment: DeploymentPredicate.optional(),
    service: ServicePredicate.optional(),
    configmap: ConfigMapPredicate.optional(),
    pods: PodsPredicate.optional(),
    node: NodePredicate.optional(),
    namespace: NamespacePredicate.optional(),
    unit: UnitPredicate.optional(),
    disk: DiskPredicate.optional(),
    file: FilePredicate.optional(),
    traffic: TrafficPredicate.optional(),
    dns: DnsPredicate.optional(),
    get all(): z.ZodOptional<z.ZodArray<z.ZodType<Predicate>>> {
      return z.array(PredicateSchema).min(1).optional();
    },
    get any(): z.ZodOptional<z.ZodArray<z.ZodType<Predicate>>> {
      return z.array(PredicateSchema).min(1).optional();
    },
    get not(): z.ZodOptional<z.ZodType<Predicate>> {
      return PredicateSchema.optional();
    },
  })
  .refine((p) => Object.keys(p).length === 1, { message: `a predicate names exactly one of: ${PREDICATE_KINDS.join(', ')}` })
  .meta({ id: 'Predicate' });

/** A lookup slower than the resolver timeout more often than this is not "fast". */
const SLOW_LOOKUP_SHARE = 0.1;

/** The host of a URL-ish setting (`https://api.stripe.com:443/v1` → `api.stripe.com`). */
function hostOf(value: string): string {
  return value.replace(/^[a-z]+:\/\//i, '').replace(/[/:].*$/, '');
}

function matchesLabels(labels: Record<string, string>, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function podReady(pod: Pod): boolean {
  return pod.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

function fieldValue(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** Does the predicate hold on this cluster now? Every field given must hold (AND). */
export function evaluate(state: ClusterState, p: Predicate): boolean {
  if (p.all) return p.all.every((q) => evaluate(state, q));
  if (p.any) return p.any.some((q) => evaluate(state, q));
  if (p.not) return !evaluate(state, p.not);
  if (p.etcd) {
    const e = p.etcd;
    const etcd = state.etcd;
    if (e.noAlarms && etcd.alarms.length > 0) return false;
    if (e.alarm && !etcd.alarms.some((a) => a.alarm === e.alarm)) return false;
    if (e.dbSizeBelowFraction !== undefined && etcd.dbSize >= e.dbSizeBelowFraction * etcd.quotaBackendBytes) return false;
    if (e.healthy !== undefined && (etcd.healthy && !etcd.dataLost) !== e.healthy) return false;
    if (e.dataLost !== undefined && etcd.dataLost !== e.dataLost) return false;
    if (e.writable !== undefined && (etcd.healthy && !etcd.dataLost && !etcd.alarms.some((a) => a.alarm === 'NOSPACE') && !etcdDiskFull(state)) !== e.writable) return false;
    return true;
  }
  if (p.apiserver) {
    const a = p.apiserver;
    if (a.healthy !== undefined && (apiUnavailable(state) === null) !== a.healthy) return false;
    if (a.acceptsWrites !== undefined && (writeRefused(state) === null) !== a.acceptsWrites) return false;
    if (a.workstationAuthenticated !== undefined && (state.controlPlane.apiserver.workstationAuth?.ok === true) !== a.workstationAuthenticated) return false;
    if (a.aggregatedApis !== undefined && (apiUnavailable(state) === null && !expiredCert(state, 'front-proxy-client')) !== a.aggregatedApis) return false;
    return true;
  }
  if (p.controlPlane) return state.controlPlane[p.controlPlane.component].running === p.controlPlane.running;
  if (p.deployment) {
    const d = p.deployment;
    const dep = state.deployments[`${d.namespace}/${d.name}`];
    if (d.exists !== undefined && !!dep !== d.exists) return false;
    if (!dep) return d.exists === false;
    if (d.availableAtLeast !== undefined && dep.status.availableReplicas < d.availableAtLeast) return false;
    if (d.replicasAtLeast !== undefined && dep.spec.replicas < d.replicasAtLeast) return false;
    if (d.rolledOut) {
      const s = dep.status;
      if (s.observedGeneration < dep.metadata.generation || s.updatedReplicas < dep.spec.replicas || s.replicas > s.updatedReplicas || s.availableReplicas < dep.spec.replicas) return false;
    }
    return true;
  }
  if (p.service) {
    const q = p.service;
    const svc = state.services[`${q.namespace}/${q.name}`];
    if (!svc) return false;
    if (q.field !== undefined && String(fieldValue(svc, q.field)) !== q.equals) return false;
    if (q.readyEndpointsAtLeast !== undefined && svc.spec.ports.every((port) => readyEndpoints(state, svc, port).length < q.readyEndpointsAtLeast!)) return false;
    return true;
  }
  if (p.configmap) {
    const c = p.configmap;
    const value = state.configmaps[`${c.namespace}/${c.name}`]?.data[c.key];
    if (value === undefined) return false;
    if (c.contains !== undefined && !value.includes(c.contains)) return false;
    if (c.notContains !== undefined && value.includes(c.notContains)) return false;
    return true;
  }
  if (p.pods) {
    const q = p.pods;
    const pods = Object.values(state.pods).filter((pod) => pod.metadata.namespace === q.namespace && !pod.metadata.deletionTimestamp && matchesLabels(pod.metadata.labels, q.selector));
    if (q.countAtLeast !== undefined && pods.length < q.countAtLeast) return false;
    if (q.allReady && (pods.length === 0 || !pods.every(podReady))) return false;
    if (q.noneReady && pods.some(podReady)) return false;
    if (q.somePending !== undefined && pods.some((pod) => pod.status.phase === 'Pending') !== q.somePending) return false;
    return true;
  }
  if (p.node) {
    const q = p.node;
    const node = state.nodes[q.name];
    if (!node) return false;
    if (q.hasTaint !== undefined && !node.spec.taints.some((t) => t.key === q.hasTaint)) return false;
    if (q.noTaint !== undefined && node.spec.taints.some((t) => t.key === q.noTaint)) return false;
    if (q.schedulable !== undefined && node.spec.unschedulable === q.schedulable) return false;
    if (q.ready !== undefined && node.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True') !== q.ready) return false;
    if (q.labelEquals && node.metadata.labels[q.labelEquals.key] !== q.labelEquals.value) return false;
    if (q.condition && (node.status.conditions.find((c) => c.type === q.condition!.type)?.status ?? 'Unknown') !== q.condition.status) return false;
    if (q.swapAtBoot !== undefined && (fstabSwaps(node.host).length > 0) !== q.swapAtBoot) return false;
    return true;
  }
  if (p.namespace) return !!state.namespaces[p.namespace.name] === p.namespace.exists;
  if (p.unit) return (state.nodes[p.unit.node]?.host.units[p.unit.name]?.active ?? false) === p.unit.active;
  if (p.file) {
    const text = state.nodes[p.file.node]?.host.files[p.file.path];
    if (text === undefined) return false;
    if (p.file.contains !== undefined && !text.includes(p.file.contains)) return false;
    return p.file.notContains === undefined || !text.includes(p.file.notContains);
  }
  if (p.disk) {
    const fs = state.nodes[p.disk.node]?.host.filesystems.find((f) => f.mount === p.disk!.mount);
    return !!fs && fs.used < p.disk.usedBelowFraction * fs.size;
  }
  if (p.dns) {
    const q = p.dns;
    const pods = Object.values(state.pods).filter((pod) => pod.metadata.namespace === q.namespace && !pod.metadata.deletionTimestamp && podReady(pod) && matchesLabels(pod.metadata.labels, q.selector));
    if (pods.length === 0) return false;
    return pods.every((pod) => {
      const configured = q.env === undefined ? undefined : pod.spec.containers.flatMap((c) => c.env ?? []).find((e) => e.name === q.env)?.value;
      const chance = lookupDelayChance(state, pod, lookupQueries(state, pod, configured === undefined ? q.name : hostOf(configured)));
      return (chance < SLOW_LOOKUP_SHARE) === q.fast;
    });
  }
  if (p.traffic) {
    const t = p.traffic;
    const clients = clientTotals(state, t.namespace, t.name, state.now - (t.windowSec ?? 60) * 1000).filter((c) => c.served + c.failed > 0);
    if (clients.length === 0) return false;
    if (t.allClientsServed && clients.some((c) => c.served < CLIENT_SERVED_SHARE * (c.served + c.failed))) return false;
    if (t.clientAddressesSeen && state.network.traffic.some((c) => c.service.namespace === t.namespace && c.service.name === t.name && c.via !== 'cluster' && !clientAddressSeen(c))) return false;
    if (t.servedShareAtLeast !== undefined) {
      const served = clients.reduce((n, c) => n + c.served, 0);
      const sent = clients.reduce((n, c) => n + c.served + c.failed, 0);
      if (served < t.servedShareAtLeast * sent) return false;
    }
    return true;
  }
  return false;
}

/** The objects a predicate names, for reference checks against the cluster spec. */
export interface PredicateRef {
  kind: 'node' | 'deployment' | 'service' | 'configmap' | 'namespace';
  namespace?: string;
  name: string;
  /** Path inside the predicate, e.g. ['all', 1, 'deployment', 'name']. */
  path: (string | number)[];
}

export function predicateRefs(p: Predicate, path: (string | number)[] = []): PredicateRef[] {
  const out: PredicateRef[] = [];
  p.all?.forEach((q, i) => out.push(...predicateRefs(q, [...path, 'all', i])));
  p.any?.forEach((q, i) => out.push(...predicateRefs(q, [...path, 'any', i])));
  if (p.not) out.push(...predicateRefs(p.not, [...path, 'not']));
  if (p.node) out.push({ kind: 'node', name: p.node.name, path: [...path, 'node', 'name'] });
  if (p.deployment) out.push({ kind: 'deployment', namespace: p.deployment.namespace, name: p.deployment.name, path: [...path, 'deployment', 'name'] });
  if (p.service) out.push({ kind: 'service', namespace: p.service.namespace, name: p.service.name, path: [...path, 'service', 'name'] });
  if (p.configmap) out.push({ kind: 'configmap', namespace: p.configmap.namespace, name: p.configmap.name, path: [...path, 'configmap', 'name'] });
  if (p.pods) out.push({ kind: 'namespace', name: p.pods.namespace, path: [...path, 'pods', 'namespace'] });
  if (p.unit) out.push({ kind: 'node', name: p.unit.node, path: [...path, 'unit', 'node'] });
  if (p.disk) out.push({ kind: 'node', name: p.disk.node, path: [...path, 'disk', 'node'] });
  if (p.file) out.push({ kind: 'node', name: p.file.node, path: [...path, 'file', 'node'] });
  if (p.dns) out.push({ kind: 'namespace', name: p.dns.namespace, path: [...path, 'dns', 'namespace'] });
  if (p.traffic) out.push({ kind: 'service', namespace: p.traffic.namespace, name: p.traffic.name, path: [...path, 'traffic', 'name'] });
  return out;
}
