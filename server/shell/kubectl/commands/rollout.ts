// `kubectl rollout restart|status|undo|history|pause|resume deployment/NAME`, restart, status,
// history and undo of a daemonset, restart and status of a statefulset (and restart of every object of a type in the namespace). The controllers do the rolling; these only change the spec or read
// the status, like kubectl.
import { getObject, mutateObject } from '../../../cluster/api.js';
import { jsonObject } from '../../../cluster/json.js';
import { parseDuration } from '../../../cluster/quantity.js';
import { ownedRevisions, revisionOf } from '../../../cluster/controllers/revisions.js';
import type { DaemonSet, Deployment, JsonValue, PodTemplate, ReplicaSet, StoredObject } from '../../../cluster/types.js';
import type { CommandResult } from '../../types.js';
import { fail, ok } from '../../types.js';
import { rfc3339 } from '../age.js';
import { tabwrite } from '../table.js';
import type { KubectlContext, KubectlSubcommand, ParsedFlags } from '../types.js';
import { watchFor } from '../watching.js';
import { listObjects, resolveResourceArgs } from '../resources.js';
import { apiFail, collect, refName, resolveOne, stateKey, type Target } from './write-util.js';
import { writePodTemplate } from '../describe/others.js';
import { plainWriter } from '../describe/writer.js';

const REVISION = 'deployment.kubernetes.io/revision';
const CHANGE_CAUSE = 'kubernetes.io/change-cause';
const ACTIONS = ['history', 'pause', 'restart', 'resume', 'status', 'undo'];

/** The deployment's ReplicaSets, oldest revision first. */
function revisions(ctx: KubectlContext, d: Deployment): ReplicaSet[] {
  return Object.values(ctx.state.replicasets)
    .filter((rs) => rs.metadata.namespace === d.metadata.namespace && rs.metadata.ownerReferences.some((o) => o.uid === d.metadata.uid))
    .sort((a, b) => Number(a.metadata.annotations[REVISION] ?? 0) - Number(b.metadata.annotations[REVISION] ?? 0));
}

/** kubectl's DeploymentStatusViewer: one line, and whether the rollout is done. */
export function rolloutStatus(d: Deployment): { text: string; done: boolean; failed?: boolean } {
  const name = d.metadata.name;
  if (d.metadata.generation > d.status.observedGeneration) return { text: 'Waiting for deployment spec update to be observed...\n', done: false };
  const progressing = d.status.conditions.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { text: `error: deployment "${name}" exceeded its progress deadline\n`, done: false, failed: true };
  const want = d.spec.replicas;
  if (d.status.updatedReplicas < want) {
    return { text: `Waiting for deployment "${name}" rollout to finish: ${d.status.updatedReplicas} out of ${want} new replicas have been updated...\n`, done: false };
  }
  if (d.status.replicas > d.status.updatedReplicas) {
    return { text: `Waiting for deployment "${name}" rollout to finish: ${d.status.replicas - d.status.updatedReplicas} old replicas are pending termination...\n`, done: false };
  }
  if (d.status.availableReplicas < d.status.updatedReplicas) {
    return { text: `Waiting for deployment "${name}" rollout to finish: ${d.status.availableReplicas} of ${d.status.updatedReplicas} updated replicas are available...\n`, done: false };
  }
  return { text: `deployment "${name}" successfully rolled out\n`, done: true };
}

/**
 * Watching: each new status line as simulated time passes, until done or failed (or a bound).
 * --timeout (a Go duration, 0 = none) ends an unfinished rollout with UntilWithSync's
 * wait.ErrWaitTimeout once that much time has passed.
 */
function watchStatus(ctx: KubectlContext, flags: ParsedFlags, read: () => { text: string; done: boolean; failed?: boolean } | undefined): CommandResult {
  const timeoutText = flags.string('timeout') ?? '0s';
  const timeoutMs = timeoutText === '0' ? 0 : parseDuration(timeoutText);
  if (timeoutMs === null) return fail(`error: invalid argument "${timeoutText}" for "--timeout" flag: time: invalid duration "${timeoutText}"\nSee 'kubectl rollout status --help' for usage.\n`);
  let s = read()!;
  let stdout = s.failed ? '' : s.text;
  let waited = 0;
  if (!s.done && !s.failed && flags.bool('watch')) {
    const passTime = ctx.passTime && ((ms: number) => {
      const passed = ctx.passTime!(ms);
      waited += passed;
      return passed;
    });
    watchFor(passTime, () => {
      const next = read();
      if (!next) return true;
      if (next.text !== s.text && !next.failed) stdout += next.text;
      s = next;
      return next.done || next.failed === true;
    }, timeoutMs > 0 ? timeoutMs : undefined);
    if (!s.done && !s.failed && timeoutMs > 0 && waited >= timeoutMs) return { stdout, stderr: 'error: timed out waiting for the condition\n', exitCode: 1 };
  }
  return s.failed ? { stdout, stderr: s.text, exitCode: 1 } : ok(stdout);
}

/** kubectl polymorphichelpers DaemonSetStatusViewer (the simulation's daemonsets are all RollingUpdate: manifest.ts). */
export function daemonSetRolloutStatus(ds: DaemonSet): { text: string; done: boolean } {
  const { name } = ds.metadata;
  const { updatedNumberScheduled: updated, desiredNumberScheduled: desired, numberAvailable: available, observedGeneration } = ds.status;
  if (observedGeneration !== undefined && ds.metadata.generation > observedGeneration) return { text: 'Waiting for daemon set spec update to be observed...\n', done: false };
  if (updated < desired) return { text: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...\n`, done: false };
  if (available < desired) return { text: `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...\n`, done: false };
  return { text: `daemon set "${name}" successfully rolled out\n`, done: true };
}

/** kubectl polymorphichelpers StatefulSetStatusViewer (apps/v1 defaults a partition of 0). */
export function statefulSetRolloutStatus(o: StoredObject): { text: string; done: boolean; failed?: boolean } {
  const spec = jsonObject(o.fields.spec);
  const status = jsonObject(o.fields.status);
  const strategy = jsonObject(spec.updateStrategy);
  const n = (v: JsonValue | undefined): number => (typeof v === 'number' ? v : 0);
  if (strategy.type !== 'RollingUpdate') return { text: 'error: rollout status is only available for RollingUpdate strategy type\n', done: true, failed: true };
  if (n(status.observedGeneration) === 0 || o.metadata.generation > n(status.observedGeneration)) return { text: 'Waiting for statefulset spec update to be observed...\n', done: false };
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  if (n(status.readyReplicas) < replicas) return { text: `Waiting for ${replicas - n(status.readyReplicas)} pods to be ready...\n`, done: false };
  const partition = jsonObject(strategy.rollingUpdate).partition;
  if (typeof partition === 'number' && n(status.updatedReplicas) < replicas - partition) {
    return { text: `Waiting for partitioned roll out to finish: ${n(status.updatedReplicas)} out of ${replicas - partition} new pods have been updated...\n`, done: false };
  }
  return { text: `partitioned roll out complete: ${n(status.updatedReplicas)} new pods have been updated...\n`, done: true };
}

function restartStatefulSet(ctx: KubectlContext, t: Target): CommandResult {
  const at = rfc3339(ctx.state, ctx.state.now);
  const r = mutateObject(ctx.state, 'StatefulSet', t.key, (o) => {
    const spec = jsonObject(o.fields.spec);
    const template = jsonObject(spec.template);
    const metadata = jsonObject(template.metadata);
    o.fields.spec = { ...spec, template: { ...template, metadata: { ...metadata, annotations: { ...jsonObject(metadata.annotations), 'kubectl.kubernetes.io/restartedAt': at } } } };
    if (o.template) o.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'] = at;
    o.metadata.generation++;
  });
  return r.ok ? ok(`${refName(t.type, t.name)} restarted\n`) : apiFail(r.error);
}

/** A new restartedAt annotation on the pod template: the controller rolls every pod (deployments and daemonsets, as kubectl's restarter). */
function restart(ctx: KubectlContext, t: Target): CommandResult {
  const stamp = (template: { metadata: { annotations: Record<string, string> } }) => { template.metadata.annotations['kubectl.kubernetes.io/restartedAt'] = rfc3339(ctx.state, ctx.state.now); };
  const r = t.type.kind === 'DaemonSet'
    ? mutateObject(ctx.state, 'DaemonSet', t.key, (ds) => { stamp(ds.spec.template); ds.metadata.generation++; })
    : mutateObject(ctx.state, 'Deployment', t.key, (d) => { stamp(d.spec.template); d.metadata.generation++; });
  return r.ok ? ok(`${refName(t.type, t.name)} restarted\n`) : apiFail(r.error);
}

/** `rollout restart deployment -n NS`: a type without names restarts every object of it in the namespace. */
function restartAll(ctx: KubectlContext, args: string[]): CommandResult | undefined {
  const resolved = resolveResourceArgs(args, ctx.state.stored);
  if (!resolved.ok || resolved.requests.some((r) => r.names.length > 0)) return undefined;
  const targets: Target[] = resolved.requests.flatMap(({ type }) => listObjects(ctx.state, type, ctx.namespace)
    .map((obj) => ({ type, name: obj.metadata.name, obj, key: stateKey(type, ctx.namespace, obj.metadata.name) })));
  const unsupported = targets.find((t) => !['Deployment', 'DaemonSet', 'StatefulSet'].includes(t.type.kind));
  if (unsupported) return fail(`error: no restarter has been implemented for {"${unsupported.type.group}" "${unsupported.type.kind}"}\n`);
  if (targets.length === 0) return fail('error: no objects passed to restart\n');
  return collect(targets.map((t) => (t.type.kind === 'StatefulSet' ? restartStatefulSet(ctx, t) : restart(ctx, t))));
}

/** A revision of a rollout's history: a Deployment's ReplicaSet, a DaemonSet's ControllerRevision. */
interface Revision { number: number; changeCause: string | undefined; template: PodTemplate }

function historyOf(ctx: KubectlContext, t: Target): Revision[] {
  if (t.type.kind === 'DaemonSet') {
    return ownedRevisions(ctx.state, t.obj as DaemonSet).filter((r) => r.template)
      .map((r) => ({ number: revisionOf(r), changeCause: r.metadata.annotations[CHANGE_CAUSE], template: r.template! }));
  }
  return revisions(ctx, t.obj as Deployment).map((rs) => ({ number: Number(rs.metadata.annotations[REVISION] ?? 0), changeCause: rs.metadata.annotations[CHANGE_CAUSE], template: rs.spec.template }));
}

/**
 * kubectl rollback.go: the Deployment's (DeploymentRollbacker) or DaemonSet's
 * (DaemonSetRollbacker) template goes back to the revision's; revision 0 is the one before the current.
 */
function undo(ctx: KubectlContext, t: Target, flags: ParsedFlags): CommandResult {
  const daemonSet = t.type.kind === 'DaemonSet';
  const history = historyOf(ctx, t);
  const current = history.at(-1);
  const wanted = flags.int('to-revision') ?? 0;
  if (daemonSet && wanted === 0 && history.length <= 1) return fail('error: no last revision to roll back to\n');
  const target = wanted > 0 ? history.find((r) => r.number === wanted) : history.filter((r) => r !== current).at(-1);
  if (!target) {
    return fail(wanted > 0 ? `error: unable to find specified revision ${wanted} in history\n` : `error: no rollout history found for deployment "${t.name}"\n`);
  }
  if (target === current) return ok(`${refName(t.type, t.name)} skipped rollback (current template already matches revision ${wanted})\n`);
  const template = structuredClone(target.template);
  delete template.metadata.labels['pod-template-hash'];
  const r = daemonSet
    ? mutateObject(ctx.state, 'DaemonSet', t.key, (ds) => { ds.spec.template = template; ds.metadata.generation++; })
    : mutateObject(ctx.state, 'Deployment', t.key, (dep) => { dep.spec.template = template; dep.metadata.generation++; });
  return r.ok ? ok(`${refName(t.type, t.name)} rolled back\n`) : apiFail(r.error);
}

/** kubectl history.go printHistory: the revisions and their change causes, or one revision's pod template. */
function history(ctx: KubectlContext, t: Target, flags: ParsedFlags): CommandResult {
  const list = historyOf(ctx, t);
  const wanted = flags.int('revision') ?? 0;
  if (wanted > 0) {
    const rev = list.find((x) => x.number === wanted);
    if (!rev) return fail(`error: unable to find the specified revision\n`);
    // history.go printTemplate: describe's DescribePodTemplate, written without a tabwriter.
    const w = plainWriter();
    writePodTemplate(w, rev.template, rev.template.spec.serviceAccountName);
    return ok(`${refName(t.type, t.name)} with revision #${wanted}\n${w.done()}\n`);
  }
  const rows = list.map((r) => `${r.number}\t${r.changeCause ?? '<none>'}\n`).join('');
  return ok(`${refName(t.type, t.name)} \n${tabwrite(`REVISION\tCHANGE-CAUSE\n${rows}`, { minwidth: 0, padding: 2 })}\n`);
}

function setPaused(ctx: KubectlContext, t: Target, paused: boolean): CommandResult {
  const verb = paused ? 'paused' : 'resumed';
  if ((t.obj as Deployment).spec.paused === paused) return fail(`error: ${t.type.plural}.apps "${t.name}" is already ${paused ? 'paused' : 'resumed'}\n`);
  const r = mutateObject(ctx.state, 'Deployment', t.key, (d) => {
    d.spec.paused = paused;
  });
  return r.ok ? ok(`${refName(t.type, t.name)} ${verb}\n`) : apiFail(r.error);
}

export const rolloutCommand: KubectlSubcommand = {
  name: 'rollout',
  short: 'Manage the rollout of a resource',
  usage: 'kubectl rollout SUBCOMMAND [options]',
  completions: ACTIONS,
  completes: 'resources',
  flags: [
    { name: 'to-revision', type: 'int', default: '0', usage: 'The revision to rollback to. Default to 0 (last revision).' },
    { name: 'revision', type: 'int', default: '0', usage: 'See the details, including podTemplate of the revision specified' },
    { name: 'watch', short: 'w', type: 'bool', default: 'true', usage: 'Watch the status of the rollout until it\'s done.' },
    { name: 'timeout', type: 'string', default: '0s', usage: 'The length of time to wait before ending watch, zero means never.' },
  ],
  run: (ctx, args, flags) => {
    const [action, ...rest] = args;
    if (action === undefined) return fail(`error: Required subcommand not specified. Available: ${ACTIONS.join(', ')}\nSee 'kubectl rollout -h' for help and examples\n`);
    if (!ACTIONS.includes(action)) return fail(`error: unknown command "${action}" for "kubectl rollout"\nRun 'kubectl rollout --help' for usage.\n`);
    if (rest.length === 0) return fail(`error: required resource not specified\n`);
    const all = action === 'restart' ? restartAll(ctx, rest) : undefined;
    if (all) return all;
    const found = resolveOne(ctx, rest);
    if (!found.ok) return fail(found.error);
    const t = found.target;
    if (t.type.kind === 'StatefulSet' && action === 'restart') return restartStatefulSet(ctx, t);
    if (t.type.kind === 'StatefulSet' && action === 'status') return watchStatus(ctx, flags, () => {
      const o = getObject(ctx.state, 'StatefulSet', t.key);
      return o ? statefulSetRolloutStatus(o) : undefined;
    });
    if (t.type.kind === 'DaemonSet' && action === 'status') return watchStatus(ctx, flags, () => {
      const ds = ctx.state.daemonsets[t.key];
      return ds ? daemonSetRolloutStatus(ds) : undefined;
    });
    const daemonSetAction = t.type.kind === 'DaemonSet' && ['restart', 'history', 'undo'].includes(action);
    if (t.type.kind !== 'Deployment' && !daemonSetAction) return fail(`error: no ${action === 'status' ? 'status viewer' : action === 'history' ? 'history viewer' : action === 'undo' ? 'rollbacker' : 'restarter'} has been implemented for {"${t.type.group}" "${t.type.kind}"}\n`);
    switch (action) {
      case 'restart': return restart(ctx, t);
      case 'undo': return undo(ctx, t, flags);
      case 'history': return history(ctx, t, flags);
      case 'pause': return setPaused(ctx, t, true);
      case 'resume': return setPaused(ctx, t, false);
      default: return watchStatus(ctx, flags, () => {
        const d = ctx.state.deployments[t.key];
        return d ? rolloutStatus(d) : undefined;
      });
    }
  },
};
