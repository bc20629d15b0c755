// `kubectl edit TYPE NAME`: the browser opens an editor with the object's YAML (LineResult.edit);
// a scripted terminal cannot, so the text output points at patch / apply instead.
import { fail } from '../../types.js';
import { manifestYaml } from '../output.js';
import { toManifest } from '../manifest.js';
import type { KubectlSubcommand } from '../types.js';
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
    const result = fail(`error: kubectl edit needs an interactive editor, which this terminal does not have; change the object with 'kubectl patch ${type.singular} ${name} -p …' or 'kubectl apply -f -' instead\n`);
    const edit: NonNullable<typeof result.edit> = { resource: type.plural, name, yaml: manifestYaml(toManifest(ctx.state, type.kind, obj), ctx.budget) };
    if (type.namespaced) edit.namespace = ctx.namespace;
    return { ...result, edit };
  },
};
