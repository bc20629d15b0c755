// StatefulSet controller (kubernetes pkg/controller/statefulset, apps/v1): pods named
// `<set>-<ordinal>`, each with its claims `<template>-<set>-<ordinal>` made from
// volumeClaimTemplates before the pod. Under OrderedReady (the default) ordinal N is created
// only once 0…N-1 are Running and Ready, and scale-down removes the highest ordinal first, one
// at a time, only while the others are healthy; Parallel creates and deletes them all at once.
// Claims outlive their pods (persistentVolumeClaimRetentionPolicy Retain, the default).
// A template change is a new revision (a ControllerRevision): under RollingUpdate the pods of
// an older revision are replaced from the highest ordinal down to the partition, one at a time
// once the others are Running and Ready; under OnDelete only when someone deletes them.
import { createObject, deleteObject, mutateObject, objectKey, objectsOfKind } from '../api.js';
import { recordEvent, refOf } from '../events.js';
import { jsonObject } from '../json.js';
import { newMeta, ownerRef, podFromTemplate } from '../objects.js';
import { SUFFIX_ALPHABET } from '../rng.js';
import type { ClusterState, JsonValue, Pod, StoredObject } from '../types.js';
import { indexPod, isPodReady, isTerminating, type TickContext } from './context.js';
import { ensureRevision, templatePatch } from './revisions.js';

type Fields = { [k: string]: JsonValue };

/** The apiserver's defaults for apps/v1 StatefulSets (SetDefaults_StatefulSet). */
export function defaultStatefulSet(set: StoredObject): void {
  const spec: Fields = { ...jsonObject(set.fields.spec) };
  spec.replicas ??= 1;
  spec.podManagementPolicy ??= 'OrderedReady';
  spec.revisionHistoryLimit ??= 10;
  spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
  const strategy: Fields = { type: 'RollingUpdate', ...jsonObject(spec.updateStrategy) };
  if (strategy.type === 'RollingUpdate') strategy.rollingUpdate = { partition: 0, ...jsonObject(strategy.rollingUpdate) };
  spec.updateStrategy = Object.fromEntries(Object.entries(strategy).sort(([a], [b]) => a.localeCompare(b)));
  if (Array.isArray(spec.volumeClaimTemplates)) {
    spec.volumeClaimTemplates = spec.volumeClaimTemplates.map((t) => {
      const tmpl = jsonObject(t);
      return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...tmpl, spec: { volumeMode: 'Filesystem', ...jsonObject(tmpl.spec) }, status: { phase: 'Pending' } };
    });
  }
  set.fields.spec = spec;
}

const count = (v: JsonValue | undefined, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback);

/** The ordinal in a pod's name `<set>-<n>`, or -1. */
function ordinalOf(set: string, pod: string): number {
  if (!pod.startsWith(`${set}-`)) return -1;
  const rest = pod.slice(set.length + 1);
  return /^(0|[1-9]\d{0,8})$/.test(rest) ? Number(rest) : -1;
}

const isHealthy = (p: Pod): boolean => p.status.phase === 'Running' && isPodReady(p) && !isTerminating(p);

/** The ControllerRevision name suffix: a hash of the template, in the alphabet of generated names. */
function revisionHash(set: StoredObject): string {
  let h = 0x811c9dc5;
  for (const ch of JSON.stringify(jsonObject(set.fields.spec).template ?? null)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  let out = '';
  for (let i = 0; i < 10; i++, h = Math.floor(h / SUFFIX_ALPHABET.length)) out += SUFFIX_ALPHABET[h % SUFFIX_ALPHABET.length];
  return out;
}

export function statefulSetController(ctx: TickContext): void {
  const sets = ctx.state.stored?.StatefulSet;
  if (!sets) return;
  for (const set of Object.values(sets)) if (set.template && set.metadata.deletionTimestamp === undefined) syncSet(ctx, set);
}

function syncSet(ctx: TickContext, set: StoredObject): void {
  const { state } = ctx;
  const spec = jsonObject(set.fields.spec);
  const replicas = count(spec.replicas, 1);
  const parallel = spec.podManagementPolicy === 'Parallel';
  const name = set.metadata.name;
  const revision = `${name}-${revisionHash(set)}`;
  ensureSetRevision(state, set, revision);
  const byOrdinal = new Map<number, Pod>();
  for (const p of ctx.podsByOwner.get(set.metadata.uid) ?? []) {
    const ordinal = ordinalOf(name, p.metadata.name);
    if (ordinal >= 0 && state.pods[objectKey(p.metadata.namespace, p.metadata.name)] === p) byOrdinal.set(ordinal, p);
  }
  let waiting = false;
  for (let i = 0; i < replicas && !waiting; i++) {
    const pod = byOrdinal.get(i);
    if (!pod) {
      const created = createPod(ctx, set, i, revision);
      if (created) byOrdinal.set(i, created);
      waiting = !parallel || !created;
    } else if ((pod.status.phase === 'Failed' || pod.status.phase === 'Succeeded') && !isTerminating(pod)) {
      // A pod that ended is deleted and made again under the same name.
      if (deleteObject(state, 'Pod', objectKey(pod.metadata.namespace, pod.metadata.name)).ok) {
        recordEvent(state, refOf('StatefulSet', set), 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`, 'statefulset-controller');
      }
      waiting = !parallel;
    } else if (!parallel && !isHealthy(pod)) {
      waiting = true; // OrderedReady: the next ordinal waits for this one
    }
  }
  const strategy = jsonObject(spec.updateStrategy);
  if (!waiting && strategy.type !== 'OnDelete' && [...byOrdinal].every(([o, p]) => o >= replicas || isHealthy(p))) {
    const partition = count(jsonObject(strategy.rollingUpdate).partition, 0);
    for (let i = replicas - 1; i >= partition; i--) {
      const pod = byOrdinal.get(i);
      if (!pod || pod.metadata.labels['controller-revision-hash'] === revision) continue;
      if (deleteObject(state, 'Pod', objectKey(pod.metadata.namespace, pod.metadata.name)).ok) {
        recordEvent(state, refOf('StatefulSet', set), 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`, 'statefulset-controller');
      }
      waiting = true;
      break;
    }
  }
  const condemned = [...byOrdinal].filter(([o]) => o >= replicas).sort((a, b) => b[0] - a[0]);
  for (const [, pod] of condemned) {
    if (!parallel && (waiting || [...byOrdinal].some(([o, p]) => o < replicas && !isHealthy(p)))) break;
    if (isTerminating(pod)) {
      if (!parallel) break;
      continue;
    }
    if (deleteObject(state, 'Pod', objectKey(pod.metadata.namespace, pod.metadata.name)).ok) {
      recordEvent(state, refOf('StatefulSet', set), 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`, 'statefulset-controller');
    }
    if (!parallel) break;
  }
  writeStatus(state, set, [...byOrdinal.values()], revision);
}

function ensureSetRevision(state: ClusterState, set: StoredObject, revision: string): void {
  const template = jsonObject(structuredClone(jsonObject(set.fields.spec).template ?? {}));
  const labels = { ...jsonObject(template.metadata).labels as Record<string, string>, 'controller.kubernetes.io/hash': revision.slice(set.metadata.name.length + 1) };
  const { revisionHistoryLimit } = jsonObject(set.fields.spec);
  ensureRevision(state, 'StatefulSet', set, revision, labels, templatePatch(template), undefined, typeof revisionHistoryLimit === 'number' ? revisionHistoryLimit : undefined);
}

/** The claims of ordinal `i` (made if missing), then its pod; undefined when a create was refused. */
function createPod(ctx: TickContext, set: StoredObject, i: number, revision: string): Pod | undefined {
  const { state } = ctx;
  const ns = set.metadata.namespace!;
  const podName = `${set.metadata.name}-${i}`;
  const spec = jsonObject(set.fields.spec);
  const setRef = refOf('StatefulSet', set);
  const claims: NonNullable<Pod['spec']['claims']> = [];
  for (const t of Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []) {
    const tmpl = jsonObject(t);
    const volume = String(jsonObject(tmpl.metadata).name ?? '');
    const claimName = `${volume}-${podName}`;
    claims.push({ volume, claimName });
    if (objectsOfKind(state, 'PersistentVolumeClaim')[objectKey(ns, claimName)]) continue;
    // The claim carries the set's selector labels (getPersistentVolumeClaims in stateful_set_utils.go).
    const labels = { ...jsonObject(jsonObject(tmpl.metadata).labels), ...jsonObject(jsonObject(spec.selector).matchLabels) } as Record<string, string>;
    const meta = newMeta(state, claimName, ns, labels);
    meta.annotations = { ...jsonObject(jsonObject(tmpl.metadata).annotations) } as Record<string, string>;
    const claim: StoredObject = { kind: 'PersistentVolumeClaim', metadata: meta, fields: { spec: structuredClone(jsonObject(tmpl.spec)) } };
    const res = createObject(state, 'PersistentVolumeClaim', claim);
    if (!res.ok) {
      recordEvent(state, setRef, 'Warning', 'FailedCreate', `create Claim ${claimName} for Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${res.error.message}`, 'statefulset-controller');
      return undefined;
    }
    recordEvent(state, setRef, 'Normal', 'SuccessfulCreate', `create Claim ${claimName} Pod ${podName} in StatefulSet ${set.metadata.name} success`, 'statefulset-controller');
  }
  const template = structuredClone(set.template!);
  template.metadata.labels = {
    ...template.metadata.labels, 'apps.kubernetes.io/pod-index': String(i), 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': podName,
  };
  const pod = podFromTemplate(state, template, ns, podName, ownerRef('StatefulSet', set));
  // A template volume of a claim template's name becomes that claim (updateStorage).
  const own = (pod.spec.claims ?? []).filter((c) => !claims.some((x) => x.volume === c.volume));
  if (claims.length + own.length > 0) pod.spec.claims = [...claims, ...own];
  const res = createObject(state, 'Pod', pod);
  if (!res.ok) {
    recordEvent(state, setRef, 'Warning', 'FailedCreate', `create Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${res.error.message}`, 'statefulset-controller');
    return undefined;
  }
  indexPod(ctx, pod);
  recordEvent(state, setRef, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${set.metadata.name} successful`, 'statefulset-controller');
  return pod;
}

function writeStatus(state: ClusterState, set: StoredObject, pods: Pod[], revision: string): void {
  const live = pods.filter((p) => !isTerminating(p));
  const ready = live.filter((p) => p.status.phase === 'Running' && isPodReady(p)).length;
  const updated = live.filter((p) => p.metadata.labels['controller-revision-hash'] === revision).length;
  // The current revision moves on once every pod runs the update revision.
  const before = jsonObject(set.fields.status);
  const replicas = count(jsonObject(set.fields.spec).replicas, 1);
  const currentRevision = typeof before.currentRevision === 'string' && (updated < replicas || updated < live.length) ? before.currentRevision : revision;
  const current = live.filter((p) => p.metadata.labels['controller-revision-hash'] === currentRevision).length;
  // apps/v1 StatefulSetStatus: the counters marked omitempty are left out at 0.
  const status: Fields = { availableReplicas: ready, collisionCount: 0 };
  if (current > 0) status.currentReplicas = current;
  status.currentRevision = currentRevision;
  status.observedGeneration = set.metadata.generation;
  if (ready > 0) status.readyReplicas = ready;
  status.replicas = live.length;
  status.updateRevision = revision;
  if (updated > 0) status.updatedReplicas = updated;
  if (JSON.stringify(status) === JSON.stringify(set.fields.status)) return;
  mutateObject(state, 'StatefulSet', objectKey(set.metadata.namespace, set.metadata.name), (o) => {
    o.fields.status = status;
  });
}
