// `kubectl apply -f -|FILE` and `kubectl create -f …`: YAML or JSON documents (`---`, a
// `kind: List`) from stdin or a node's files, each created or replaced through the apiserver.
// A manifest replaces the fields it describes (see ../from-manifest.ts); client-side apply
// (and create --save-config) records kubectl's last-applied-configuration annotation
// (../last-applied.ts), and warns on patching an object that has none.
// `apply --server-side` sends each object as an apply patch instead (../server-side-apply.ts).
import { KUSTOMIZE_FLAG } from './kustomize-flag.js';
import { MAX_STEPS_PER_LINE } from '../../budget.js';
import { isScalar, LineCounter, parseAllDocuments, visit, type Document, type YAMLError } from 'yaml';
import { createObject, deleteObject, err, objectKey, resourceName, updateObject, writeRefused, type KindMap } from '../../../cluster/api.js';
import { jsonObject, MAX_OBJECT_ENTRIES, sizeExcess } from '../../../cluster/json.js';
import { allocateNodePort, allocateServiceIP } from '../../../cluster/ipam.js';
import type { ApiError, ApiResult, ClusterState, ConfigMap, Service } from '../../../cluster/types.js';
import { isDirectory, listDirectory, readFile, resolvePath } from '../../vfs.js';
import type { CommandResult } from '../../types.js';
import { fail, ok } from '../../types.js';
import { apiErrorText } from '../api-error.js';
import { forbiddenError, refusal } from '../authorize.js';
import { kindServed, storedKindInfo } from '../../../cluster/stored-kinds.js';
import {
  isManifestKind, objectFromManifest, prepareUpdate, problemMessage, type FieldValidation, type ManifestKind, type ManifestProblem,
} from '../from-manifest.js';
import { toManifest, type Json } from '../manifest.js';
import type { JsonObject } from '../manifest-fields.js';
import { getObject, qualifiedSingular, resourceTypeByKind, type ResourceType } from '../resources.js';
import { DRY_RUN_FLAG } from '../flags.js';
import type { FlagSpec, KubectlContext, KubectlSubcommand, ParsedFlags } from '../types.js';
import { collect, refName } from './write-util.js';
import { diffDirs, objectDiff, type DiffDirs } from './diff.js';
import { kustomizeObjects } from './kustomize.js';
import { serverSideApply, staleVersion, type ApplyRequest } from '../server-side-apply.js';
import { LAST_APPLIED } from '../describe/writer.js';
import { mergedWithLive, missingAnnotationWarning, withLastApplied } from '../last-applied.js';


export type DryRun = 'none' | 'client' | 'server';

export const FILENAME_FLAGS: FlagSpec[] = [
  { name: 'filename', short: 'f', type: 'stringArray', usage: 'The files that contain the configurations to apply.' },
  KUSTOMIZE_FLAG,
  DRY_RUN_FLAG,
  { name: 'validate', type: 'string', default: 'strict', usage: 'Must be one of: strict (or true), warn, ignore (or false).' },
];

/** `--validate=strict|true|warn|ignore|false` as the apiserver's fieldValidation. */
export function parseValidate(flags: ParsedFlags): FieldValidation | { error: string } {
  const value = (flags.string('validate') ?? 'strict').toLowerCase();
  if (value === 'strict' || value === 'true') return 'Strict';
  if (value === 'warn') return 'Warn';
  if (value === 'ignore' || value === 'false') return 'Ignore';
  return { error: `error: invalid - validate option "${value}"; must be one of: strict (or true), warn, ignore (or false)\n` };
}

export function parseDryRun(flags: ParsedFlags): DryRun | { error: string } {
  const value = flags.string('dry-run') ?? 'none';
  if (value === 'none' || value === 'client' || value === 'server') return value;
  return { error: `error: Invalid dry-run value (${value}). Must be "none", "server", or "client".\n` };
}

/** The suffix kubectl adds to its success lines. */
export const dryRunSuffix = (dryRun: DryRun): string => (dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '');

/** go-yaml's wording for what the yaml package found wrong. */
function goYamlError(e: Pick<YAMLError, 'code' | 'message' | 'linePos'>): string {
  // go-yaml counts lines from 0 and leaves the number out on the first one.
  const line = (e.linePos?.[0]?.line ?? 1) - 1;
  const what =
    e.code === 'BLOCK_AS_IMPLICIT_KEY' ? 'mapping values are not allowed in this context'
      : e.code === 'TAB_AS_INDENT' ? 'found character that cannot start any token'
        : e.code === 'BAD_INDENT' ? 'did not find expected key'
          : e.code === 'MISSING_CHAR' && e.message.includes('quote') ? 'found unexpected end of stream'
            : e.code === 'MISSING_CHAR' && e.message.startsWith('Flow map') ? "did not find expected ',' or '}'"
              : e.code === 'MISSING_CHAR' && e.message.startsWith('Flow sequence') ? "did not find expected ',' or ']'"
                : 'did not find expected node content';
  return line > 0 ? `yaml: line ${line}: ${what}` : `yaml: ${what}`;
}

/**
 * A bound on how deeply a YAML text can nest: the deepest run of open flow brackets plus the
 * longest line prefix of indentation and block indicators (`- `, `? `, `: `). Quotes are not
 * read, so the bound is never below the real depth.
 */
function yamlNestingBound(text: string): number {
  let flow = 0;
  let maxFlow = 0;
  let maxLead = 0;
  let lead = 0;
  let leading = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lead = 0;
      leading = true;
      continue;
    }
    if (leading) {
      const next = text.charCodeAt(i + 1);
      const indicator = (c === 45 || c === 63 || c === 58) && (next === 32 || next === 10 || Number.isNaN(next));
      if (c === 32 || indicator) {
        if (++lead > maxLead) maxLead = lead;
        continue;
      }
      leading = false;
    }
    if (c === 123 || c === 91) {
      if (++flow > maxFlow) maxFlow = flow;
    } else if ((c === 125 || c === 93) && flow > 0) flow--;
  }
  return maxFlow + maxLead;
}

/**
 * The yaml library composes recursively and slows down sharply with depth (at about 1,000
 * levels it overflows the stack, and V8 may then abort the process compiling a regexp), so
 * deeper texts are refused first. No real object comes near it: pretty-printed JSON at 4-space
 * indentation counts 5 per level.
 */
const MAX_YAML_NESTING = 400;

/** The refusal of a YAML text nested past MAX_YAML_NESTING, or undefined. */
export function yamlTooDeep(text: string): string | undefined {
  return yamlNestingBound(text) > MAX_YAML_NESTING ? `yaml: exceeded max depth of ${MAX_YAML_NESTING}` : undefined;
}

/**
 * Parses YAML (or JSON) documents into JSON values; empty documents are skipped. A text that
 * would cost more than a line's whole budget to parse is refused: a shell command charges
 * parseSteps first, but the kube API's bodies and the kubelet's /configz have no budget.
 */
export function parseYaml(text: string): { ok: true; docs: Json[] } | { ok: false; error: string } {
  const steps = parseSteps(text);
  if (steps > MAX_STEPS_PER_LINE) return { ok: false, error: `yaml: document too large to parse here (${steps} steps of work, at most ${MAX_STEPS_PER_LINE})` };
  const tooDeep = yamlTooDeep(text);
  if (tooDeep) return { ok: false, error: tooDeep };
  const docs: Json[] = [];
  const lines = new LineCounter();
  // The library's own duplicate-key check compares each key with every one before it (20,000
  // keys in one mapping: 4 s); firstDuplicateKey does it in one pass.
  for (const doc of parseAllDocuments(text, { uniqueKeys: false, lineCounter: lines })) {
    const duplicate = firstDuplicateKey(doc);
    const problem = doc.errors[0];
    if (duplicate !== undefined && (!problem || duplicate < problem.pos[0])) {
      return { ok: false, error: goYamlError({ code: 'DUPLICATE_KEY', message: '', linePos: [lines.linePos(duplicate)] }) };
    }
    if (problem) return { ok: false, error: goYamlError(problem) };
    let value: Json | undefined;
    try {
      value = doc.toJS() as Json | undefined;
    } catch {
      // The yaml library refuses alias bombs ("billion laughs") as go-yaml does.
      return { ok: false, error: 'yaml: document contains excessive aliasing' };
    }
    if (value !== undefined && value !== null) docs.push(value);
  }
  return { ok: true, docs };
}

/** Where the first key repeated in its mapping starts (the library's test: scalars with the same value), or undefined. */
function firstDuplicateKey(doc: Document.Parsed): number | undefined {
  let first: number | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        if (!seen.has(key.value)) seen.add(key.value);
        else if (key.range && (first === undefined || key.range[0] < first)) first = key.range[0];
      }
    },
  });
  return first;
}

const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `Resource: "apps/v1, Resource=deployments", …`: how kubectl names an object in wrapped errors. */
function resourceInfo(type: ResourceType, name: string, namespace: string | undefined): string {
  const gv = type.group ? type.apiVersion : `/${type.apiVersion}`;
  return `Resource: "${gv}, Resource=${type.plural}", GroupVersionKind: "${gv}, Kind=${type.kind}"\nName: "${name}", Namespace: "${namespace ?? ''}"`;
}

/** A refused write of an object that exists: kubectl's `error when applying patch` wrapping. */
function patchFailure(type: ResourceType, name: string, namespace: string | undefined, patch: Json, source: string, error: ApiError): CommandResult {
  const message = `error when applying patch:\n${JSON.stringify(patch)}\nto:\n${resourceInfo(type, name, namespace)}\nfor: "${source}": error when patching "${source}": ${error.message}`;
  return fail(apiErrorText({ ...error, message }));
}

/** The apiserver's answer to a manifest it cannot decode or accept, as kubectl prints it. */
export function problemText(kind: string, name: string, problem: ManifestProblem, wrap: (message: string) => string): string {
  if (problem.reason === 'Invalid') return `${problemMessage(kind, name, problem)}\n`;
  return `Error from server (BadRequest): ${wrap(problem.message)}\n`;
}

/** ClusterIP and NodePorts the apiserver allocates on write (0 / '' = to allocate). */
/** A new or changed Service gets its cluster IP and node ports. */
export function allocate(state: ClusterState, svc: Service): void {
  if (svc.spec.clusterIP === '') svc.spec.clusterIP = allocateServiceIP(state);
  for (const p of svc.spec.ports) if (p.nodePort === 0) p.nodePort = allocateNodePort(state);
}

/**
 * The maps a command may fill key by key (labels and annotations on its line, a ConfigMap's or
 * Secret's data from a directory or an env file) past json.ts's MAX_OBJECT_ENTRIES, refused as
 * validation refuses a list that is too long (apimachinery field.TooMany). A manifest or a
 * request body was refused past it before anything was built from it.
 */
function tooManyEntries(kind: ManifestKind, obj: KindMap[ManifestKind]): ApiError | undefined {
  const { metadata } = obj;
  const maps: [string, object | undefined][] = [['metadata.labels', metadata.labels], ['metadata.annotations', metadata.annotations]];
  if (kind === 'ConfigMap') maps.push(['data', (obj as ConfigMap).data]);
  if ('fields' in obj) for (const field of ['data', 'stringData', 'binaryData']) maps.push([field, jsonObject(obj.fields[field])]);
  for (const [field, map] of maps) {
    const count = map === undefined ? 0 : Object.keys(map).length;
    if (count > MAX_OBJECT_ENTRIES) {
      return err(422, 'Invalid', `${kind} "${metadata.name}" is invalid: ${field}: Too many: ${count}: must have at most ${MAX_OBJECT_ENTRIES} items`).error;
    }
  }
  return undefined;
}

/** Creates a built object (the apiserver allocates a Service's addresses first). */
export function writeCreate<K extends ManifestKind>(state: ClusterState, kind: K, obj: KindMap[K]): ApiResult<KindMap[K]> {
  const refused = writeRefused(state) ?? tooManyEntries(kind, obj);
  if (refused) return { ok: false, error: refused };
  if (kind === 'Service') allocate(state, obj as Service);
  return createObject(state, kind, obj);
}

/** Writes a rebuilt object over the stored one (or reports it unchanged). */
/** `denied`: RBAC's Forbidden message for the request, which kubectl sends only for a change. */
export function writeUpdate<K extends ManifestKind>(state: ClusterState, kind: K, next: KindMap[K], stored: KindMap[K], dryRun: DryRun, denied?: string): { ok: true; unchanged: boolean; patch: Json } | { ok: false; error: ApiError; patch: Json } {
  const change = prepareUpdate(state, kind, next, stored);
  if (denied !== undefined && !change.unchanged && dryRun !== 'client') return { ok: false, error: forbiddenError(denied), patch: change.patch };
  if (change.unchanged || dryRun !== 'none') return { ok: true, unchanged: change.unchanged, patch: change.patch };
  const refused = writeRefused(state) ?? tooManyEntries(kind, next);
  if (refused) return { ok: false, error: refused, patch: change.patch };
  if (kind === 'Service') allocate(state, next as Service);
  const r = updateObject(state, kind, next);
  return r.ok ? { ok: true, unchanged: false, patch: change.patch } : { ok: false, error: r.error, patch: change.patch };
}

type Mode = 'apply' | 'create' | 'replace' | 'force-replace' | 'diff';

/** `Warning: unknown field "spec.foo"` lines of --validate=warn, before the result. */
export function withWarnings(result: CommandResult, warnings: string[]): CommandResult {
  return { ...result, stderr: warnings.map((w) => `Warning: ${w}\n`).join('') + result.stderr };
}

interface Options {
  mode: Mode;
  dryRun: DryRun;
  validation: FieldValidation;
  /** `apply --server-side`: the field manager and --force-conflicts. */
  serverSide?: { manager: string; force: boolean };
  /** `kubectl diff`: where the live and merged files are said to be. */
  dirs?: DiffDirs;
  /** `create --save-config`: record the last-applied-configuration as apply does. */
  saveConfig?: boolean;
  /** `kubectl edit`'s save: a patch of the whole object, which keeps a record only up to date (util.UpdateApplyAnnotation). */
  editing?: boolean;
}

function applyOne(ctx: KubectlContext, manifest: JsonObject, source: string, { mode, dryRun, validation, dirs, serverSide, saveConfig, editing }: Options): CommandResult {
  const kind = manifest.kind;
  const apiVersion = manifest.apiVersion;
  const validating = `error: error validating "${source}": error validating data: `;
  const ignore = '; if you choose to ignore these errors, turn validation off with --validate=false\n';
  if (typeof kind !== 'string' || kind === '') return fail(`${validating}kind not set${ignore}`);
  if (typeof apiVersion !== 'string' || apiVersion === '') return fail(`${validating}apiVersion not set${ignore}`);
  const metadata = isObject(manifest.metadata) ? manifest.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const given = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined;
  const type = resourceTypeByKind(kind);
  const custom = storedKindInfo(kind);
  if (!type || type.apiVersion !== apiVersion || (custom && !kindServed(ctx.state.stored, custom))) {
    return fail(`error: resource mapping not found for name: "${name}" namespace: "${given ?? ''}" from "${source}": no matches for kind "${kind}" in version "${apiVersion}"\nensure CRDs are installed first\n`);
  }
  if (!isManifestKind(kind)) return fail(`error: ${type.plural} cannot be written from a manifest in this simulator (supported: every kind but replicasets, endpoints and events)\n`);
  if (type.namespaced && ctx.namespaceExplicit && given !== undefined && given !== ctx.namespace) {
    return fail(`error: the namespace from the provided object "${given}" does not match the namespace "${ctx.namespace}". You must pass '--namespace=${given}' to perform this operation.\n`);
  }
  const namespace = type.namespaced ? given ?? ctx.namespace : undefined;
  if (mode === 'apply' && name === '') {
    return fail(`error: error when retrieving current configuration of:\n${resourceInfo(type, name, namespace)}\nfrom server for: "${source}": resource name may not be empty\n`);
  }
  const ref = refName(type, name);
  // Bounded before any merge walks it, as the API bounds a body (kubeapi/handler.ts bodyRefusal).
  const excess = sizeExcess(manifest);
  if (excess) return fail(`Error from server (RequestEntityTooLarge): error when ${mode === 'create' ? 'creating' : mode === 'apply' ? 'applying' : 'replacing'} "${source}": Request entity too large: the object ${excess}\n`);
  if (mode === 'apply' && serverSide) return serverSideOne(ctx, { type, kind, namespace, name, applied: manifest, ...serverSide, dryRun: dryRun === 'server', validation }, ref);
  const stored = getObject(ctx.state, type, namespace ?? '', name) as KindMap[ManifestKind] | undefined;
  // What kubectl sends carries its record of what was applied (the 3-way merge's original next time).
  const records = editing ? stored?.metadata.annotations[LAST_APPLIED] !== undefined : mode === 'apply' || (mode === 'create' && saveConfig);
  if (records) manifest = withLastApplied(manifest, namespace);
  // RBAC on each request kubectl sends for this object (authorize.ts): apply gets then creates
  // or patches, create posts, replace gets the resourceVersion it lacks then puts.
  const denied = (verb: string, named?: string): string | undefined => refusal(ctx.state, verb, type, named, namespace);
  const sends = dryRun !== 'client';
  const getDenied = mode === 'apply' || (mode === 'replace' && metadata.resourceVersion === undefined) ? denied('get', name) : undefined;
  if (getDenied !== undefined) {
    const message = mode === 'apply' ? `error when retrieving current configuration of:\n${resourceInfo(type, name, namespace)}\nfrom server for: "${source}": ${getDenied}` : `error when replacing "${source}": ${getDenied}`;
    return fail(apiErrorText(forbiddenError(message)));
  }
  const createDenied = sends && (mode === 'create' || (mode === 'apply' && !stored)) ? denied('create') : undefined;
  if (createDenied !== undefined) return fail(apiErrorText(forbiddenError(`error when creating "${source}": ${createDenied}`)));
  const cannotHandle = (m: string): string => `${kind} in version "${apiVersion.split('/').at(-1)}" cannot be handled as a ${kind}: ${m}`;
  if (mode === 'create' && stored) {
    return fail(`Error from server (AlreadyExists): error when creating "${source}": ${resourceName(kind)} "${name}" already exists\n`);
  }
  if (mode === 'force-replace') {
    if (!stored) return applyOne(ctx, manifest, source, { mode: 'replace', dryRun, validation });
    const deleted = deleteObject(ctx.state, kind, objectKey(namespace ?? '', name), { force: true });
    if (!deleted.ok) return fail(apiErrorText(deleted.error));
    const created = applyOne(ctx, manifest, source, { mode: 'create', dryRun, validation });
    return { ...created, stdout: `${qualifiedSingular(type)} "${name}" deleted\n${created.stdout.replace(/ created\n$/, ' replaced\n')}` };
  }
  if (mode === 'replace' && !stored) {
    return fail(`Error from server (NotFound): error when replacing "${source}": ${resourceName(kind)} "${name}" not found\n`);
  }
  // The 3-way merge keeps what others wrote into the maps it merges (last-applied.ts).
  if (mode === 'apply' && !editing && stored) manifest = mergedWithLive(manifest, toManifest(ctx.state, kind, stored) as JsonObject);
  const built = objectFromManifest(ctx.state, kind, manifest, namespace, stored, validation);
  if (built.ok && built.warnings.length > 0) return withWarnings(applyOne(ctx, manifest, source, { mode, dryRun, validation: 'Ignore', saveConfig, editing, ...(dirs ? { dirs } : {}) }), built.warnings);
  if (mode === 'diff') {
    if (!built.ok) return fail(problemText(kind, name, built.problem, (m) => m));
    const live = stored ? toManifest(ctx.state, kind, stored) : undefined;
    const merged = toManifest(ctx.state, kind, built.obj) as JsonObject;
    // The dry run bumps metadata.generation when the spec changes.
    if (live && isObject(live) && JSON.stringify(live.spec) !== JSON.stringify(merged.spec) && isObject(merged.metadata) && typeof merged.metadata.generation === 'number') {
      merged.metadata = { ...merged.metadata, generation: merged.metadata.generation + 1 };
    }
    return objectDiff(ctx.state, ctx.budget, dirs ?? diffDirs(ctx.state), { type, namespace, name }, live, merged);
  }
  if (!stored) {
    if (!built.ok) return fail(problemText(kind, name, built.problem, (m) => `error when creating "${source}": ${cannotHandle(m)}`));
    if (dryRun !== 'none') return ok(`${ref} created${dryRunSuffix(dryRun)}\n`);
    const r = writeCreate(ctx.state, kind, built.obj);
    if (!r.ok) return fail(apiErrorText({ ...r.error, message: `error when creating "${source}": ${r.error.message}` }));
    return ok(`${ref} created\n`);
  }
  // The PUT's resourceVersion is a precondition (kubectl sends the file's as it is).
  const stale = mode === 'replace' && sends && (denied('update', name) === undefined) ? staleVersion(type, name, manifest, stored.metadata.resourceVersion) : undefined;
  if (stale) return fail(apiErrorText({ ...stale, message: `error when replacing "${source}": ${stale.message}` }));
  if (!built.ok && mode === 'replace') return fail(problemText(kind, name, built.problem, (m) => `error when replacing "${source}": ${cannotHandle(m)}`));
  // apply.go warns before patching an object no apply (nor create --save-config) recorded.
  const unrecorded = mode === 'apply' && !editing && stored.metadata.annotations[LAST_APPLIED] === undefined ? missingAnnotationWarning(`${type.plural}/${name}`) : '';
  if (!built.ok) {
    const patch = Object.fromEntries(Object.entries(manifest).filter(([k]) => k !== 'status'));
    return warnedFirst(unrecorded, fail(problemText(kind, name, built.problem, (m) => `error when applying patch:\n${JSON.stringify(patch)}\nto:\n${resourceInfo(type, name, namespace)}\nfor: "${source}": error when patching "${source}": ${cannotHandle(m)}`)));
  }
  const updateDenied = mode === 'replace' && sends ? denied('update', name) : undefined;
  if (updateDenied !== undefined) return fail(apiErrorText(forbiddenError(`error when replacing "${source}": ${updateDenied}`)));
  const w = writeUpdate(ctx.state, kind, built.obj, stored, dryRun, mode === 'apply' ? denied('patch', name) : undefined);
  if (mode === 'replace') {
    if (!w.ok) return fail(apiErrorText({ ...w.error, message: `error when replacing "${source}": ${w.error.message}` }));
    return ok(`${ref} replaced${dryRunSuffix(dryRun)}\n`);
  }
  if (!w.ok) return warnedFirst(unrecorded, patchFailure(type, name, namespace, w.patch, source, w.error));
  return warnedFirst(unrecorded, ok(`${ref} ${w.unchanged ? 'unchanged' : 'configured'}${dryRunSuffix(dryRun)}\n`));
}

/** A warning kubectl prints before the request's outcome. */
const warnedFirst = (warning: string, result: CommandResult): CommandResult => (warning === '' ? result : { ...result, stderrFirst: warning + (result.stderrFirst ?? '') });

/**
 * `apply --server-side`: one PATCH application/apply-patch+yaml (apply.go applyOneObject), its
 * conflicts wrapped in kubectl's advice.
 */
function serverSideOne(ctx: KubectlContext, req: ApplyRequest, ref: string): CommandResult {
  const denied = refusal(ctx.state, 'patch', req.type, req.name, req.namespace);
  if (denied !== undefined) return fail(apiErrorText(forbiddenError(denied)));
  const r = serverSideApply(ctx.state, req);
  if (r.ok) return withWarnings(ok(`${ref} serverside-applied${req.dryRun ? ' (server dry run)' : ''}\n`), r.warnings);
  if ('conflict' in r) return fail(`error: ${r.conflict.message}\n${CONFLICT_ADVICE}`);
  if ('problem' in r) return fail(problemText(req.kind, req.name, r.problem, (m) => m));
  return fail(apiErrorText(r.error));
}

/** What kubectl adds to an apply's conflicts (apply.go). */
const CONFLICT_ADVICE = `Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
`;

// The yaml parser takes about half a microsecond per character, and far more per level of
// `[`/`{` nesting (`[[[[…` of 1000 levels: tens of ms): steps charged before a source is parsed.
const PARSE_STEPS_PER_CHAR = 50;
const PARSE_STEPS_PER_NESTING_LEVEL = 3000;

export function parseSteps(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
    else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  // Past MAX_YAML_NESTING the text is refused (yamlTooDeep) before the parser sees it.
  return PARSE_STEPS_PER_CHAR * text.length + PARSE_STEPS_PER_NESTING_LEVEL * Math.min(deepest, MAX_YAML_NESTING + 1);
}

/** The texts `-f` names: `-` is stdin, else files (vfs) or the manifests in a directory. */
function readSources(ctx: KubectlContext, names: string[]): { ok: true; sources: { name: string; text: string }[] } | { ok: false; error: string } {
  const sources: { name: string; text: string }[] = [];
  for (const name of names) {
    if (name === '-') {
      sources.push({ name: 'STDIN', text: ctx.stdin });
      continue;
    }
    const abs = resolvePath(ctx.session, name);
    // A directory: its .yaml, .yml and .json files, in name order.
    const names = isDirectory(ctx.state, ctx.session, abs)
      ? listDirectory(ctx.state, ctx.session, abs).filter((e) => !e.dir && /\.(ya?ml|json)$/.test(e.name)).map((e) => `${name.replace(/\/$/, '')}/${e.name}`)
      : [name];
    for (const each of names) {
      const file = readFile(ctx, 'kubectl', each);
      if (file.ok) sources.push({ name: each, text: file.content });
      else if (file.error.includes('Permission denied')) return { ok: false, error: `error: open ${each}: permission denied\n` };
      else return { ok: false, error: `error: the path "${each}" does not exist\n` };
    }
  }
  return { ok: true, sources };
}

/** `apply -f` / `create -f` / `-k DIR`: every object of every file, in order; errors after the output. */
export function fromFiles(ctx: KubectlContext, flags: ParsedFlags, mode: Mode, serverSide?: Options['serverSide'], editing = false): CommandResult {
  const files = flags.all('filename');
  const kustomized = kustomizeObjects(ctx, flags);
  if (kustomized && !kustomized.ok) return kustomized.result;
  if (files.length === 0 && !kustomized) return fail('error: must specify one of -f and -k\n');
  const dryRun = parseDryRun(flags);
  if (typeof dryRun !== 'string') return fail(dryRun.error);
  const validation = parseValidate(flags);
  if (typeof validation !== 'string') return fail(validation.error);
  const results: CommandResult[] = [];
  const dirs = mode === 'diff' ? diffDirs(ctx.state) : undefined;
  const saveConfig = mode === 'create' && flags.bool('save-config');
  const options: Options = { mode, dryRun, validation, saveConfig, editing, ...(dirs ? { dirs } : {}), ...(serverSide ? { serverSide } : {}) };
  if (kustomized) {
    for (const obj of kustomized.objects) results.push(applyOne(ctx, obj, kustomized.dir, options));
    if (results.length === 0) return fail(`${kustomized.stderr}error: no objects passed to ${mode}\n`);
    const all = collect(results);
    return { ...all, stderrFirst: kustomized.stderr + (all.stderrFirst ?? '') };
  }
  const read = readSources(ctx, files);
  if (!read.ok) return fail(read.error);
  for (const source of read.sources) ctx.budget.spend(parseSteps(source.text));
  for (const source of read.sources) {
    const parsed = parseYaml(source.text);
    if (!parsed.ok) return fail(`error: error parsing ${source.name}: error converting YAML to JSON: ${parsed.error}\n`);
    const objects = parsed.docs.flatMap((d) => (isObject(d) && d.kind === 'List' && Array.isArray(d.items) ? d.items : [d]));
    for (const obj of objects) {
      if (!isObject(obj)) {
        results.push(fail(`error: unable to decode "${source.name}": json: cannot unmarshal ${Array.isArray(obj) ? 'array' : typeof obj} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }\n`));
        continue;
      }
      results.push(applyOne(ctx, obj, source.name, options));
    }
  }
  if (results.length === 0) return fail(`error: no objects passed to ${mode}\n`);
  return collect(results);
}

// `kubectl replace -f FILE`: the object must exist and is replaced whole; --force deletes it
// first and creates it again (replace.go forceReplace).
export const replaceCommand: KubectlSubcommand = {
  name: 'replace',
  short: 'Replace a resource by file name or stdin',
  usage: 'kubectl replace -f FILENAME [options]',
  flags: [...FILENAME_FLAGS, { name: 'force', type: 'bool', usage: 'If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation.' }],
  run: (ctx, args, flags) => {
    if (args.length > 0) return fail(`error: Unexpected args: [${args.join(' ')}]\nSee 'kubectl replace -h' for help and examples\n`);
    if (!flags.bool('force')) return fromFiles(ctx, flags, 'replace');
    // replace.go Validate: a forced replace deletes first, so it cannot be a dry run.
    if ((flags.string('dry-run') ?? 'none') !== 'none') return fail('error: --dry-run can not be used when --force is set\n');
    return fromFiles(ctx, flags, 'force-replace');
  },
};

// `kubectl diff -f FILE`: exit 1 when the server would change something, 0 when not.
export const diffCommand: KubectlSubcommand = {
  name: 'diff',
  short: 'Diff the live version against a would-be applied version',
  usage: 'kubectl diff -f FILENAME [options]',
  flags: [...FILENAME_FLAGS, { name: 'server-side', type: 'bool', usage: 'If true, apply runs in the server instead of the client.' }],
  run: (ctx, args, flags) => {
    if (args.length > 0) return fail(`error: Unexpected args: [${args.join(' ')}]\nSee 'kubectl diff -h' for help and examples\n`);
    return fromFiles(ctx, flags, 'diff');
  },
};

export const applyCommand: KubectlSubcommand = {
  name: 'apply',
  short: 'Apply a configuration to a resource by file name or stdin',
  usage: 'kubectl apply (-f FILENAME | -k DIRECTORY) [options]',
  flags: [
    ...FILENAME_FLAGS,
    { name: 'server-side', type: 'bool', usage: 'If true, apply runs in the server instead of the client.' },
    { name: 'force-conflicts', type: 'bool', usage: 'If true, server-side apply will force the changes against conflicts.' },
    { name: 'field-manager', type: 'string', usage: 'Name of the manager used to track field ownership.' },
  ],
  run: (ctx, args, flags) => {
    if (args.length > 0) return fail(`error: Unexpected args: [${args.join(' ')}]\nSee 'kubectl apply -h' for help and examples\n`);
    // apply.go Validate and GetApplyFieldManagerFlag (`kubectl` for server-side apply).
    const serverSide = flags.bool('server-side');
    if (flags.bool('force-conflicts') && !serverSide) return fail('error: --force-conflicts only works with --server-side\n');
    if (serverSide && flags.string('dry-run') === 'client') return fail('error: --dry-run=client doesn\'t work with --server-side (did you mean --dry-run=server instead?)\n');
    if (!serverSide) return fromFiles(ctx, flags, 'apply');
    return fromFiles(ctx, flags, 'apply', { manager: flags.string('field-manager') ?? 'kubectl', force: flags.bool('force-conflicts') });
  },
};
