// CronJob controller (kubernetes pkg/controller/cronjob, cronjob_controllerv2.go): at each
// scheduled minute of spec.schedule (simulated time, UTC) it creates a Job named
// `<cronjob>-<scheduled time in minutes since the epoch>` from spec.jobTemplate, owned by the
// CronJob; it honours suspend, startingDeadlineSeconds and concurrencyPolicy (Allow, Forbid,
// Replace), keeps status.active / lastScheduleTime / lastSuccessfulTime, and deletes the oldest
// finished Jobs beyond successfulJobsHistoryLimit (3) and failedJobsHistoryLimit (1).
import { createObject, deleteObject, mutateObject, objectKey } from '../api.js';
import { nextRun, parseCron } from '../cron.js';
import { recordEvent, refOf } from '../events.js';
import { newMeta, ownerRef } from '../objects.js';
import type { ClusterState, JsonValue, StoredObject } from '../types.js';
import type { TickContext } from './context.js';
import { finishedAs, isoTime } from './job.js';
import { jsonObject } from '../json.js';

type Fields = { [k: string]: JsonValue };
const limit = (v: JsonValue | undefined, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback);
const strings = (v: JsonValue | undefined): Record<string, string> => Object.fromEntries(Object.entries(jsonObject(v)).map(([k, x]) => [k, String(x)]));

export function cronJobController(ctx: TickContext): void {
  const { state } = ctx;
  const cronJobs = state.stored?.CronJob;
  if (!cronJobs || Object.keys(cronJobs).length === 0) return;
  const owned = new Map<string, StoredObject[]>();
  for (const job of Object.values(state.stored?.Job ?? {})) {
    const owner = job.metadata.ownerReferences.find((r) => r.controller && r.kind === 'CronJob');
    if (!owner) continue;
    const list = owned.get(owner.uid);
    if (list) list.push(job);
    else owned.set(owner.uid, [job]);
  }
  for (const cj of Object.values(cronJobs)) {
    if (cj.metadata.deletionTimestamp === undefined) syncCronJob(state, cj, owned.get(cj.metadata.uid) ?? []);
  }
}

/** A time the API keeps as RFC 3339, in simulated ms; undefined when absent or unreadable. */
function simTime(state: ClusterState, v: JsonValue | undefined): number | undefined {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? undefined : t - state.epoch;
}

function syncCronJob(state: ClusterState, cj: StoredObject, jobs: StoredObject[]): void {
  const spec = jsonObject(cj.fields.spec);
  const status: Fields = { ...jsonObject(cj.fields.status) };
  const ns = cj.metadata.namespace!;
  const ref = refOf('CronJob', cj);
  const event = (type: 'Normal' | 'Warning', reason: string, message: string) => recordEvent(state, ref, type, reason, message, 'cronjob-controller');

  // Which Jobs still run; a finished one leaves the active list once (SawCompletedJob).
  const wasActive = new Set((Array.isArray(status.active) ? status.active : []).map((r) => String(jsonObject(r).uid)));
  const running: StoredObject[] = [];
  const history: Record<'Complete' | 'Failed', StoredObject[]> = { Complete: [], Failed: [] };
  for (const job of jobs) {
    const done = finishedAs(job);
    if (!done) {
      if (job.metadata.deletionTimestamp === undefined) running.push(job);
      continue;
    }
    history[done].push(job);
    if (wasActive.has(job.metadata.uid)) event('Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, status: ${done}`);
    const completed = jsonObject(job.fields.status).completionTime;
    const last = simTime(state, status.lastSuccessfulTime);
    const at = simTime(state, completed);
    if (done === 'Complete' && at !== undefined && (last === undefined || at > last)) status.lastSuccessfulTime = completed!;
  }
  const remove = (job: StoredObject) => {
    if (deleteObject(state, 'Job', objectKey(ns, job.metadata.name)).ok) event('Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
  };
  for (const [kind, keep] of [['Complete', limit(spec.successfulJobsHistoryLimit, 3)], ['Failed', limit(spec.failedJobsHistoryLimit, 1)]] as const) {
    const oldestFirst = history[kind].sort((a, b) => a.metadata.creationTimestamp - b.metadata.creationTimestamp);
    for (const job of oldestFirst.slice(0, Math.max(0, oldestFirst.length - keep))) remove(job);
  }

  const scheduled = spec.suspend === true ? undefined : dueTime(state, cj, status, event);
  if (scheduled !== undefined) {
    const name = `${cj.metadata.name}-${Math.floor((state.epoch + scheduled) / 60_000)}`;
    const policy = spec.concurrencyPolicy ?? 'Allow';
    if (running.some((j) => j.metadata.name === name)) {
      // Already made for this time (the controller restarted before writing its status).
    } else if (policy === 'Forbid' && running.length > 0) {
      // lastScheduleTime stays put: the missed time runs once the current Job ends, if still the latest.
      event('Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    } else {
      if (policy === 'Replace') {
        for (const job of running.splice(0)) remove(job);
      }
      const job = jobFromCronJob(state, cj, name, { 'batch.kubernetes.io/cronjob-scheduled-timestamp': isoTime(state.epoch + scheduled) });
      const res = createObject(state, 'Job', job);
      if (res.ok) {
        running.push(res.value);
        status.lastScheduleTime = isoTime(state.epoch + scheduled);
        event('Normal', 'SuccessfulCreate', `Created job ${name}`);
      } else if (res.error.reason !== 'AlreadyExists') {
        event('Warning', 'FailedCreate', `Error creating job: ${res.error.message}`);
      }
    }
  }

  const active = running.map((j): JsonValue => ({ apiVersion: 'batch/v1', kind: 'Job', name: j.metadata.name, namespace: ns, resourceVersion: String(j.metadata.resourceVersion), uid: j.metadata.uid }));
  if (active.length > 0) status.active = active;
  else delete status.active;
  if (JSON.stringify(status) === JSON.stringify(cj.fields.status ?? {})) return;
  mutateObject(state, 'CronJob', objectKey(ns, cj.metadata.name), (o) => {
    o.fields.status = status;
  });
}

/**
 * The latest scheduled time not yet run, in simulated ms: after lastScheduleTime (or the
 * creation), at or before now, and within startingDeadlineSeconds when set.
 */
function dueTime(state: ClusterState, cj: StoredObject, status: Fields, event: (type: 'Normal' | 'Warning', reason: string, message: string) => void): number | undefined {
  const spec = jsonObject(cj.fields.spec);
  let schedule;
  try {
    schedule = parseCron(String(spec.schedule ?? ''));
  } catch (e) {
    // Reported once, when the CronJob is written, not every second.
    if (state.now - cj.metadata.creationTimestamp < 1000) event('Warning', 'UnparseableSchedule', `unparseable schedule: "${String(spec.schedule)}" : ${(e as Error).message}`);
    return undefined;
  }
  const now = state.epoch + state.now;
  let t = nextRun(schedule, state.epoch + (simTime(state, status.lastScheduleTime) ?? cj.metadata.creationTimestamp));
  if (t === undefined || t > now) return undefined;
  // Missed runs (the controller was down): only the latest one starts, as in kubernetes.
  for (let n = nextRun(schedule, t); n !== undefined && n <= now; n = nextRun(schedule, n)) t = n;
  const deadline = spec.startingDeadlineSeconds;
  if (typeof deadline === 'number' && t + deadline * 1000 < now) return undefined;
  return t - state.epoch;
}

/**
 * A Job from a CronJob's jobTemplate (kubernetes getJobFromTemplate2, and kubectl create job
 * --from=cronjob/NAME): its labels and annotations plus `annotations`, owned by the CronJob.
 */
export function jobFromCronJob(state: ClusterState, cj: StoredObject, name: string, annotations: Record<string, string>): StoredObject {
  const jobTemplate = jsonObject(jsonObject(cj.fields.spec).jobTemplate);
  const meta = jsonObject(jobTemplate.metadata);
  const metadata = newMeta(state, name, cj.metadata.namespace, strings(meta.labels));
  metadata.annotations = { ...strings(meta.annotations), ...annotations };
  metadata.ownerReferences = [ownerRef('CronJob', cj)];
  const job: StoredObject = { kind: 'Job', metadata, fields: { spec: structuredClone(jsonObject(jobTemplate.spec)), status: {} } };
  if (cj.template) job.template = structuredClone(cj.template);
  return job;
}
