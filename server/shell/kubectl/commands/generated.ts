// `--dry-run` and `-o` for the commands that generate an object (create TYPE NAME, run,
// expose): the generator runs as usual — on a scratch copy of the cluster when it is a dry
// run, so nothing is written — and the object it made is printed the way kubectl's printer
// flags print it (`-o yaml|json|name|jsonpath=…`, or `… created (dry run)`).
// With --dry-run=client kubectl prints the object before the server has seen it: no uid,
// resourceVersion, namespace (unless -n was given), creationTimestamp null, empty status.
import { dryRunUid } from '../../../cluster/api.js';
import type { ClusterState } from '../../../cluster/types.js';
import type { CommandResult } from '../../types.js';
import { fail } from '../../types.js';
import { toManifest, type Json } from '../manifest.js';
import { manifestYaml, parseOutputFormat, printStructured, toJson } from '../output.js';
import { executeJsonPath } from '../jsonpath.js';
import { executeGoTemplate } from '../go-template.js';
import { findResourceType, getObject } from '../resources.js';
import type { FlagSpec, KubectlContext, ParsedFlags } from '../types.js';
import { dryRunSuffix, parseDryRun } from './apply.js';

export const GENERATOR_FLAGS: FlagSpec[] = [
  { name: 'output', short: 'o', type: 'string', usage: 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).' },
];

const isObject = (v: Json | undefined): v is { [key: string]: Json } => v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);

/** What the client holds before sending: the server's fields left out. */
function clientSide(manifest: Json, keepNamespace: boolean): Json {
  if (!isObject(manifest) || !isObject(manifest.metadata)) return manifest;
  const { uid: _u, resourceVersion: _r, generation: _g, managedFields: _m, namespace, creationTimestamp: _c, ...rest } = manifest.metadata;
  const metadata = { ...rest, creationTimestamp: null, ...(keepNamespace && namespace !== undefined ? { namespace } : {}) };
  return { ...manifest, metadata, ...(manifest.status !== undefined ? { status: {} } : {}) };
}

/**
 * What copying the state costs, charged before a dry run copies it: a scenario's cluster
 * (~20 pods, ~180 objects, 200 kB) takes 2–7 ms, a 512-pod one ~50 ms, more than a line may
 * spend. Pods weigh most (status, containers); RBAC objects, leases and events little.
 * Charging every object as a pod made a dry run on a scenario's cluster cost a whole line
 * once a few events had been recorded (`create secret … --dry-run=client` was refused).
 */
function cloneCost(state: ClusterState): number {
  let objects = state.events.length + Object.keys(state.configmaps).length;
  for (const kind of Object.values(state.stored ?? {})) objects += Object.keys(kind).length;
  // ConfigMaps are where a player can put bulk (up to 1 MiB each): their text is copied too.
  let chars = 0;
  for (const cm of Object.values(state.configmaps)) for (const v of Object.values(cm.data)) chars += v.length;
  return 8_000 * Object.keys(state.pods).length + 2_000 * objects + 20_000 * Object.keys(state.nodes).length + Math.ceil(chars / 4);
}

export function generated(ctx: KubectlContext, flags: ParsedFlags, generate: (ctx: KubectlContext) => CommandResult): CommandResult {
  const dryRun = parseDryRun(flags);
  if (typeof dryRun !== 'string') return fail(dryRun.error);
  const outputFlag = flags.string('output');
  if (dryRun === 'none' && !outputFlag) return generate(ctx);
  const output = parseOutputFormat(outputFlag);
  if (!output.ok) return fail(output.error);
  if (outputFlag && (output.format.kind === 'table' || output.format.kind === 'custom-columns')) {
    return fail(`error: unable to match a printer suitable for the output format "${outputFlag}", allowed formats are: json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml\n`);
  }
  if (dryRun !== 'none') ctx.budget.spend(cloneCost(ctx.state));
  const state: ClusterState = dryRun === 'none' ? ctx.state : structuredClone(ctx.state);
  // The kubectl context keeps session, budget and stdin on its prototype (index.ts): derive from it, not spread it.
  const r = generate(dryRun === 'none' ? ctx : Object.assign(Object.create(ctx) as KubectlContext, { state }));
  const made = /^([^/\s]+)\/(\S+) (created|exposed)\n$/.exec(r.stdout);
  const type = made ? findResourceType(made[1]!) : undefined;
  const obj = type ? getObject(state, type, type.namespaced ? ctx.namespace : '', made![2]!) : undefined;
  if (r.exitCode !== 0 || !made || !type || !obj) return r;
  if (!outputFlag) return { ...r, stdout: `${made[1]}/${made[2]} ${made[3]}${dryRunSuffix(dryRun)}\n` };
  if (dryRun === 'server') {
    // The apiserver answers a dry-run create with a uid of its own and no resourceVersion.
    obj.metadata.uid = dryRunUid(ctx.state, type.kind, obj.metadata.namespace, obj.metadata.name);
    obj.metadata.resourceVersion = 0;
  }
  if (dryRun === 'client' && output.format.kind !== 'name') {
    const doc = clientSide(toManifest(state, type.kind, obj), ctx.namespaceExplicit);
    if (output.format.kind === 'yaml') return { stdout: manifestYaml(doc, ctx.budget), stderr: r.stderr, exitCode: 0 };
    if (output.format.kind === 'json') return { stdout: toJson(doc), stderr: r.stderr, exitCode: 0 };
    if (output.format.kind !== 'jsonpath' && output.format.kind !== 'go-template') return r;
    const result = output.format.kind === 'jsonpath' ? executeJsonPath(output.format.template, doc, ctx.budget) : executeGoTemplate(output.format.template, doc, ctx.budget);
    return result.ok ? { stdout: result.text, stderr: r.stderr, exitCode: 0 } : fail(`error: ${result.error}\n`);
  }
  if (output.format.kind === 'table') return r;
  const printed = printStructured(state, [{ type, obj }], output.format, { single: true, noHeaders: false, budget: ctx.budget });
  return printed.ok ? { stdout: printed.text, stderr: r.stderr, exitCode: 0 } : fail(printed.error);
}
