// `kubectl label` and `kubectl annotate`: `key=value` sets, `key-` removes; changing an
// existing value needs --overwrite.
import { mutateObject } from '../../../cluster/api.js';
import type { ObjectMeta } from '../../../cluster/types.js';
import type { CommandResult } from '../../types.js';
import { fail } from '../../types.js';
import { apiErrorText } from '../api-error.js';
import { ALL_NAMESPACES_FLAG } from '../flags.js';
import { queryObjects, SELECTOR_FLAGS } from '../query.js';
import type { KubectlSubcommand } from '../types.js';
import { refName, stateKey, writableKind } from './write-util.js';

function metadataCommand(which: 'label' | 'annotate'): KubectlSubcommand {
  const field = which === 'label' ? 'labels' : 'annotations';
  const past = which === 'label' ? 'labeled' : 'annotated';
  return {
    name: which,
    short: which === 'label' ? 'Update the labels on a resource' : 'Update the annotations on a resource',
    usage: `kubectl ${which} [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version] [options]`,
    completes: 'resources',
    flags: [
      ALL_NAMESPACES_FLAG,
      ...SELECTOR_FLAGS,
      { name: 'overwrite', type: 'bool', usage: 'If true, allow labels to be overwritten, otherwise reject label updates that overwrite existing labels.' },
      { name: 'all', type: 'bool', usage: 'Select all resources, in the namespace of the specified resource types' },
      { name: 'list', type: 'bool', usage: 'If true, display the labels for a given resource.' },
    ],
    run: (ctx, args, flags) => {
      const isChange = (a: string): boolean => a.includes('=') || (a.endsWith('-') && !a.includes('/'));
      const resources = args.filter((a) => !isChange(a));
      const changes = args.filter(isChange);
      if (changes.length === 0 && !flags.bool('list')) return fail(`error: at least one ${which === 'label' ? 'label' : 'annotation'} update is required\n`);
      const set: Record<string, string> = {};
      const remove: string[] = [];
      for (const c of changes) {
        if (c.endsWith('-') && !c.includes('=')) remove.push(c.slice(0, -1));
        else {
          const eq = c.indexOf('=');
          set[c.slice(0, eq)] = c.slice(eq + 1);
        }
      }
      const query = queryObjects(ctx, resources, flags);
      if (!query.ok) return fail(query.error);
      const results: CommandResult[] = [];
      for (const { type, obj } of query.result.items) {
        const kind = writableKind(type);
        const name = obj.metadata.name;
        if (!kind) continue;
        if (flags.bool('list')) {
          results.push({ stdout: Object.entries(obj.metadata[field]).map(([k, v]) => `${k}=${v}\n`).join(''), stderr: '', exitCode: 0 });
          continue;
        }
        const current = obj.metadata[field];
        // Own keys only: a key named like an inherited property (toString) has no value yet.
        const has = (k: string) => Object.hasOwn(current, k);
        const conflict = Object.keys(set).find((k) => has(k) && current[k] !== set[k]);
        if (conflict && !flags.bool('overwrite')) {
          results.push(fail(`error: '${conflict}' already has a value (${current[conflict]}), and --overwrite is false\n`));
          continue;
        }
        const changed = Object.keys(set).some((k) => !has(k) || current[k] !== set[k]) || remove.some(has);
        if (!changed) {
          results.push({ stdout: `${refName(type, name)} not ${past}\n`, stderr: '', exitCode: 0 });
          continue;
        }
        const r = mutateObject(ctx.state, kind, stateKey(type, obj.metadata.namespace ?? ctx.namespace, name), (o) => {
          const meta: ObjectMeta = o.metadata;
          for (const k of remove) delete meta[field][k];
          Object.assign(meta[field], set);
        });
        const verb = which === 'label' && Object.keys(set).length === 0 ? 'unlabeled' : past;
        results.push(r.ok ? { stdout: `${refName(type, name)} ${verb}\n`, stderr: '', exitCode: 0 } : fail(apiErrorText(r.error)));
      }
      const stderr = results.map((r) => r.stderr).join('') + query.result.errors;
      return { stdout: results.map((r) => r.stdout).join(''), stderr, exitCode: stderr === '' ? 0 : 1 };
    },
  };
}

export const labelCommand = metadataCommand('label');
export const annotateCommand = metadataCommand('annotate');
