// kube-scheduler: binds pending pods to the least-allocated feasible node, or records
// FailedScheduling with the real FitError message and PodScheduled=False/Unschedulable.
// An unschedulable pod is retried when the cluster changes, or every 5 minutes.
import { getObject, keyOf, mutateObject, writeSerial } from '../api.js';
import { recordEvent, refOf } from '../events.js';
import { podRequests } from '../objects.js';
import type { ApiResult, ClusterState, Node, Pod, PodCondition } from '../types.js';
import { indexBinding, isActivePod, isTerminating, type TickContext } from './context.js';
import { filterNode, fitErrorMessage, type FilterFailure, type NodeLoad } from './scheduling.js';
import { podVolumes, SELECTED_NODE, volumeConflict } from '../volumes.js';

const UNSCHEDULABLE_FLUSH_MS = 300_000;

function nodeLoads(ctx: TickContext): Map<string, NodeLoad> {
  const loads = new Map<string, NodeLoad>();
  for (const name in ctx.state.nodes) {
    const load: NodeLoad = { cpu: 0, memory: 0, pods: 0 };
    for (const pod of ctx.podsByNode.get(name) ?? []) {
      if (!isActivePod(pod)) continue;
      const r = podRequests(pod);
      load.cpu += r.cpu;
      load.memory += r.memory;
      load.pods++;
    }
    loads.set(name, load);
  }
  return loads;
}

/** Changes whenever something the filters look at changes (nodes, their load). */
function clusterSignature(nodes: Node[], loads: Map<string, NodeLoad>): string {
  let sig = '';
  for (const n of nodes) {
    const l = loads.get(n.metadata.name)!;
    sig += `${n.metadata.name}|${n.spec.unschedulable}|${JSON.stringify(n.spec.taints)}|${JSON.stringify(n.metadata.labels)}|${n.status.allocatable.cpu}|${n.status.allocatable.memory}|${l.cpu}|${l.memory}|${l.pods};`;
  }
  return sig;
}

/**
 * POST pods/NAME/binding: a client binds the pod to a node as the scheduler would
 * (pkg/registry/core/pod/storage BindingREST: a pod bound or going is a Conflict; the node is
 * not checked, its kubelet just never sees a pod for an unknown node).
 */
export function bindPod(state: ClusterState, key: string, nodeName: string): ApiResult<Pod> {
  const pod = getObject(state, 'Pod', key);
  const name = key.slice(key.indexOf('/') + 1);
  if (!pod) return { ok: false, error: { status: 404, reason: 'NotFound', message: `pods "${name}" not found` } };
  const conflict = (why: string): ApiResult<Pod> => ({ ok: false, error: { status: 409, reason: 'Conflict', message: `Operation cannot be fulfilled on pods/binding "${name}": ${why}` } });
  if (pod.metadata.deletionTimestamp !== undefined) return conflict(`pod ${name} is being deleted, cannot be assigned to a host`);
  if (pod.spec.nodeName) return conflict(`pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
  return mutateObject(state, 'Pod', key, (p) => {
    p.spec.nodeName = nodeName;
    setScheduledCondition(p, state.now, 'True');
    p.schedule = undefined;
  });
}

function setScheduledCondition(pod: Pod, now: number, status: PodCondition['status'], reason?: string, message?: string): void {
  const cond: PodCondition = { type: 'PodScheduled', status, lastTransitionTime: now };
  if (reason) cond.reason = reason;
  if (message) cond.message = message;
  pod.status.conditions = [...pod.status.conditions.filter((c) => c.type !== 'PodScheduled'), cond];
}

export function schedulerController(ctx: TickContext): void {
  const { state } = ctx;
  if (!state.controlPlane.scheduler.running) return;
  const queue = ctx.unscheduled.filter((p) => !p.spec.nodeName && !isTerminating(p) && p.spec.schedulerName === 'default-scheduler' && state.pods[keyOf(p)] === p);
  if (queue.length === 0) return;
  const nodes = Object.values(state.nodes);
  const loads = nodeLoads(ctx);
  // Claims and volumes binding or appearing make unschedulable pods worth another try.
  const sig = `${writeSerial(state, 'PersistentVolumeClaim')}|${writeSerial(state, 'PersistentVolume')}|${clusterSignature(nodes, loads)}`;
  for (const pod of queue) {
    const retry = pod.schedule;
    if (retry && retry.clusterSig === sig && state.now < retry.nextAt) continue;
    const volumes = pod.spec.claims ? podVolumes(state, pod) : undefined;
    if (volumes?.waiting) continue;
    const req = podRequests(pod);
    const failures: FilterFailure[] = [];
    let best: Node | undefined;
    let bestScore = Infinity;
    for (const node of volumes?.preFilter ? [] : nodes) {
      const load = loads.get(node.metadata.name)!;
      const conflict = volumes && volumeConflict(volumes, node);
      const failure = filterNode(pod, node, load, req) ?? (conflict ? { reasons: [conflict], unresolvable: true } : null);
      if (failure) {
        failures.push(failure);
        continue;
      }
      const alloc = node.status.allocatable;
      const score = (load.cpu + req.cpu) / Math.max(1, alloc.cpu) + (load.memory + req.memory) / Math.max(1, alloc.memory);
      if (score < bestScore) {
        best = node;
        bestScore = score;
      }
    }
    const podRef = refOf('Pod', pod);
    if (best && volumes && volumes.delayed.length > 0) {
      // The scheduler names the node on the claims; the pod is bound once their volumes are made there.
      const nodeName = best.metadata.name;
      for (const claim of volumes.delayed) mutateObject(state, 'PersistentVolumeClaim', keyOf(claim), (c) => void (c.metadata.annotations[SELECTED_NODE] = nodeName));
      continue;
    }
    if (best) {
      const nodeName = best.metadata.name;
      const res = mutateObject(state, 'Pod', keyOf(pod), (p) => {
        p.spec.nodeName = nodeName;
        setScheduledCondition(p, state.now, 'True');
        p.schedule = undefined; // not `delete`: keeps pods in V8 fast-property mode
      });
      if (!res.ok) continue;
      const load = loads.get(nodeName)!;
      load.cpu += req.cpu;
      load.memory += req.memory;
      load.pods++;
      indexBinding(ctx, pod);
      recordEvent(state, podRef, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`, 'default-scheduler');
      continue;
    }
    const message = fitErrorMessage(nodes.length, failures, volumes?.preFilter);
    const current = pod.status.conditions.find((c) => c.type === 'PodScheduled');
    if (current?.message !== message) mutateObject(state, 'Pod', keyOf(pod), (p) => setScheduledCondition(p, state.now, 'False', 'Unschedulable', message));
    pod.schedule = { attempts: (retry?.attempts ?? 0) + 1, nextAt: state.now + UNSCHEDULABLE_FLUSH_MS, clusterSig: sig };
    recordEvent(state, podRef, 'Warning', 'FailedScheduling', message, 'default-scheduler');
  }
}
