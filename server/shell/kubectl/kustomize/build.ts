// Kustomize as kubectl v1.29 embeds it (kustomize v5.0.4, sigs.k8s.io/kustomize/api/krusty):
// a kustomization directory built into a list of objects over the session's files (vfs). The
// fields an SRE uses: resources (files and bases), generators with their content hash
// (hash.ts), patches, namespace, name prefix/suffix with the references that follow the
// renames, labels, annotations, images and replicas. The transformers run in kustomize's
// builtin order; the hash suffix and the reference fix-ups happen once, at the top
// (kusttarget.makeCustomizedResMap), and the result is sorted in the legacy order.
// A hostile kustomization is bounded: base depth, kustomizations and files read, bytes read,
// and every step charged to the line's budget.
import type { CommandContext } from '../../types.js';
import { isDirectory, readFile } from '../../vfs.js';
import { parseSteps, parseYaml } from '../commands/apply.js';
import { jsonPatch, strategicMerge } from '../commands/patch.js';
import type { Json } from '../manifest.js';
import type { JsonObject } from '../manifest-fields.js';
import { RE2JS } from 're2js';
import { Document, visit } from 'yaml';
import { resourceTypeByKind } from '../resources.js';
import { kustomizeHash } from './hash.js';

/** Bases nested deeper than this are refused (kustomize has no bound; cycles aside, none needs it). */
export const MAX_BASE_DEPTH = 16;
/** Kustomizations plus files read in one build: a diamond of bases is read again at each path. */
export const MAX_BUILD_READS = 500;
/** Objects one build may hold. */
export const MAX_BUILD_OBJECTS = 2000;
/** Characters of files one build may read. */
export const MAX_BUILD_CHARS = 8 * 2 ** 20;
/** Steps charged per object for each transformer pass over it. */
const STEPS_PER_OBJECT = 200;

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** The fields of types.Kustomization (v5.0.4); the last group is refused as not simulated. */
const SUPPORTED_FIELDS = new Set([
  'apiVersion', 'kind', 'metadata', 'resources', 'bases', 'namespace', 'namePrefix', 'nameSuffix', 'commonLabels', 'labels',
  'commonAnnotations', 'images', 'replicas', 'configMapGenerator', 'secretGenerator', 'generatorOptions', 'patches',
  'patchesStrategicMerge', 'patchesJson6902', 'buildMetadata', 'sortOptions',
]);
const UNSIMULATED_FIELDS = new Set([
  'openapi', 'crds', 'components', 'replacements', 'vars', 'imageTags', 'helmGlobals', 'helmCharts',
  'helmChartInflationGenerator', 'configurations', 'generators', 'transformers', 'validators',
]);
/** types.Kustomization's scalar and string-list fields, checked as encoding/json decodes them. */
const FIELD_TYPES: Record<string, 'string' | '[]string'> = {
  namespace: 'string', namePrefix: 'string', nameSuffix: 'string', resources: '[]string', bases: '[]string', patchesStrategicMerge: '[]string',
};
const DEPRECATED: Record<string, string> = { bases: 'resources', patchesStrategicMerge: 'patches', patchesJson6902: 'patches' };

export class KustomizeError extends Error {}

const isObject = (v: Json | undefined): v is JsonObject => v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
const asObject = (v: Json | undefined): JsonObject => (isObject(v) ? v : {});
const strings = (v: Json | undefined): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

interface Id { kind: string; name: string; namespace: string }

/** One object of the build, with the names it had before (patches and references find it by any). */
interface Res {
  obj: JsonObject;
  previous: Id[];
  /** A generator made it and its name gets the content hash (internal.config.kubernetes.io/needsHashSuffix). */
  needsHash: boolean;
}

interface Env {
  ctx: CommandContext;
  reads: number;
  chars: number;
  warnings: string[];
}

const meta = (obj: JsonObject): JsonObject => {
  if (!isObject(obj.metadata)) obj.metadata = {};
  return obj.metadata as JsonObject;
};
const nameOf = (obj: JsonObject): string => (typeof asObject(obj.metadata).name === 'string' ? (asObject(obj.metadata).name as string) : '');
const namespaceOf = (obj: JsonObject): string => (typeof asObject(obj.metadata).namespace === 'string' ? (asObject(obj.metadata).namespace as string) : '');
const kindOf = (obj: JsonObject): string => (typeof obj.kind === 'string' ? obj.kind : '');
const idOf = (obj: JsonObject): Id => ({ kind: kindOf(obj), name: nameOf(obj), namespace: namespaceOf(obj) });

function groupVersion(obj: JsonObject): { group: string; version: string } {
  const av = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const i = av.indexOf('/');
  return i >= 0 ? { group: av.slice(0, i), version: av.slice(i + 1) } : { group: '', version: av };
}

/** resid.ResId.String(): `Deployment.v1.apps/web.[noNs]`. */
function idString(obj: JsonObject): string {
  const { group, version } = groupVersion(obj);
  return `${kindOf(obj) || '[noKind]'}.${version || '[noVer]'}.${group || '[noGrp]'}/${nameOf(obj)}.${namespaceOf(obj) || '[noNs]'}`;
}

/** Whether kustomize's openapi data knows the kind as cluster-scoped; unknown kinds are namespaced. */
const clusterScoped = (kind: string): boolean => resourceTypeByKind(kind)?.namespaced === false;

function join(dir: string, path: string): string {
  const parts = (path.startsWith('/') ? path : `${dir}/${path}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return `/${out.join('/')}`;
}

const noSuchFile = (abs: string): string => `evalsymlink failure on '${abs}' : lstat ${abs}: no such file or directory`;

function charge(env: Env, text: string): void {
  env.reads++;
  env.chars += text.length;
  if (env.reads > MAX_BUILD_READS) throw new KustomizeError(`kustomization reads more than ${MAX_BUILD_READS} files and directories (a simulator limit)`);
  if (env.chars > MAX_BUILD_CHARS) throw new KustomizeError(`kustomization reads more than ${MAX_BUILD_CHARS} bytes (a simulator limit)`);
  env.ctx.budget.spend(parseSteps(text));
}

/** A file's text, or undefined when there is none (a directory or nothing). */
function readText(env: Env, abs: string): string | undefined {
  if (isDirectory(env.ctx.state, env.ctx.session, abs)) return undefined;
  const r = readFile(env.ctx, 'kubectl', abs);
  if (!r.ok) return undefined;
  charge(env, r.content);
  return r.content;
}

const fileExists = (env: Env, abs: string): boolean => !isDirectory(env.ctx.state, env.ctx.session, abs) && readFile(env.ctx, 'kubectl', abs).ok;

function mustRead(env: Env, abs: string): string {
  const text = readText(env, abs);
  if (text === undefined) throw new KustomizeError(noSuchFile(abs));
  return text;
}

function parseDocs(text: string, file: string): Json[] {
  const parsed = parseYaml(text);
  if (!parsed.ok) throw new KustomizeError(`MalformedYAMLError: ${parsed.error} in File: ${file}`);
  return parsed.docs;
}

/** The objects of a resource file (`kind: List` items spread). */
function objectsOf(text: string, file: string): JsonObject[] {
  const out: JsonObject[] = [];
  for (const doc of parseDocs(text, file)) {
    const items = isObject(doc) && kindOf(doc).endsWith('List') && Array.isArray(doc.items) ? doc.items : [doc];
    for (const item of items) {
      if (!isObject(item)) throw new KustomizeError(`MalformedYAMLError: yaml: unmarshal errors: cannot unmarshal into an object in File: ${file}`);
      if (kindOf(item) === '') throw new KustomizeError(`missing Resource metadata`);
      out.push(structuredClone(item));
    }
  }
  return out;
}

function append(list: Res[], res: Res): void {
  const id = idString(res.obj);
  if (list.some((r) => idString(r.obj) === id)) throw new KustomizeError(`may not add resource with an already registered id: ${id}`);
  if (list.length >= MAX_BUILD_OBJECTS) throw new KustomizeError(`kustomization builds more than ${MAX_BUILD_OBJECTS} objects (a simulator limit)`);
  list.push(res);
}

/** The kustomization file of a directory, parsed and checked. */
function loadKustomization(env: Env, dir: string): JsonObject {
  const file = KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((abs) => fileExists(env, abs));
  if (file === undefined) throw new KustomizeError(`unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${dir}'`);
  const docs = parseDocs(mustRead(env, file), file);
  const k = docs.length === 0 ? {} : docs[0];
  if (!isObject(k)) throw new KustomizeError(`invalid Kustomization: json: cannot unmarshal ${Array.isArray(k) ? 'array' : typeof k} into Go value of type types.Kustomization`);
  for (const key of Object.keys(k)) {
    if (UNSIMULATED_FIELDS.has(key)) throw new KustomizeError(`kustomization field "${key}" is not simulated here (supported: ${[...SUPPORTED_FIELDS].filter((f) => !['apiVersion', 'kind', 'metadata'].includes(f)).join(', ')})`);
    if (!SUPPORTED_FIELDS.has(key)) throw new KustomizeError(`invalid Kustomization: json: unknown field "${key}"`);
  }
  for (const [field, want] of Object.entries(FIELD_TYPES)) {
    const v = k[field];
    if (v === undefined || v === null) continue;
    const fits = want === 'string' ? typeof v === 'string' : Array.isArray(v) && v.every((e) => typeof e === 'string');
    if (!fits) throw new KustomizeError(`invalid Kustomization: json: cannot unmarshal ${want === 'string' || !Array.isArray(v) ? goJsonType(v) : goJsonType(v.find((e) => typeof e !== 'string')!)} into Go struct field Kustomization.${field} of type ${want === '[]string' && Array.isArray(v) ? 'string' : want}`);
  }
  if (k.kind !== undefined && k.kind !== 'Kustomization') throw new KustomizeError(`kind "${String(k.kind)}" is not a Kustomization`);
  for (const [old, now] of Object.entries(DEPRECATED)) {
    if (k[old] !== undefined) env.warnings.push(`# Warning: '${old}' is deprecated. Please use '${now}' instead. Run 'kustomize edit fix' to update your Kustomization automatically.`);
  }
  return k;
}

/** One kustomization directory built (without the top's hash and reference fix-ups). */
function buildDir(env: Env, dir: string, stack: string[]): Res[] {
  if (stack.length > MAX_BASE_DEPTH) throw new KustomizeError(`bases nested deeper than ${MAX_BASE_DEPTH} (a simulator limit)`);
  const k = loadKustomization(env, dir);
  const list: Res[] = [];
  for (const entry of [...strings(k.bases), ...strings(k.resources)]) {
    const abs = join(dir, entry);
    const base = isDirectory(env.ctx.state, env.ctx.session, abs);
    for (const res of accumulate(env, dir, entry, stack)) {
      try {
        append(list, res);
      } catch (e) {
        if (!(e instanceof KustomizeError) || e.message.includes('(a simulator limit)')) throw e;
        throw new KustomizeError(base
          ? `accumulating resources: accumulation err='accumulating resources from '${entry}': '${abs}' must resolve to a file': recursed merging from path '${abs}': ${e.message}`
          : `accumulating resources: accumulation err='merging resources from '${entry}': ${e.message}': must build at directory: '${abs}': file is not directory`);
      }
    }
  }
  generate(env, dir, k, list);
  transform(env, dir, k, list);
  return list;
}

/** One `resources` entry: a file of objects, else a directory (a base); wrapped as kustomize does. */
function accumulate(env: Env, dir: string, entry: string, stack: string[]): Res[] {
  const abs = join(dir, entry);
  if (/^(https?:\/\/|git@|github\.com\/)/.test(entry)) throw new KustomizeError(`accumulating resources: accumulation err='accumulating resources from '${entry}': URL is a git repository': remote bases are not reachable from this workstation`);
  if (isDirectory(env.ctx.state, env.ctx.session, abs)) {
    const wrap = (m: string): KustomizeError => new KustomizeError(`accumulating resources: accumulation err='accumulating resources from '${entry}': '${abs}' must resolve to a file': ${m}`);
    // The loader refuses a root that contains one already being built (api/internal/loader).
    const visited = stack.find((root) => root === abs || root.startsWith(`${abs}/`));
    if (visited !== undefined) throw wrap(`cycle detected: candidate root '${abs}' contains visited root '${visited}'`);
    if (!KUSTOMIZATION_FILES.some((f) => fileExists(env, join(abs, f)))) throw wrap(`couldn't make target for path '${abs}': unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${abs}'`);
    try {
      return buildDir(env, abs, [...stack, abs]);
    } catch (e) {
      if (e instanceof KustomizeError && !e.message.includes('(a simulator limit)')) throw wrap(`recursed accumulation of path '${abs}': ${e.message}`);
      throw e;
    }
  }
  const text = readText(env, abs);
  if (text === undefined) {
    throw new KustomizeError(`accumulating resources: accumulation err='accumulating resources from '${entry}': ${noSuchFile(abs)}': must build at directory: not a valid directory: ${noSuchFile(abs)}`);
  }
  try {
    return objectsOf(text, entry).map((obj) => ({ obj, previous: [], needsHash: false }));
  } catch (e) {
    if (e instanceof KustomizeError && e.message.startsWith('MalformedYAMLError')) throw new KustomizeError(`accumulating resources: accumulating resources from '${entry}': ${e.message}`);
    throw e;
  }
}

// ---- generators (api/kv, api/generators) ----

/** A literal `KEY=VALUE`; quotes around the value are dropped (kv.parseLiteralSource). */
function literal(source: string): [string, string] {
  const i = source.indexOf('=');
  if (i <= 0) throw new KustomizeError(`invalid literal source ${source}, expected key=value`);
  let value = source.slice(i + 1);
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) value = value.slice(1, -1);
  return [source.slice(0, i), value];
}

/** An env file's `KEY=VALUE` lines; blank lines and `#` comments skipped (kv.keyValuesFromLines). */
function envPairs(text: string): [string, string][] {
  const out: [string, string][] = [];
  text.replace(/^\uFEFF/, '').split('\n').forEach((raw) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const i = line.indexOf('=');
    const key = i < 0 ? line : line.slice(0, i);
    // A key alone takes the value from kustomize's own environment, which has none of them here.
    out.push([key, i < 0 ? '' : line.slice(i + 1)]);
  });
  return out;
}

/** A generator's file (env or data), or the loader's refusal as `loading KV pairs` words it. */
function sourceText(env: Env, dir: string, path: string, sources: string): string {
  const abs = join(dir, path);
  if (isDirectory(env.ctx.state, env.ctx.session, abs)) throw new KustomizeError(`loading KV pairs: ${sources}: '${abs}' must resolve to a file`);
  const text = readText(env, abs);
  if (text === undefined) throw new KustomizeError(`loading KV pairs: ${sources}: ${noSuchFile(abs)}`);
  return text;
}

function generatorData(env: Env, dir: string, g: JsonObject): [string, string][] {
  const pairs: [string, string][] = [];
  const envFiles = [...strings(g.envs), ...(typeof g.env === 'string' ? [g.env] : [])];
  for (const file of envFiles) pairs.push(...envPairs(sourceText(env, dir, file, `env source files: [${envFiles.join(' ')}]`)));
  const literals = strings(g.literals);
  try {
    for (const source of literals) pairs.push(literal(source));
  } catch (e) {
    if (e instanceof KustomizeError) throw new KustomizeError(`loading KV pairs: literal sources [${literals.join(' ')}]: ${e.message}`);
    throw e;
  }
  const files = strings(g.files);
  for (const source of files) {
    const i = source.indexOf('=');
    const path = i < 0 ? source : source.slice(i + 1);
    const key = i < 0 ? path.split('/').at(-1)! : source.slice(0, i);
    if (i === 0) throw new KustomizeError(`loading KV pairs: file sources: [${files.join(' ')}]: key name for file path ${path} missing`);
    pairs.push([key, sourceText(env, dir, path, `file sources: [${files.join(' ')}]`)]);
  }
  const seen = new Set<string>();
  for (const [key] of pairs) {
    if (seen.has(key)) throw new KustomizeError(`configmap ${String(g.name ?? '')} illegally repeats the key \`${key}\``);
    seen.add(key);
  }
  return pairs;
}

function generate(env: Env, dir: string, k: JsonObject, list: Res[]): void {
  const options = asObject(k.generatorOptions);
  for (const [field, kind] of [['configMapGenerator', 'ConfigMap'], ['secretGenerator', 'Secret']] as const) {
    const gens = Array.isArray(k[field]) ? (k[field] as Json[]) : [];
    for (const each of gens) {
      const g = asObject(each);
      const name = typeof g.name === 'string' ? g.name : '';
      const namespace = typeof g.namespace === 'string' ? g.namespace : '';
      const pairs = generatorData(env, dir, g).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const data: JsonObject = Object.fromEntries(kind === 'Secret' ? pairs.map(([key, v]) => [key, Buffer.from(v).toString('base64')]) : pairs);
      const own = asObject(g.options);
      const labels = { ...asObject(options.labels), ...asObject(own.labels) };
      const annotations = { ...asObject(options.annotations), ...asObject(own.annotations) };
      const noHash = own.disableNameSuffixHash ?? options.disableNameSuffixHash;
      const behavior = typeof g.behavior === 'string' ? g.behavior : 'create';
      const obj: JsonObject = { apiVersion: 'v1', kind, metadata: { name } };
      if (namespace) meta(obj).namespace = namespace;
      if (Object.keys(labels).length > 0) meta(obj).labels = labels;
      if (Object.keys(annotations).length > 0) meta(obj).annotations = annotations;
      if (pairs.length > 0) obj.data = data;
      if (kind === 'Secret') obj.type = typeof g.type === 'string' ? g.type : 'Opaque';
      if (behavior === 'create') {
        append(list, { obj, previous: [], needsHash: noHash !== true });
        continue;
      }
      if (behavior !== 'merge' && behavior !== 'replace') throw new KustomizeError(`unknown generator behavior '${behavior}'`);
      const matches = list.filter((r) => kindOf(r.obj) === kind && nameOf(r.obj) === name && (namespace === '' || namespaceOf(r.obj) === namespace));
      if (matches.length !== 1) {
        throw new KustomizeError(matches.length === 0
          // The generator's Go value prints as a pointer (%v of a struct holding one): a fixed one here.
          ? `merging from generator &{0xc0007ee680 <nil>}: id resid.ResId{Gvk:resid.Gvk{Group:"", Version:"v1", Kind:"${kind}", isClusterScoped:false}, Name:"${name}", Namespace:"${namespace}"} does not exist; cannot merge or replace`
          : `found multiple objects ${matches.map((m) => idString(m.obj)).join(', ')} that could accept merge of ${kind}.v1.[noGrp]/${name}.${namespace || '[noNs]'}`);
      }
      const target = matches[0]!;
      const m = meta(target.obj);
      if (behavior === 'replace') target.obj.data = data;
      else target.obj.data = { ...asObject(target.obj.data), ...data };
      if (Object.keys(labels).length > 0) m.labels = { ...asObject(m.labels), ...labels };
      if (Object.keys(annotations).length > 0) m.annotations = { ...asObject(m.annotations), ...annotations };
      if (noHash !== true) target.needsHash = target.needsHash || noHash === undefined;
    }
  }
}

// ---- transformers, in kustomize's builtin order ----

/** Where pod specs sit in the workload kinds. */
function podSpecs(obj: JsonObject): JsonObject[] {
  const spec = asObject(obj.spec);
  switch (kindOf(obj)) {
    case 'Pod': return isObject(obj.spec) ? [obj.spec] : [];
    case 'CronJob': return [asObject(asObject(asObject(asObject(spec.jobTemplate).spec).template).spec)].filter((s) => Object.keys(s).length > 0);
    case 'Deployment': case 'ReplicaSet': case 'DaemonSet': case 'StatefulSet': case 'Job': case 'ReplicationController': case 'PodTemplate':
      return isObject(asObject(kindOf(obj) === 'PodTemplate' ? obj.template : spec.template).spec) ? [asObject(asObject(kindOf(obj) === 'PodTemplate' ? obj.template : spec.template).spec)] : [];
    default: return [];
  }
}

const containersOf = (spec: JsonObject): JsonObject[] => ['initContainers', 'containers'].flatMap((f) => (Array.isArray(spec[f]) ? (spec[f] as Json[]).filter(isObject) : []));

function transform(env: Env, dir: string, k: JsonObject, list: Res[]): void {
  const spend = (): void => env.ctx.budget.spend(STEPS_PER_OBJECT * Math.max(1, list.length));
  for (const p of Array.isArray(k.patchesStrategicMerge) ? k.patchesStrategicMerge : []) {
    spend();
    const text = typeof p === 'string' && !p.includes('\n') ? mustRead(env, join(dir, p)) : typeof p === 'string' ? p : '';
    for (const doc of parseDocs(text, typeof p === 'string' ? p : 'patch')) strategicPatch(list, doc, undefined);
  }
  for (const each of Array.isArray(k.patches) ? k.patches : []) {
    spend();
    const p = asObject(each);
    const text = typeof p.path === 'string' ? mustRead(env, join(dir, p.path)) : typeof p.patch === 'string' ? p.patch : undefined;
    if (text === undefined) throw new KustomizeError('must specify one of patch and path in');
    const docs = parseDocs(text, typeof p.path === 'string' ? p.path : 'patch');
    const target = isObject(p.target) ? p.target : undefined;
    if (docs.length === 1 && Array.isArray(docs[0])) {
      if (!target) throw new KustomizeError('must specify a target for JSON patch');
      for (const r of selected(list, target)) json6902(r, docs[0]);
    } else for (const doc of docs) strategicPatch(list, doc, target);
  }
  if (typeof k.namespace === 'string' && k.namespace !== '') {
    spend();
    const ns = k.namespace;
    for (const r of list) {
      if (clusterScoped(kindOf(r.obj))) continue;
      rename(r, () => { meta(r.obj).namespace = ns; });
      if (kindOf(r.obj) === 'RoleBinding' || kindOf(r.obj) === 'ClusterRoleBinding') {
        for (const s of Array.isArray(r.obj.subjects) ? r.obj.subjects.filter(isObject) : []) {
          if (s.kind === 'ServiceAccount' && list.some((o) => kindOf(o.obj) === 'ServiceAccount' && [idOf(o.obj), ...o.previous].some((id) => id.name === s.name))) s.namespace = ns;
        }
      }
    }
  }
  for (const [field, at] of [['namePrefix', 'start'], ['nameSuffix', 'end']] as const) {
    const affix = k[field];
    if (typeof affix !== 'string' || affix === '') continue;
    spend();
    for (const r of list) {
      // The prefix/suffix transformer skips these (api/internal/builtins/PrefixSuffixTransformer.go).
      if (['CustomResourceDefinition', 'APIService', 'Namespace'].includes(kindOf(r.obj))) continue;
      rename(r, () => { meta(r.obj).name = at === 'start' ? affix + nameOf(r.obj) : nameOf(r.obj) + affix; });
    }
  }
  const common = stringMap(k.commonLabels, 'commonLabels');
  if (Object.keys(common).length > 0) {
    spend();
    for (const r of list) addLabels(r.obj, common, true, true);
  }
  for (const each of Array.isArray(k.labels) ? k.labels : []) {
    spend();
    const l = asObject(each);
    for (const r of list) addLabels(r.obj, stringMap(l.pairs, 'labels'), l.includeSelectors === true, l.includeSelectors === true || l.includeTemplates === true);
  }
  const annotations = stringMap(k.commonAnnotations, 'commonAnnotations');
  if (Object.keys(annotations).length > 0) {
    spend();
    for (const r of list) addAnnotations(r.obj, annotations);
  }
  for (const each of Array.isArray(k.patchesJson6902) ? k.patchesJson6902 : []) {
    spend();
    const p = asObject(each);
    const text = typeof p.path === 'string' ? mustRead(env, join(dir, p.path)) : typeof p.patch === 'string' ? p.patch : '';
    const docs = parseDocs(text, typeof p.path === 'string' ? p.path : 'patch');
    for (const r of selected(list, asObject(p.target))) json6902(r, docs[0] ?? []);
  }
  for (const each of Array.isArray(k.replicas) ? k.replicas : []) {
    spend();
    const rep = asObject(each);
    for (const r of list) {
      if (!['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController'].includes(kindOf(r.obj))) continue;
      if ([idOf(r.obj), ...r.previous].some((id) => id.name === rep.name)) r.obj.spec = { ...asObject(r.obj.spec), replicas: typeof rep.count === 'number' ? rep.count : 0 };
    }
  }
  for (const each of Array.isArray(k.images) ? k.images : []) {
    spend();
    const img = asObject(each);
    for (const r of list) for (const spec of podSpecs(r.obj)) for (const c of containersOf(spec)) if (typeof c.image === 'string') c.image = retag(c.image, img);
  }
}

/** The JSON type name encoding/json puts in its UnmarshalTypeError. */
const goJsonType = (v: Json): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v);

function stringMap(v: Json | undefined, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new KustomizeError(`invalid Kustomization: json: cannot unmarshal ${goJsonType(v)} into Go struct field Kustomization.${field} of type map[string]string`);
  return Object.fromEntries(Object.entries(v).map(([key, value]) => {
    if (value !== null && typeof value !== 'string') throw new KustomizeError(`invalid Kustomization: json: cannot unmarshal ${goJsonType(value)} into Go struct field Kustomization.${field} of type string`);
    return [key, value ?? ''];
  }));
}

/** A change that may rename the object: its former id is kept for patches and references. */
function rename(r: Res, change: () => void): void {
  const before = idOf(r.obj);
  change();
  const after = idOf(r.obj);
  if (before.name !== after.name || before.namespace !== after.namespace) r.previous.push(before);
}

const setIn = (obj: JsonObject, path: string[], values: Record<string, string>, create: boolean): void => {
  let at: JsonObject = obj;
  for (const p of path) {
    if (!isObject(at[p])) {
      if (!create) return;
      at[p] = {};
    }
    at = at[p] as JsonObject;
  }
  Object.assign(at, values);
};

/** The label field specs of kustomize's commonLabels (api/konfig/builtinpluginconsts/commonlabels.go). */
function addLabels(obj: JsonObject, labels: Record<string, string>, selectors: boolean, templates: boolean): void {
  if (Object.keys(labels).length === 0) return;
  setIn(obj, ['metadata', 'labels'], labels, true);
  const kind = kindOf(obj);
  const workloads = ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'];
  if (selectors) {
    if (kind === 'Service' || kind === 'ReplicationController') setIn(obj, ['spec', 'selector'], labels, true);
    if (workloads.includes(kind)) setIn(obj, ['spec', 'selector', 'matchLabels'], labels, true);
    if (kind === 'Job' || kind === 'PodDisruptionBudget') setIn(obj, ['spec', 'selector', 'matchLabels'], labels, false);
    if (kind === 'CronJob') setIn(obj, ['spec', 'jobTemplate', 'spec', 'selector', 'matchLabels'], labels, false);
    if (kind === 'NetworkPolicy') setIn(obj, ['spec', 'podSelector', 'matchLabels'], labels, false);
  }
  if (templates) {
    if ([...workloads, 'Job', 'ReplicationController'].includes(kind)) setIn(obj, ['spec', 'template', 'metadata', 'labels'], labels, true);
    if (kind === 'CronJob') {
      setIn(obj, ['spec', 'jobTemplate', 'metadata', 'labels'], labels, true);
      setIn(obj, ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels'], labels, true);
    }
    if (kind === 'StatefulSet') for (const t of Array.isArray(asObject(obj.spec).volumeClaimTemplates) ? (asObject(obj.spec).volumeClaimTemplates as Json[]).filter(isObject) : []) setIn(t, ['metadata', 'labels'], labels, true);
  }
}

function addAnnotations(obj: JsonObject, annotations: Record<string, string>): void {
  setIn(obj, ['metadata', 'annotations'], annotations, true);
  const kind = kindOf(obj);
  if (['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job', 'ReplicationController'].includes(kind)) setIn(obj, ['spec', 'template', 'metadata', 'annotations'], annotations, true);
  if (kind === 'CronJob') {
    setIn(obj, ['spec', 'jobTemplate', 'metadata', 'annotations'], annotations, true);
    setIn(obj, ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'annotations'], annotations, true);
  }
}

/** image.go: `nginx:1.19` with name nginx → newName[:newTag][@digest]. */
function retag(image: string, img: JsonObject): string {
  const at = image.indexOf('@');
  const slash = image.lastIndexOf('/', at < 0 ? undefined : at);
  const colon = image.indexOf(':', slash + 1);
  const end = at >= 0 && (colon < 0 || at < colon) ? at : colon >= 0 ? colon : image.length;
  const name = image.slice(0, end);
  if (name !== img.name) return image;
  let tag = image.slice(end);
  const newName = typeof img.newName === 'string' && img.newName !== '' ? img.newName : name;
  const newTag = typeof img.newTag === 'string' ? img.newTag : typeof img.newTag === 'number' ? String(img.newTag) : '';
  const digest = typeof img.digest === 'string' ? img.digest : '';
  if (newTag !== '') tag = `:${newTag}`;
  if (digest !== '') tag = newTag !== '' ? `:${newTag}@${digest}` : `@${digest}`;
  return newName + tag;
}

/**
 * A patch target's regexes are anchored (resid matching with `^…$`), Go's RE2 syntax: run on
 * re2js, so a hostile pattern takes linear time.
 */
function matches(pattern: Json | undefined, value: string): boolean {
  if (typeof pattern !== 'string' || pattern === '') return true;
  try {
    return RE2JS.compile(`^(?:${pattern})$`).matches(value);
  } catch {
    throw new KustomizeError(`error parsing regexp: ${pattern}`);
  }
}

function labelsMatch(selector: Json | undefined, labels: JsonObject): boolean {
  if (typeof selector !== 'string' || selector === '') return true;
  return selector.split(',').every((term) => {
    const m = /^\s*([^!=\s]+)\s*(!=|==|=)?\s*([^\s]*)\s*$/.exec(term);
    if (!m) throw new KustomizeError(`unable to parse requirement: ${term}`);
    const [, key, op, value] = m;
    if (op === undefined) return labels[key!] !== undefined;
    return op === '!=' ? labels[key!] !== value : labels[key!] === value;
  });
}

function selected(list: Res[], target: JsonObject): Res[] {
  return list.filter((r) => {
    const { group, version } = groupVersion(r.obj);
    if (typeof target.group === 'string' && target.group !== '' && target.group !== group) return false;
    if (typeof target.version === 'string' && target.version !== '' && target.version !== version) return false;
    if (typeof target.kind === 'string' && target.kind !== '' && target.kind !== kindOf(r.obj)) return false;
    const ids = [idOf(r.obj), ...r.previous];
    if (!ids.some((id) => matches(target.name, id.name) && matches(target.namespace, id.namespace))) return false;
    const m = asObject(r.obj.metadata);
    return labelsMatch(target.labelSelector, asObject(m.labels)) && labelsMatch(target.annotationSelector, asObject(m.annotations));
  });
}

function strategicPatch(list: Res[], doc: Json, target: JsonObject | undefined): void {
  if (!isObject(doc)) throw new KustomizeError('unable to parse SM or JSON patch');
  const patch = structuredClone(doc);
  let targets: Res[];
  if (target) targets = selected(list, target);
  else {
    const id = idOf(patch);
    targets = list.filter((r) => kindOf(r.obj) === id.kind && [idOf(r.obj), ...r.previous].some((p) => p.name === id.name && (id.namespace === '' || p.namespace === id.namespace)));
    if (targets.length !== 1) {
      const what = idString(patch);
      throw new KustomizeError(targets.length === 0
        ? `no matches for Id ${what}; failed to find unique target for patch ${what}`
        : `multiple matches for Id ${what}; failed to find unique target for patch ${what}`);
    }
  }
  // The patch's own name and namespace name its target, they do not rename it.
  const m = asObject(patch.metadata);
  delete m.name;
  delete m.namespace;
  for (const r of targets) {
    if (patch.$patch === 'delete') {
      list.splice(list.indexOf(r), 1);
      continue;
    }
    // kyaml's merge puts a list's new elements before the ones it had.
    r.obj = strategicMerge(r.obj, patch, [], { newFirst: true }) as JsonObject;
  }
}

function json6902(r: Res, ops: Json): void {
  const result = jsonPatch(r.obj, ops);
  if (!result.ok) throw new KustomizeError(`unable to apply patch to ${idString(r.obj)}: ${result.error}`);
  if (!isObject(result.doc)) throw new KustomizeError(`patch turned ${idString(r.obj)} into a non-object`);
  rename(r, () => { r.obj = result.doc as JsonObject; });
}

// ---- the top: hash suffixes, references, order ----

/** The name fields that refer to another object, by the referred kind (api/konfig/builtinpluginconsts/namereference.go, the common ones). */
function references(obj: JsonObject): { kind: string; holder: JsonObject; key: string }[] {
  const out: { kind: string; holder: JsonObject; key: string }[] = [];
  const ref = (kind: string, holder: Json | undefined, key: string): void => {
    if (isObject(holder) && typeof holder[key] === 'string') out.push({ kind, holder, key });
  };
  const each = (v: Json | undefined): JsonObject[] => (Array.isArray(v) ? v.filter(isObject) : []);
  for (const spec of podSpecs(obj)) {
    ref('ServiceAccount', spec, 'serviceAccountName');
    ref('ServiceAccount', spec, 'serviceAccount');
    for (const s of each(spec.imagePullSecrets)) ref('Secret', s, 'name');
    for (const v of each(spec.volumes)) {
      ref('ConfigMap', v.configMap, 'name');
      ref('Secret', v.secret, 'secretName');
      ref('PersistentVolumeClaim', v.persistentVolumeClaim, 'claimName');
      for (const s of each(asObject(v.projected).sources)) {
        ref('ConfigMap', s.configMap, 'name');
        ref('Secret', s.secret, 'name');
      }
    }
    for (const c of containersOf(spec)) {
      for (const e of each(c.env)) {
        ref('ConfigMap', asObject(e.valueFrom).configMapKeyRef, 'name');
        ref('Secret', asObject(e.valueFrom).secretKeyRef, 'name');
      }
      for (const e of each(c.envFrom)) {
        ref('ConfigMap', e.configMapRef, 'name');
        ref('Secret', e.secretRef, 'name');
      }
    }
  }
  const spec = asObject(obj.spec);
  switch (kindOf(obj)) {
    case 'StatefulSet': ref('Service', spec, 'serviceName'); break;
    case 'HorizontalPodAutoscaler': if (isObject(spec.scaleTargetRef)) ref(String(spec.scaleTargetRef.kind ?? ''), spec.scaleTargetRef, 'name'); break;
    case 'RoleBinding': case 'ClusterRoleBinding':
      if (isObject(obj.roleRef)) ref(String(obj.roleRef.kind ?? ''), obj.roleRef, 'name');
      for (const s of each(obj.subjects)) if (s.kind === 'ServiceAccount') ref('ServiceAccount', s, 'name');
      break;
    case 'Ingress':
      ref('Service', asObject(asObject(spec.defaultBackend).service), 'name');
      for (const rule of each(spec.rules)) for (const p of each(asObject(rule.http).paths)) ref('Service', asObject(asObject(p.backend).service), 'name');
      for (const t of each(spec.tls)) ref('Secret', t, 'secretName');
      break;
    default:
  }
  return out;
}

/** kusttarget.addHashesToNames then FixBackReferences: renamed objects' referrers follow them. */
function finish(list: Res[]): void {
  for (const r of list) {
    if (!r.needsHash) continue;
    rename(r, () => { meta(r.obj).name = `${nameOf(r.obj)}-${kustomizeHash(r.obj)}`; });
  }
  for (const r of list) {
    const ns = namespaceOf(r.obj);
    for (const { kind, holder, key } of references(r.obj)) {
      const old = holder[key] as string;
      const scoped = (o: Res): boolean => clusterScoped(kind) || namespaceOf(o.obj) === ns || o.previous.some((p) => p.namespace === ns);
      if (list.some((o) => kindOf(o.obj) === kind && nameOf(o.obj) === old && scoped(o))) continue;
      const renamed = list.filter((o) => kindOf(o.obj) === kind && o.previous.some((p) => p.name === old) && scoped(o));
      if (renamed.length === 1) holder[key] = nameOf(renamed[0]!.obj);
    }
  }
}

/** resid.Gvk.IsLessThan's legacy order (kyaml/resid/gvk.go), then ResId.LegacySortString. */
const ORDER_FIRST = ['Namespace', 'ResourceQuota', 'StorageClass', 'CustomResourceDefinition', 'ServiceAccount', 'PodSecurityPolicy', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Secret', 'Endpoints', 'Service', 'LimitRange', 'PriorityClass', 'PersistentVolume', 'PersistentVolumeClaim', 'Deployment', 'StatefulSet', 'CronJob', 'PodDisruptionBudget'];
const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

function typeOrder(kind: string): number {
  const first = ORDER_FIRST.indexOf(kind);
  if (first >= 0) return first - ORDER_FIRST.length;
  const last = ORDER_LAST.indexOf(kind);
  return last >= 0 ? 1 + last : 0;
}

function sortKey(obj: JsonObject): string {
  const { group, version } = groupVersion(obj);
  return `${group || '~G'}_${version || '~V'}_${kindOf(obj) || '~K'}|${namespaceOf(obj) || '~X'}|${nameOf(obj) || '~N'}`;
}

export function legacyOrder(objs: JsonObject[]): JsonObject[] {
  const keyed = objs.map((obj) => ({ obj, order: typeOrder(kindOf(obj)), key: sortKey(obj) }));
  keyed.sort((a, b) => a.order - b.order || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.obj);
}

export type BuildResult = { ok: true; objects: JsonObject[]; warnings: string[] } | { ok: false; error: string; warnings: string[] };

/** `kustomize build DIR` (`kubectl kustomize DIR`, `-k DIR`): the objects, or kustomize's error. */
export function kustomizeBuild(ctx: CommandContext, dir: string, cwd: string): BuildResult {
  const env: Env = { ctx, reads: 0, chars: 0, warnings: [] };
  const abs = join(cwd, dir);
  try {
    if (!isDirectory(ctx.state, ctx.session, abs)) {
      const text = readText(env, abs);
      throw new KustomizeError(text === undefined ? `must build at directory: not a valid directory: ${noSuchFile(abs)}` : `must build at directory: '${abs}': file is not directory`);
    }
    const list = buildDir(env, abs, [abs]);
    finish(list);
    ctx.budget.spend(STEPS_PER_OBJECT * list.length);
    return { ok: true, objects: legacyOrder(list.map((r) => r.obj)), warnings: env.warnings };
  } catch (e) {
    if (e instanceof KustomizeError) return { ok: false, error: e.message, warnings: env.warnings };
    throw e;
  }
}

/**
 * A block scalar whose text starts with a newline: go-yaml writes the indentation indicator
 * (`|2`) and truly empty lines, where the yaml library writes lines of spaces.
 */
const indentIndicator = (text: string): string =>
  text.replace(/: \|([-+]?)\n((?: +\n)+)/g, (_m, chomp: string, blanks: string) => `: |2${chomp}\n${'\n'.repeat(blanks.split('\n').length - 1)}`);

/** Plain scalars go-yaml v3 would read as something else than a string (its resolve table and isOldBool). */
const RESOLVES = /^(?:|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[yYnN]|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(?:0|[1-9][0-9]*)|[-+]?0x[0-9a-fA-F]+|[-+]?0o?[0-7]+|[-+]?0b[01]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?)$/;

/**
 * go-yaml v3 (kyaml's printer) double-quotes a string only when it would read as another type
 * or needs escapes; a string that cannot be plain for its syntax is single-quoted.
 */
const goYamlV3Quotes = (text: string): string =>
  text.replace(/(^|: |- |^\s+)"((?:[^"\\]|\\.)*)"(?=:? |:?$)/gm, (whole, lead: string, escaped: string) => {
    const inner = escaped.replace(/\\"/g, '"');
    return inner.includes('\\') || RESOLVES.test(inner) ? whole : `${lead}'${inner.replace(/'/g, "''")}'`;
  });

/** go-yaml's best_width: a scalar's line is broken at a space past this column. */
const BEST_WIDTH = 80;

/**
 * go-yaml v3's line folding of flow scalars (yaml_emitter_write_plain/single/double_quoted_scalar):
 * at a single space, once the column passes 80, not at either end, the line breaks and goes on
 * at the value's indentation (in double quotes a space that follows is kept with a `\`).
 */
function foldLine(line: string): string {
  if (line.length <= BEST_WIDTH) return line;
  const m = /^(\s*)(?:- |[^'"\s][^:]*: |'[^']*': |"[^"]*": )/.exec(line);
  if (!m) return line;
  const start = m[0].length;
  const first = line[start];
  if (first === '|' || first === '>' || first === '{' || first === '[' || first === '&' || first === '*') return line;
  const quote = first === "'" || first === '"' ? first : '';
  const indent = ' '.repeat(m[1]!.length + 2);
  let out = line.slice(0, start);
  let column = start;
  let spaces = false;
  for (let i = start; i < line.length; i++) {
    const c = line[i]!;
    const inside = i > start + (quote ? 0 : -1) && i < line.length - (quote ? 1 : 0);
    if (c === ' ' && inside) {
      const next = line[i + 1];
      const last = i >= line.length - (quote ? 2 : 1);
      if (!spaces && column > BEST_WIDTH && !last && (quote === '"' || next !== ' ')) {
        out += `\n${indent}`;
        column = indent.length;
        if (quote === '"' && next === ' ') {
          out += '\\';
          column++;
        }
      } else {
        out += c;
        column++;
      }
      spaces = true;
      continue;
    }
    out += c;
    column++;
    spaces = false;
  }
  return out;
}

/** What `kubectl kustomize` prints: the objects' YAML (go-yaml v3's, through kyaml) between `---` lines. */
export function buildYaml(objects: JsonObject[], spendText: (text: string) => void): string {
  return objects.map((o) => {
    const doc = new Document(o, { schema: 'yaml-1.1', sortMapEntries: true });
    // A text with a tab (or another special character) is neither plain nor a block for go-yaml: double quotes.
    visit(doc, { Scalar: (_k, node) => { if (typeof node.value === 'string' && /[\t\x00-\x08\x0b-\x1f\x7f]/.test(node.value)) node.type = 'QUOTE_DOUBLE'; } });
    const text = indentIndicator(goYamlV3Quotes(doc.toString({ indentSeq: false, lineWidth: 0 }))).split('\n').map(foldLine).join('\n');
    spendText(text);
    return text;
  }).join('---\n');
}
