// PodDisruptionBudgets (policy/v1) and the eviction subresource that honours them, as
// kubernetes' disruption controller (pkg/controller/disruption) and eviction REST handler
// (pkg/registry/core/pod/storage/eviction.go) do: a budget selects pods of its namespace,
// counts the healthy (Ready, not terminating) ones against minAvailable or maxUnavailable,
// and an eviction that would leave fewer than desired is refused with 429 TooManyRequests.
// `kubectl drain` evicts; `kubectl delete pod` does not ask the budget.
import { deleteObject, getObject, type DeleteOptions } from './api.js';
import { isPodReady } from './controllers/context.js';
import { requirementMatches } from './controllers/scheduling.js';
import type { ApiResult, ClusterState, JsonValue, Pod, StoredObject } from './types.js';

export interface BudgetStatus {
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
}

const record = (v: JsonValue | undefined): Record<string, JsonValue> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;

/** A metav1.LabelSelector (matchLabels and matchExpressions): in policy/v1 an empty one selects every pod, a missing one none. */
export function labelSelectorMatches(selector: JsonValue | undefined, labels: Record<string, string>): boolean {
  const s = record(selector);
  if (!s) return false;
  const matchLabels = record(s.matchLabels) ?? {};
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  const expressions = Array.isArray(s.matchExpressions) ? s.matchExpressions : [];
  return expressions.every((e) => {
    const r = record(e);
    if (!r || typeof r.key !== 'string' || typeof r.operator !== 'string') return false;
    const operator = r.operator as 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    const values = Array.isArray(r.values) ? r.values.filter((x): x is string => typeof x === 'string') : [];
    return ['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(operator) && requirementMatches(labels, { key: r.key, operator, values });
  });
}

/** "50%" of `total` rounded up (as intstr.GetScaledValueFromIntOrPercent with roundUp), or the integer. */
function scaled(value: JsonValue | undefined, total: number): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const m = /^(\d+)%$/.exec(value);
    if (m) return Math.ceil((Number(m[1]) * total) / 100);
    if (/^\d+$/.test(value)) return Number(value);
  }
  return undefined;
}

function budgetsFor(state: ClusterState, pod: Pod): StoredObject[] {
  const all = state.stored?.PodDisruptionBudget;
  if (!all) return [];
  return Object.values(all).filter((b) => b.metadata.namespace === pod.metadata.namespace && labelSelectorMatches(record(b.fields.spec)?.selector, pod.metadata.labels));
}

/** What the disruption controller writes in a budget's status. */
export function budgetStatus(state: ClusterState, budget: StoredObject): BudgetStatus {
  const spec = record(budget.fields.spec) ?? {};
  const pods = Object.values(state.pods).filter((p) => p.metadata.namespace === budget.metadata.namespace &&
    p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed' && labelSelectorMatches(spec.selector, p.metadata.labels));
  const expectedPods = pods.length;
  const currentHealthy = pods.filter((p) => p.metadata.deletionTimestamp === undefined && isPodReady(p)).length;
  const minAvailable = scaled(spec.minAvailable, expectedPods);
  const maxUnavailable = scaled(spec.maxUnavailable, expectedPods);
  const desiredHealthy = minAvailable ?? (maxUnavailable !== undefined ? Math.max(0, expectedPods - maxUnavailable) : 0);
  return { expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy) };
}

/** POST pods/NAME/eviction: delete the pod unless a budget forbids it. */
export function evictPod(state: ClusterState, key: string, options: DeleteOptions = {}): ApiResult<Pod> {
  const pod = getObject(state, 'Pod', key);
  if (!pod) return { ok: false, error: { status: 404, reason: 'NotFound', message: `pods "${key.slice(key.indexOf('/') + 1)}" not found` } };
  // canIgnorePDB: pods already going, finished or not yet running are evicted without asking.
  const ignoresBudgets = pod.metadata.deletionTimestamp !== undefined || ['Pending', 'Succeeded', 'Failed'].includes(pod.status.phase);
  if (!ignoresBudgets) {
    const budgets = budgetsFor(state, pod);
    if (budgets.length > 1) {
      return { ok: false, error: { status: 500, reason: 'InternalError', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' } };
    }
    const budget = budgets[0];
    if (budget) {
      const status = budgetStatus(state, budget);
      // An unready pod may go while the budget is met (unhealthyPodEvictionPolicy IfHealthyBudget).
      const allowed = isPodReady(pod) ? status.disruptionsAllowed > 0 : status.currentHealthy >= status.desiredHealthy;
      if (!allowed) {
        // eviction.go checkAndDecrement: NewTooManyRequests with a DisruptionBudget cause.
        const cause = { reason: 'DisruptionBudget', message: `The disruption budget ${budget.metadata.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently` };
        return { ok: false, error: { status: 429, reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.", causes: [cause] } };
      }
    }
  }
  return deleteObject(state, 'Pod', key, options);
}
