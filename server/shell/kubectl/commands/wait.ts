// `kubectl wait --for=condition=C[=value] | --for=delete | --for=jsonpath={…}=value TYPE/NAME…`.
// Like kubectl, one --timeout (default 30s; 0 = look once; negative = a week) for all the
// resources, taken in order: each prints "condition met" once it holds, simulated time
// passing while it waits (watching.ts, within the line's allowance); the first that does
// not hold in time ends the command with kubectl's timeout error.
import { parseDuration } from '../../../cluster/quantity.js';
import { fail } from '../../types.js';
import { ALL_NAMESPACES_FLAG } from '../flags.js';
import { evaluatePath, jsonPathText } from '../jsonpath.js';
import { toManifest, type Json } from '../manifest.js';
import { queryObjects, SELECTOR_FLAGS, type Selected } from '../query.js';
import { qualifiedSingular } from '../resources.js';
import type { KubectlContext, KubectlSubcommand } from '../types.js';
import { WATCH_STEP_MS, watchFor } from '../watching.js';

/** What `negative` means to kubectl: wait for a week. */
const WEEK_MS = 7 * 24 * 3600_000;

/** --timeout as Go's time.ParseDuration reads it, in ms; or kubectl's flag error. */
function parseTimeout(text: string): number | string {
  const negative = text.startsWith('-');
  const body = negative || text.startsWith('+') ? text.slice(1) : text;
  const ms = body === '0' ? 0 : parseDuration(body);
  if (ms === null || body.includes('d')) {
    // Go's messages; its durations have no `d`.
    const why = /^\d+(\.\d+)?$/.test(body) ? 'missing unit in' : ms !== null ? 'unknown unit "d" in' : 'invalid';
    return `error: invalid argument "${text}" for "--timeout" flag: time: ${why} duration "${text}"\nSee 'kubectl wait --help' for usage.\n`;
  }
  return negative && ms > 0 ? WEEK_MS : ms;
}

type Condition = { kind: 'condition'; type: string; value: string } | { kind: 'delete' } | { kind: 'jsonpath'; path: string; value: string };

function parseFor(spec: string | undefined): Condition | string {
  if (spec === undefined || spec === '') return 'error: --for must be specified\n';
  if (spec === 'delete') return { kind: 'delete' };
  if (spec.toLowerCase().startsWith('condition=')) {
    const [type = '', value = 'true'] = spec.slice('condition='.length).split('=', 2);
    return { kind: 'condition', type, value };
  }
  if (spec.startsWith('jsonpath=')) {
    const body = spec.slice('jsonpath='.length);
    const eq = body.lastIndexOf('=');
    if (eq < 0) return 'error: jsonpath wait format must be --for=jsonpath=\'{.status.readyReplicas}\'=3\n';
    return { kind: 'jsonpath', path: body.slice(0, eq).replace(/^'|'$/g, ''), value: body.slice(eq + 1) };
  }
  return `error: unrecognized condition: "${spec}"\n`;
}

function holds(ctx: KubectlContext, item: Selected, condition: Condition): boolean {
  const manifest = toManifest(ctx.state, item.type.kind, item.obj);
  if (condition.kind === 'jsonpath') {
    const path = condition.path.startsWith('{') ? condition.path : `{${condition.path}}`;
    return (evaluatePath(path, manifest, ctx.budget) ?? []).some((v: Json) => jsonPathText(v) === condition.value);
  }
  if (condition.kind !== 'condition') return false;
  const status = manifest.status as { conditions?: { type?: string; status?: string }[] } | undefined;
  return (status?.conditions ?? []).some((c) => c.type?.toLowerCase() === condition.type.toLowerCase() && c.status?.toLowerCase() === condition.value.toLowerCase());
}

/** The item as it is now (time has passed): the same object looked up again, undefined once it is gone. */
function current(ctx: KubectlContext, args: string[], flags: Parameters<KubectlSubcommand['run']>[2], item: Selected): Selected | undefined {
  const again = queryObjects(ctx, args, flags);
  if (!again.ok) return undefined;
  const ns = item.obj.metadata.namespace;
  return again.result.items.find((i) => i.type === item.type && i.obj.metadata.name === item.obj.metadata.name && i.obj.metadata.namespace === ns);
}

export const waitCommand: KubectlSubcommand = {
  name: 'wait',
  short: 'Experimental: Wait for a specific condition on one or many resources',
  usage: 'kubectl wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) [--for=delete|--for condition=available|--for=jsonpath=\'{}\'=value] [options]',
  completes: 'resources',
  flags: [
    ALL_NAMESPACES_FLAG,
    ...SELECTOR_FLAGS,
    { name: 'for', type: 'string', usage: 'The condition to wait on: [delete|condition=condition-name[=condition-value]|jsonpath=\'{JSONPath expression}\'=JSONPath Condition].' },
    { name: 'timeout', type: 'string', default: '30s', usage: 'The length of time to wait before giving up.' },
    { name: 'all', type: 'bool', usage: 'Select all resources in the namespace of the specified resource types' },
  ],
  run: (ctx, args, flags) => {
    const condition = parseFor(flags.string('for'));
    if (typeof condition === 'string') return fail(condition);
    const timeout = parseTimeout(flags.string('timeout') ?? '30s');
    if (typeof timeout === 'string') return fail(timeout);
    if (args.length === 0) return fail('error: resource(s) were provided, but no name was specified\n');
    const query = queryObjects(ctx, args, flags);
    if (!query.ok) return fail(query.error);
    const { items, errors } = query.result;
    if (condition.kind !== 'delete' && items.length === 0 && errors === '') return fail('error: no matching resources found\n');
    let stdout = '';
    let left = timeout;
    for (const item of items) {
      const met = (): boolean => {
        const now = current(ctx, args, flags, item);
        return condition.kind === 'delete' ? now === undefined : now !== undefined && holds(ctx, now, condition);
      };
      let waited = 0;
      const done = met() || watchFor(ctx.passTime, () => {
        waited += WATCH_STEP_MS;
        return met();
      }, left);
      left = Math.max(0, left - waited);
      if (!done) {
        return { stdout, stderr: `${condition.kind === 'delete' ? '' : errors}error: timed out waiting for the condition on ${item.type.plural}/${item.obj.metadata.name}\n`, exitCode: 1 };
      }
      stdout += `${qualifiedSingular(item.type)}/${item.obj.metadata.name} condition met\n`;
    }
    // Waiting for deletion, a name already gone is what was asked for.
    const shown = condition.kind === 'delete' ? '' : errors;
    return { stdout, stderr: shown, exitCode: shown === '' ? 0 : 1 };
  },
};
