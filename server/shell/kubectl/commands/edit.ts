// `kubectl edit TYPE NAME`: with the terminal as stdin, the browser opens an editor on the
// object's YAML (LineResult.edit); saving runs `kubectl edit TYPE/NAME -n NS <<'…'` with the
// edited text, which is applied here as `kubectl apply -f -` would, and reported as kubectl
// edit reports it (`configmap/x edited`, or `Edit cancelled, no changes made.`). With
// `--subresource=status` only the edited status is written, through the status subresource.
import { ok } from '../../types.js';
import { fail } from '../../types.js';
import { parseFlags } from '../flags.js';
import { toManifest } from '../manifest.js';
import { manifestYaml } from '../output.js';
import type { KubectlContext, KubectlSubcommand } from '../types.js';
import { applyCommand, fromFiles } from './apply.js';
import { resolveOne, stateKey } from './write-util.js';
import { patchSubresource } from './patch.js';
import { parseYaml } from './apply.js';
import { WITH_STATUS } from '../discovery.js';
import type { JsonObject } from '../manifest-fields.js';
import type { KubeObject, ResourceType } from '../resources.js';
import type { CommandResult } from '../../types.js';

export const editCommand: KubectlSubcommand = {
  name: 'edit',
  short: 'Edit a resource on the server',
  usage: 'kubectl edit (RESOURCE/NAME | -f FILENAME) [options]',
  completes: 'resources',
  flags: [
    { name: 'output', short: 'o', type: 'string', usage: 'Output format. One of: (json, yaml).' },
    { name: 'subresource', type: 'string', usage: 'If specified, edit will operate on the subresource of the requested object. Must be one of [status]. This flag is beta and may change in the future.' },
  ],
  run: (ctx, args, given) => {
    // editor.SupportedSubresources: status only.
    const subresource = given.string('subresource') ?? '';
    if (subresource !== '' && subresource !== 'status') return fail(`error: invalid subresource value: ${JSON.stringify(subresource)}. Must be one of [status]\n`);
    const found = resolveOne(ctx, args);
    if (!found.ok) return fail(found.error);
    const { type, name, obj } = found.target;
    if (subresource === 'status' && !WITH_STATUS.has(type.kind)) return fail('Error from server (NotFound): the server could not find the requested resource\n');
    const manifest = toManifest(ctx.state, type.kind, obj);
    const yaml = manifestYaml(manifest, ctx.budget);
    const where = type.namespaced ? ` -n ${ctx.namespace}` : '';
    if (ctx.stdinIsTerminal) {
      return { ...ok(), edit: { title: `${type.plural}/${name}${where}`, text: yaml, save: `kubectl edit ${type.singular}/${name}${where}${subresource ? ` --subresource=${subresource}` : ''}` } };
    }
    const edited = ctx.stdin;
    if (edited.trim() === '' || edited === yaml) return { stdout: '', stderr: 'Edit cancelled, no changes made.\n', exitCode: 0 };
    if (subresource === 'status') return editStatus(ctx, { type, name, obj, manifest, edited });
    const flags = parseFlags(['-f', '-'], applyCommand.flags);
    if (!flags.ok) return fail(flags.error);
    const applied = fromFiles(Object.create(ctx, { stdin: { value: edited } }) as typeof ctx, flags.flags, 'apply', undefined, true);
    return { ...applied, stdout: applied.stdout.replace(/ (configured|unchanged)( \(dry run\))?$/gm, ' edited') };
  },
};

/** `--subresource=status`: the edited document's status is written through the status subresource (patch.ts). */
function editStatus(ctx: KubectlContext, e: { type: ResourceType; name: string; obj: KubeObject; manifest: JsonObject; edited: string }): CommandResult {
  const parsed = parseYaml(e.edited);
  const doc = parsed.ok ? parsed.docs[0] : undefined;
  if (!parsed.ok || doc === null || typeof doc !== 'object' || Array.isArray(doc)) return fail(`error: ${parsed.ok ? 'the edited file is not an object' : parsed.error}\n`);
  if (JSON.stringify(doc.status ?? null) === JSON.stringify(e.manifest.status ?? null)) return { stdout: '', stderr: 'Edit cancelled, no changes made.\n', exitCode: 0 };
  const key = stateKey(e.type, e.obj.metadata.namespace ?? '', e.name);
  const r = patchSubresource(ctx, { type: e.type, name: e.name, key, kind: e.type.kind, scalable: undefined, subresource: 'status', manifest: e.manifest, patched: doc, dryRun: 'none' });
  return { ...r, stdout: r.stdout.replace(/ patched$/m, ' edited') };
}
