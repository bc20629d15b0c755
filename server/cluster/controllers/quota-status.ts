// The resourcequota and disruption controllers' status writers: every ResourceQuota's
// status.hard/used and every PodDisruptionBudget's status follow the pods and objects they
// count, so `kubectl get quota` and `get pdb` show what admission and eviction decide on.
// Recomputed only after something was written (the etcd revision moved).
import { countByQuotaName, mutateObject, objectKey } from '../api.js';
import { budgetStatus } from '../disruption.js';
import { quotaStatus } from '../resource-quota.js';
import type { JsonValue, StoredObject } from '../types.js';
import { changedSince, type TickContext } from './context.js';

function writeStatus(ctx: TickContext, kind: 'ResourceQuota' | 'PodDisruptionBudget', obj: StoredObject, status: { [key: string]: JsonValue }): void {
  const before = obj.fields.status;
  const merged = { ...(before !== null && typeof before === 'object' && !Array.isArray(before) ? before : {}), ...status };
  if (JSON.stringify(before) === JSON.stringify(merged)) return;
  mutateObject(ctx.state, kind, objectKey(obj.metadata.namespace, obj.metadata.name), (o) => {
    o.fields.status = merged;
  });
}

export function quotaStatusController(ctx: TickContext): void {
  const { state } = ctx;
  const quotas = Object.values(state.stored?.ResourceQuota ?? {});
  const budgets = Object.values(state.stored?.PodDisruptionBudget ?? {});
  if (quotas.length + budgets.length === 0 || !changedSince(quotaStatusController, state, String(state.etcd.revision))) return;
  for (const quota of quotas) {
    const namespace = quota.metadata.namespace ?? '';
    writeStatus(ctx, 'ResourceQuota', quota, quotaStatus(state, quota, (name) => countByQuotaName(state, namespace, name)));
  }
  for (const budget of budgets) {
    const s = budgetStatus(state, budget);
    writeStatus(ctx, 'PodDisruptionBudget', budget, { ...s, observedGeneration: budget.metadata.generation ?? 1 });
  }
}
