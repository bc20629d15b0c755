// Constructors for API objects: metadata, pod templates from the spec, pods from templates.
import { newUid } from './api.js';
import { parseBytes, parseCpu, parseDuration } from './quantity.js';
import type { BehaviorSpec, ContainerSpecInput, DaemonSetSpec } from './spec.js';
import type {
  ClusterState, ContainerBehavior, ContainerSpec, ObjectMeta, OwnerReference, Pod, PodSpec, PodTemplate, Probe, ResourceList, Toleration,
} from './types.js';

export function newMeta(
  state: ClusterState,
  name: string,
  namespace: string | undefined,
  labels: Record<string, string> = {},
  created: number = state.now,
): ObjectMeta {
  const meta: ObjectMeta = {
    name, uid: newUid(state), labels: { ...labels }, annotations: {}, creationTimestamp: created, resourceVersion: 0, generation: 1, ownerReferences: [],
  };
  if (namespace !== undefined) meta.namespace = namespace;
  return meta;
}

export function ownerRef(kind: string, owner: { metadata: ObjectMeta }): OwnerReference {
  return { kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true };
}

/** The tolerations the DefaultTolerationSeconds admission plugin adds to every pod. */
export const DEFAULT_TOLERATIONS: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

/** What the DaemonSet controller adds so its pods run on unhealthy/unschedulable nodes too. */
export const DAEMONSET_TOLERATIONS: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

function resources(r: { cpu?: string | number; memory?: string | number } | undefined): Partial<ResourceList> {
  const out: Partial<ResourceList> = {};
  if (r?.cpu !== undefined) out.cpu = parseCpu(r.cpu) ?? 0;
  if (r?.memory !== undefined) out.memory = parseBytes(r.memory) ?? 0;
  return out;
}

function probe(p: NonNullable<ContainerSpecInput['readinessProbe']> | undefined): Probe | undefined {
  if (!p) return undefined;
  const out: Probe = { type: p.type, initialDelaySeconds: p.initialDelaySeconds, periodSeconds: p.periodSeconds, failureThreshold: p.failureThreshold };
  if (p.path !== undefined) out.path = p.path;
  if (p.port !== undefined) out.port = p.port;
  if (p.command !== undefined) out.command = p.command;
  return out;
}

export function behaviorFrom(b: BehaviorSpec): ContainerBehavior {
  const out: ContainerBehavior = {};
  if (b.crashAfter !== undefined) out.crashAfterMs = parseDuration(b.crashAfter) ?? undefined;
  if (b.memoryUse !== undefined) out.memoryUse = parseBytes(b.memoryUse) ?? undefined;
  if (b.cpuUse !== undefined) out.cpuUse = parseCpu(b.cpuUse) ?? undefined;
  for (const k of ['exitCode', 'startupLogs', 'crashLogs', 'imagePullError', 'ready', 'accessLog', 'httpPort', 'role'] as const) {
    if (b[k] !== undefined) (out as Record<string, unknown>)[k] = b[k];
  }
  return out;
}

function containerFrom(c: ContainerSpecInput, defaultName: string): ContainerSpec {
  const out: ContainerSpec = {
    name: c.name ?? defaultName,
    image: c.image,
    ports: c.ports.map((p) => (typeof p === 'number' ? { containerPort: p, protocol: 'TCP' as const } : { ...p })),
    resources: { requests: resources(c.requests), limits: resources(c.limits) },
    env: Object.entries(c.env).map(([name, value]) => ({ name, value })),
  };
  // Like the apiserver: limits without requests default the requests to the limits.
  for (const r of ['cpu', 'memory'] as const) {
    if (out.resources.limits[r] !== undefined && out.resources.requests[r] === undefined) out.resources.requests[r] = out.resources.limits[r];
  }
  if (c.command) out.command = c.command;
  if (c.args) out.args = c.args;
  const readiness = probe(c.readinessProbe);
  if (readiness) out.readinessProbe = readiness;
  const liveness = probe(c.livenessProbe);
  if (liveness) out.livenessProbe = liveness;
  return out;
}

type TemplateFields = Omit<DaemonSetSpec, 'namespace'>;

/** A pod template from a workload's spec; labels default to { app: name }. */
export function templateFrom(w: TemplateFields): PodTemplate {
  const containers = w.containers.map((c, i) => containerFrom(c, i === 0 ? w.name : `${w.name}-${i}`));
  const spec: PodSpec = {
    containers,
    nodeSelector: { ...w.nodeSelector },
    tolerations: w.tolerations.map((t) => ({ ...t })),
    restartPolicy: w.restartPolicy,
    hostNetwork: w.hostNetwork,
    dnsPolicy: w.dnsPolicy ?? (w.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst'),
    serviceAccountName: w.serviceAccountName,
    schedulerName: 'default-scheduler',
    terminationGracePeriodSeconds: w.terminationGracePeriodSeconds,
  };
  if (w.nodeAffinity) spec.nodeAffinity = w.nodeAffinity.map((term) => term.map((r) => ({ ...r })));
  if (w.priorityClassName) spec.priorityClassName = w.priorityClassName;
  if (w.dnsConfig) spec.dnsConfig = structuredClone(w.dnsConfig);
  const behavior: Record<string, ContainerBehavior> = {};
  w.containers.forEach((c, i) => (behavior[containers[i]!.name] = behaviorFrom(c.behavior)));
  return { metadata: { labels: { ...(w.labels ?? { app: w.name }) }, annotations: { ...w.annotations } }, spec, behavior };
}

export function qosClass(spec: PodSpec): Pod['status']['qosClass'] {
  let any = false;
  let guaranteed = true;
  for (const c of spec.containers) {
    const { requests, limits } = c.resources;
    if (requests.cpu !== undefined || requests.memory !== undefined || limits.cpu !== undefined || limits.memory !== undefined) any = true;
    if (limits.cpu === undefined || limits.memory === undefined || requests.cpu !== limits.cpu || requests.memory !== limits.memory) guaranteed = false;
  }
  return !any ? 'BestEffort' : guaranteed ? 'Guaranteed' : 'Burstable';
}

/** A new Pending pod from a template (what a controller POSTs). */
export function podFromTemplate(state: ClusterState, template: PodTemplate, namespace: string, name: string, owner?: OwnerReference): Pod {
  const spec = structuredClone(template.spec);
  for (const t of DEFAULT_TOLERATIONS) {
    if (!spec.tolerations.some((x) => x.key === t.key && x.effect === t.effect)) spec.tolerations.push({ ...t });
  }
  const meta = newMeta(state, name, namespace, template.metadata.labels);
  meta.annotations = { ...template.metadata.annotations };
  if (owner) meta.ownerReferences = [owner];
  return {
    metadata: meta,
    spec,
    status: { phase: 'Pending', conditions: [], containerStatuses: [], qosClass: qosClass(spec) },
    behavior: structuredClone(template.behavior),
  };
}

/** Sum of container requests of a pod (what the scheduler counts). */
export function podRequests(pod: Pod): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec.containers) {
    cpu += c.resources.requests.cpu ?? 0;
    memory += c.resources.requests.memory ?? 0;
  }
  return { cpu, memory };
}

export function matchesSelector(labels: Record<string, string>, selector: Record<string, string>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}
