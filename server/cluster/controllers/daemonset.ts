// DaemonSet controller: one pod per eligible node (node selector/affinity matches and
// every NoSchedule/NoExecute taint is tolerated), bound directly to that node. A template
// change rolls out like the default RollingUpdate (maxUnavailable 1): one outdated pod is
// deleted at a time, once every other pod of the set is ready; its node then gets a new one.
import { createObject, deleteObject, keyOf, mutateObject, writeSerial } from '../api.js';
import { recordEvent, refOf } from '../events.js';
import { DAEMONSET_TOLERATIONS, ownerRef, podFromTemplate } from '../objects.js';
import { randomSuffix } from '../rng.js';
import type { ClusterState, DaemonSet, Node, Pod } from '../types.js';
import { sameJson } from '../json.js';
import { changedSince, indexPod, isPodReady, isTerminating, type TickContext } from './context.js';
import { templateHash } from './deployment.js';
import { ensureRevision, templatePatch } from './revisions.js';
import { matchesNodeSelection, untoleratedTaint } from './scheduling.js';

function eligible(node: Node, probe: Pod): boolean {
  return matchesNodeSelection(probe, node) && !untoleratedTaint(node.spec.taints, probe.spec.tolerations, ['NoSchedule', 'NoExecute']);
}

/**
 * The set's history (daemon controller constructHistory): a ControllerRevision per template,
 * `<name>-<hash>` labelled controller-revision-hash, which `rollout history|undo ds` read. The
 * stored patch names the containers' images (the simulation keeps the whole template, typed, beside it).
 */
function ensureDaemonSetRevision(state: ClusterState, ds: DaemonSet): void {
  const t = ds.spec.template;
  const hash = templateHash(t);
  const patch = templatePatch({
    metadata: { labels: { ...t.metadata.labels }, annotations: { ...t.metadata.annotations } },
    spec: { containers: t.spec.containers.map((c) => ({ name: c.name, image: c.image })) },
  });
  ensureRevision(state, 'DaemonSet', ds, `${ds.metadata.name}-${hash}`, { ...t.metadata.labels, 'controller-revision-hash': hash }, patch, t);
}

function syncDaemonSet(ctx: TickContext, ds: DaemonSet): void {
  const { state } = ctx;
  ensureDaemonSetRevision(state, ds);
  const byNode = new Map<string, Pod>();
  for (const pod of ctx.podsByOwner.get(ds.metadata.uid) ?? []) {
    if (pod.spec.nodeName && !isTerminating(pod)) byNode.set(pod.spec.nodeName, pod);
  }
  // A template-shaped pod carrying the tolerations the controller adds, for the eligibility checks.
  const probe: Pod = { metadata: ds.metadata, spec: { ...ds.spec.template.spec, tolerations: [...ds.spec.template.spec.tolerations, ...DAEMONSET_TOLERATIONS] }, status: { phase: 'Pending', conditions: [], containerStatuses: [], qosClass: 'BestEffort' }, behavior: {} };
  let desired = 0;
  let ready = 0;
  for (const name in state.nodes) {
    const node = state.nodes[name]!;
    if (!eligible(node, probe)) continue;
    desired++;
    const existing = byNode.get(name);
    if (existing) {
      if (isPodReady(existing)) ready++;
      continue;
    }
    const pod = podFromTemplate(state, ds.spec.template, ds.metadata.namespace!, `${ds.metadata.name}-${randomSuffix(state.rng, 5)}`, ownerRef('DaemonSet', ds));
    pod.spec.nodeName = name;
    pod.spec.tolerations.push(...DAEMONSET_TOLERATIONS.filter((t) => !pod.spec.tolerations.some((x) => x.key === t.key && x.effect === t.effect)));
    pod.status.conditions = [{ type: 'PodScheduled', status: 'True', lastTransitionTime: state.now }];
    const res = createObject(state, 'Pod', pod, `${ds.metadata.name}-`);
    if (!res.ok) {
      recordEvent(state, refOf('DaemonSet', ds), 'Warning', 'FailedCreate', `Error creating: ${res.error.message}`, 'daemonset-controller');
      break;
    }
    indexPod(ctx, pod);
    byNode.set(name, pod);
    recordEvent(state, refOf('DaemonSet', ds), 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'daemonset-controller');
  }
  // A pod whose node no longer matches the selector, or carries a NoExecute taint it does not
  // tolerate, should not continue running there (daemon controller's nodeShouldRunDaemonPod).
  for (const [name, pod] of byNode) {
    const node = state.nodes[name];
    if (node && matchesNodeSelection(probe, node) && !untoleratedTaint(node.spec.taints, probe.spec.tolerations, ['NoExecute'])) continue;
    byNode.delete(name);
    if (deleteObject(state, 'Pod', keyOf(pod)).ok) {
      recordEvent(state, refOf('DaemonSet', ds), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, 'daemonset-controller');
    }
  }
  rollOne(ctx, ds, [...byNode.values()]);
  const s = ds.status;
  const current = byNode.size;
  // Pods of the set's current template (its latest ControllerRevision): what `rollout status` waits for.
  let updated = 0;
  for (const pod of byNode.values()) if (!outdated(ds, pod)) updated++;
  const observed = s.observedGeneration === undefined ? undefined : ds.metadata.generation;
  if (s.desiredNumberScheduled !== desired || s.currentNumberScheduled !== current || s.numberReady !== ready || s.numberAvailable !== ready || s.updatedNumberScheduled !== updated || s.observedGeneration !== observed) {
    mutateObject(state, 'DaemonSet', keyOf(ds), (d) => {
      d.status = { desiredNumberScheduled: desired, currentNumberScheduled: current, numberReady: ready, updatedNumberScheduled: updated, numberAvailable: ready, numberMisscheduled: Math.max(0, current - desired) };
      if (observed !== undefined) d.status.observedGeneration = observed;
    });
  }
}

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
/** A pod made from an older template (the set's containers changed since: image, env, command…; or `rollout restart` stamped it). */
const outdated = (ds: DaemonSet, pod: Pod): boolean =>
  !sameJson(pod.spec.containers, ds.spec.template.spec.containers) ||
  pod.metadata.annotations[RESTARTED_AT] !== ds.spec.template.metadata.annotations[RESTARTED_AT];

function rollOne(ctx: TickContext, ds: DaemonSet, pods: Pod[]): void {
  const old = pods.find((p) => outdated(ds, p));
  if (!old || pods.some((p) => p !== old && !isPodReady(p))) return;
  if ((ctx.podsByOwner.get(ds.metadata.uid) ?? []).some(isTerminating)) return;
  if (deleteObject(ctx.state, 'Pod', keyOf(old)).ok) {
    recordEvent(ctx.state, refOf('DaemonSet', ds), 'Normal', 'SuccessfulDelete', `Deleted pod: ${old.metadata.name}`, 'daemonset-controller');
  }
}

export function daemonSetController(ctx: TickContext): void {
  const { state } = ctx;
  const serial = ['DaemonSet', 'Node', 'Pod'].map((k) => writeSerial(state, k as 'Pod')).join('/');
  if (!changedSince(daemonSetController, state, serial)) return;
  for (const key in state.daemonsets) syncDaemonSet(ctx, state.daemonsets[key]!);
}
