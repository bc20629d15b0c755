// HorizontalPodAutoscaler controller (kubernetes pkg/controller/podautoscaler, autoscaling/v2),
// every 15 s (--horizontal-pod-autoscaler-sync-period): for Resource metrics with a target
// utilization, desired = ceil(ready pods × current / target) unless the ratio is within the 0.1
// tolerance; clamped to min/max; scale-up at most max(4 pods, double) per period; scale-down
// takes the highest recommendation of the last 300 s (the stabilization window). Metrics come
// from the resource metrics API (metrics.ts): while metrics-server is down the HPA records
// FailedGetResourceMetric and keeps the current size. Usage is per pod, as the program runs it,
// so more pods do not lower it (the simulation has no load to spread).
import { getObject, mutateObject, objectKey } from '../api.js';
import { recordEvent, refOf } from '../events.js';
import { jsonObject } from '../json.js';
import { containerUsage, metricsAvailable, METRICS_UNAVAILABLE } from '../metrics.js';
import { matchesSelector } from '../objects.js';
import { formatBytes, formatCpu } from '../quantity.js';
import type { ClusterState, JsonValue, Pod, StoredObject } from '../types.js';
import { isPodReady, isTerminating, type TickContext } from './context.js';
import { isoTime } from './job.js';

const SYNC_MS = 15_000;
const TOLERANCE = 0.1;
const DOWNSCALE_WINDOW_MS = 300_000;
const COMPONENT = 'horizontal-pod-autoscaler';

type Fields = { [k: string]: JsonValue };

/** The scale subresource of the target: its replicas and selector, or an error message. */
interface Scale { kind: 'Deployment' | 'ReplicaSet' | 'StatefulSet'; replicas: number; selector: Record<string, string> }

function scaleOf(state: ClusterState, ns: string, ref: Fields): Scale | string {
  const kind = String(ref.kind ?? '');
  const name = String(ref.name ?? '');
  const key = objectKey(ns, name);
  if (kind === 'Deployment' || kind === 'ReplicaSet') {
    const o = getObject(state, kind, key);
    if (o) return { kind, replicas: o.spec.replicas, selector: o.spec.selector.matchLabels };
  } else if (kind === 'StatefulSet') {
    const o = getObject(state, 'StatefulSet', key);
    if (o) {
      const spec = jsonObject(o.fields.spec);
      return { kind, replicas: Number(spec.replicas ?? 1), selector: jsonObject(jsonObject(spec.selector).matchLabels) as Record<string, string> };
    }
  } else {
    return `no matches for kind "${kind}" in group "${String(ref.apiVersion ?? '').split('/')[0]}"`;
  }
  return `${kind.toLowerCase()}s/scale.apps "${name}" not found`;
}

function setReplicas(state: ClusterState, ns: string, scale: Scale, name: string, replicas: number): boolean {
  const key = objectKey(ns, name);
  if (scale.kind === 'StatefulSet') {
    return mutateObject(state, 'StatefulSet', key, (o) => {
      o.fields.spec = { ...jsonObject(o.fields.spec), replicas };
      o.metadata.generation++;
    }).ok;
  }
  return mutateObject(state, scale.kind, key, (o) => {
    o.spec.replicas = replicas;
    o.metadata.generation++;
  }).ok;
}

export function hpaController(ctx: TickContext): void {
  const { state, dt } = ctx;
  const hpas = state.stored?.HorizontalPodAutoscaler;
  if (!hpas || Math.floor((state.now - dt) / SYNC_MS) === Math.floor(state.now / SYNC_MS)) return;
  let pods: Pod[] | undefined;
  for (const hpa of Object.values(hpas)) syncHpa(state, hpa, () => (pods ??= Object.values(state.pods)));
}

interface Condition { type: string; status: 'True' | 'False'; reason: string; message: string }

function syncHpa(state: ClusterState, hpa: StoredObject, allPods: () => Pod[]): void {
  const ns = hpa.metadata.namespace!;
  const spec = jsonObject(hpa.fields.spec);
  const ref = jsonObject(spec.scaleTargetRef);
  const name = String(ref.name ?? '');
  const min = Number(spec.minReplicas ?? 1);
  const max = Number(spec.maxReplicas ?? 1);
  const event = (type: 'Normal' | 'Warning', reason: string, message: string) => recordEvent(state, refOf('HorizontalPodAutoscaler', hpa), type, reason, message, COMPONENT);
  const scale = scaleOf(state, ns, ref);
  const old = jsonObject(hpa.fields.status);
  const status: Fields = { ...old };
  const conditions: Condition[] = [];
  if (typeof scale === 'string') {
    event('Warning', 'FailedGetScale', scale);
    conditions.push({ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${scale}` });
    return writeStatus(state, hpa, status, conditions);
  }
  status.currentReplicas = scale.replicas;
  if (scale.replicas === 0 && min !== 0) {
    status.desiredReplicas = 0;
    conditions.push({ type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" });
    conditions.push({ type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
    return writeStatus(state, hpa, status, conditions);
  }
  const pods = allPods().filter((p) => p.metadata.namespace === ns && !isTerminating(p) && matchesSelector(p.metadata.labels, scale.selector));
  const metrics = (Array.isArray(spec.metrics) ? spec.metrics : []).map(jsonObject);
  let proposal = 0;
  let reasonMetric = '';
  const current: JsonValue[] = [];
  let failure: { metric: string; message: string } | undefined;
  let invalid = 0;
  for (const m of metrics) {
    const resource = jsonObject(m.resource);
    const metric = String(resource.name ?? 'cpu') as 'cpu' | 'memory';
    const target = Number(jsonObject(resource.target).averageUtilization ?? NaN);
    if (m.type !== 'Resource' || Number.isNaN(target)) continue;
    const computed = utilization(pods, metric, metricsAvailable(state));
    if (typeof computed === 'string') {
      invalid++;
      failure ??= { metric, message: `failed to get ${metric} utilization: ${computed}` };
      current.push({ type: 'Resource', resource: { name: metric, current: {} } });
      continue;
    }
    current.push({ type: 'Resource', resource: { name: metric, current: { averageUtilization: computed.percent, averageValue: computed.average } } });
    const ratio = computed.percent / target;
    const replicas = Math.abs(ratio - 1) <= TOLERANCE ? scale.replicas : Math.ceil(ratio * computed.ready);
    if (replicas > proposal) {
      proposal = replicas;
      reasonMetric = `${metric} resource utilization (percentage of request)`;
    }
  }
  status.currentMetrics = current;
  conditions.push({ type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" });
  if (failure) {
    // Metrics that could not be read leave the size where it is.
    event('Warning', 'FailedGetResourceMetric', failure.message);
    event('Warning', 'FailedComputeMetricsReplicas', `invalid metrics (${invalid} invalid out of ${current.length}), first error is: failed to get ${failure.metric} resource metric value: ${failure.message}`);
    conditions.push({ type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: `the HPA was unable to compute the replica count: ${failure.message}` });
    status.desiredReplicas = scale.replicas;
    return writeStatus(state, hpa, status, conditions);
  }
  conditions.push({ type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${reasonMetric}` });
  // Scale-down stabilization: the highest recommendation of the window wins.
  const recommendations = (hpa.recommendations ?? []).filter((r) => state.now - r.at < DOWNSCALE_WINDOW_MS);
  recommendations.push({ at: state.now, replicas: proposal });
  hpa.recommendations = recommendations;
  let desired = proposal;
  let stabilized = false;
  if (desired < scale.replicas) {
    const highest = Math.min(scale.replicas, Math.max(...recommendations.map((r) => r.replicas)));
    if (highest > desired) {
      desired = highest;
      stabilized = true;
    }
  }
  desired = Math.min(desired, Math.max(4, scale.replicas * 2)); // default scale-up policies per period
  let limited: Condition = { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
  if (desired > max) {
    desired = max;
    limited = { type: 'ScalingLimited', status: 'True', reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
  } else if (desired < min) {
    desired = min;
    limited = { type: 'ScalingLimited', status: 'True', reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  }
  status.desiredReplicas = desired;
  if (desired !== scale.replicas && setReplicas(state, ns, scale, name, desired)) {
    event('Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${desired > scale.replicas ? `${reasonMetric} above target` : 'All metrics below target'}`);
    status.lastScaleTime = isoTime(state.epoch + state.now);
    conditions[0] = { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desired}` };
  } else if (stabilized) {
    conditions[0] = { type: 'AbleToScale', status: 'True', reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
  } else {
    conditions[0] = { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
  }
  conditions.push(limited);
  writeStatus(state, hpa, status, conditions);
}

/** Average utilization of the ready pods' requests (GetResourceUtilizationRatio), or why not. */
function utilization(pods: Pod[], metric: 'cpu' | 'memory', available: boolean): { percent: number; average: string; ready: number } | string {
  if (!available) return `unable to get metrics for resource ${metric}: unable to fetch metrics from resource metrics API: ${METRICS_UNAVAILABLE}`;
  let used = 0;
  let requested = 0;
  let ready = 0;
  for (const pod of pods) {
    if (pod.status.phase !== 'Running' || !isPodReady(pod)) continue;
    for (const c of pod.spec.containers) {
      const request = c.resources.requests[metric];
      if (request === undefined) return `missing request for ${metric} in container ${c.name} of Pod ${pod.metadata.name}`;
      used += containerUsage(pod, c.name)?.[metric] ?? 0;
      requested += request;
    }
    ready++;
  }
  if (ready === 0) return `unable to get metrics for resource ${metric}: no metrics returned from resource metrics API`;
  const avg = used / ready;
  return { percent: Math.floor((used * 100) / requested), average: metric === 'cpu' ? formatCpu(Math.round(avg)) : formatBytes(Math.round(avg)), ready };
}

function writeStatus(state: ClusterState, hpa: StoredObject, status: Fields, conditions: Condition[]): void {
  const previous = (Array.isArray(jsonObject(hpa.fields.status).conditions) ? jsonObject(hpa.fields.status).conditions as JsonValue[] : []).map(jsonObject);
  const at = isoTime(state.epoch + state.now);
  status.conditions = conditions.map((c) => {
    const before = previous.find((p) => p.type === c.type);
    return { lastTransitionTime: before && before.status === c.status ? before.lastTransitionTime! : at, message: c.message, reason: c.reason, status: c.status, type: c.type };
  });
  if (JSON.stringify(status) === JSON.stringify(hpa.fields.status)) return;
  mutateObject(state, 'HorizontalPodAutoscaler', objectKey(hpa.metadata.namespace, hpa.metadata.name), (o) => {
    o.fields.status = status;
  });
}
