// `kubectl edit TYPE NAME`: with the terminal as stdin, the browser opens an editor on the
// object's YAML (LineResult.edit); saving runs `kubectl edit TYPE/NAME -n NS <<'…'` with the
// edited text, which is applied here as `kubectl apply -f -` would, and reported as kubectl
// edit reports it (`configmap/x edited`, or `Edit cancelled, no changes made.`).
import { ok } from '../../types.js';
import { fail } from '../../types.js';
import { parseFlags } from '../flags.js';
import { toManifest } from '../manifest.js';
import { manifestYaml } from '../output.js';
import type { KubectlSubcommand } from '../types.js';
import { applyCommand, fromFiles } from './apply.js';
import { resolveOne } from './write-util.js';

export const editCommand: KubectlSubcommand = {
  name: 'edit',
  short: 'Edit a resource on the server',
  usage: 'kubectl edit (RESOURCE/NAME | -f FILENAME) [options]',
  completes: 'resources',
  flags: [{ name: 'output', short: 'o', type: 'string', usage: 'Output format. One of: (json, yaml).' }],
  run: (ctx, args) => {
    const found = resolveOne(ctx, args);
    if (!found.ok) return fail(found.error);
    const { type, name, obj } = found.target;
    const yaml = manifestYaml(toManifest(ctx.state, type.kind, obj), ctx.budget);
    const where = type.namespaced ? ` -n ${ctx.namespace}` : '';
    if (ctx.stdinIsTerminal) {
      return { ...ok(), edit: { title: `${type.plural}/${name}${where}`, text: yaml, save: `kubectl edit ${type.singular}/${name}${where}` } };
    }
    const edited = ctx.stdin;
    if (edited.trim() === '' || edited === yaml) return { stdout: '', stderr: 'Edit cancelled, no changes made.\n', exitCode: 0 };
    const flags = parseFlags(['-f', '-'], applyCommand.flags);
    if (!flags.ok) return fail(flags.error);
    const applied = fromFiles(Object.create(ctx, { stdin: { value: edited } }) as typeof ctx, flags.flags, 'apply');
    return { ...applied, stdout: applied.stdout.replace(/ (configured|unchanged)( \(dry run\))?$/gm, ' edited') };
  },
};
