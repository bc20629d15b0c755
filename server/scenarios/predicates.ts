// Predicates on the cluster: the conditions a fault waits for and the remediations the
// answer key accepts. One predicate names exactly one resource kind (or all/any/not); the
// schema is a strict object with every kind optional, so a predicate on an unknown kind or
// field is rejected with the exact key ("Unrecognized key: statefulset") and editors
// complete the known ones from the generated JSON Schema.
import { z } from 'zod';
import { apiUnavailable, writeRefused } from '../cluster/api.js';
import { etcdDiskFull } from '../cluster/host.js';
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
export const SERVICE_FIELDS = ['spec.type', 'spec.externalTrafficPolicy', 'spec.sessionAffinity'] as const;
const ServicePredicate = z.strictObject({
  namespace: Name,
  name: Name,
  field: z.enum(SERVICE_FIELDS),
  equals: z.string(),
});

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
});

const NamespacePredicate = z.strictObject({ name: Name, exists: z.boolean() });

/** A systemd unit on a node (what `systemctl is-active` says). */
const UnitPredicate = z.strictObject({ node: Name, name: Name, active: z.boolean() });

/** A node's filesystem (what `df` shows for a mount point). */
const DiskPredicate = z.strictObject({ node: Name, mount: Name, usedBelowFraction: z.number().gt(0).lte(1) });

/** The synthetic clients of a Service, as the app sees them. */
const ClientsPredicate = z.strictObject({
  namespace: Name,
  service: Name,
  /**
   * Every client was served in the last minute and the app saw its own address (as the
   * source or in X-Forwarded-For): not a node's, not a load balancer's, and nobody black-holed.
   */
  addressSeen: z.literal(true),
});

/** How recent a client's served request must be to count as "still served". */
const CLIENT_SERVED_WITHIN_MS = 60_000;

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
  clients?: z.infer<typeof ClientsPredicate>;
  disk?: z.infer<typeof DiskPredicate>;
  all?: Predicate[];
  any?: Predicate[];
  not?: Predicate;
}

export const PREDICATE_KINDS = ['etcd', 'apiserver', 'controlPlane', 'deployment', 'service', 'configmap', 'pods', 'node', 'namespace', 'unit', 'clients', 'disk', 'all', 'any', 'not'] as const;

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
    clients: ClientsPredicate.optional(),
    disk: DiskPredicate.optional(),
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
    const svc = state.services[`${p.service.namespace}/${p.service.name}`];
    return !!svc && String(fieldValue(svc, p.service.field)) === p.service.equals;
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
    return true;
  }
  if (p.namespace) return !!state.namespaces[p.namespace.name] === p.namespace.exists;
  if (p.unit) return (state.nodes[p.unit.node]?.host.units[p.unit.name]?.active ?? false) === p.unit.active;
  if (p.clients) {
    const q = p.clients;
    const clients = state.network.traffic.filter((c) => c.service.namespace === q.namespace && c.service.name === q.service);
    return clients.length > 0 && clients.every((c) => clientAddressSeen(c) && state.now - c.lastServed!.at <= CLIENT_SERVED_WITHIN_MS);
  }
  if (p.disk) {
    const fs = state.nodes[p.disk.node]?.host.filesystems.find((f) => f.mount === p.disk!.mount);
    return !!fs && fs.used < p.disk.usedBelowFraction * fs.size;
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
  if (p.clients) out.push({ kind: 'service', namespace: p.clients.namespace, name: p.clients.service, path: [...path, 'clients', 'service'] });
  return out;
}
