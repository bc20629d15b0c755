// The scheduler's filter plugins (NodeUnschedulable, TaintToleration, NodeAffinity,
// NodeResourcesFit) with the reasons the real plugins report, shared by the scheduler
// and the DaemonSet controller.
import type { Node, NodeSelectorRequirement, Pod, Taint, Toleration } from '../types.js';

export interface NodeLoad {
  cpu: number;
  memory: number;
  pods: number;
}

export interface FilterFailure {
  reasons: string[];
  /** UnschedulableAndUnresolvable: preemption would not help on this node. */
  unresolvable: boolean;
}

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (!t.key) return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

export function untoleratedTaint(taints: Taint[], tolerations: Toleration[], effects: Taint['effect'][]): Taint | undefined {
  return taints.find((taint) => effects.includes(taint.effect) && !tolerations.some((t) => tolerates(t, taint)));
}

export function requirementMatches(labels: Record<string, string>, r: NodeSelectorRequirement): boolean {
  const v = labels[r.key];
  switch (r.operator) {
    case 'In': return v !== undefined && (r.values ?? []).includes(v);
    case 'NotIn': return v === undefined || !(r.values ?? []).includes(v);
    case 'Exists': return v !== undefined;
    case 'DoesNotExist': return v === undefined;
  }
}

export function matchesNodeSelection(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels;
  for (const k in pod.spec.nodeSelector) if (labels[k] !== pod.spec.nodeSelector[k]) return false;
  const terms = pod.spec.nodeAffinity;
  if (terms && terms.length > 0 && !terms.some((term) => term.every((r) => requirementMatches(labels, r)))) return false;
  return true;
}

/** Why the pod cannot go on this node (first failing plugin, like the real framework), or null. */
export function filterNode(pod: Pod, node: Node, load: NodeLoad, req: { cpu: number; memory: number }): FilterFailure | null {
  const unschedulableTolerated = pod.spec.tolerations.some((t) => tolerates(t, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }));
  if (node.spec.unschedulable && !unschedulableTolerated) return { reasons: ['node(s) were unschedulable'], unresolvable: true };
  const taint = untoleratedTaint(node.spec.taints, pod.spec.tolerations, ['NoSchedule', 'NoExecute']);
  if (taint) return { reasons: [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`], unresolvable: true };
  if (!matchesNodeSelection(pod, node)) return { reasons: ["node(s) didn't match Pod's node affinity/selector"], unresolvable: true };
  const alloc = node.status.allocatable;
  const reasons: string[] = [];
  if (load.pods + 1 > (alloc.pods ?? 110)) reasons.push('Too many pods');
  if (req.cpu > 0 && load.cpu + req.cpu > alloc.cpu) reasons.push('Insufficient cpu');
  if (req.memory > 0 && load.memory + req.memory > alloc.memory) reasons.push('Insufficient memory');
  return reasons.length > 0 ? { reasons, unresolvable: false } : null;
}

function histogram(counts: Map<string, number>): string {
  return [...counts].map(([reason, n]) => `${n} ${reason}`).sort().join(', ');
}

/**
 * The FitError message: `0/3 nodes are available: … preemption: 0/3 nodes are available: …`.
 * A PreFilter plugin's refusal (`preFilter`) stands for every node (framework/types.go FitError.Error).
 */
export function fitErrorMessage(total: number, failures: FilterFailure[], preFilter?: string): string {
  if (total === 0) return 'no nodes available to schedule pods';
  if (preFilter) return `0/${total} nodes are available: ${preFilter}. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
  const reasons = new Map<string, number>();
  const preemption = new Map<string, number>();
  for (const f of failures) {
    for (const r of f.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    const p = f.unresolvable ? 'Preemption is not helpful for scheduling' : 'No preemption victims found for incoming pod';
    preemption.set(p, (preemption.get(p) ?? 0) + 1);
  }
  return `0/${total} nodes are available: ${histogram(reasons)}. preemption: 0/${total} nodes are available: ${histogram(preemption)}.`;
}
