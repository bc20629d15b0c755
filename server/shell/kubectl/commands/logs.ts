// `kubectl logs (POD | TYPE/NAME | -l SELECTOR) [-c C] [-p] [--tail N] [--timestamps]
// [--since D] [--all-containers] [--prefix] [-f]`. `-f` goes on printing new lines as
// simulated time passes, up to the bound of watching commands (watching.ts).
import { containerLogs, subMillis } from '../../../cluster/logs.js';
import { kubeletDownAt } from '../kubelet-proxy.js';
import { parseDuration } from '../../../cluster/quantity.js';
import { parseFlags } from '../flags.js';
import type { ClusterState, LabelSelector, LogLine, Pod, Service } from '../../../cluster/types.js';
import type { CommandResult, StreamCursor } from '../../types.js';
import { fail, interleaved, ok } from '../../types.js';
import { matchesLabels, parseLabelSelector } from '../selectors.js';
import { byActivity } from '../active-pods.js';
import { findResourceType, listObjects, namedObject } from '../resources.js';
import type { KubectlContext, KubectlSubcommand, ParsedFlags } from '../types.js';
import { watchFor } from '../watching.js';

/** Containers that have not started yet: the apiserver refuses their logs with this reason. */
const NOT_STARTED: Record<string, string> = {
  ContainerCreating: 'ContainerCreating',
  PodInitializing: 'PodInitializing',
  ErrImagePull: 'trying and failing to pull image',
  ImagePullBackOff: 'trying and failing to pull image',
  CreateContainerConfigError: 'CreateContainerConfigError',
};

function podsOfSelector(ctx: KubectlContext, selector: LabelSelector): Pod[] {
  return (listObjects(ctx.state, findResourceType('pods')!, ctx.namespace) as Pod[])
    .filter((p) => Object.entries(selector.matchLabels).every(([k, v]) => p.metadata.labels[k] === v));
}

/** The pods an argument names: a pod, or one pod of a workload (`deploy/web`). */
function resolvePods(ctx: KubectlContext, arg: string): { pods: Pod[]; note: string } | { error: string } {
  const named = namedObject(ctx.state, ctx.namespace, arg);
  if ('error' in named) return named;
  const { type, obj } = named;
  if (type.kind === 'Pod') return { pods: [obj as Pod], note: '' };
  if (!['Deployment', 'ReplicaSet', 'DaemonSet', 'Job', 'Service'].includes(type.kind)) return { error: `error: cannot get the logs from ${type.kind}: selector for ${type.kind} not implemented\n` };
  // A Job selects its pods by the controller-uid label the job controller puts on them; a
  // Service by its spec.selector map (kubectl polymorphichelpers attachablePodForObject).
  const selector: LabelSelector = type.kind === 'Job' ? { matchLabels: { 'batch.kubernetes.io/controller-uid': obj.metadata.uid } }
    : type.kind === 'Service' ? { matchLabels: (obj as Service).spec.selector ?? {} }
      : (obj as { spec: { selector: LabelSelector } }).spec.selector;
  const pods = byActivity(podsOfSelector(ctx, selector));
  if (pods.length === 0) return { error: `error: timed out waiting for the condition\n` };
  return { pods: [pods[0]!], note: pods.length > 1 ? `Found ${pods.length} pods, using pod/${pods[0]!.metadata.name}\n` : '' };
}

function timestamp(state: ClusterState, at: number): string {
  // RFC 3339 with nanoseconds, as the kubelet stamps each line: within the microsecond of klog's own time.
  return new Date(state.epoch + at).toISOString().replace(/\.(\d{3})Z$/, (_, ms: string) => `.${ms}${subMillis(at, 3)}${subMillis(at + 1, 3)}Z`);
}

const CLIENT_ADDRESS = /^(\d{1,3}(?:\.\d{1,3}){3}) /;

/** Each line shown is a fact of the container's log; an access log's leading address is one of its own (`client`). */
function tagLogLines(ctx: KubectlContext, pod: Pod, container: string, lines: LogLine[]): void {
  const sink = ctx.facts;
  const who = { source: 'log' as const, namespace: pod.metadata.namespace, name: pod.metadata.name };
  if (!sink || !sink.wants(who)) return;
  for (const l of lines) {
    const text = l.text.trim();
    if (text === '') continue;
    sink.add({ fact: { ...who, field: container, value: text }, text });
    const client = CLIENT_ADDRESS.exec(text)?.[1];
    if (client) sink.add({ fact: { ...who, field: 'client', value: client }, text: client });
  }
}

/** What a log request asks for (the pods/log subresource's query: previous, sinceSeconds, tailLines). */
export interface LogQuery {
  previous: boolean;
  /** Only lines newer than this many ms of simulated time. */
  sinceMs?: number;
  /** The last this many lines (negative: all). */
  tail?: number;
}

/**
 * One container's log lines as the apiserver's pods/log answers them, or its refusal (a
 * BadRequest message): a container not started yet, no previous instance.
 */
export function containerLogLines(state: ClusterState, pod: Pod, container: string, query: LogQuery): { ok: true; lines: LogLine[] } | { ok: false; message: string } {
  const name = pod.metadata.name;
  const status = pod.status.containerStatuses.find((c) => c.name === container);
  if (query.previous) {
    if (status?.lastState?.kind !== 'terminated') return { ok: false, message: `previous terminated container "${container}" in pod "${name}" not found` };
  } else if (!status || (status.state.kind === 'waiting' && (NOT_STARTED[status.state.reason] !== undefined || !status.lastState))) {
    const reason = status?.state.kind === 'waiting' ? NOT_STARTED[status.state.reason] ?? status.state.reason : 'ContainerCreating';
    return { ok: false, message: `container "${container}" in pod "${name}" is waiting to start: ${reason}` };
  }
  let lines: LogLine[] = containerLogs(state, pod, container, query.previous);
  if (query.sinceMs !== undefined) lines = lines.filter((l) => l.at >= state.now - query.sinceMs!);
  const tail = query.tail ?? -1;
  if (tail >= 0) lines = tail === 0 ? [] : lines.slice(-tail);
  return { ok: true, lines };
}

/** The log text of one container, or the apiserver's refusal. */
function containerText(ctx: KubectlContext, pod: Pod, container: string, flags: ParsedFlags, prefix: string): CommandResult {
  const resume = ctx.resume?.kind === 'logs' ? ctx.resume : undefined;
  const previous = flags.bool('previous');
  const since = flags.string('since');
  const sinceMs = since ? parseDuration(since) : null;
  const found = containerLogLines(ctx.state, pod, container, { previous, ...(sinceMs !== null ? { sinceMs } : {}), tail: flags.int('tail') ?? -1 });
  if (!found.ok) return fail(`Error from server (BadRequest): ${found.message}\n`);
  if (resume) return followed(ctx, pod, container, prefix, flags.bool('timestamps'), resume);
  const { lines } = found;
  const stamp = flags.bool('timestamps');
  tagLogLines(ctx, pod, container, lines);
  let text = lines.map((l) => logLine(ctx.state, l, prefix, stamp)).join('');
  const limit = flags.int('limit-bytes');
  if (limit !== undefined && limit > 0) text = Buffer.from(text).subarray(0, limit).toString();
  if (flags.bool('follow') && !previous) {
    // -f: the lines the container writes while simulated time passes; a restart ends it, as the stream closes.
    const cursor = newLogCursor(ctx.state, pod, container);
    if (ctx.follow) ctx.follow(cursor);
    else watchFor(ctx.passTime, () => {
      const more = followed(ctx, pod, container, prefix, stamp, cursor);
      text += more.stdout;
      return more.streamEnded === true;
    });
  }
  return ok(text);
}

/** One container's log as `cluster-info dump` writes it: the text, or the request's error. */
export function dumpedLog(ctx: KubectlContext, pod: Pod, container: string): string {
  const parsed = parseFlags([], []);
  if (!parsed.ok) return '';
  const r = containerText(ctx, pod, container, parsed.flags, '');
  return r.exitCode === 0 ? r.stdout : `Request log error: ${r.stderr.replace(/^Error from server \(\w+\): /, '')}`;
}

export type LogCursor = Extract<StreamCursor, { kind: 'logs' }>;

/** A follow cursor at the end of the container's current log. */
export function newLogCursor(state: ClusterState, pod: Pod, container: string): LogCursor {
  const lines = containerLogs(state, pod, container, false);
  const at = lines.at(-1)?.at ?? -Number.MAX_SAFE_INTEGER;
  return { kind: 'logs', uid: pod.metadata.uid, container, seen: lines.length, at, atCount: countAt(lines, at), restarts: restartsOf(pod, container) };
}

/** Lines written at `at` (a log is in time order: they are its last ones when `at` is its last time). */
function countAt(lines: readonly LogLine[], at: number): number {
  let n = 0;
  for (let i = lines.length - 1; i >= 0 && lines[i]!.at === at; i--) n++;
  return n;
}

const restartsOf = (pod: Pod, container: string): number => pod.status.containerStatuses.find((c) => c.name === container)?.restartCount ?? 0;

/** What the container wrote since `cursor` (which moves on), or undefined when the pod or its log is gone (the stream ends). */
export function logLinesSince(state: ClusterState, namespace: string, name: string, cursor: LogCursor): LogLine[] | undefined {
  const now = state.pods[`${namespace}/${name}`];
  const all = now ? containerLogs(state, now, cursor.container, false) : [];
  // The instance followed is gone: the pod, or (a cursor of old: the log got shorter) the container restarted.
  const gone = !now || now.metadata.uid !== cursor.uid || (cursor.restarts === undefined ? all.length < cursor.seen : restartsOf(now, cursor.container) !== cursor.restarts);
  if (gone) return undefined;
  // By time, not by count: a log at its cap drops its oldest lines as new ones come (a followed loop's).
  // Lines written at the last time seen are new past the ones already shown at that time.
  const last = cursor.at;
  let sameTime = 0;
  const fresh = last === undefined ? all.slice(cursor.seen) : all.filter((l) => l.at > last || (l.at === last && ++sameTime > (cursor.atCount ?? 0)));
  cursor.seen = all.length;
  if (all.length > 0) {
    cursor.at = all.at(-1)!.at;
    cursor.atCount = countAt(all, cursor.at);
  }
  return fresh;
}

/** What the container wrote since `cursor`, as text; the end when the pod or its log is gone. */
export function followed(ctx: KubectlContext, pod: Pod, container: string, prefix: string, stamp: boolean, cursor: LogCursor): CommandResult {
  if (cursor.container !== container) return ok('');
  const fresh = logLinesSince(ctx.state, pod.metadata.namespace ?? '', pod.metadata.name, cursor);
  if (!fresh) return { ...ok(''), streamEnded: true };
  tagLogLines(ctx, pod, container, fresh);
  return ok(fresh.map((l) => logLine(ctx.state, l, prefix, stamp)).join(''));
}

/** One log line as the kubelet serves it: with `stamp`, its RFC 3339 time (nanoseconds) first. */
export function logLine(state: ClusterState, l: LogLine, prefix: string, stamp: boolean): string {
  return `${prefix}${stamp ? `${timestamp(state, l.at)} ` : ''}${l.text}\n`;
}

function podLogs(ctx: KubectlContext, pod: Pod, flags: ParsedFlags, withPrefix: boolean): CommandResult {
  const names = pod.spec.containers.map((c) => c.name);
  const wanted = flags.string('container');
  let containers: string[];
  if (flags.bool('all-containers')) containers = names;
  else if (wanted !== undefined) {
    if (!names.includes(wanted)) return fail(`error: container ${wanted} is not valid for pod ${pod.metadata.name}\n`);
    containers = [wanted];
  } else if (names.length > 1) {
    const defaulted = pod.metadata.annotations['kubectl.kubernetes.io/default-container'];
    if (!defaulted) return fail(`error: a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]\n`);
    containers = [defaulted];
  } else containers = names;
  // The apiserver reads logs from the pod's kubelet (port 10250): with it stopped, the dial fails.
  const down = kubeletDownAt(ctx.state, pod);
  if (down) {
    const query = [['follow', flags.bool('follow')], ['previous', flags.bool('previous')], ['tailLines', (flags.int('tail') ?? -1) >= 0 ? String(flags.int('tail')) : false], ['timestamps', flags.bool('timestamps')]]
      .filter(([, v]) => v !== false).map(([k, v]) => `${k}=${v === true ? 'true' : v}`).join('&');
    return fail(`Error from server: Get "https://${down}:10250/containerLogs/${pod.metadata.namespace}/${pod.metadata.name}/${containers[0]}${query ? `?${query}` : ''}": dial tcp ${down}:10250: connect: connection refused\n`);
  }
  const parts = containers.map((c) => containerText(ctx, pod, c, flags, withPrefix ? `[pod/${pod.metadata.name}/${c}] ` : ''));
  return { stdout: parts.map((p) => p.stdout).join(''), stderr: parts.map((p) => p.stderr).join(''), exitCode: parts.some((p) => p.exitCode !== 0) ? 1 : 0 };
}

export const logsCommand: KubectlSubcommand = {
  name: 'logs',
  short: 'Print the logs for a container in a pod',
  usage: 'kubectl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]',
  completes: 'pods',
  flags: [
    { name: 'container', short: 'c', type: 'string', usage: 'Print the logs of this container' },
    { name: 'previous', short: 'p', type: 'bool', usage: 'If true, print the logs for the previous instance of the container in a pod if it exists.' },
    { name: 'follow', short: 'f', type: 'bool', usage: 'Specify if the logs should be streamed.' },
    { name: 'tail', type: 'int', default: '-1', usage: 'Lines of recent log file to display.' },
    { name: 'timestamps', type: 'bool', usage: 'Include timestamps on each line in the log output' },
    { name: 'since', type: 'string', usage: 'Only return logs newer than a relative duration like 5s, 2m, or 3h.' },
    { name: 'all-containers', type: 'bool', usage: 'Get all containers\' logs in the pod(s).' },
    { name: 'prefix', type: 'bool', usage: 'Prefix each log line with the log source (pod name and container name)' },
    { name: 'selector', short: 'l', type: 'string', usage: 'Selector (label query) to filter on.' },
    { name: 'max-log-requests', type: 'int', default: '5', usage: 'Specify maximum number of concurrent logs to follow when using by a selector.' },
    { name: 'limit-bytes', type: 'int', default: '0', usage: 'Maximum bytes of logs to return. Defaults to no limit.' },
  ],
  run: (ctx, args, flags) => {
    const selector = flags.string('selector');
    if (selector !== undefined) {
      if (args.length > 0) return fail('error: only one of selector or a resource name can be specified\n');
      const parsed = parseLabelSelector(selector);
      if (!parsed.ok) return fail(parsed.error);
      const pods = (listObjects(ctx.state, findResourceType('pods')!, ctx.namespace) as Pod[]).filter((p) => matchesLabels(parsed.requirements, p.metadata.labels));
      if (pods.length === 0) return { stdout: '', stderr: `No resources found in ${ctx.namespace} namespace.\n`, exitCode: 0 };
      const parts = pods.map((p) => podLogs(ctx, p, flags, flags.bool('prefix')));
      return { stdout: parts.map((p) => p.stdout).join(''), stderr: parts.map((p) => p.stderr).join(''), exitCode: parts.some((p) => p.exitCode !== 0) ? 1 : 0 };
    }
    if (args.length === 0) return fail('error: expected \'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]\'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee \'kubectl logs -h\' for help and examples\n');
    if (args.length > 2) return fail('error: expected \'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]\'.\nSee \'kubectl logs -h\' for help and examples\n');
    const found = resolvePods(ctx, args[0]!);
    if ('error' in found) return fail(found.error);
    // `kubectl logs POD CONTAINER`: the old positional form of -c.
    const withContainer = args[1] !== undefined && !flags.has('container') ? { ...flags, string: (n: string) => (n === 'container' ? args[1] : flags.string(n)) } : flags;
    const result = podLogs(ctx, found.pods[0]!, withContainer, flags.bool('prefix'));
    // kubectl prints which pod it chose before asking for its log.
    const note = ctx.resume ? '' : found.note;
    return { ...result, ...(note ? { stderrFirst: note } : {}) };
  },
};
