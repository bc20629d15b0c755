// What the world logged between a control-plane certificate's expiry and the room's start,
// so the logs of an incident that began hours ago begin then too: the same lines the
// periodic checks write once the room runs (tick.ts, etcd.ts), every few minutes of the past.
import { apiUnavailable } from './api.js';
import { metricsApiRefused, tlsRejected } from './controlplane.js';
import { logRefusedWrites } from './controllers/kubelet-errors.js';
import { etcdRejectsApiserver } from './etcd.js';
import { expiredCert } from './pki.js';
import type { ClusterState } from './types.js';

/** One sample of the past every 5 minutes, at most 6 hours back. */
const STEP_MS = 5 * 60_000;
const MAX_BACK_MS = 6 * 3_600_000;

/** Writes the consequences of each certificate that has expired by now, from its expiry on (state.now is the fault's time). */
export function backfillExpiry(state: ClusterState): void {
  const now = state.now;
  const since = (name: string) => {
    const v = expiredCert(state, name);
    return v && v.notAfter <= now ? Math.max(v.notAfter, now - MAX_BACK_MS) : undefined;
  };
  const serving = since('apiserver');
  const etcd = since('etcd-server');
  const proxy = since('front-proxy-client');
  const from = Math.min(serving ?? now, etcd ?? now, proxy ?? now);
  for (let t = from; t < now; t += STEP_MS) {
    state.now = t;
    if (serving !== undefined && t >= serving) {
      const refused = apiUnavailable(state);
      for (const node of Object.values(state.nodes)) {
        tlsRejected(state, node.status.addresses[0]?.address ?? '');
        if (refused) logRefusedWrites(state, node, refused, STEP_MS);
      }
    }
    if (etcd !== undefined && t >= etcd) etcdRejectsApiserver(state);
    if (proxy !== undefined && t >= proxy) metricsApiRefused(state);
  }
  state.now = now;
}
