// The pod kubectl picks for a workload (`logs deploy/x`, `attach`, `port-forward`):
// polymorphichelpers.attachablePodForObject → GetFirstPod sorts the selector's pods with
// sort.Reverse(podutils.ActivePods) and takes the first. Times compare as the API sends them,
// to the second (metav1.Time from RFC 3339); ties keep the apiserver's order (by name).
import { isPodReady } from '../../cluster/controllers/context.js';
import type { Pod, SimTime } from '../../cluster/types.js';

const PHASE_RANK: Record<string, number> = { Running: 2, Unknown: 1 }; // Pending and the rest: 0

const seconds = (t: SimTime | undefined): number => (t === undefined ? 0 : Math.floor(t / 1000));
const readySince = (p: Pod): number => seconds(p.status.conditions.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime);
const maxRestarts = (p: Pod): number => Math.max(0, ...p.status.containerStatuses.map((c) => c.restartCount));

/** Negative when `a` is the more active: assigned, Running, ready, ready longer, fewer restarts, older. */
function moreActive(a: Pod, b: Pod): number {
  if (!a.spec.nodeName !== !b.spec.nodeName) return a.spec.nodeName ? -1 : 1;
  const phase = (PHASE_RANK[b.status.phase] ?? 0) - (PHASE_RANK[a.status.phase] ?? 0);
  if (phase !== 0) return phase;
  if (isPodReady(a) !== isPodReady(b)) return isPodReady(a) ? -1 : 1;
  if (isPodReady(a)) {
    const ra = readySince(a);
    const rb = readySince(b);
    if (ra !== rb) return ra === 0 ? 1 : rb === 0 ? -1 : ra - rb;
  }
  const restarts = maxRestarts(a) - maxRestarts(b);
  if (restarts !== 0) return restarts;
  return seconds(a.metadata.creationTimestamp) - seconds(b.metadata.creationTimestamp);
}

/** The selector's pods, the one kubectl takes first. */
export function byActivity(pods: readonly Pod[]): Pod[] {
  return [...pods].sort(moreActive);
}
