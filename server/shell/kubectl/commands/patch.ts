// `kubectl patch (TYPE NAME | TYPE/NAME) -p PATCH [--type strategic|merge|json]`: the patch
// is applied to the object's manifest (manifest.ts), which is then read back into the model
// (from-manifest.ts) with the apiserver's checks, and written when something changed.
import type { Kind, KindMap } from '../../../cluster/api.js';
import { sizeExcess } from '../../../cluster/json.js';
import { writeStatus } from '../../../cluster/status-writes.js';
import type { Deployment } from '../../../cluster/types.js';
import type { CommandResult } from '../../types.js';
import { WITH_STATUS } from '../discovery.js';
import type { ResourceType } from '../resources.js';
import { scaleObject, scaleTo, type ScalableKind } from './scale.js';
import { fail, ok } from '../../types.js';
import { isManifestKind, objectFromManifest, type ManifestKind } from '../from-manifest.js';
import { toManifest, type Json } from '../manifest.js';
import type { JsonObject } from '../manifest-fields.js';
import type { KubectlContext, KubectlSubcommand } from '../types.js';
import { dryRunSuffix, type DryRun, parseDryRun, parseSteps, parseValidate, parseYaml, problemText, withWarnings, writeUpdate } from './apply.js';
import { apiFail, refName, resolveOne, stateKey } from './write-util.js';

const isObject = (v: Json | undefined): v is JsonObject => v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** The patchMergeKey of a list, by its field name (and its parent's, for `ports`); undefined = replace. */
function mergeKey(path: string[]): string | undefined {
  const field = path.at(-1) ?? '';
  if (['containers', 'initContainers', 'ephemeralContainers', 'volumes', 'imagePullSecrets', 'env'].includes(field)) return 'name';
  if (field === 'ports') return path.at(-2)?.endsWith('ontainers') ? 'containerPort' : 'port';
  if (field === 'volumeMounts') return 'mountPath';
  if (field === 'conditions' || field === 'addresses') return 'type';
  if (field === 'ownerReferences') return 'uid';
  if (field === 'hostAliases') return 'ip';
  return undefined;
}

const withoutDirectives = (o: JsonObject): JsonObject => Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('$')));

/** `newFirst`: a list's new items go before its others (kustomize's kyaml merge), not after (the apiserver's). */
interface MergeOptions { newFirst?: boolean }

/** A strategic merge patch: like a merge patch, but lists with a merge key merge item by item. */
export function strategicMerge(target: Json | undefined, patch: Json, path: string[] = [], options: MergeOptions = {}): Json {
  if (!isObject(patch)) return patch;
  if (patch.$patch === 'replace') return withoutDirectives(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) delete out[key];
    else if (Array.isArray(value)) out[key] = mergeList(out[key], value, [...path, key], options);
    else out[key] = strategicMerge(out[key], value, [...path, key], options);
  }
  return out;
}

function mergeList(target: Json | undefined, patch: Json[], path: string[], options: MergeOptions): Json {
  const key = mergeKey(path);
  if (key === undefined || !Array.isArray(target) || patch.some((p) => isObject(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p.$patch !== undefined)).map((p) => (isObject(p) ? withoutDirectives(p) : p));
  }
  const out = [...target];
  const added: Json[] = [];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const at = out.findIndex((t) => isObject(t) && t[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) out[at] = strategicMerge(out[at], item, path, options);
    else added.push(withoutDirectives(item));
  }
  return options.newFirst ? [...added, ...out] : [...out, ...added];
}

/** etcd's --max-request-bytes (1.5 MiB): no object may be larger when written. */
const MAX_OBJECT_BYTES = 1.5 * 2 ** 20;
export const TOO_LARGE = 'etcdserver: request is too large';

/** RFC 6902 JSON patch; errors are the apiserver's json-patch messages. */
export function jsonPatch(doc: Json, ops: Json): { ok: true; doc: Json } | { ok: false; error: string } {
  if (!Array.isArray(ops)) return { ok: false, error: `json: cannot unmarshal ${isObject(ops) ? 'object' : typeof ops} into Go value of type jsonpatch.Patch` };
  let current = structuredClone(doc);
  // Only `copy` makes the document larger than the patch text is: each copy doubles at most,
  // so the copied sizes are counted and the patch refused past what etcd would store.
  let size = JSON.stringify(current).length;
  for (const op of ops) {
    if (isObject(op) && op.op === 'copy' && typeof op.from === 'string') {
      let value: Json | undefined = current;
      for (const t of pointer(op.from)) value = step(value, t);
      size += value === undefined ? 0 : JSON.stringify(value).length;
      if (size > MAX_OBJECT_BYTES) return { ok: false, error: TOO_LARGE };
    }
    if (!isObject(op)) return { ok: false, error: 'json: cannot unmarshal into Go value of type jsonpatch.Operation' };
    const name = String(op.op ?? '');
    const path = typeof op.path === 'string' ? op.path : '';
    const r = name === 'add' || name === 'replace' || name === 'test' ? applyOp(current, name, path, op.value ?? null)
      : name === 'remove' ? applyOp(current, name, path, null)
        : name === 'move' || name === 'copy' ? moveOrCopy(current, name, typeof op.from === 'string' ? op.from : '', path)
          : { ok: false as const, error: `Unexpected kind: ${name}` };
    if (!r.ok) return r;
    current = r.doc;
  }
  return { ok: true, doc: current };
}

const pointer = (path: string): string[] => path.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));

/**
 * One step along a JSON pointer: only an object's own keys (`__proto__` or `constructor` name
 * plain keys, never the object's prototype, which every object in the server shares).
 */
const step = (at: Json | undefined, t: string): Json | undefined =>
  Array.isArray(at) ? at[Number(t)] : isObject(at) && Object.hasOwn(at, t) ? at[t] : undefined;

function applyOp(doc: Json, op: 'add' | 'replace' | 'remove' | 'test', path: string, value: Json): { ok: true; doc: Json } | { ok: false; error: string } {
  const tokens = pointer(path);
  const last = tokens.pop();
  if (last === undefined) return op === 'test' || op === 'remove' ? { ok: false, error: `${op} operation does not apply: doc is missing path: "${path}": missing value` } : { ok: true, doc: value };
  let parent: Json | undefined = doc;
  for (const t of tokens) parent = step(parent, t);
  const missing = op === 'replace' ? `replace operation does not apply: doc is missing key: ${path}: missing value` : `${op} operation does not apply: doc is missing path: "${path}": missing value`;
  if (Array.isArray(parent)) {
    const index = last === '-' && op === 'add' ? parent.length : /^\d+$/.test(last) ? Number(last) : NaN;
    if (!(index <= parent.length - (op === 'add' ? 0 : 1))) return { ok: false, error: `Unable to access invalid index: ${last}: invalid index referenced` };
    if (op === 'test') return JSON.stringify(parent[index]) === JSON.stringify(value) ? { ok: true, doc } : { ok: false, error: `testing value ${path} failed: test failed` };
    parent.splice(index, op === 'add' ? 0 : 1, ...(op === 'remove' ? [] : [value]));
    return { ok: true, doc };
  }
  if (!isObject(parent) || (op !== 'add' && !Object.hasOwn(parent, last))) return { ok: false, error: missing };
  if (op === 'test') return JSON.stringify(parent[last]) === JSON.stringify(value) ? { ok: true, doc } : { ok: false, error: `testing value ${path} failed: test failed` };
  if (op === 'remove') delete parent[last];
  // Defined, not assigned: a key named `__proto__` stays a plain key.
  else Object.defineProperty(parent, last, { value, writable: true, enumerable: true, configurable: true });
  return { ok: true, doc };
}

function moveOrCopy(doc: Json, op: 'move' | 'copy', from: string, path: string): { ok: true; doc: Json } | { ok: false; error: string } {
  let value: Json | undefined = doc;
  for (const t of pointer(from)) value = step(value, t);
  if (value === undefined) return { ok: false, error: `${op} operation does not apply: doc is missing from path: "${from}": missing value` };
  const copied = structuredClone(value);
  if (op === 'move') {
    const removed = applyOp(doc, 'remove', from, null);
    if (!removed.ok) return removed;
  }
  return applyOp(doc, 'add', path, copied);
}

const PATCH_TYPES = ['json', 'merge', 'strategic'];
/** patch.go's supportedSubresources. */
export const SUBRESOURCES = ['status', 'scale'];

/**
 * `--subresource=status|scale`: the patched document's status is written through the status
 * subresource (cluster/status-writes.ts), or its spec.replicas through the scale one; the
 * rest of it is ignored, as the apiserver's subresource strategies do.
 */
export function patchSubresource(ctx: KubectlContext, p: {
  type: ResourceType; name: string; key: string; kind: string; scalable: ScalableKind | undefined; subresource: string;
  manifest: JsonObject; patched: JsonObject; dryRun: DryRun;
}): CommandResult {
  const { type, name, key } = p;
  // kubectl prints the object the server answered: for scale, a Scale.
  const ref = p.subresource === 'scale' ? `scale.autoscaling/${name}` : refName(type, name);
  const done = (changed: boolean): CommandResult => ok(`${ref} patched${changed ? '' : ' (no change)'}${dryRunSuffix(p.dryRun)}\n`);
  if (p.subresource === 'scale') {
    const replicas = isObject(p.patched.spec) ? p.patched.spec.replicas : undefined;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      return fail(`The Scale "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0\n`);
    }
    if (replicas === (p.manifest.spec as JsonObject).replicas) return done(false);
    if (p.dryRun !== 'none') return done(true);
    const r = scaleTo(ctx.state, p.scalable!, key, replicas);
    return r.ok ? done(true) : apiFail(r.error);
  }
  const status = p.patched.status;
  if (JSON.stringify(status ?? null) === JSON.stringify(p.manifest.status ?? null)) return done(false);
  if (status !== undefined && !isObject(status)) return fail(`The ${p.kind} "${name}" is invalid: status: Invalid value: ${JSON.stringify(status)}: must be an object\n`);
  if (p.dryRun !== 'none') return done(true);
  const r = writeStatus(ctx.state, p.kind as Kind, key, status);
  return r.ok ? done(true) : apiFail(r.error);
}

export const patchCommand: KubectlSubcommand = {
  name: 'patch',
  short: 'Update fields of a resource',
  usage: 'kubectl patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE] [options]',
  completes: 'resources',
  flags: [
    { name: 'patch', short: 'p', type: 'string', usage: 'The patch to be applied to the resource JSON file.' },
    { name: 'type', type: 'string', default: 'strategic', usage: 'The type of patch being provided; one of [json merge strategic]' },
    { name: 'dry-run', type: 'string', default: 'none', usage: 'Must be "none", "server", or "client".' },
    { name: 'validate', type: 'string', default: 'strict', usage: 'Must be one of: strict (or true), warn, ignore (or false).' },
    { name: 'subresource', type: 'string', usage: `If specified, patch will operate on the subresource of the requested object. Must be one of [${SUBRESOURCES.join(' ')}]. This flag is beta and may change in the future.` },
  ],
  run: (ctx, args, flags) => {
    const text = flags.string('patch') ?? '';
    if (text === '') return fail('error: must specify --patch or --patch-file containing the contents of the patch\n');
    const patchType = flags.string('type') ?? 'strategic';
    if (!PATCH_TYPES.includes(patchType)) return fail(`error: --type must be one of [${PATCH_TYPES.join(' ')}], not "${patchType}"\n`);
    const dryRun = parseDryRun(flags);
    if (typeof dryRun !== 'string') return fail(dryRun.error);
    const validation = parseValidate(flags);
    if (typeof validation !== 'string') return fail(validation.error);
    const subresource = flags.string('subresource') ?? '';
    if (subresource !== '' && !SUBRESOURCES.includes(subresource)) return fail(`error: invalid subresource value: ${JSON.stringify(subresource)}. Must be one of [${SUBRESOURCES.join(' ')}]\n`);
    ctx.budget.spend(parseSteps(text));
    const parsed = parseYaml(text);
    if (!parsed.ok) return fail(`error: unable to parse ${JSON.stringify(text)}: ${parsed.error}\n`);
    const patch = parsed.docs[0] ?? null;
    // Bounded before any merge walks it, as the API bounds a body (kubeapi/handler.ts bodyRefusal).
    const excess = sizeExcess(patch);
    if (excess) return fail(`Error from server (RequestEntityTooLarge): Request entity too large: the patch ${excess}\n`);
    const found = resolveOne(ctx, args);
    if (!found.ok) return fail(found.error);
    const { type, name, obj } = found.target;
    const kind = type.kind;
    // The builder GETs the subresource first: a kind without it is the apiserver's NotFound.
    const scalable = kind === 'Deployment' || kind === 'ReplicaSet' || kind === 'StatefulSet' ? kind : undefined;
    if ((subresource === 'status' && !WITH_STATUS.has(kind)) || (subresource === 'scale' && !scalable)) return fail('Error from server (NotFound): the server could not find the requested resource\n');
    if (!isManifestKind(kind)) return fail(`error: ${type.plural} cannot be patched in this simulator\n`);
    const stored = obj as KindMap[ManifestKind];
    const manifest = subresource === 'scale' ? scaleObject(ctx.state, scalable!, obj as Deployment) : toManifest(ctx.state, kind, obj);
    let patched: Json;
    if (patchType === 'json') {
      const r = jsonPatch(manifest, patch);
      if (!r.ok) {
        if (r.error === TOO_LARGE) return fail(`Error from server: ${r.error}\n`);
        return fail(r.error.startsWith('json:') ? `Error from server (BadRequest): ${r.error}\n` : `The request is invalid: ${r.error}\n`);
      }
      patched = r.doc;
      // Its copy ops may grow the object past what a manifest may hold.
      const grown = sizeExcess(patched);
      if (grown) return fail(`Error from server (RequestEntityTooLarge): Request entity too large: the object ${grown}\n`);
    } else {
      if (!isObject(patch)) return fail(`Error from server (BadRequest): json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}\n`);
      patched = patchType === 'merge' ? mergePatch(manifest, patch) : strategicMerge(manifest, patch);
    }
    if (!isObject(patched)) return fail('Error from server (BadRequest): json: cannot unmarshal into Go value of type map[string]interface {}\n');
    const meta = isObject(patched.metadata) ? patched.metadata : {};
    if (meta.name !== name) return fail(`Error from server (BadRequest): the name of the object (${String(meta.name ?? '')}) does not match the name on the URL (${name})\n`);
    if (type.namespaced && meta.namespace !== obj.metadata.namespace) {
      return fail('Error from server (BadRequest): the namespace of the provided object does not match the namespace sent on the request\n');
    }
    if (subresource !== '') return patchSubresource(ctx, { type, name, key: stateKey(type, obj.metadata.namespace ?? '', name), kind, scalable, subresource, manifest, patched, dryRun });
    const built = objectFromManifest(ctx.state, kind, patched, obj.metadata.namespace, stored, validation);
    if (!built.ok) return fail(problemText(kind, name, built.problem, (m) => m));
    const w = writeUpdate(ctx.state, kind, built.obj, stored, dryRun);
    const result = w.ok ? ok(`${refName(type, name)} patched${w.unchanged ? ' (no change)' : ''}${dryRunSuffix(dryRun)}\n`) : apiFail(w.error);
    return withWarnings(result, built.warnings);
  },
};
