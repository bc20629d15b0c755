// Job controller (kubernetes pkg/controller/job, batch/v1): a Job runs pods from its template
// until `completions` of them succeeded (at most `parallelism` at once), or more than
// `backoffLimit` failed. Its status (active, succeeded, failed, startTime, completionTime,
// conditions Complete / Failed) and events are what `kubectl get|describe job` read. The pods'
// containers run their command as a process (processes.ts), so a Job's log is its program's.
import { createObject, deleteObject, mutateObject, objectKey } from '../api.js';
import { recordEvent, refOf } from '../events.js';
import { ownerRef, podFromTemplate } from '../objects.js';
import { randomSuffix } from '../rng.js';
import type { ClusterState, JsonValue, Pod, StoredObject } from '../types.js';
import { indexPod, type TickContext } from './context.js';
import { jsonObject } from '../json.js';

const count = (v: JsonValue | undefined, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback);
/** A Unix time in ms as the API writes it (RFC 3339, whole seconds). */
export const isoTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const time = (state: ClusterState): string => isoTime(state.epoch + state.now);

/** How a Job ended (its Complete or Failed condition), or undefined while it runs. */
export function finishedAs(job: StoredObject): 'Complete' | 'Failed' | undefined {
  const conditions = jsonObject(job.fields.status).conditions;
  const done = Array.isArray(conditions) ? conditions.map(jsonObject).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') : undefined;
  return done?.type as 'Complete' | 'Failed' | undefined;
}

/** After a refused create (a quota, say) the controller asks again 10 s later, not every step. */
function createRetryAt(state: ClusterState, job: StoredObject): number {
  let last = -Infinity;
  for (const e of state.events) if (e.reason === 'FailedCreate' && e.involvedObject.uid === job.metadata.uid) last = Math.max(last, e.lastTimestamp);
  return last + 10_000;
}

/** The pod back-off: a new pod 10 s after a failure, doubling with each one, at most 6 minutes. */
function retryAt(pods: Pod[], failed: number): number {
  if (failed === 0) return -Infinity;
  let last = -Infinity;
  for (const p of pods) {
    if (p.status.phase !== 'Failed') continue;
    for (const c of p.status.containerStatuses) if (c.state.kind === 'terminated') last = Math.max(last, c.state.finishedAt);
  }
  return last + Math.min(10_000 * 2 ** (failed - 1), 360_000);
}

export function jobController(ctx: TickContext): void {
  const { state } = ctx;
  const jobs = state.stored?.Job;
  if (!jobs) return;
  for (const job of Object.values(jobs)) {
    if (!job.template || finishedAs(job) || jsonObject(job.fields.spec).suspend === true) continue;
    syncJob(ctx, job);
  }
}

function syncJob(ctx: TickContext, job: StoredObject): void {
  const { state } = ctx;
  const spec = jsonObject(job.fields.spec);
  const completions = count(spec.completions, 1);
  const parallelism = count(spec.parallelism, 1);
  const backoffLimit = count(spec.backoffLimit, 6);
  const pods: Pod[] = ctx.podsByOwner.get(job.metadata.uid) ?? [];
  const succeeded = pods.filter((p) => p.status.phase === 'Succeeded').length;
  const failed = pods.filter((p) => p.status.phase === 'Failed').length;
  const active = pods.filter((p) => p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed' && p.metadata.deletionTimestamp === undefined);
  const status: { [k: string]: JsonValue } = { ...jsonObject(job.fields.status) };
  status.startTime ??= time(state);
  // Under OnFailure the kubelet restarts containers in place: those restarts count as failures.
  const restarts = job.template!.spec.restartPolicy === 'OnFailure' ? active.reduce((n, p) => n + p.status.containerStatuses.reduce((m, c) => m + c.restartCount, 0), 0) : 0;
  let done: 'Complete' | 'Failed' | undefined;
  if (succeeded >= completions) done = 'Complete';
  else if (failed + restarts > backoffLimit || (restarts > 0 && restarts >= backoffLimit)) done = 'Failed';
  else if (active.length < Math.min(parallelism, completions - succeeded) && state.now >= retryAt(pods, failed) && state.now >= createRetryAt(state, job)) {
    const ns = job.metadata.namespace!;
    for (let i = active.length; i < Math.min(parallelism, completions - succeeded); i++) {
      const name = `${job.metadata.name}-${randomSuffix(state.rng, 5)}`;
      const template = structuredClone(job.template!);
      const uid = job.metadata.uid;
      template.metadata.labels = { ...template.metadata.labels, 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': job.metadata.name, 'controller-uid': uid, 'job-name': job.metadata.name };
      const pod = podFromTemplate(state, template, ns, name, ownerRef('Job', job));
      const res = createObject(state, 'Pod', pod, `${job.metadata.name}-`);
      if (!res.ok) {
        recordEvent(state, refOf('Job', job), 'Warning', 'FailedCreate', `Error creating: ${res.error.message}`, 'job-controller');
        break;
      }
      active.push(pod);
      indexPod(ctx, pod);
      recordEvent(state, refOf('Job', job), 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, 'job-controller');
    }
  }
  status.active = done ? 0 : active.length;
  status.ready = done ? 0 : active.filter((p) => p.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  if (succeeded > 0) status.succeeded = succeeded;
  if (failed > 0) status.failed = failed;
  if (done === 'Failed') {
    // A failed Job stops what still runs.
    for (const p of active) deleteObject(state, 'Pod', objectKey(p.metadata.namespace, p.metadata.name));
  }
  if (done) {
    const at = time(state);
    const condition: { [k: string]: JsonValue } = { type: done, status: 'True', lastProbeTime: at, lastTransitionTime: at };
    if (done === 'Failed') Object.assign(condition, { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    status.conditions = [condition];
    if (done === 'Complete') status.completionTime = at;
    recordEvent(state, refOf('Job', job), done === 'Complete' ? 'Normal' : 'Warning', done === 'Complete' ? 'Completed' : 'BackoffLimitExceeded',
      done === 'Complete' ? 'Job completed' : 'Job has reached the specified backoff limit', 'job-controller');
  }
  if (JSON.stringify(status) === JSON.stringify(job.fields.status)) return;
  mutateObject(state, 'Job', objectKey(job.metadata.namespace, job.metadata.name), (o) => {
    o.fields.status = status;
  });
}
