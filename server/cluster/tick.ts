// Simulated time: tick(state, ms) advances the clock in steps of at most one second and
// runs every controller once per step, always in the same order.
import { asControllers } from './managed-fields.js';
import { apiUnavailable } from './api.js';
import { metricsApiRefused, tlsRejected } from './controlplane.js';
import { checkMetricsApiService } from './metrics.js';
import { endpointSliceController } from './controllers/endpointslice.js';
import { namespaceDefaultsController } from './controllers/namespace-defaults.js';
import { expiredCert } from './pki.js';
import { cronJobController } from './controllers/cronjob.js';
import { daemonSetController } from './controllers/daemonset.js';
import { deploymentController } from './controllers/deployment.js';
import { endpointsController } from './controllers/endpoints.js';
import { garbageCollector } from './controllers/gc.js';
import { ingressNginxController } from './controllers/ingress-nginx.js';
import { metallbController } from './controllers/metallb.js';
import { jobController } from './controllers/job.js';
import { kubeletController } from './controllers/kubelet.js';
import { nodeLifecycleController } from './controllers/node-lifecycle.js';
import { quotaStatusController } from './controllers/quota-status.js';
import { csrSigningController } from './controllers/csr-signing.js';
import { replicaSetController } from './controllers/replicaset.js';
import { schedulerController } from './controllers/scheduler.js';
import { persistentVolumeController } from './controllers/persistentvolume.js';
import { statefulSetController } from './controllers/statefulset.js';
import { hpaController } from './controllers/hpa.js';
import { newTickContext } from './controllers/context.js';
import { tickEtcd } from './etcd.js';
import { EVENT_TTL_MS, expireEvents } from './events.js';
import { restartFailedUnits } from './host.js';
import { tickDnsCounters } from './network/dns-delay.js';
import { logUpstreamTimeouts } from './network/dns.js';
import { tickTraffic } from './network/traffic.js';
import type { ClusterState } from './types.js';

const STEP_MS = 1000;
const EVENT_EXPIRY_PERIOD_MS = 60_000;
/** How often kube-aggregator checks an APIService's availability (its resync). */
const APISERVICE_CHECK_MS = 30_000;

function step(state: ClusterState, dt: number, traffic: boolean): void {
  state.now += dt;
  tickEtcd(state, dt);
  const ctx = newTickContext(state, dt);
  // Controllers talk to the apiserver: when it is unreachable they cannot even read.
  const apiUp = apiUnavailable(state) === null;
  if (apiUp && state.controlPlane.controllerManager.running) {
    nodeLifecycleController(ctx);
    deploymentController(ctx);
    replicaSetController(ctx);
    daemonSetController(ctx);
    cronJobController(ctx);
    jobController(ctx);
    hpaController(ctx);
    statefulSetController(ctx);
    persistentVolumeController(ctx);
  }
  if (apiUp) schedulerController(ctx);
  restartFailedUnits(state);
  kubeletController(ctx);
  if (apiUp && state.controlPlane.controllerManager.running) {
    endpointsController(ctx);
    // Once the cluster runs: the build lays down the first slices, ServiceAccounts and CA ConfigMaps (defaults.ts).
    if (traffic) {
      endpointSliceController(ctx);
      namespaceDefaultsController(ctx);
    }
    garbageCollector(ctx);
    quotaStatusController(ctx);
    csrSigningController(ctx);
  }
  // Add-ons in their own pods: they act only once the cluster runs (their past: addonHistory).
  if (apiUp && traffic) addonControllers(ctx);
  if (apiUp && Math.floor((state.now - dt) / APISERVICE_CHECK_MS) !== Math.floor(state.now / APISERVICE_CHECK_MS)) {
    metricsApiRefused(state);
    checkMetricsApiService(state);
  }
  // The kubelets refuse an expired serving certificate at each status update (every 10 s).
  if (Math.floor((state.now - dt) / 10_000) !== Math.floor(state.now / 10_000) && expiredCert(state, 'apiserver')) {
    for (const node of Object.values(state.nodes)) tlsRejected(state, node.status.addresses[0]?.address ?? '');
  }
  if (Math.floor((state.now - dt) / EVENT_EXPIRY_PERIOD_MS) !== Math.floor(state.now / EVENT_EXPIRY_PERIOD_MS)) expireEvents(state);
  if (traffic) {
    tickTraffic(state, dt);
    tickDnsCounters(state, dt);
    logUpstreamTimeouts(state, dt);
  }
}

function addonControllers(ctx: ReturnType<typeof newTickContext>): void {
  metallbController(ctx);
  ingressNginxController(ctx);
}

/** How often the add-on controllers are replayed over the last hour: their retry and resync periods divide it. */
const ADDON_HISTORY_STEP_MS = 300_000;

/**
 * The add-on controllers' last hour, replayed once the cluster is built: at each load
 * balancer Service's and Ingress's creation and every five minutes since, so addresses,
 * events (`x12 over 1h`) and logs carry a history consistent with the objects' ages.
 */
export function addonHistory(state: ClusterState): void {
  const created = [
    ...Object.values(state.services).filter((s) => s.spec.type === 'LoadBalancer').map((s) => s.metadata.creationTimestamp),
    ...Object.values(state.stored?.['Ingress'] ?? {}).map((o) => o.metadata.creationTimestamp),
  ];
  if (created.length === 0) return;
  const now = state.now;
  const from = now - EVENT_TTL_MS;
  const times = new Set(created.map((t) => Math.max(t, from)).filter((t) => t < now));
  for (let t = Math.ceil(from / ADDON_HISTORY_STEP_MS) * ADDON_HISTORY_STEP_MS; t < now; t += ADDON_HISTORY_STEP_MS) times.add(t);
  for (const t of [...times].sort((a, b) => a - b)) {
    state.now = t;
    addonControllers(newTickContext(state, STEP_MS));
  }
  state.now = now;
}

function advance(state: ClusterState, ms: number, traffic: boolean): void {
  let left = ms;
  while (left > 0) {
    const dt = Math.min(STEP_MS, left);
    step(state, dt, traffic);
    left -= dt;
  }
}

/** Advance simulated time by `ms`, in steps of at most one second. */
export function tick(state: ClusterState, ms: number): void {
  asControllers(state, () => advance(state, ms, true));
}

/**
 * One pass of every controller without moving the clock: what a history laid down before
 * the room opened (a fault that happened minutes ago) is already reconciled when a player
 * first looks, as the controllers would have done long since (a node silent for 20 minutes
 * is NotReady, not Ready until the next monitor pass).
 */
export function catchUp(state: ClusterState): void {
  asControllers(state, () => step(state, 0, true));
}

/** Controllers only, no client traffic: how createCluster brings a cluster up before t=0. */
export function settle(state: ClusterState, ms: number): void {
  advance(state, ms, false);
}
