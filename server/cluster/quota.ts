// Admission limits on how many objects there are, so that `kubectl scale --replicas=100000` or
// a create loop cannot grow the simulation (and every tick's cost) without bound. Each
// namespace behaves as if it held a ResourceQuota named `object-counts` with count limits;
// creates past it fail with the quota admission plugin's message. Past the cluster's total
// ceiling every create is refused.
import type { Kind } from './api.js';
import type { ApiError, ClusterLimits } from './types.js';

/** The quota every namespace holds, as its admission message names it. */
export const QUOTA_NAME = 'object-counts';

/** The kinds the quota counts, with the resource names ResourceQuota uses for them. */
const QUOTA_RESOURCES: Partial<Record<Kind, { limit: keyof ClusterLimits['quota']; resource: string }>> = {
  Pod: { limit: 'pods', resource: 'pods' },
  Service: { limit: 'services', resource: 'services' },
  ConfigMap: { limit: 'configmaps', resource: 'configmaps' },
  Deployment: { limit: 'deployments', resource: 'count/deployments.apps' },
  ReplicaSet: { limit: 'replicasets', resource: 'count/replicasets.apps' },
  DaemonSet: { limit: 'daemonsets', resource: 'count/daemonsets.apps' },
};

/**
 * Why creating one more object is refused, or null. `used` is how many objects of the kind the
 * namespace holds, `total` how many the cluster holds; `resource` and `name` name the object
 * in the message (`pods "web-7d4b9-"`: the generateName prefix when a controller creates it).
 */
export function admissionRefusal(
  limits: ClusterLimits,
  kind: Kind,
  counts: { used: number; total: number },
  what: { resource: string; name: string },
): ApiError | null {
  const forbidden = (why: string): ApiError => ({ status: 403, reason: 'Forbidden', message: `${what.resource} "${what.name}" is forbidden: ${why}` });
  const quota = QUOTA_RESOURCES[kind];
  if (quota && counts.used + 1 > limits.quota[quota.limit]) {
    const r = quota.resource;
    return forbidden(`exceeded quota: ${QUOTA_NAME}, requested: ${r}=1, used: ${r}=${counts.used}, limited: ${r}=${limits.quota[quota.limit]}`);
  }
  if (counts.total + 1 > limits.maxObjects) return forbidden(`the simulated cluster holds at most ${limits.maxObjects} objects`);
  return null;
}
