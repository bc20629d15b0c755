// Manifest JSON → state object: the inverse of manifest.ts for the fields the model has,
// with the apiserver's checks (field types, unknown fields under strict decoding, required
// and immutable fields). A manifest replaces what it describes, like `kubectl replace`:
// an update is rebuilt on a copy of the stored object, so what the manifest does not carry
// (status, simulated behaviour, host state, allocated IPs) and key order survive.
import type { KindMap } from '../../cluster/api.js';
import { DEFAULT_TOLERATIONS, qosClass } from '../../cluster/objects.js';
import type {
  ClusterState, ConfigMap, DaemonSet, Deployment, LabelSelector, Namespace, Node, ObjectMeta, Pod, PodTemplate, Service, ServicePort, StoredObject, Taint,
} from '../../cluster/types.js';
import { toManifest, type Json } from './manifest.js';
import { isStoredKind, type StoredKind } from '../../cluster/stored-kinds.js';
import {
  goStringMap, newFindings, readArray, readBool, readEnum, readInt, readIntOrString, readObject, readString, readStringMap,
  type Findings, type JsonObject,
} from './manifest-fields.js';
import { adoptImagePrograms, runCommands } from '../../cluster/images.js';
import { jsonObject } from '../../cluster/json.js';
import { defaultNetworkPolicySpec } from '../../cluster/network/netpol.js';
import { behaviorFor, readPodSpec, readTemplate } from './pod-from-manifest.js';

/** The kinds a manifest can create or change. */
export const MANIFEST_KINDS = ['Deployment', 'DaemonSet', 'Service', 'ConfigMap', 'Namespace', 'Pod', 'Node'] as const;
/** Kinds a manifest can write: those with a model here, and every kind kept as JSON. */
export type ManifestKind = (typeof MANIFEST_KINDS)[number] | StoredKind;

export const isManifestKind = (kind: string): kind is ManifestKind => (MANIFEST_KINDS as readonly string[]).includes(kind) || isStoredKind(kind);

/** Why the apiserver refuses a manifest: a BadRequest (decoding) or an Invalid (validation). */
export type ManifestProblem =
  | { reason: 'BadRequest'; message: string }
  | { reason: 'Invalid'; causes: string[] };

/** `--validate`: unknown fields are an error (Strict), a warning (Warn) or dropped (Ignore). */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export type BuildResult<K extends ManifestKind> =
  | { ok: true; obj: KindMap[K]; warnings: string[] }
  | { ok: false; problem: ManifestProblem };

const TOP_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];
const META_FIELDS = [
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
];

/**
 * Builds the object `manifest` describes. `stored` is the current object for an update
 * (undefined = create); `namespace` is where a namespaced object goes.
 */
export function objectFromManifest<K extends ManifestKind>(
  state: ClusterState, kind: K, manifest: JsonObject, namespace: string | undefined, stored: KindMap[K] | undefined,
  validation: FieldValidation = 'Strict',
): BuildResult<K> {
  const f = newFindings();
  const fields = isStoredKind(kind) ? 'any' : kind === 'ConfigMap' ? ['apiVersion', 'kind', 'metadata', 'data', 'binaryData', 'immutable'] : TOP_FIELDS;
  const top = readObject(f, manifest, '', fields) ?? {};
  const meta = readMeta(f, state, top.metadata, namespace, stored?.metadata);
  const obj = build(f, state, kind, top, meta, stored);
  // A workload's template and a pod: the containers run what their images run here, or their command.
  const held = obj && (kind === 'Deployment' || kind === 'DaemonSet') ? { now: (obj as Deployment).spec.template, before: (stored as Deployment | undefined)?.spec.template.spec }
    : obj && kind === 'StatefulSet' && (obj as StoredObject).template ? { now: (obj as StoredObject).template!, before: (stored as StoredObject | undefined)?.template?.spec }
    : obj && kind === 'Pod' ? { now: obj as Pod, before: (stored as Pod | undefined)?.spec }
    : undefined;
  if (held) {
    adoptImagePrograms(state, held.now.spec, held.now.behavior, held.before);
    runCommands(state, held.now.spec, held.now.behavior);
  }
  if (f.decode.length > 0) return { ok: false, problem: { reason: 'BadRequest', message: f.decode[0]! } };
  const unknown = f.unknown.map((u) => `unknown field "${u}"`);
  if (unknown.length > 0 && validation === 'Strict') {
    return { ok: false, problem: { reason: 'BadRequest', message: `strict decoding error: ${unknown.join(', ')}` } };
  }
  if (f.causes.length > 0 || !obj) return { ok: false, problem: { reason: 'Invalid', causes: f.causes } };
  return { ok: true, obj: obj as KindMap[K], warnings: validation === 'Warn' ? unknown : [] };
}

function build(f: Findings, state: ClusterState, kind: ManifestKind, top: JsonObject, meta: ObjectMeta, stored: KindMap[ManifestKind] | undefined): KindMap[ManifestKind] | undefined {
  if (isStoredKind(kind)) return storedFrom(f, kind, top, meta, stored as StoredObject | undefined);
  switch (kind) {
    case 'Deployment': return deploymentFrom(f, top, meta, stored as Deployment | undefined);
    case 'DaemonSet': return daemonSetFrom(f, top, meta, stored as DaemonSet | undefined);
    case 'Service': return serviceFrom(f, top, meta, stored as Service | undefined);
    case 'ConfigMap': return { metadata: meta, data: readStringMap(f, top.data, 'data') } satisfies ConfigMap;
    case 'Namespace': return { ...(stored as Namespace | undefined ?? { status: { phase: 'Active' } }), metadata: meta } satisfies Namespace;
    case 'Pod': return podFrom(f, state, top, meta, stored as Pod | undefined);
    case 'Node': return nodeFrom(f, top, meta, stored as Node | undefined);
  }
}

/**
 * A kind kept as JSON: every top-level field as given, except the status the server owns
 * (kept from the stored object). A Secret's stringData is folded into data, base64-encoded.
 */
function storedFrom(f: Findings, kind: StoredKind, top: JsonObject, metadata: ObjectMeta, stored: StoredObject | undefined): StoredObject {
  const fields: StoredObject['fields'] = {};
  // Through JSON: a YAML alias in the manifest must not become a value shared inside the object.
  for (const [key, value] of Object.entries(top)) if (!['apiVersion', 'kind', 'metadata', 'status'].includes(key)) fields[key] = JSON.parse(JSON.stringify(value)) as Json;
  if (stored?.fields.status !== undefined) fields.status = stored.fields.status;
  if (kind === 'Secret') {
    const data = { ...readStringMap(f, fields.data, 'data') };
    for (const [k, v] of Object.entries(readStringMap(f, fields.stringData, 'stringData'))) data[k] = Buffer.from(v).toString('base64');
    delete fields.stringData;
    if (Object.keys(data).length > 0) fields.data = data;
    fields.type ??= 'Opaque';
  }
  if (kind === 'NetworkPolicy') {
    fields.spec = jsonObject(fields.spec);
    defaultNetworkPolicySpec(fields.spec);
  }
  const object: StoredObject = { kind, metadata, fields };
  const template = jobTemplate(f, kind, fields, stored?.template);
  if (template) object.template = template;
  // The HPA controller's memory of recent recommendations survives a change of the spec.
  if (stored?.recommendations) object.recommendations = structuredClone(stored.recommendations);
  return object;
}

/**
 * The pod template a stored workload runs (kept beside its JSON). A Job's (or CronJob's)
 * containers run their command as a process (cluster/processes.ts), so the Job completes or
 * fails by its program; a StatefulSet's keep running like a Deployment's.
 */
export function jobTemplate(f: Findings, kind: string, fields: StoredObject['fields'], stored: PodTemplate | undefined): PodTemplate | undefined {
  const spec = fields.spec;
  if (kind !== 'Job' && kind !== 'CronJob' && kind !== 'StatefulSet') return undefined;
  const of = (v: Json | undefined, key: string): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v[key] : undefined);
  const raw = kind === 'CronJob' ? of(of(of(spec, 'jobTemplate'), 'spec'), 'template') : of(spec, 'template');
  const path = kind === 'CronJob' ? 'spec.jobTemplate.spec.template' : 'spec.template';
  const template = readTemplate(f, raw, path, stored);
  if (kind === 'StatefulSet') {
    if (template.spec.restartPolicy !== 'Always') f.causes.push(`${path}.spec.restartPolicy: Unsupported value: "${template.spec.restartPolicy}": supported values: "Always"`);
    return template;
  }
  // Validation of a Job's pod template: it runs to completion, so it may not restart Always.
  if (template.spec.restartPolicy === 'Always') f.causes.push(`${path}.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"`);
  for (const c of template.spec.containers) template.behavior[c.name] = { ...template.behavior[c.name], role: 'process' };
  return template;
}

/** Metadata: the stored one (uid, times, owners) with the manifest's labels and annotations. */
function readMeta(f: Findings, state: ClusterState, v: Json | undefined, namespace: string | undefined, stored: ObjectMeta | undefined): ObjectMeta {
  const o = readObject(f, v, 'metadata', META_FIELDS) ?? {};
  const name = readString(f, o.name, 'metadata.name') ?? '';
  if (name === '') f.causes.push('metadata.name: Required value: name or generateName is required');
  const meta: ObjectMeta = stored ? structuredClone(stored) : {
    name, uid: '', labels: {}, annotations: {}, creationTimestamp: state.now, resourceVersion: 0, generation: 1, ownerReferences: [],
  };
  if (!stored && namespace !== undefined) meta.namespace = namespace;
  meta.labels = readStringMap(f, o.labels, 'metadata.labels');
  meta.annotations = readStringMap(f, o.annotations, 'metadata.annotations');
  return meta;
}

function readSelector(f: Findings, v: Json | undefined, path: string): LabelSelector | undefined {
  const o = readObject(f, v, path, ['matchLabels', 'matchExpressions']);
  if (!o) {
    f.causes.push(`${path}: Required value`);
    return undefined;
  }
  const selector: LabelSelector = { matchLabels: readStringMap(f, o.matchLabels, `${path}.matchLabels`) };
  const expressions = readArray(f, o.matchExpressions, `${path}.matchExpressions`).flatMap((e) => {
    const x = readObject(f, e.value, e.path, ['key', 'operator', 'values']);
    if (!x) return [];
    const values = readArray(f, x.values, `${e.path}.values`).map((s) => readString(f, s.value, s.path) ?? '');
    const operator = readEnum(f, x.operator, `${e.path}.operator`, ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const, 'In');
    return [{ key: readString(f, x.key, `${e.path}.key`) ?? '', operator, ...(values.length > 0 ? { values } : {}) }];
  });
  if (expressions.length > 0) selector.matchExpressions = expressions;
  if (Object.keys(selector.matchLabels).length === 0 && expressions.length === 0) f.causes.push(`${path}: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment`);
  return selector;
}

/** The selector of a workload: may not change, and must match the template's labels. */
function checkSelector(f: Findings, selector: LabelSelector | undefined, stored: LabelSelector | undefined, labels: Record<string, string>): void {
  if (!selector) return;
  const same = (a: LabelSelector, b: LabelSelector): boolean =>
    JSON.stringify([goStringMap(a.matchLabels), a.matchExpressions ?? []]) === JSON.stringify([goStringMap(b.matchLabels), b.matchExpressions ?? []]);
  if (stored && !same(selector, stored)) {
    const expressions = selector.matchExpressions ? `[]v1.LabelSelectorRequirement{...}` : '[]v1.LabelSelectorRequirement(nil)';
    f.causes.push(`spec.selector: Invalid value: v1.LabelSelector{MatchLabels:${goStringMap(selector.matchLabels)}, MatchExpressions:${expressions}}: field is immutable`);
  }
  if (Object.entries(selector.matchLabels).some(([k, v]) => labels[k] !== v)) {
    f.causes.push(`spec.template.metadata.labels: Invalid value: ${goStringMap(labels)}: \`selector\` does not match template \`labels\``);
  }
}

function deploymentFrom(f: Findings, top: JsonObject, metadata: ObjectMeta, stored: Deployment | undefined): Deployment {
  const spec = readObject(f, top.spec, 'spec', ['replicas', 'selector', 'template', 'strategy', 'minReadySeconds', 'revisionHistoryLimit', 'paused', 'progressDeadlineSeconds']) ?? {};
  const replicas = readInt(f, spec.replicas, 'spec.replicas') ?? 1;
  if (replicas < 0) f.causes.push(`spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`);
  const selector = readSelector(f, spec.selector, 'spec.selector');
  const template = readTemplate(f, spec.template, 'spec.template', stored?.spec.template);
  checkSelector(f, selector, stored?.spec.selector, template.metadata.labels);
  const strategy = readObject(f, spec.strategy, 'spec.strategy', ['type', 'rollingUpdate']) ?? {};
  const type = readEnum(f, strategy.type, 'spec.strategy.type', ['Recreate', 'RollingUpdate'] as const, 'RollingUpdate');
  const rolling = readObject(f, strategy.rollingUpdate, 'spec.strategy.rollingUpdate', ['maxSurge', 'maxUnavailable']);
  if (type === 'Recreate' && rolling) f.causes.push("spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'");
  const d: Deployment = stored ? structuredClone(stored) : {
    metadata, spec: {} as Deployment['spec'],
    status: { observedGeneration: 0, replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 0, conditions: [] },
  };
  d.metadata = metadata;
  Object.assign(d.spec, {
    replicas,
    selector: selector ?? { matchLabels: {} },
    template,
    strategy: {
      type,
      maxSurge: readIntOrString(f, rolling?.maxSurge, 'spec.strategy.rollingUpdate.maxSurge') ?? '25%',
      maxUnavailable: readIntOrString(f, rolling?.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable') ?? '25%',
    },
    revisionHistoryLimit: readInt(f, spec.revisionHistoryLimit, 'spec.revisionHistoryLimit') ?? 10,
    paused: readBool(f, spec.paused, 'spec.paused') ?? false,
    progressDeadlineSeconds: readInt(f, spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds') ?? 600,
  } satisfies Deployment['spec']);
  readInt(f, spec.minReadySeconds, 'spec.minReadySeconds');
  return d;
}

function daemonSetFrom(f: Findings, top: JsonObject, metadata: ObjectMeta, stored: DaemonSet | undefined): DaemonSet {
  const spec = readObject(f, top.spec, 'spec', ['selector', 'template', 'updateStrategy', 'minReadySeconds', 'revisionHistoryLimit']) ?? {};
  const selector = readSelector(f, spec.selector, 'spec.selector');
  const template = readTemplate(f, spec.template, 'spec.template', stored?.spec.template);
  checkSelector(f, selector, stored?.spec.selector, template.metadata.labels);
  if (template.spec.restartPolicy !== 'Always') {
    f.causes.push(`spec.template.spec.restartPolicy: Unsupported value: "${template.spec.restartPolicy}": supported values: "Always"`);
  }
  const ds: DaemonSet = stored ? structuredClone(stored) : {
    metadata, spec: {} as DaemonSet['spec'],
    status: { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberMisscheduled: 0, observedGeneration: 0 },
  };
  ds.metadata = metadata;
  Object.assign(ds.spec, { selector: selector ?? { matchLabels: {} }, template });
  return ds;
}

const SERVICE_SPEC_FIELDS = [
  'type', 'clusterIP', 'clusterIPs', 'ports', 'selector', 'externalTrafficPolicy', 'internalTrafficPolicy', 'sessionAffinity',
  'sessionAffinityConfig', 'ipFamilies', 'ipFamilyPolicy', 'loadBalancerIP', 'loadBalancerSourceRanges', 'loadBalancerClass',
  'externalIPs', 'externalName', 'healthCheckNodePort', 'publishNotReadyAddresses', 'allocateLoadBalancerNodePorts', 'trafficDistribution',
];

/** Ports keep their allocated nodePort when the manifest leaves it out; 0 = allocate on write. */
function serviceFrom(f: Findings, top: JsonObject, metadata: ObjectMeta, stored: Service | undefined): Service {
  const spec = readObject(f, top.spec, 'spec', SERVICE_SPEC_FIELDS) ?? {};
  const type = readEnum(f, spec.type, 'spec.type', ['ClusterIP', 'NodePort', 'LoadBalancer'] as const, 'ClusterIP');
  const entries = readArray(f, spec.ports, 'spec.ports');
  // ValidateService: a headless Service may have no ports.
  if (entries.length === 0 && spec.clusterIP !== 'None') f.causes.push('spec.ports: Required value');
  const ports = entries.flatMap((e): ServicePort[] => {
    const o = readObject(f, e.value, e.path, ['name', 'protocol', 'port', 'targetPort', 'nodePort', 'appProtocol']);
    if (!o) return [];
    const port = readInt(f, o.port, `${e.path}.port`) ?? 0;
    if (port < 1 || port > 65535) f.causes.push(`${e.path}.port: Invalid value: ${port}: must be between 1 and 65535, inclusive`);
    const p: ServicePort = {
      protocol: readEnum(f, o.protocol, `${e.path}.protocol`, ['TCP', 'UDP'] as const, 'TCP'),
      port,
      targetPort: readIntOrString(f, o.targetPort, `${e.path}.targetPort`) ?? port,
    };
    const name = readString(f, o.name, `${e.path}.name`);
    if (name) p.name = name;
    else if (entries.length > 1) f.causes.push(`${e.path}.name: Required value`);
    const nodePort = readInt(f, o.nodePort, `${e.path}.nodePort`) ?? stored?.spec.ports.find((s) => s.port === port)?.nodePort;
    if (type !== 'ClusterIP') {
      if (nodePort !== undefined && (nodePort < 30000 || nodePort > 32767)) {
        f.causes.push(`${e.path}.nodePort: Invalid value: ${nodePort}: provided port is not in the valid range. The range of valid ports is 30000-32767`);
      }
      p.nodePort = nodePort ?? 0;
    }
    return [p];
  });
  const clusterIP = readString(f, spec.clusterIP, 'spec.clusterIP') || undefined;
  if (stored && clusterIP !== undefined && clusterIP !== stored.spec.clusterIP) {
    f.causes.push(`spec.clusterIP: Invalid value: "${clusterIP}": field is immutable`);
  }
  const etp = readEnum(f, spec.externalTrafficPolicy, 'spec.externalTrafficPolicy', ['Cluster', 'Local'] as const);
  // Changing the type to ClusterIP drops the policy it carried; asking for one is an error.
  if (type === 'ClusterIP' && etp !== undefined && etp !== (stored?.spec.externalTrafficPolicy ?? 'Cluster')) {
    f.causes.push(`spec.externalTrafficPolicy: Invalid value: "${etp}": may only be set when \`type\` is 'NodePort' or 'LoadBalancer'`);
  }
  const svc: Service = stored ? structuredClone(stored) : { metadata, spec: {} as Service['spec'], status: { loadBalancer: { ingress: [] } } };
  svc.metadata = metadata;
  Object.assign(svc.spec, {
    type, ports, clusterIP: stored?.spec.clusterIP ?? clusterIP ?? '', sessionAffinity: readEnum(f, spec.sessionAffinity, 'spec.sessionAffinity', ['None', 'ClientIP'] as const, 'None'),
  } satisfies Partial<Service['spec']>);
  const selector = readObject(f, spec.selector, 'spec.selector', 'any') ? readStringMap(f, spec.selector, 'spec.selector') : undefined;
  if (selector) svc.spec.selector = selector;
  else delete svc.spec.selector;
  if (type === 'ClusterIP') delete svc.spec.externalTrafficPolicy;
  else svc.spec.externalTrafficPolicy = etp ?? 'Cluster';
  return svc;
}

function podFrom(f: Findings, state: ClusterState, top: JsonObject, metadata: ObjectMeta, stored: Pod | undefined): Pod {
  const spec = readPodSpec(f, top.spec, 'spec', stored?.spec);
  readObject(f, top.status, 'status', 'any');
  if (stored) {
    deadlineUpdateProblems(f, stored.spec.activeDeadlineSeconds, spec.activeDeadlineSeconds);
    if (!onlyMutablePodChanges(state, stored, spec)) {
      f.causes.push('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)');
    }
    return { ...structuredClone(stored), metadata, spec };
  }
  // What admission adds to a new pod: the default NoExecute tolerations.
  for (const t of DEFAULT_TOLERATIONS) {
    if (!spec.tolerations.some((x) => x.key === t.key && x.effect === t.effect)) spec.tolerations.push({ ...t });
  }
  return { metadata, spec, status: { phase: 'Pending', conditions: [], containerStatuses: [], qosClass: qosClass(spec) }, behavior: behaviorFor(spec, undefined) };
}

/** A pod may only change its images and add tolerations. */
function onlyMutablePodChanges(state: ClusterState, stored: Pod, spec: Pod['spec']): boolean {
  const candidate: Pod = { ...stored, spec: structuredClone(spec) };
  candidate.spec.containers.forEach((c, i) => {
    const before = stored.spec.containers[i];
    if (before) c.image = before.image;
  });
  const keepsAll = stored.spec.tolerations.every((t) => candidate.spec.tolerations.some((x) => JSON.stringify(x) === JSON.stringify(t)));
  if (keepsAll) candidate.spec.tolerations = stored.spec.tolerations;
  // The deadline is checked on its own (deadlineUpdateProblems); validation munges it to the old value.
  candidate.spec.activeDeadlineSeconds = stored.spec.activeDeadlineSeconds;
  return JSON.stringify(toManifest(state, 'Pod', candidate).spec) === JSON.stringify(toManifest(state, 'Pod', stored).spec);
}

/** ValidatePodUpdate: a deadline may be set or shortened, never lengthened or removed. */
function deadlineUpdateProblems(f: Findings, before: number | undefined, after: number | undefined): void {
  if (before === undefined) return;
  if (after === undefined) f.causes.push('spec.activeDeadlineSeconds: Invalid value: "null": must not update from a positive integer to nil value');
  else if (after > before) f.causes.push(`spec.activeDeadlineSeconds: Invalid value: ${after}: must be less than or equal to previous value`);
}

/** Nodes register themselves (kubelet): a manifest may only change an existing one. */
function nodeFrom(f: Findings, top: JsonObject, metadata: ObjectMeta, stored: Node | undefined): Node | undefined {
  const spec = readObject(f, top.spec, 'spec', ['podCIDR', 'podCIDRs', 'providerID', 'taints', 'unschedulable', 'configSource', 'externalID']) ?? {};
  readObject(f, top.status, 'status', 'any');
  const taints = readArray(f, spec.taints, 'spec.taints').flatMap((e): Taint[] => {
    const o = readObject(f, e.value, e.path, ['key', 'value', 'effect', 'timeAdded']);
    if (!o) return [];
    const key = readString(f, o.key, `${e.path}.key`) ?? '';
    if (key === '') f.causes.push(`${e.path}.key: Required value`);
    const effect = readEnum(f, o.effect, `${e.path}.effect`, ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const);
    if (effect === undefined) f.causes.push(`${e.path}.effect: Required value`);
    const value = readString(f, o.value, `${e.path}.value`);
    return [{ key, ...(value ? { value } : {}), effect: effect ?? 'NoSchedule' }];
  });
  const unschedulable = readBool(f, spec.unschedulable, 'spec.unschedulable') ?? false;
  if (!stored) {
    f.causes.push('metadata.name: Forbidden: nodes register themselves through their kubelet in this simulator');
    return undefined;
  }
  const node = structuredClone(stored);
  node.metadata = metadata;
  node.spec.taints = taints;
  node.spec.unschedulable = unschedulable;
  return node;
}

/** What a manifest says minus what the server owns (status, resourceVersion): equal = no change. */
function desired(state: ClusterState, kind: ManifestKind, obj: KindMap[ManifestKind]): JsonObject {
  const m = toManifest(state, kind, obj);
  delete m.status;
  const meta = m.metadata as JsonObject;
  delete meta.resourceVersion;
  delete meta.generation;
  return m;
}

export interface Change {
  /** Nothing the user controls differs from the stored object. */
  unchanged: boolean;
  /** The JSON merge patch from the stored object to the new one (for messages). */
  patch: Json;
}

/**
 * Compares a rebuilt object with the stored one and prepares it for the write: unchanged
 * parts keep the stored values exactly (so an unchanged pod template keeps its hash) and a
 * changed workload spec bumps metadata.generation.
 */
export function prepareUpdate<K extends ManifestKind>(state: ClusterState, kind: K, next: KindMap[K], stored: KindMap[K]): Change {
  const before = desired(state, kind, stored);
  const after = desired(state, kind, next);
  const unchanged = JSON.stringify(before) === JSON.stringify(after);
  const specChanged = JSON.stringify(before.spec) !== JSON.stringify(after.spec);
  const withSpec = next as { spec?: unknown };
  if (!specChanged && 'spec' in stored) withSpec.spec = structuredClone((stored as { spec: unknown }).spec);
  if ((kind === 'Deployment' || kind === 'DaemonSet') && specChanged) {
    const workload = next as Deployment | DaemonSet;
    const old = stored as Deployment | DaemonSet;
    const template = (x: JsonObject): string => JSON.stringify((x.spec as JsonObject).template);
    if (template(before) === template(after)) workload.spec.template = structuredClone(old.spec.template);
    workload.metadata.generation = old.metadata.generation + 1;
    const annotation = 'deprecated.daemonset.template.generation';
    if (kind === 'DaemonSet' && template(before) !== template(after) && annotation in old.metadata.annotations) {
      workload.metadata.annotations[annotation] = String(workload.metadata.generation);
    }
  }
  return { unchanged, patch: mergeDiff(before, after) ?? {} };
}

/** The RFC 7386 merge patch turning `a` into `b` (undefined = equal). */
function mergeDiff(a: Json, b: Json): Json | undefined {
  const isObject = (x: Json): x is JsonObject => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (!isObject(a) || !isObject(b)) return JSON.stringify(a) === JSON.stringify(b) ? undefined : b;
  const out: JsonObject = {};
  for (const key of Object.keys(a)) if (!(key in b)) out[key] = null;
  for (const [key, value] of Object.entries(b)) {
    const d = key in a ? mergeDiff(a[key]!, value) : value;
    if (d !== undefined) out[key] = d;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The apiserver's message: `The Deployment "web" is invalid: …` or the BadRequest text. */
export function problemMessage(kind: string, name: string, problem: ManifestProblem): string {
  if (problem.reason === 'BadRequest') return problem.message;
  const prefix = `The ${kind} "${name}" is invalid: `;
  if (problem.causes.length === 1) return `${prefix}${problem.causes[0]}`;
  return `${prefix}\n${problem.causes.map((c) => `* ${c}`).join('\n')}`;
}
