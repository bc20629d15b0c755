// `kubectl describe` for the kinds kept as JSON (cluster/stored-kinds.ts): Secret and
// ServiceAccount with kubectl's own describers, every other kind with kubectl's generic
// describer, which prints the object's content with "smart" labels (kubectl pkg/describe
// describe.go: genericDescriber, printUnstructuredContent, smartLabelFor).
import type { ClusterState, JsonValue, LabelSelector, NodeSelectorRequirement, StoredObject } from '../../../cluster/types.js';
import { humanDuration, rfc1123z } from '../age.js';
import { toManifest } from '../manifest.js';
import { formatEndpoints, selectorString } from '../printers.js';
import { accessModes, formatLabelSelector } from '../stored-tables.js';
import { podsStatus, writePodTemplate } from './others.js';
import { describeWriter, writeEvents, writeLabels, writeAnnotations, writeMultiline, writeObjectHead, type DescribeWriter } from './writer.js';
import { jsonObject } from '../../../cluster/json.js';
import { describeCSINode, describeEndpointSlice, describePriorityClass, describeStorageClass } from './plain.js';
import { describeRole, describeRoleBinding } from './rbac.js';

const ACRONYMS = new Set(['API', 'URL', 'UID', 'OSB', 'GUID']);

/** `apiVersion` → `API Version`, `holderIdentity` → `Holder Identity`; names with other characters stay as they are. */
export function smartLabel(field: string): string {
  if (/[^\p{L}-]/u.test(field)) return field;
  const parts = field.match(/\p{Lu}+(?!\p{Ll})|\p{Lu}?\p{Ll}+|-+/gu) ?? [field];
  return parts.map((p) => (ACRONYMS.has(p.toUpperCase()) ? p.toUpperCase() : p[0]!.toUpperCase() + p.slice(1))).join(' ');
}

const SKIPPED = new Set(['.metadata.managedFields', '.metadata.name', '.metadata.namespace', '.metadata.labels', '.metadata.annotations']);

const scalar = (v: JsonValue): string => (v === null ? '<nil>' : String(v));

function writeContent(w: DescribeWriter, level: number, content: { [k: string]: JsonValue }, prefix: string): void {
  for (const key of Object.keys(content).sort()) {
    const path = `${prefix}.${key}`;
    if (SKIPPED.has(path)) continue;
    const value = content[key]!;
    if (Array.isArray(value)) {
      w.write(level, `${smartLabel(key)}:\n`);
      for (const child of value) {
        if (child !== null && typeof child === 'object' && !Array.isArray(child)) writeContent(w, level + 1, child, path);
        else w.write(level + 1, `${Array.isArray(child) ? JSON.stringify(child) : scalar(child)}\n`);
      }
    } else if (value !== null && typeof value === 'object') {
      w.write(level, `${smartLabel(key)}:\n`);
      writeContent(w, level + 1, value, path);
    } else {
      w.write(level, `${smartLabel(key)}:\t${scalar(value)}\n`);
    }
  }
}

function describeGeneric(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  w.write(0, `Name:\t${o.metadata.name}\n`);
  w.write(0, `Namespace:\t${o.metadata.namespace ?? ''}\n`);
  writeLabels(w, 0, 'Labels', o.metadata.labels);
  writeAnnotations(w, 0, o.metadata.annotations);
  writeContent(w, 0, toManifest(state, o.kind, o), '');
  writeEvents(w, state, o.metadata.uid);
  return w.done();
}

function describeSecret(_state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  writeObjectHead(w, o.metadata);
  w.write(0, `\nType:\t${scalar(o.fields.type ?? 'Opaque')}\n\nData\n====\n`);
  const data = o.fields.data;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    for (const key of Object.keys(data).sort()) w.write(0, `${key}:\t${Buffer.from(String(data[key]), 'base64').length} bytes\n`);
  }
  return w.done();
}

function describeServiceAccount(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  writeObjectHead(w, o.metadata);
  const names = (v: JsonValue | undefined): string[] => (Array.isArray(v) ? v.map((x) => (x && typeof x === 'object' && !Array.isArray(x) ? scalar(x.name ?? '') : '')) : []);
  const list = (title: string, items: string[]) => w.write(0, `${title}:\t${items.length === 0 ? '<none>' : items.join('\n\t')}\n`);
  list('Image pull secrets', names(o.fields.imagePullSecrets));
  list('Mountable secrets', names(o.fields.secrets));
  list('Tokens', []);
  writeEvents(w, state, o.metadata.uid);
  return w.done();
}


/** describe.go helpTextForResourceQuotaScope. */
const QUOTA_SCOPE_HELP: Record<string, string> = {
  Terminating: 'Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.',
  NotTerminating: 'Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.',
  BestEffort: 'Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.',
  NotBestEffort: 'Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.',
};

/** kubectl describe.go describeQuota: a Resource / Used / Hard table over status.hard. */
function describeResourceQuota(_state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  w.write(0, `Name:\t${o.metadata.name}\n`);
  w.write(0, `Namespace:\t${o.metadata.namespace ?? ''}\n`);
  const rawScopes = jsonObject(o.fields.spec).scopes;
  const scopes = (Array.isArray(rawScopes) ? rawScopes : []).map(scalar).sort();
  if (scopes.length > 0) {
    w.write(0, `Scopes:\t${scopes.join(', ')}\n`);
    for (const scope of scopes) {
      const help = QUOTA_SCOPE_HELP[scope];
      if (help) w.write(0, ` * ${help}\n`);
    }
  }
  w.write(0, 'Resource\tUsed\tHard\n');
  w.write(0, '--------\t----\t----\n');
  const status = jsonObject(o.fields.status);
  const hard = jsonObject(status.hard);
  const used = jsonObject(status.used);
  // The rows are status.hard's (the quota controller's copy of spec.hard): none before it has run.
  for (const name of Object.keys(hard).sort()) {
    w.write(0, `${name}\t${scalar(used[name] ?? '0')}\t${scalar(hard[name] ?? '0')}\n`);
  }
  return w.done();
}

/** kubectl describe.go describePodDisruptionBudget. */
function describePodDisruptionBudget(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  const spec = jsonObject(o.fields.spec);
  const status = jsonObject(o.fields.status);
  w.write(0, `Name:\t${o.metadata.name}\n`);
  w.write(0, `Namespace:\t${o.metadata.namespace ?? ''}\n`);
  if (spec.minAvailable !== undefined) w.write(0, `Min available:\t${scalar(spec.minAvailable)}\n`);
  else if (spec.maxUnavailable !== undefined) w.write(0, `Max unavailable:\t${scalar(spec.maxUnavailable)}\n`);
  w.write(0, `Selector:\t${spec.selector === undefined ? '<unset>' : selectorString(asLabelSelector(spec.selector))}\n`);
  w.write(0, 'Status:\n');
  const count = (v: JsonValue | undefined) => (typeof v === 'number' ? v : 0);
  w.write(2, `Allowed disruptions:\t${count(status.disruptionsAllowed)}\n`);
  w.write(2, `Current:\t${count(status.currentHealthy)}\n`);
  w.write(2, `Desired:\t${count(status.desiredHealthy)}\n`);
  w.write(2, `Total:\t${count(status.expectedPods)}\n`);
  writeEvents(w, state, o.metadata.uid);
  return w.done();
}

/** A selector kept as JSON, in the shape the printers take (malformed parts left out). */
function asLabelSelector(v: JsonValue): LabelSelector {
  const s = jsonObject(v);
  const matchLabels: Record<string, string> = {};
  for (const [k, value] of Object.entries(jsonObject(s.matchLabels))) matchLabels[k] = scalar(value);
  const matchExpressions = (Array.isArray(s.matchExpressions) ? s.matchExpressions : []).map(jsonObject).flatMap((e) =>
    typeof e.key === 'string' && typeof e.operator === 'string'
      ? [{ key: e.key, operator: e.operator as NodeSelectorRequirement['operator'], values: (Array.isArray(e.values) ? e.values : []).map(scalar) }]
      : []);
  return { matchLabels, matchExpressions };
}

/**
 * kubectl describe.go describeJob. The spec's unset fields read as the apiserver defaults them
 * (parallelism and completions 1, NonIndexed, not suspended, backoffLimit 6), and the selector
 * and template labels as its Job strategy generates them (controller-uid, job-name).
 */
/** The pod template's service account as the object's JSON names it (none unless its manifest did). */
function templateServiceAccount(spec: { [key: string]: JsonValue }): string | undefined {
  const name = jsonObject(jsonObject(spec.template).spec).serviceAccountName;
  return typeof name === 'string' ? name : undefined;
}

function describeJob(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  const spec = jsonObject(o.fields.spec);
  const status = jsonObject(o.fields.status);
  const uid = o.metadata.uid;
  const generated = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': o.metadata.name, 'controller-uid': uid, 'job-name': o.metadata.name };
  const count = (v: JsonValue | undefined, fallback: number) => (typeof v === 'number' ? v : fallback);
  const at = (v: JsonValue | undefined): number | undefined => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) - state.epoch : undefined);
  w.write(0, `Name:\t${o.metadata.name}\n`);
  w.write(0, `Namespace:\t${o.metadata.namespace ?? ''}\n`);
  w.write(0, `Selector:\t${spec.selector === undefined ? `batch.kubernetes.io/controller-uid=${uid}` : selectorString(asLabelSelector(spec.selector))}\n`);
  writeLabels(w, 0, 'Labels', o.metadata.labels);
  writeAnnotations(w, 0, o.metadata.annotations);
  const owner = o.metadata.ownerReferences.find((r) => r.controller);
  if (owner) w.write(0, `Controlled By:\t${owner.kind}/${owner.name}\n`);
  w.write(0, `Parallelism:\t${count(spec.parallelism, 1)}\n`);
  w.write(0, `Completions:\t${count(spec.completions, 1)}\n`);
  w.write(0, `Completion Mode:\t${scalar(spec.completionMode ?? 'NonIndexed')}\n`);
  // Suspend, Backoff Limit and TTL Seconds After Finished come in kubectl v1.30 (commit 7cd57900b), not v1.29.
  const start = at(status.startTime);
  const end = at(status.completionTime);
  if (start !== undefined) w.write(0, `Start Time:\t${rfc1123z(state, start)}\n`);
  if (end !== undefined) w.write(0, `Completed At:\t${rfc1123z(state, end)}\n`);
  if (start !== undefined && end !== undefined) w.write(0, `Duration:\t${humanDuration(end - start)}\n`);
  if (spec.activeDeadlineSeconds !== undefined) w.write(0, `Active Deadline Seconds:\t${scalar(spec.activeDeadlineSeconds)}s\n`);
  const ready = status.ready === undefined ? '' : ` (${count(status.ready, 0)} Ready)`;
  w.write(0, `Pods Statuses:\t${count(status.active, 0)} Active${ready} / ${count(status.succeeded, 0)} Succeeded / ${count(status.failed, 0)} Failed\n`);
  if (o.template) {
    const labels = { ...o.template.metadata.labels, ...generated };
    writePodTemplate(w, { ...o.template, metadata: { ...o.template.metadata, labels } }, templateServiceAccount(spec));
  }
  writeEvents(w, state, uid);
  return w.done();
}

/** Go's time.Time String() in UTC, as `%s` prints a metav1.Time: `2024-06-03 09:14:02 +0000 UTC`. */
function goTime(state: ClusterState, at: number): string {
  return `${new Date(state.epoch + at).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '')} +0000 UTC`;
}

/** One side's rules (kubectl describe.go printNetworkPolicySpecIngressFrom / EgressTo). */
function writePolicyRules(w: DescribeWriter, rules: JsonValue[], direction: 'ingress' | 'egress'): void {
  const indent = '    ';
  const peersKey = direction === 'ingress' ? 'from' : 'to';
  const title = direction === 'ingress' ? 'From' : 'To';
  if (rules.length === 0) {
    w.write(0, `${indent}<none> (Selected pods are isolated for ${direction} connectivity)\n`);
    return;
  }
  rules.forEach((raw, i) => {
    const rule = jsonObject(raw);
    const ports = Array.isArray(rule.ports) ? rule.ports : [];
    if (ports.length === 0) w.write(0, `${indent}To Port: <any> (traffic allowed to all ports)\n`);
    // port.Port is an *intstr.IntOrString printed with %s: a missing one prints <nil>; endPort is not shown.
    for (const p of ports.map(jsonObject)) w.write(0, `${indent}To Port: ${p.port === undefined ? '<nil>' : scalar(p.port)}/${scalar(p.protocol ?? 'TCP')}\n`);
    const peers = Array.isArray(rule[peersKey]) ? (rule[peersKey] as JsonValue[]) : [];
    if (peers.length === 0) w.write(0, `${indent}${title}: <any> (traffic not restricted by ${direction === 'ingress' ? 'source' : 'destination'})\n`);
    for (const peer of peers.map(jsonObject)) {
      w.write(0, `${indent}${title}:\n`);
      if (peer.namespaceSelector !== undefined) w.write(1, `${indent}NamespaceSelector: ${formatLabelSelector(peer.namespaceSelector)}\n`);
      if (peer.podSelector !== undefined) w.write(1, `${indent}PodSelector: ${formatLabelSelector(peer.podSelector)}\n`);
      if (peer.podSelector === undefined && peer.namespaceSelector === undefined && peer.ipBlock !== undefined) {
        const block = jsonObject(peer.ipBlock);
        w.write(1, `${indent}IPBlock:\n`);
        w.write(2, `${indent}CIDR: ${scalar(block.cidr ?? '')}\n`);
        w.write(2, `${indent}Except: ${(Array.isArray(block.except) ? block.except : []).map(scalar).join(', ')}\n`);
      }
    }
    if (i !== rules.length - 1) w.write(0, `${indent}----------\n`);
  });
}

/** kubectl describe.go describeNetworkPolicy (no events: kubectl's describer shows none). */
function describeNetworkPolicy(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  const spec = jsonObject(o.fields.spec);
  w.write(0, `Name:\t${o.metadata.name}\n`);
  w.write(0, `Namespace:\t${o.metadata.namespace ?? ''}\n`);
  w.write(0, `Created on:\t${goTime(state, o.metadata.creationTimestamp)}\n`);
  writeLabels(w, 0, 'Labels', o.metadata.labels);
  writeAnnotations(w, 0, o.metadata.annotations);
  w.write(0, 'Spec:\n');
  const selector = formatLabelSelector(spec.podSelector);
  w.write(1, 'PodSelector: ');
  w.write(2, selector === '<none>' ? '<none> (Allowing the specific traffic to all pods in this namespace)\n' : `${selector}\n`);
  // Only the stored policyTypes count here (the apiserver has defaulted them on write).
  const types = (Array.isArray(spec.policyTypes) ? spec.policyTypes : []).map(scalar);
  for (const direction of ['ingress', 'egress'] as const) {
    if (types.includes(direction === 'ingress' ? 'Ingress' : 'Egress')) {
      w.write(1, `Allowing ${direction} traffic:\n`);
      writePolicyRules(w, Array.isArray(spec[direction]) ? (spec[direction] as JsonValue[]) : [], direction);
    } else w.write(1, `Not affecting ${direction} traffic\n`);
  }
  w.write(1, `Policy Types: ${types.length === 0 ? '<none>' : types.join(', ')}\n`);
  return w.done();
}

/** kubectl describe.go describeStatefulSet (with describeVolumeClaimTemplates). */
function describeStatefulSet(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  const spec = jsonObject(o.fields.spec);
  const selector = asLabelSelector(spec.selector ?? {});
  w.write(0, `Name:\t${o.metadata.name}\n`);
  w.write(0, `Namespace:\t${o.metadata.namespace ?? ''}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(state, o.metadata.creationTimestamp)}\n`);
  w.write(0, `Selector:\t${selectorString(selector)}\n`);
  writeLabels(w, 0, 'Labels', o.metadata.labels);
  writeAnnotations(w, 0, o.metadata.annotations);
  w.write(0, `Replicas:\t${scalar(spec.replicas ?? 1)} desired | ${scalar(jsonObject(o.fields.status).replicas ?? 0)} total\n`);
  const strategy = jsonObject(spec.updateStrategy);
  w.write(0, `Update Strategy:\t${scalar(strategy.type ?? 'RollingUpdate')}\n`);
  const rolling = jsonObject(strategy.rollingUpdate);
  if (rolling.partition !== undefined) {
    w.write(1, `Partition:\t${scalar(rolling.partition)}\n`);
    if (rolling.maxUnavailable !== undefined) w.write(1, `MaxUnavailable:\t${scalar(rolling.maxUnavailable)}\n`);
  }
  w.write(0, `Pods Status:\t${podsStatus(state, o.metadata.namespace ?? '', selector)}\n`);
  if (o.template) writePodTemplate(w, o.template, templateServiceAccount(spec));
  const templates = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates.map(jsonObject) : [];
  if (templates.length === 0) w.write(0, 'Volume Claims:\t<none>\n');
  else w.write(0, 'Volume Claims:\n');
  for (const t of templates) {
    const meta = jsonObject(t.metadata);
    const claimSpec = jsonObject(t.spec);
    const storage = jsonObject(jsonObject(claimSpec.resources).requests).storage;
    const strings = (v: JsonValue | undefined): Record<string, string> => Object.fromEntries(Object.entries(jsonObject(v)).map(([k, x]) => [k, scalar(x)]));
    w.write(1, `Name:\t${scalar(meta.name ?? '')}\n`);
    w.write(1, `StorageClass:\t${scalar(claimSpec.storageClassName ?? '')}\n`);
    writeLabels(w, 1, 'Labels', strings(meta.labels));
    // describeVolumeClaimTemplates prints the claim's annotations as labels are (printLabelsMultilineWithIndent).
    writeLabels(w, 1, 'Annotations', strings(meta.annotations));
    w.write(1, `Capacity:\t${storage === undefined ? '<default>' : scalar(storage)}\n`);
    w.write(1, `Access Modes:\t[${(Array.isArray(claimSpec.accessModes) ? claimSpec.accessModes : []).map(scalar).join(' ')}]\n`);
  }
  writeEvents(w, state, o.metadata.uid);
  return w.done();
}

/** kubectl describe.go describePersistentVolumeClaim: the claim, the pods that use it, its events. */
function describePersistentVolumeClaim(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  const spec = jsonObject(o.fields.spec);
  const status = jsonObject(o.fields.status);
  w.write(0, `Name:\t${o.metadata.name}\n`);
  w.write(0, `Namespace:\t${o.metadata.namespace ?? ''}\n`);
  w.write(0, `StorageClass:\t${scalar(spec.storageClassName ?? '')}\n`);
  if (spec.volumeAttributesClassName !== undefined) w.write(0, `VolumeAttributesClass:\t${scalar(spec.volumeAttributesClassName)}\n`);
  const deleting = o.metadata.deletionTimestamp;
  w.write(0, `Status:\t${deleting === undefined ? scalar(status.phase ?? '') : `Terminating (lasts ${humanDuration(state.now - deleting)})`}\n`);
  const volume = typeof spec.volumeName === 'string' ? spec.volumeName : '';
  w.write(0, `Volume:\t${volume}\n`);
  writeLabels(w, 0, 'Labels', o.metadata.labels);
  writeAnnotations(w, 0, o.metadata.annotations);
  // The StorageObjectInUseProtection admission plugin puts this finalizer on every claim.
  w.write(0, 'Finalizers:\t[kubernetes.io/pvc-protection]\n');
  w.write(0, `Capacity:\t${volume ? scalar(jsonObject(status.capacity).storage ?? '') : ''}\n`);
  w.write(0, `Access Modes:\t${volume ? accessModes(status.accessModes ?? []) : ''}\n`);
  if (spec.volumeMode !== undefined) w.write(0, `VolumeMode:\t${scalar(spec.volumeMode)}\n`);
  const users = Object.values(state.pods)
    .filter((p) => p.metadata.namespace === o.metadata.namespace && p.spec.claims?.some((c) => c.claimName === o.metadata.name))
    .map((p) => p.metadata.name).sort();
  writeMultiline(w, 0, 'Used By', users);
  writeEvents(w, state, o.metadata.uid);
  return w.done();
}

/** kubectl describe.go describeHorizontalPodAutoscalerV2 (Resource metrics; others by type name). */
function describeHorizontalPodAutoscaler(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  const spec = jsonObject(o.fields.spec);
  const status = jsonObject(o.fields.status);
  const ref = jsonObject(spec.scaleTargetRef);
  w.write(0, `Name:\t${o.metadata.name}\n`);
  w.write(0, `Namespace:\t${o.metadata.namespace ?? ''}\n`);
  writeLabels(w, 0, 'Labels', o.metadata.labels);
  writeAnnotations(w, 0, o.metadata.annotations);
  w.write(0, `CreationTimestamp:\t${rfc1123z(state, o.metadata.creationTimestamp)}\n`);
  w.write(0, `Reference:\t${scalar(ref.kind ?? '')}/${scalar(ref.name ?? '')}\n`);
  w.write(0, 'Metrics:\t( current / target )\n');
  const current = Array.isArray(status.currentMetrics) ? status.currentMetrics.map(jsonObject) : [];
  (Array.isArray(spec.metrics) ? spec.metrics.map(jsonObject) : []).forEach((m, i) => {
    if (m.type !== 'Resource') {
      w.write(1, `<unknown metric type "${scalar(m.type ?? '')}">`);
      return;
    }
    const resource = jsonObject(m.resource);
    const target = jsonObject(resource.target);
    const now = jsonObject(jsonObject(current[i]?.resource).current);
    w.write(1, `resource ${scalar(resource.name ?? '')} on pods`);
    if (target.averageValue !== undefined) {
      w.write(0, `:\t${now.averageValue === undefined ? '<unknown>' : scalar(now.averageValue)} / ${scalar(target.averageValue)}\n`);
      return;
    }
    const shown = now.averageUtilization === undefined ? '<unknown>' : `${scalar(now.averageUtilization)}% (${scalar(now.averageValue ?? '0')})`;
    w.write(1, `(as a percentage of request):\t${shown} / ${target.averageUtilization === undefined ? '<auto>' : `${scalar(target.averageUtilization)}%`}\n`);
  });
  w.write(0, `Min replicas:\t${spec.minReplicas === undefined ? '<unset>' : scalar(spec.minReplicas)}\n`);
  w.write(0, `Max replicas:\t${scalar(spec.maxReplicas ?? 0)}\n`);
  w.write(0, `${scalar(ref.kind ?? '')} pods:\t${scalar(status.currentReplicas ?? 0)} current / ${scalar(status.desiredReplicas ?? 0)} desired\n`);
  const conditions = Array.isArray(status.conditions) ? status.conditions.map(jsonObject) : [];
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n');
    w.write(1, 'Type\tStatus\tReason\tMessage\n');
    w.write(1, '----\t------\t------\t-------\n');
    for (const c of conditions) w.write(1, `${scalar(c.type ?? '')}\t${scalar(c.status ?? '')}\t${scalar(c.reason ?? '')}\t${scalar(c.message ?? '')}\n`);
  }
  writeEvents(w, state, o.metadata.uid);
  return w.done();
}

/** kubectl describe.go describePersistentVolume, printVolumeNodeAffinity and the volume sources the provisioners here make. */
function describePersistentVolume(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  const spec = jsonObject(o.fields.spec);
  const claim = jsonObject(spec.claimRef);
  w.write(0, `Name:\t${o.metadata.name}\n`);
  writeLabels(w, 0, 'Labels', o.metadata.labels);
  writeAnnotations(w, 0, o.metadata.annotations);
  // The PersistentVolumeProtection admission plugin puts this finalizer on every volume.
  w.write(0, 'Finalizers:\t[kubernetes.io/pv-protection]\n');
  w.write(0, `StorageClass:\t${scalar(spec.storageClassName ?? '')}\n`);
  w.write(0, `Status:\t${scalar(jsonObject(o.fields.status).phase ?? '')}\n`);
  w.write(0, `Claim:\t${claim.name === undefined ? '' : `${scalar(claim.namespace ?? '')}/${scalar(claim.name)}`}\n`);
  w.write(0, `Reclaim Policy:\t${scalar(spec.persistentVolumeReclaimPolicy ?? '')}\n`);
  w.write(0, `Access Modes:\t${accessModes(spec.accessModes ?? [])}\n`);
  if (spec.volumeMode !== undefined) w.write(0, `VolumeMode:\t${scalar(spec.volumeMode)}\n`);
  w.write(0, `Capacity:\t${scalar(jsonObject(spec.capacity).storage ?? '0')}\n`);
  const terms = jsonObject(jsonObject(spec.nodeAffinity).required).nodeSelectorTerms;
  if (!Array.isArray(terms)) w.write(0, 'Node Affinity:\t<none>\n');
  else {
    w.write(0, 'Node Affinity:\t\n');
    w.write(1, `Required Terms:\t${terms.length === 0 ? '<none>' : ''}\n`);
    terms.forEach((t, i) => {
      const exprs = (Array.isArray(jsonObject(t).matchExpressions) ? jsonObject(t).matchExpressions as JsonValue[] : []).map(jsonObject)
        .map((e) => `${scalar(e.key ?? '')} ${scalar(e.operator ?? '').toLowerCase()} [${(Array.isArray(e.values) ? e.values : []).map(scalar).join(', ')}]`);
      writeMultiline(w, 2, `Term ${i}`, exprs);
    });
  }
  w.write(0, `Message:\t${scalar(jsonObject(o.fields.status).message ?? '')}\n`);
  w.write(0, 'Source:\n');
  const host = jsonObject(spec.hostPath);
  const ebs = jsonObject(spec.awsElasticBlockStore);
  const csi = jsonObject(spec.csi);
  if (spec.hostPath !== undefined) {
    w.write(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${scalar(host.path ?? '')}\n    HostPathType:\t${scalar(host.type ?? '')}\n`);
  } else if (spec.awsElasticBlockStore !== undefined) {
    w.write(2, `Type:\tAWSElasticBlockStore (a Persistent Disk resource in AWS)\n    VolumeID:\t${scalar(ebs.volumeID ?? '')}\n    FSType:\t${scalar(ebs.fsType ?? '')}\n    Partition:\t${scalar(ebs.partition ?? 0)}\n    ReadOnly:\t${ebs.readOnly === true}\n`);
  } else if (spec.csi !== undefined) {
    w.write(2, `Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t${scalar(csi.driver ?? '')}\n    FSType:\t${scalar(csi.fsType ?? '')}\n    VolumeHandle:\t${scalar(csi.volumeHandle ?? '')}\n    ReadOnly:\t${csi.readOnly === true}\n`);
    const attrs = Object.entries(jsonObject(csi.volumeAttributes)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${scalar(v)}`);
    writeMultiline(w, 2, '    VolumeAttributes', attrs);
  }
  writeEvents(w, state, o.metadata.uid);
  return w.done();
}

/** An Ingress backend as describe shows it: `svc:80 (10.244.1.5:8080,…)`, the endpoints of the named port. */
function ingressBackend(state: ClusterState, namespace: string, backend: JsonValue | undefined): string {
  const svcRef = jsonObject(jsonObject(backend)['service']);
  const name = typeof svcRef['name'] === 'string' ? svcRef['name'] : '';
  const port = jsonObject(svcRef['port']);
  const ep = state.endpoints[`${namespace}/${name}`];
  if (!ep) return `<error: endpoints "${name}" not found>`;
  const svc = state.services[`${namespace}/${name}`];
  if (!svc) return `<error: services "${name}" not found>`;
  let portName = '';
  for (const sp of svc.spec.ports) if ((typeof port['number'] === 'number' && port['number'] === sp.port) || (port['name'] !== undefined && port['name'] === sp.name)) portName = sp.name ?? '';
  return `${name}:${String(port['number'] ?? port['name'] ?? '')} (${formatEndpoints(ep, new Set([portName]))})`;
}

/** kubectl's IngressDescriber (pkg/describe describe.go, describeIngressV1). */
function describeIngress(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  const spec = jsonObject(o.fields['spec']);
  const ns = o.metadata.namespace ?? 'default';
  w.write(0, `Name:\t${o.metadata.name}\n`);
  writeLabels(w, 0, 'Labels', o.metadata.labels);
  w.write(0, `Namespace:\t${ns}\n`);
  const lb = jsonObject(jsonObject(o.fields['status'])['loadBalancer']);
  const addresses = (Array.isArray(lb['ingress']) ? lb['ingress'] : []).map((i) => jsonObject(i)).map((i) => String(i['ip'] ?? i['hostname'] ?? '')).filter((a) => a !== '');
  w.write(0, `Address:\t${addresses.join(',')}\n`);
  w.write(0, `Ingress Class:\t${typeof spec['ingressClassName'] === 'string' ? spec['ingressClassName'] : '<none>'}\n`);
  const defaultBackend = spec['defaultBackend'] ? ingressBackend(state, ns, spec['defaultBackend']) : '<default>';
  w.write(0, `Default backend:\t${defaultBackend}\n`);
  const tls = Array.isArray(spec['tls']) ? spec['tls'].map((t) => jsonObject(t)) : [];
  if (tls.length > 0) {
    w.write(0, 'TLS:\n');
    for (const t of tls) {
      const hosts = Array.isArray(t['hosts']) ? t['hosts'].join(',') : '';
      w.write(1, t['secretName'] === undefined ? `SNI routes ${hosts}\n` : `${String(t['secretName'])} terminates ${hosts}\n`);
    }
  }
  w.write(0, 'Rules:\n  Host\tPath\tBackends\n');
  w.write(1, '----\t----\t--------\n');
  let count = 0;
  for (const rule of (Array.isArray(spec['rules']) ? spec['rules'] : []).map((r) => jsonObject(r))) {
    const http = rule['http'];
    if (!http) continue;
    count++;
    w.write(1, `${typeof rule['host'] === 'string' && rule['host'] !== '' ? rule['host'] : '*'}\t\n`);
    const paths = jsonObject(http)['paths'];
    for (const p of (Array.isArray(paths) ? paths : []).map((x) => jsonObject(x))) {
      w.write(2, `\t${typeof p['path'] === 'string' ? p['path'] : ''} \t${ingressBackend(state, ns, p['backend'])}\n`);
    }
  }
  if (count === 0) w.write(1, `*\t*\t${defaultBackend}\n`);
  writeAnnotations(w, 0, o.metadata.annotations);
  writeEvents(w, state, o.metadata.uid);
  return w.done();
}

export function describeStored(state: ClusterState, o: StoredObject): string {
  if (o.kind === 'NetworkPolicy') return describeNetworkPolicy(state, o);
  if (o.kind === 'Ingress') return describeIngress(state, o);
  if (o.kind === 'Job') return describeJob(state, o);
  if (o.kind === 'PersistentVolume') return describePersistentVolume(state, o);
  if (o.kind === 'HorizontalPodAutoscaler') return describeHorizontalPodAutoscaler(state, o);
  if (o.kind === 'StatefulSet') return describeStatefulSet(state, o);
  if (o.kind === 'PersistentVolumeClaim') return describePersistentVolumeClaim(state, o);
  if (o.kind === 'ResourceQuota') return describeResourceQuota(state, o);
  if (o.kind === 'PodDisruptionBudget') return describePodDisruptionBudget(state, o);
  if (o.kind === 'Secret') return describeSecret(state, o);
  if (o.kind === 'ServiceAccount') return describeServiceAccount(state, o);
  if (o.kind === 'Role' || o.kind === 'ClusterRole') return describeRole(o);
  if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') return describeRoleBinding(o);
  if (o.kind === 'PriorityClass') return describePriorityClass(state, o);
  if (o.kind === 'StorageClass') return describeStorageClass(state, o);
  if (o.kind === 'CSINode') return describeCSINode(state, o);
  if (o.kind === 'EndpointSlice') return describeEndpointSlice(state, o);
  return describeGeneric(state, o);
}
