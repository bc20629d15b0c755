// `kubectl cordon|uncordon NODE` and `kubectl drain NODE`: drain cordons, then evicts the
// node's pods with kubectl's filters (DaemonSet-managed, unmanaged, mirror pods).
import { deleteObject, getObject, mutateObject } from '../../../cluster/api.js';
import { evictPod } from '../../../cluster/disruption.js';
import { goDuration, parseDuration } from '../../../cluster/quantity.js';
import type { Pod } from '../../../cluster/types.js';
import type { CommandResult } from '../../types.js';
import { fail, interleaved, ok } from '../../types.js';
import { apiErrorText } from '../api-error.js';
import { SELECTOR_FLAGS } from '../query.js';
import { matchesLabels, parseLabelSelector } from '../selectors.js';
import type { KubectlContext, KubectlSubcommand, ParsedFlags } from '../types.js';
import { MAX_WATCH_MS } from '../watching.js';

/** Nodes named on the line or chosen by `-l`; a NotFound line for unknown names. */
function selectNodes(ctx: KubectlContext, args: string[], flags: ParsedFlags, cmd: string): { names: string[]; errors: string } | { error: string } {
  const names = args.map((a) => a.replace(/^(nodes?|no)\//, ''));
  const selector = flags.string('selector');
  if (selector !== undefined) {
    const parsed = parseLabelSelector(selector);
    if (!parsed.ok) return { error: parsed.error };
    return { names: Object.values(ctx.state.nodes).filter((n) => matchesLabels(parsed.requirements, n.metadata.labels)).map((n) => n.metadata.name).sort(), errors: '' };
  }
  if (names.length === 0) return { error: `error: USAGE: ${cmd} NODE [flags]\nSee 'kubectl ${cmd} -h' for help and examples\n` };
  return {
    names: names.filter((n) => getObject(ctx.state, 'Node', n)),
    errors: names.filter((n) => !getObject(ctx.state, 'Node', n)).map((n) => `Error from server (NotFound): nodes "${n}" not found\n`).join(''),
  };
}

/** Sets spec.unschedulable; `node/x cordoned` or `node/x already cordoned`. */
function setSchedulable(ctx: KubectlContext, name: string, unschedulable: boolean): CommandResult {
  const verb = unschedulable ? 'cordoned' : 'uncordoned';
  if (ctx.state.nodes[name]!.spec.unschedulable === unschedulable) return ok(`node/${name} already ${verb}\n`);
  const r = mutateObject(ctx.state, 'Node', name, (n) => {
    n.spec.unschedulable = unschedulable;
  });
  return r.ok ? ok(`node/${name} ${verb}\n`) : fail(apiErrorText(r.error));
}

function cordonLike(name: 'cordon' | 'uncordon'): KubectlSubcommand {
  return {
    name,
    short: name === 'cordon' ? 'Mark node as unschedulable' : 'Mark node as schedulable',
    usage: `kubectl ${name} NODE [options]`,
    completes: 'nodes',
    flags: [...SELECTOR_FLAGS.slice(0, 1), { name: 'dry-run', type: 'string', default: 'none', usage: 'Must be "none", "server", or "client".' }],
    run: (ctx, args, flags) => {
      const selected = selectNodes(ctx, args, flags, name);
      if ('error' in selected) return fail(selected.error);
      const results = selected.names.map((n) => setSchedulable(ctx, n, name === 'cordon'));
      const stderr = results.map((r) => r.stderr).join('') + selected.errors;
      return { stdout: results.map((r) => r.stdout).join(''), stderr, exitCode: stderr === '' ? 0 : 1 };
    },
  };
}

export const cordonCommand = cordonLike('cordon');
export const uncordonCommand = cordonLike('uncordon');

const podRef = (p: Pod): string => `${p.metadata.namespace}/${p.metadata.name}`;

/** Go's time.Duration of whole seconds: `20s`, `1m0s`, `1h0m0s`. */
const goSeconds = (ms: number): string => goDuration(Math.round(ms / 1000) * 1000);

/**
 * Evicts the pods as kubectl's drain helper does (k8s.io/kubectl/pkg/drain evictPods): "evicting
 * pod" before each attempt, the global timeout checked after it is printed; a budget's 429 is
 * retried after 5 s of simulated time, until --timeout (0 = no limit; here bounded like every
 * watching command); other errors end that pod. With --disable-eviction the pods are deleted,
 * budgets or not. Output goes out as it is written (progress to stdout, retries to stderr).
 */
function evictAll(ctx: KubectlContext, pods: Pod[], flags: ParsedFlags, out: (text: string) => void, err: (text: string) => void): string[] {
  const grace = flags.int('grace-period')!;
  const options = grace >= 0 ? { gracePeriodSeconds: grace } : {};
  const timeout = parseDuration(flags.string('timeout') ?? '0s') ?? 0;
  const limit = timeout > 0 ? Math.min(timeout, MAX_WATCH_MS) : MAX_WATCH_MS;
  const useDelete = flags.bool('disable-eviction');
  const errors: string[] = [];
  let pending = pods;
  for (let waited = 0; pending.length > 0; waited += EVICTION_RETRY_MS) {
    const retry: Pod[] = [];
    for (const p of pending) {
      const where = `pods/"${p.metadata.name}" -n "${p.metadata.namespace}"`;
      if (!useDelete) out(`evicting pod ${podRef(p)}\n`);
      if (waited >= limit) {
        errors.push(`error when evicting ${where}: global timeout reached: ${goSeconds(timeout > 0 ? timeout : waited)}`);
        continue;
      }
      const r = useDelete ? deleteObject(ctx.state, 'Pod', podRef(p), options) : evictPod(ctx.state, podRef(p), options);
      if (r.ok || r.error.status === 404) out(`pod/${p.metadata.name} ${useDelete ? 'deleted' : 'evicted'}\n`);
      else if (r.error.status === 429) {
        err(`error when evicting ${where} (will retry after 5s): ${r.error.message}\n`);
        retry.push(p);
      } else errors.push(`error when evicting ${where}: ${r.error.message}`);
    }
    if (retry.length > 0 && (ctx.passTime?.(EVICTION_RETRY_MS) ?? 0) < EVICTION_RETRY_MS) {
      // Time cannot pass here: the next attempt meets the timeout, as kubectl's does after its sleep.
      for (const p of retry) out(`evicting pod ${podRef(p)}\n`);
      for (const p of retry) errors.push(`error when evicting pods/"${p.metadata.name}" -n "${p.metadata.namespace}": global timeout reached: ${goSeconds(timeout > 0 ? timeout : waited + EVICTION_RETRY_MS)}`);
      break;
    }
    pending = retry;
  }
  return errors;
}

/** How long kubectl's drain waits before it asks again for an eviction a budget refused. */
const EVICTION_RETRY_MS = 5000;

export const drainCommand: KubectlSubcommand = {
  name: 'drain',
  short: 'Drain node in preparation for maintenance',
  usage: 'kubectl drain NODE [options]',
  completes: 'nodes',
  flags: [
    ...SELECTOR_FLAGS.slice(0, 1),
    { name: 'ignore-daemonsets', type: 'bool', usage: 'Ignore DaemonSet-managed pods.' },
    { name: 'delete-emptydir-data', type: 'bool', usage: 'Continue even if there are pods using emptyDir.' },
    { name: 'delete-local-data', type: 'bool', usage: 'Deprecated: use --delete-emptydir-data.' },
    { name: 'force', type: 'bool', usage: 'Continue even if there are pods that do not declare a controller.' },
    { name: 'grace-period', type: 'int', default: '-1', usage: 'Period of time in seconds given to each pod to terminate gracefully.' },
    { name: 'timeout', type: 'string', default: '0s', usage: 'The length of time to wait before giving up, zero means infinite' },
    { name: 'disable-eviction', type: 'bool', usage: 'Force drain to use delete, even if eviction is supported.' },
    { name: 'pod-selector', type: 'string', usage: 'Label selector to filter pods on the node' },
    { name: 'dry-run', type: 'string', default: 'none', usage: 'Must be "none", "server", or "client".' },
  ],
  run: (ctx, args, flags) => {
    const selected = selectNodes(ctx, args, flags, 'drain');
    if ('error' in selected) return fail(selected.error);
    if (selected.errors) return fail(selected.errors);
    // --pod-selector narrows the node's pod listing (drain.GetPodsForDeletion's LabelSelector).
    const podSelectorText = flags.string('pod-selector');
    const parsedPodSelector = podSelectorText === undefined ? undefined : parseLabelSelector(podSelectorText);
    if (parsedPodSelector && !parsedPodSelector.ok) return fail(parsedPodSelector.error);
    const podSelector = parsedPodSelector?.requirements;
    // drain's warnings reach the terminal between its progress lines.
    const written: { fd: 1 | 2; text: string }[] = [];
    const out = (text: string) => void written.push({ fd: 1, text });
    const err = (text: string) => void written.push({ fd: 2, text });
    let exitCode = 0;
    for (const node of selected.names) {
      const cordon = setSchedulable(ctx, node, true);
      if (cordon.exitCode !== 0) return cordon;
      out(cordon.stdout);
      const pods = Object.values(ctx.state.pods)
        .filter((p) => p.spec.nodeName === node && p.metadata.deletionTimestamp === undefined && !p.static)
        .filter((p) => p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed')
        .filter((p) => !podSelector || matchesLabels(podSelector, p.metadata.labels))
        .sort((a, b) => (podRef(a) < podRef(b) ? -1 : 1));
      const daemon = pods.filter((p) => p.metadata.ownerReferences.some((o) => o.kind === 'DaemonSet'));
      const unmanaged = pods.filter((p) => p.metadata.ownerReferences.length === 0);
      const problems: string[] = [];
      if (unmanaged.length > 0 && !flags.bool('force')) problems.push(`cannot delete Pods that declare no controller (use --force to override): ${unmanaged.map(podRef).join(', ')}`);
      if (daemon.length > 0 && !flags.bool('ignore-daemonsets')) problems.push(`cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${daemon.map(podRef).join(', ')}`);
      if (problems.length > 0) {
        const list = problems.join(', ');
        err(`error: unable to drain node "${node}" due to error: ${list}, continuing command...\nThere are pending nodes to be drained:\n ${node}\n${problems.join('\n')}\n`);
        exitCode = 1;
        continue;
      }
      const warnings: string[] = [];
      if (daemon.length > 0) warnings.push(`ignoring DaemonSet-managed Pods: ${daemon.map(podRef).join(', ')}`);
      if (unmanaged.length > 0) warnings.push(`deleting Pods that declare no controller: ${unmanaged.map(podRef).join(', ')}`);
      if (warnings.length > 0) err(`Warning: ${warnings.join('; ')}\n`);
      const evictable = pods.filter((p) => !daemon.includes(p));
      const errors = evictAll(ctx, evictable, flags, out, err);
      if (errors.length > 0) {
        // drain.go deleteOrEvictPodsSimple: the pods still on the node, then RunDrain's line.
        const aggregate = errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
        const left = evictable.filter((p) => ctx.state.pods[podRef(p)]);
        if (left.length > 0) err(`There are pending pods in node "${node}" when an error occurred: ${aggregate}\n${left.map((p) => `pod/${p.metadata.name}\n`).join('')}`);
        err(`error: unable to drain node "${node}" due to error:${aggregate}, continuing command...\nThere are pending nodes to be drained:\n ${node}\n${aggregate}\n`);
        exitCode = 1;
        continue;
      }
      if (exitCode === 0) out(`node/${node} drained\n`);
    }
    return interleaved(written, exitCode);
  },
};
