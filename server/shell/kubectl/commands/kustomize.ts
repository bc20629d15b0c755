// `kubectl kustomize DIR` and the `-k DIR` of apply, create, replace, diff, delete and get: the
// kustomization built by ../kustomize/build.ts (kustomize v5.0.4, what kubectl v1.29 embeds).
import { cwdOf, writeFileCharged } from '../../vfs.js';
import type { CommandResult } from '../../types.js';
import { fail } from '../../types.js';
import { buildYaml, kustomizeBuild } from '../kustomize/build.js';
import type { JsonObject } from '../manifest-fields.js';
import type { KubectlContext, KubectlSubcommand, ParsedFlags } from '../types.js';



/** kustomize's deprecation warnings go to stderr, one line each, before anything else. */
const warningLines = (warnings: string[]): string => warnings.map((w) => `${w}\n`).join('');

/** The objects `-k DIR` names, or the refusal as kubectl prints it. */
export function kustomizeObjects(ctx: KubectlContext, flags: ParsedFlags): { ok: true; objects: JsonObject[]; dir: string; stderr: string } | { ok: false; result: CommandResult } | undefined {
  const dir = flags.string('kustomize');
  if (dir === undefined) return undefined;
  if (flags.all('filename').length > 0) return { ok: false, result: fail('error: only one of -f or -k can be specified\n') };
  if (dir === '') return { ok: false, result: fail('error: must specify one of -f and -k\n') };
  const built = kustomizeBuild(ctx, dir, cwdOf(ctx.session));
  const stderr = warningLines(built.warnings);
  if (!built.ok) return { ok: false, result: { stdout: '', stderr: `${stderr}error: ${built.error}\n`, exitCode: 1 } };
  return { ok: true, objects: built.objects, dir, stderr };
}

export const kustomizeCommand: KubectlSubcommand = {
  name: 'kustomize',
  short: 'Build a kustomization target from a directory or URL',
  usage: 'kubectl kustomize <dir> [flags] [options]',
  offline: true,
  flags: [
    { name: 'output', short: 'o', type: 'string', usage: 'If specified, write output to this path.' },
    { name: 'enable-helm', type: 'bool', usage: 'Enable use of the Helm chart inflator generator.' },
    { name: 'load-restrictor', type: 'string', default: 'LoadRestrictionsRootOnly', usage: 'if set to \'LoadRestrictionsNone\', local kustomizations may load files from outside their root. This does, however, break the relocatability of the kustomization.' },
  ],
  run: (ctx, args, flags) => {
    if (args.length > 1) return fail('error: specify one path to kustomization.yaml\n');
    const built = kustomizeBuild(ctx, args[0] ?? '.', cwdOf(ctx.session));
    const stderr = warningLines(built.warnings);
    if (!built.ok) return { stdout: '', stderr: `${stderr}error: ${built.error}\n`, exitCode: 1 };
    const yaml = buildYaml(built.objects, (t) => ctx.budget.spendText(t));
    // -o FILE: the YAML written to the file (kustomize's build command), nothing printed.
    const output = flags.string('output');
    if (output !== undefined && output !== '') {
      const refused = writeFileCharged(ctx, output, yaml);
      if (refused !== undefined) return { stdout: '', stderr: `${stderr}error: open ${output}: ${refused.toLowerCase()}\n`, exitCode: 1 };
      return { stdout: '', stderr: '', stderrFirst: stderr, exitCode: 0 };
    }
    // The warnings are logged as the kustomization is read, before the output.
    return { stdout: yaml, stderr: '', stderrFirst: stderr, exitCode: 0 };
  },
};
