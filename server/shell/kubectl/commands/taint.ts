// `kubectl taint nodes NAME key=value:Effect | key:Effect- | key-`.
import { mutateObject } from '../../../cluster/api.js';
import type { Taint } from '../../../cluster/types.js';
import { fail, ok } from '../../types.js';
import { apiErrorText } from '../api-error.js';
import type { KubectlSubcommand } from '../types.js';

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

type TaintChange = { remove: false; taint: Taint } | { remove: true; key: string; effect?: Taint['effect'] };

function parseTaint(spec: string): TaintChange | string {
  const remove = spec.endsWith('-');
  const body = remove ? spec.slice(0, -1) : spec;
  const colon = body.lastIndexOf(':');
  const keyValue = colon < 0 ? body : body.slice(0, colon);
  const effect = colon < 0 ? undefined : body.slice(colon + 1);
  if (effect !== undefined && !EFFECTS.includes(effect)) return `invalid taint effect: ${effect}, unsupported taint effect`;
  const [key = '', value] = keyValue.split('=');
  if (key === '') return `invalid taint spec: ${spec}`;
  if (remove) return effect === undefined ? { remove, key } : { remove, key, effect: effect as Taint['effect'] };
  if (effect === undefined) return `invalid taint spec: ${spec}, unknown taint effect`;
  const taint: Taint = { key, effect: effect as Taint['effect'] };
  if (value !== undefined && value !== '') taint.value = value;
  return { remove: false, taint };
}

export const taintCommand: KubectlSubcommand = {
  name: 'taint',
  short: 'Update the taints on one or more nodes',
  usage: 'kubectl taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N [options]',
  completes: 'nodes',
  flags: [
    { name: 'overwrite', type: 'bool', usage: 'If true, allow taints to be overwritten, otherwise reject taint updates that overwrite existing taints.' },
    { name: 'all', type: 'bool', usage: 'Select all nodes in the cluster' },
  ],
  run: (ctx, args, flags) => {
    let rest = args;
    let names: string[];
    if (rest[0]?.includes('/')) {
      names = [rest[0].slice(rest[0].indexOf('/') + 1)];
      rest = rest.slice(1);
    } else if (rest[0] && ['node', 'nodes', 'no'].includes(rest[0])) {
      names = flags.bool('all') ? Object.keys(ctx.state.nodes).sort() : rest[1] ? [rest[1]] : [];
      rest = rest.slice(flags.bool('all') ? 1 : 2);
    } else {
      return fail(rest.length === 0 ? 'error: at least one taint update is required\n' : `error: invalid resource type ${rest[0]}, only node types are supported\n`);
    }
    if (rest.length === 0 || names.length === 0) return fail('error: at least one taint update is required\n');
    const changes: TaintChange[] = [];
    for (const spec of rest) {
      const c = parseTaint(spec);
      if (typeof c === 'string') return fail(`error: ${c}\n`);
      changes.push(c);
    }
    let stdout = '';
    for (const name of names) {
      const node = ctx.state.nodes[name];
      if (!node) return fail(`Error from server (NotFound): nodes "${name}" not found\n`);
      let taints = [...node.spec.taints];
      for (const c of changes) {
        if (c.remove) {
          const left = taints.filter((t) => !(t.key === c.key && (c.effect === undefined || t.effect === c.effect)));
          if (left.length === taints.length) return fail(`error: taint "${c.key}${c.effect ? `:${c.effect}` : ''}" not found\n`);
          taints = left;
        } else {
          const existing = taints.findIndex((t) => t.key === c.taint.key && t.effect === c.taint.effect);
          if (existing >= 0 && !flags.bool('overwrite')) {
            return fail(`error: node ${name} already has ${c.taint.key} taint(s) with same effect(s) and --overwrite is false\n`);
          }
          if (existing >= 0) taints[existing] = c.taint;
          else taints.push(c.taint);
        }
      }
      const r = mutateObject(ctx.state, 'Node', name, (n) => {
        n.spec.taints = taints;
      });
      if (!r.ok) return fail(apiErrorText(r.error));
      stdout += `node/${name} ${changes.every((c) => c.remove) ? 'untainted' : 'tainted'}\n`;
    }
    return ok(stdout);
  },
};
