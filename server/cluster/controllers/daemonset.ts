// DaemonSet controller: one pod per eligible node (node selector/affinity matches and
// every NoSchedule/NoExecute taint is tolerated), bound directly to that node.
import { createObject, keyOf, mutateObject, writeSerial } from '../api.js';
import { recordEvent, refOf } from '../events.js';
import { DAEMONSET_TOLERATIONS, ownerRef, podFromTemplate } from '../objects.js';
import { randomSuffix } from '../rng.js';
import type { DaemonSet, Node, Pod } from '../types.js';
import { changedSince, indexPod, isPodReady, isTerminating, type TickContext } from './context.js';
import { matchesNodeSelection, untoleratedTaint } from './scheduling.js';

function eligible(node: Node, probe: Pod): boolean {
  return matchesNodeSelection(probe, node) && !untoleratedTaint(node.spec.taints, probe.spec.tolerations, ['NoSchedule', 'NoExecute']);
}

function syncDaemonSet(ctx: TickContext, ds: DaemonSet): void {
  const { state } = ctx;
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
  const s = ds.status;
  const current = byNode.size;
  if (s.desiredNumberScheduled !== desired || s.currentNumberScheduled !== current || s.numberReady !== ready || s.numberAvailable !== ready || s.updatedNumberScheduled !== current) {
    mutateObject(state, 'DaemonSet', keyOf(ds), (d) => {
      d.status = { desiredNumberScheduled: desired, currentNumberScheduled: current, numberReady: ready, updatedNumberScheduled: current, numberAvailable: ready, numberMisscheduled: Math.max(0, current - desired) };
    });
  }
}

export function daemonSetController(ctx: TickContext): void {
  const { state } = ctx;
  const serial = ['DaemonSet', 'Node', 'Pod'].map((k) => writeSerial(state, k as 'Pod')).join('/');
  if (!changedSince(daemonSetController, state, serial)) return;
  for (const key in state.daemonsets) syncDaemonSet(ctx, state.daemonsets[key]!);
}
