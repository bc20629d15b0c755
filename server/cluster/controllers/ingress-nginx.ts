// ingress-nginx's status and store sync: every Ingress its class validation accepts
// (network/ingress.ts) gets the --publish-service's load balancer address in its status (the
// ADDRESS column) and a `Sync` event; one it ignores is logged as store.go logs it, at start
// and at each resync, and keeps no address. Nothing runs without an Ingress.
import { mutateObject, objectKey } from '../api.js';
import { recordEvent, refOf } from '../events.js';
import { appendLog, klog } from '../logs.js';
import { ingressClassError, ingressNginxConfig } from '../network/ingress.js';
import type { ClusterState, JsonValue, StoredObject } from '../types.js';
import type { TickContext } from './context.js';
import { podsOfRole } from './metallb.js';

/** The informers' resync period: an ignored Ingress is logged again each time. */
const RESYNC_MS = 600_000;

function publishedAddress(state: ClusterState, publishService: string | undefined): JsonValue[] {
  const svc = publishService ? state.services[publishService] : undefined;
  return (svc?.status.loadBalancer.ingress ?? []).map((i): JsonValue => (i.ip ? { ip: i.ip } : { hostname: i.hostname ?? '' }));
}

const statusOf = (ing: StoredObject): string => JSON.stringify(ing.fields['status'] ?? {});

export function ingressNginxController(ctx: TickContext): void {
  const { state } = ctx;
  const ingresses = state.stored?.['Ingress'];
  if (!ingresses || Object.keys(ingresses).length === 0) return;
  const pods = podsOfRole(state, 'ingress-nginx');
  const [leader] = pods;
  if (!leader) return;
  const cfg = ingressNginxConfig(leader);
  const address = publishedAddress(state, cfg.publishService);
  const resync = Math.floor(state.now / RESYNC_MS) !== Math.floor((state.now - ctx.dt) / RESYNC_MS);
  for (const key of Object.keys(ingresses).sort()) {
    const ing = ingresses[key]!;
    if (ing.metadata.creationTimestamp > state.now) continue; // replaying the past (addonHistory)
    const error = ingressClassError(state, ing, cfg);
    if (error !== undefined) {
      // Logged when the controller first sees it, and at each resync.
      if (!resync && ing.metadata.creationTimestamp < state.now - ctx.dt) continue;
      // Every replica's store ignores it.
      for (const pod of pods) {
        const cs = pod.status.containerStatuses[0];
        if (cs) appendLog(cs.logs, klog(state, state.now, 'I', 'store.go:436', `"Ignoring ingress because of error while validating ingress class" ingress="${key}" error="${error.replaceAll('"', '\\"')}"`, 7));
      }
      continue;
    }
    const status: JsonValue = { loadBalancer: address.length > 0 ? { ingress: address } : {} };
    if (JSON.stringify(status) === statusOf(ing)) continue;
    mutateObject(state, 'Ingress', objectKey(ing.metadata.namespace, ing.metadata.name), (o) => { o.fields['status'] = status; });
    for (let i = 0; i < pods.length; i++) recordEvent(state, refOf('Ingress', ing), 'Normal', 'Sync', 'Scheduled for sync', 'nginx-ingress-controller');
  }
}
