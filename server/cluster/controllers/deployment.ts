// Deployment controller: one ReplicaSet per pod template (named by its pod-template-hash),
// rolling updates bounded by maxSurge/maxUnavailable, revisions, status and conditions.
import { createObject, deleteObject, keyOf, mutateObject, writeSerial } from '../api.js';
import { recordEvent, refOf } from '../events.js';
import { newMeta, ownerRef } from '../objects.js';
import { SUFFIX_ALPHABET } from '../rng.js';
import type { Deployment, PodTemplate, ReplicaSet } from '../types.js';
import { jsonCopy, sameJson } from '../json.js';
import { changedSince, type TickContext } from './context.js';

const REVISION = 'deployment.kubernetes.io/revision';
type Condition = Deployment['status']['conditions'][number];

/** pod-template-hash: fnv-1a of the template, its decimal digits spelled like rand.SafeEncodeString. */
export function templateHash(template: PodTemplate): string {
  // The controller asks every step a pod changes; printing the template each time was most of a build's settle.
  const known = hashed.get(template);
  if (known && sameJson(template, known.copy)) return known.hash;
  const text = JSON.stringify(template);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  const hash = [...String(h)].map((ch) => SUFFIX_ALPHABET[ch.charCodeAt(0) % SUFFIX_ALPHABET.length]).join('');
  hashed.set(template, { copy: jsonCopy(template), hash });
  return hash;
}
/** The hash of a template as it was when hashed (templates change in place: compared before use). */
const hashed = new WeakMap<PodTemplate, { copy: PodTemplate; hash: string }>();

/** maxSurge / maxUnavailable as a count ("25%" of replicas; surge rounds up, unavailable down). */
function resolveIntOrPercent(v: string | number, replicas: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const pct = Number(v.replace('%', '')) / 100;
  return roundUp ? Math.ceil(pct * replicas) : Math.floor(pct * replicas);
}

const revisionOf = (rs: ReplicaSet) => Number(rs.metadata.annotations[REVISION] ?? 0);

function scale(ctx: TickContext, d: Deployment, rs: ReplicaSet, to: number): boolean {
  const from = rs.spec.replicas;
  if (from === to) return true;
  const res = mutateObject(ctx.state, 'ReplicaSet', keyOf(rs), (r) => {
    r.spec.replicas = to;
    r.metadata.annotations['deployment.kubernetes.io/desired-replicas'] = String(d.spec.replicas);
  });
  if (!res.ok) return false;
  const op = to > from ? 'up' : 'down';
  recordEvent(ctx.state, refOf('Deployment', d), 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata.name} to ${to} from ${from}`, 'deployment-controller');
  return true;
}

function createReplicaSet(ctx: TickContext, d: Deployment, hash: string, revision: number, replicas: number): ReplicaSet | undefined {
  const { state } = ctx;
  const ns = d.metadata.namespace!;
  const template = structuredClone(d.spec.template);
  template.metadata.labels['pod-template-hash'] = hash;
  const meta = newMeta(state, `${d.metadata.name}-${hash}`, ns, template.metadata.labels);
  meta.ownerReferences = [ownerRef('Deployment', d)];
  meta.annotations = {
    'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas),
    'deployment.kubernetes.io/max-replicas': String(d.spec.replicas + resolveIntOrPercent(d.spec.strategy.maxSurge, d.spec.replicas, true)),
    [REVISION]: String(revision),
  };
  const rs: ReplicaSet = {
    metadata: meta,
    spec: { replicas, selector: { matchLabels: { ...d.spec.selector.matchLabels, 'pod-template-hash': hash } }, template },
    status: { replicas: 0, readyReplicas: 0, availableReplicas: 0, fullyLabeledReplicas: 0, observedGeneration: 0 },
  };
  if (!createObject(state, 'ReplicaSet', rs).ok) return undefined;
  recordEvent(state, refOf('Deployment', d), 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rs.metadata.name} to ${replicas}`, 'deployment-controller');
  return rs;
}

function rollingUpdate(ctx: TickContext, d: Deployment, newRS: ReplicaSet, old: ReplicaSet[]): void {
  const replicas = d.spec.replicas;
  const surge = resolveIntOrPercent(d.spec.strategy.maxSurge, replicas, true);
  const unavailable = Math.max(resolveIntOrPercent(d.spec.strategy.maxUnavailable, replicas, false), surge === 0 ? 1 : 0);
  const all = [newRS, ...old];
  // Scale the new ReplicaSet up as far as the surge allows.
  const total = all.reduce((n, rs) => n + rs.spec.replicas, 0);
  if (newRS.spec.replicas < replicas) {
    const room = replicas + surge - total;
    if (room > 0) scale(ctx, d, newRS, Math.min(replicas, newRS.spec.replicas + room));
  } else if (newRS.spec.replicas > replicas) {
    scale(ctx, d, newRS, replicas);
  }
  // Scale old ones down, never below replicas - maxUnavailable available pods overall.
  let budget = all.reduce((n, rs) => n + rs.status.availableReplicas, 0) - (replicas - unavailable);
  for (const rs of [...old].sort((a, b) => a.metadata.creationTimestamp - b.metadata.creationTimestamp)) {
    if (rs.spec.replicas === 0) continue;
    const unhealthy = Math.max(0, rs.spec.replicas - rs.status.availableReplicas); // free to remove
    const cut = Math.min(rs.spec.replicas, unhealthy + Math.max(0, budget));
    if (cut <= 0) continue;
    budget -= Math.max(0, cut - unhealthy);
    scale(ctx, d, rs, rs.spec.replicas - cut);
  }
}

function recreate(ctx: TickContext, d: Deployment, newRS: ReplicaSet, old: ReplicaSet[]): void {
  for (const rs of old) scale(ctx, d, rs, 0);
  const oldPods = old.reduce((n, rs) => n + (ctx.podsByOwner.get(rs.metadata.uid)?.length ?? 0), 0);
  if (oldPods === 0) scale(ctx, d, newRS, d.spec.replicas);
}

function setCondition(conditions: Condition[], now: number, type: Condition['type'], status: Condition['status'], reason: string, message: string): Condition[] {
  const prev = conditions.find((c) => c.type === type);
  const next: Condition = {
    type, status, reason, message,
    lastUpdateTime: prev && prev.reason === reason && prev.message === message ? prev.lastUpdateTime : now,
    lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now,
  };
  return [...conditions.filter((c) => c.type !== type), next].sort((a, b) => (a.type < b.type ? -1 : 1));
}

function syncStatus(ctx: TickContext, d: Deployment, newRS: ReplicaSet, all: ReplicaSet[]): void {
  const { state } = ctx;
  const replicas = all.reduce((n, rs) => n + rs.status.replicas, 0);
  const ready = all.reduce((n, rs) => n + rs.status.readyReplicas, 0);
  const available = all.reduce((n, rs) => n + rs.status.availableReplicas, 0);
  const updated = newRS.status.replicas;
  const minAvailable = d.spec.replicas - resolveIntOrPercent(d.spec.strategy.maxUnavailable, d.spec.replicas, false);
  let conditions = d.status.conditions;
  conditions = available >= minAvailable
    ? setCondition(conditions, state.now, 'Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
    : setCondition(conditions, state.now, 'Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.');
  const complete = updated === d.spec.replicas && newRS.status.availableReplicas === d.spec.replicas && replicas === d.spec.replicas;
  const progressing = conditions.find((c) => c.type === 'Progressing');
  const rsName = newRS.metadata.name;
  if (complete) {
    conditions = setCondition(conditions, state.now, 'Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`);
  } else if (progressing?.reason === 'ProgressDeadlineExceeded' && progressing.message.includes(`"${rsName}"`)) {
    // stays timed out until the rollout changes
  } else if (progressing && progressing.reason === 'ReplicaSetUpdated' && progressing.message.includes(`"${rsName}"`) &&
             state.now - progressing.lastUpdateTime > d.spec.progressDeadlineSeconds * 1000) {
    conditions = setCondition(conditions, state.now, 'Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`);
  } else if (!(progressing?.reason === 'ReplicaSetUpdated' && progressing.message.includes(`"${rsName}"`))) {
    conditions = setCondition(conditions, state.now, 'Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`);
  }
  const s = d.status;
  const changed = s.replicas !== replicas || s.readyReplicas !== ready || s.availableReplicas !== available || s.updatedReplicas !== updated ||
    s.observedGeneration !== d.metadata.generation || !sameJson(s.conditions, conditions);
  if (!changed) return;
  mutateObject(state, 'Deployment', keyOf(d), (dep) => {
    dep.status = {
      observedGeneration: dep.metadata.generation, replicas, updatedReplicas: updated, readyReplicas: ready, availableReplicas: available,
      unavailableReplicas: Math.max(0, d.spec.replicas - available), conditions,
    };
  });
}

/** Old ReplicaSets scaled to zero beyond revisionHistoryLimit are deleted, oldest first. */
function cleanupHistory(ctx: TickContext, d: Deployment, old: ReplicaSet[]): void {
  const idle = old.filter((rs) => rs.spec.replicas === 0 && rs.status.replicas === 0).sort((a, b) => revisionOf(a) - revisionOf(b));
  for (const rs of idle.slice(0, Math.max(0, idle.length - d.spec.revisionHistoryLimit))) deleteObject(ctx.state, 'ReplicaSet', keyOf(rs));
}

function syncDeployment(ctx: TickContext, d: Deployment, owned: ReplicaSet[]): void {
  const hash = templateHash(d.spec.template);
  let newRS = owned.find((rs) => rs.metadata.labels['pod-template-hash'] === hash);
  const maxRevision = owned.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
  const old = owned.filter((rs) => rs !== newRS);
  if (!newRS) {
    if (d.spec.paused) return;
    // A first rollout starts at full size; a rolling update starts with what maxSurge allows.
    const current = old.reduce((n, rs) => n + rs.spec.replicas, 0);
    const surge = resolveIntOrPercent(d.spec.strategy.maxSurge, d.spec.replicas, true);
    const initial = current === 0 ? d.spec.replicas
      : d.spec.strategy.type === 'Recreate' ? 0 : Math.max(0, Math.min(d.spec.replicas, d.spec.replicas + surge - current));
    newRS = createReplicaSet(ctx, d, hash, maxRevision + 1, initial);
    if (!newRS) return;
  } else if (revisionOf(newRS) < maxRevision) {
    // Rolled back to an older template: it becomes the newest revision again.
    mutateObject(ctx.state, 'ReplicaSet', keyOf(newRS), (rs) => void (rs.metadata.annotations[REVISION] = String(maxRevision + 1)));
  }
  if (d.metadata.annotations[REVISION] !== newRS.metadata.annotations[REVISION]) {
    const revision = newRS.metadata.annotations[REVISION]!;
    mutateObject(ctx.state, 'Deployment', keyOf(d), (dep) => void (dep.metadata.annotations[REVISION] = revision));
  }
  if (d.spec.paused) {
    if (!old.some((rs) => rs.spec.replicas > 0)) scale(ctx, d, newRS, d.spec.replicas);
  } else if (d.spec.strategy.type === 'Recreate') {
    recreate(ctx, d, newRS, old);
  } else {
    rollingUpdate(ctx, d, newRS, old);
  }
  cleanupHistory(ctx, d, old);
  syncStatus(ctx, d, newRS, [newRS, ...old]);
}

/** A rollout still in progress must be watched for its progress deadline even when nothing is written. */
function rolloutInProgress(state: TickContext['state']): boolean {
  for (const key in state.deployments) {
    if (state.deployments[key]!.status.conditions.some((c) => c.type === 'Progressing' && c.reason === 'ReplicaSetUpdated')) return true;
  }
  return false;
}

export function deploymentController(ctx: TickContext): void {
  const { state } = ctx;
  const serial = ['Deployment', 'ReplicaSet', 'Pod'].map((k) => writeSerial(state, k as 'Pod')).join('/');
  if (!changedSince(deploymentController, state, serial) && !rolloutInProgress(state)) return;
  const byOwner = new Map<string, ReplicaSet[]>();
  for (const key in state.replicasets) {
    const rs = state.replicasets[key]!;
    const owner = rs.metadata.ownerReferences[0];
    if (owner?.kind !== 'Deployment') continue;
    const list = byOwner.get(owner.uid);
    if (list) list.push(rs);
    else byOwner.set(owner.uid, [rs]);
  }
  for (const key in state.deployments) {
    const d = state.deployments[key]!;
    if (d.metadata.deletionTimestamp !== undefined) continue;
    syncDeployment(ctx, d, byOwner.get(d.metadata.uid) ?? []);
  }
}
