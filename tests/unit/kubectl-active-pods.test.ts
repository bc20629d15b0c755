// The pod kubectl takes for a workload: sort.Reverse(podutils.ActivePods) in GetFirstPod
// (kubectl pkg/util/podutils/podutils.go): assigned, Running, ready, ready for longer (to the
// second, as metav1.Time reads RFC 3339), fewer restarts (the most of any container), older.
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../server/cluster/types.js';
import { byActivity } from '../../server/shell/kubectl/active-pods.js';

function pod(name: string, opts: { node?: string; phase?: string; readyAt?: number; restarts?: number[]; created?: number } = {}): Pod {
  return {
    metadata: { name, creationTimestamp: opts.created ?? 0 },
    spec: { nodeName: opts.node ?? 'n1' },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: opts.readyAt === undefined ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: opts.readyAt }],
      containerStatuses: (opts.restarts ?? [0]).map((restartCount) => ({ restartCount })),
    },
  } as unknown as Pod;
}
const names = (pods: Pod[]) => byActivity(pods).map((p) => p.metadata.name);

describe('the pod kubectl takes for a workload', () => {
  it('ranks assigned over unassigned, Running over Unknown over Pending, ready over not', () => {
    expect(names([pod('a', { node: '' }), pod('b', { phase: 'Pending' })])).toEqual(['b', 'a']);
    expect(names([pod('a', { phase: 'Pending' }), pod('b', { phase: 'Unknown' }), pod('c')])).toEqual(['c', 'b', 'a']);
    expect(names([pod('a'), pod('b', { readyAt: 5_000 })])).toEqual(['b', 'a']);
  });

  it('takes the pod ready for longer, to the second; then fewer restarts of its worst container; then the older', () => {
    expect(names([pod('a', { readyAt: 9_000 }), pod('b', { readyAt: 4_000 })])).toEqual(['b', 'a']);
    // 4.2 s and 4.9 s are the same second on the wire: the next rule decides.
    expect(names([pod('a', { readyAt: 4_200, restarts: [0, 0, 0] }), pod('b', { readyAt: 4_900, restarts: [2] })])).toEqual(['a', 'b']);
    expect(names([pod('a', { restarts: [1, 1, 1] }), pod('b', { restarts: [2] })])).toEqual(['a', 'b']); // the most, not the sum
    expect(names([pod('a', { created: 60_000 }), pod('b', { created: 1_000 })])).toEqual(['b', 'a']);
    expect(names([pod('a'), pod('b')])).toEqual(['a', 'b']); // a tie keeps the apiserver's order
  });
});
