// `kubectl wait --for=condition=C[=value] | --for=delete | --for=jsonpath={…}=value TYPE/NAME…`.
// A command answers at one instant of simulated time: what holds now is "condition met", and
// what does not cannot change while the command runs, so it ends as a timeout would.
import { fail } from '../../types.js';
import { ALL_NAMESPACES_FLAG } from '../flags.js';
import { evaluatePath, jsonPathText } from '../jsonpath.js';
import { toManifest, type Json } from '../manifest.js';
import { queryObjects, SELECTOR_FLAGS, type Selected } from '../query.js';
import { qualifiedSingular } from '../resources.js';
import type { KubectlContext, KubectlSubcommand } from '../types.js';

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
    return (evaluatePath(path, manifest) ?? []).some((v: Json) => jsonPathText(v) === condition.value);
  }
  if (condition.kind !== 'condition') return false;
  const status = manifest.status as { conditions?: { type?: string; status?: string }[] } | undefined;
  return (status?.conditions ?? []).some((c) => c.type?.toLowerCase() === condition.type.toLowerCase() && c.status?.toLowerCase() === condition.value.toLowerCase());
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
    if (args.length === 0) return fail('error: resource(s) were provided, but no name was specified\n');
    const query = queryObjects(ctx, args, flags);
    if (!query.ok) return fail(query.error);
    const { items, errors } = query.result;
    if (condition.kind === 'delete') {
      const left = items.map((i) => `error: timed out waiting for the condition on ${i.type.plural}/${i.obj.metadata.name}\n`).join('');
      return { stdout: '', stderr: left, exitCode: left === '' ? 0 : 1 };
    }
    if (items.length === 0 && errors === '') return fail('error: no matching resources found\n');
    let stdout = '';
    for (const item of items) {
      if (!holds(ctx, item, condition)) {
        return { stdout, stderr: `${errors}error: timed out waiting for the condition on ${item.type.plural}/${item.obj.metadata.name}\n`, exitCode: 1 };
      }
      stdout += `${qualifiedSingular(item.type)}/${item.obj.metadata.name} condition met\n`;
    }
    return { stdout, stderr: errors, exitCode: errors === '' ? 0 : 1 };
  },
};
