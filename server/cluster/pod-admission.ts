// What the apiserver's admission plugins put into a pod as it is created, derived from the
// pod here (the model keeps neither): the Priority plugin's spec.priority and
// spec.preemptionPolicy (plugin/pkg/admission/priority/admission.go: the class's value and
// policy; without a class 0 and PreemptLowerPriority) and the ServiceAccount plugin's
// projected token volume (plugin/pkg/admission/serviceaccount/admission.go), which a mirror
// (static) pod never gets. The class is read when asked, not kept from the pod's creation.
import type { ClusterState, JsonValue, Pod } from './types.js';

export interface PodAdmission {
  priority: number;
  preemptionPolicy: string;
  /** The kube-api-access-xxxxx volume's name; undefined for a mirror pod. */
  tokenVolume?: string;
}

const PREEMPT_LOWER_PRIORITY = 'PreemptLowerPriority';

export function podAdmission(state: ClusterState, pod: Pod): PodAdmission {
  const name = pod.spec.priorityClassName;
  const fields: { [k: string]: JsonValue } = name ? (state.stored?.['PriorityClass']?.[name]?.fields ?? {}) : {};
  const value = fields.value;
  const policy = fields.preemptionPolicy;
  return {
    priority: typeof value === 'number' ? value : 0,
    preemptionPolicy: typeof policy === 'string' ? policy : PREEMPT_LOWER_PRIORITY,
    // The plugin names it with a random 5-character suffix; here it comes from the uid, so it is stable.
    tokenVolume: pod.static ? undefined : `kube-api-access-${pod.metadata.uid.replace(/-/g, '').slice(-5)}`,
  };
}

/** Where the ServiceAccount plugin mounts the token volume, read-only, in every container. */
export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
