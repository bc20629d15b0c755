// Loading scenario files: YAML → every variant substituted and validated → references
// checked against the cluster the file describes. Every problem is reported (not just the
// first) with file, line and path, e.g. `scenarios/etcd-nospace.yaml:42: faults[2].at: …`.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import type { ClusterSpec } from '../cluster/spec.js';
import { oneByteStrings } from '../one-byte.js';
import { actionRefs } from './faults.js';
import { predicateRefs, type Predicate } from './predicates.js';
import { DressingSchema, ScenarioSchema, StackRefSchema, VariantSchema, type Scenario } from './schema.js';
import { evidenceChoiceId } from './player-view.js';
import { forStack, forVariant, stacksFor, substitute, type DressingDimension, type LoadedScenario, type ParamValues, type SubstitutionError } from './variant.js';

export const SCENARIOS_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export interface ScenarioProblem {
  file: string;
  line: number;
  column: number;
  /** `faults[2].at`; empty for the whole file. */
  path: string;
  message: string;
}

/** `validated`: what a later load may take instead of parsing and validating the same text again. */
export type LoadResult = { ok: true; scenario: LoadedScenario; validated: ValidatedScenario } | { ok: false; problems: ScenarioProblem[] };

/**
 * The shared stacks a scenario folder offers (`stacks/<id>.yaml` in it, docs/SCENARIOS.md),
 * by id, as text: read once per folder, parsed only by a file that uses one.
 */
export interface StackLibrary {
  dir: string;
  texts: ReadonlyMap<string, string>;
}

export function readStackLibrary(scenarioDir: string): StackLibrary {
  const dir = join(scenarioDir, 'stacks');
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort();
  } catch {
    // no stacks/ folder: nothing shared
  }
  return { dir, texts: new Map(names.map((n) => [n.slice(0, -'.yaml'.length), readFileSync(join(dir, n), 'utf8')])) };
}

const NO_LIBRARY: StackLibrary = { dir: '', texts: new Map() };

/**
 * A scenario file's identity for "already validated" (see `validated` in loadScenarioText):
 * its text and every shared stack's, so editing a shared stack invalidates the files kept
 * (which of them use it is known only once a file is parsed, which the hash is there to spare).
 */
export function scenarioHash(text: string, library: StackLibrary = NO_LIBRARY): string {
  const hash = createHash('sha256').update(text);
  for (const [id, shared] of library.texts) hash.update(`\0stacks/${id}.yaml\0`).update(shared);
  return hash.digest('hex');
}

/**
 * What loading a file validated in full gave, kept from one start to the next (main.ts): the
 * parsed YAML (shared stacks resolved) and, when kept, the scenario of each variant under the first dressing options.
 * A file found here by its hash is neither parsed nor validated again at load (see
 * loadScenarioText); both together were most of a server's start.
 */
export interface ValidatedScenario {
  raw: unknown;
  first?: Scenario[];
}
/** By scenarioHash of the file's text. */
export type ValidatedScenarios = ReadonlyMap<string, ValidatedScenario>;
const NONE: ValidatedScenarios = new Map();

type Path = (string | number)[];

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

export function formatProblem(p: ScenarioProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** Where a path points in the file: the deepest node of the path that exists. */
function locate(doc: Document, counter: LineCounter, path: Path): { line: number; column: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) {
      const pos = counter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

/** Names of what the cluster will contain (spec objects plus the add-ons every cluster gets). */
interface Inventory {
  nodes: Set<string>;
  namespaces: Set<string>;
  deployments: Set<string>;
  services: Set<string>;
  configmaps: Set<string>;
}

function inventory(spec: ClusterSpec): Inventory {
  const inv: Inventory = {
    nodes: new Set(spec.nodes.map((n) => n.name)),
    namespaces: new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', ...spec.namespaces, ...spec.deployments.map((d) => d.namespace), ...spec.services.map((s) => s.namespace)]),
    deployments: new Set(spec.deployments.map((d) => `${d.namespace}/${d.name}`)),
    services: new Set(['default/kubernetes', ...spec.services.map((s) => `${s.namespace}/${s.name}`)]),
    configmaps: new Set(spec.configmaps.map((c) => `${c.namespace}/${c.name}`)),
  };
  if (spec.addons.coredns.enabled) {
    inv.deployments.add('kube-system/coredns');
    inv.services.add('kube-system/kube-dns');
    inv.configmaps.add('kube-system/coredns');
  }
  return inv;
}

interface Ref {
  kind: 'node' | 'deployment' | 'service' | 'configmap' | 'namespace';
  namespace?: string;
  name: string;
  path: Path;
}

function missingRef(inv: Inventory, r: Ref): string | undefined {
  const key = r.namespace ? `${r.namespace}/${r.name}` : r.name;
  const known = { node: inv.nodes, deployment: inv.deployments, service: inv.services, configmap: inv.configmaps, namespace: inv.namespaces }[r.kind];
  if (known.has(key)) return undefined;
  const list = [...known].sort().join(', ');
  return `${r.kind} "${key}" does not exist in the cluster (known: ${list || 'none'})`;
}

/** Cross-references zod cannot see: names of cluster objects, ids between sections. */
function referenceProblems(s: Scenario, variantIds: string[]): { path: Path; message: string }[] {
  const out: { path: Path; message: string }[] = [];
  const inv = inventory(s.cluster);
  const check = (refs: Ref[], base: Path) => {
    for (const r of refs) {
      const message = missingRef(inv, r);
      if (message) out.push({ path: [...base, ...r.path], message });
    }
  };
  const checkPredicate = (p: Predicate | undefined, base: Path) => p && check(predicateRefs(p), base);
  const checkVariants = (vs: string[] | undefined, base: Path) =>
    vs?.forEach((v, i) => { if (!variantIds.includes(v)) out.push({ path: [...base, 'variants', i], message: `unknown variant "${v}" (variants: ${variantIds.join(', ')})` }); });
  const unique = (items: { id: string }[], base: Path) => {
    const seen = new Set<string>();
    items.forEach((it, i) => {
      if (seen.has(it.id)) out.push({ path: [...base, i, 'id'], message: `duplicate id "${it.id}"` });
      seen.add(it.id);
    });
  };

  s.faults.forEach((f, i) => {
    f.actions.forEach((a, j) => check(actionRefs(a), ['faults', i, 'actions', j]));
    checkPredicate(f.when, ['faults', i, 'when']);
    checkVariants(f.variants, ['faults', i]);
  });
  const a = s.answer;
  a.remediation.forEach((r, i) => { checkPredicate(r.predicate, ['answer', 'remediation', i, 'predicate']); checkVariants(r.variants, ['answer', 'remediation', i]); });
  a.harmful.forEach((h, i) => { checkPredicate(h.predicate, ['answer', 'harmful', i, 'predicate']); checkVariants(h.variants, ['answer', 'harmful', i]); });
  a.evidence.forEach((e, i) => checkVariants(e.variants, ['answer', 'evidence', i]));
  a.hints.forEach((h, i) => checkVariants(h.variants, ['answer', 'hints', i]));
  s.solutions.forEach((x, i) => checkVariants(x.variants, ['solutions', i]));
  s.antiSolutions.forEach((x, i) => checkVariants(x.variants, ['antiSolutions', i]));
  unique(s.faults, ['faults']);
  unique(a.evidence, ['answer', 'evidence']);
  unique(a.remediation, ['answer', 'remediation']);
  unique(a.harmful, ['answer', 'harmful']);
  unique(a.hints, ['answer', 'hints']);
  unique([a.rootCause, ...a.partial, ...a.distractors.filter((d) => d.id !== a.rootCause.id)], ['answer', 'distractors']);
  s.stacks.forEach((x, k) => {
    const base: Path = ['stacks', k];
    x.faults.forEach((f, i) => {
      f.actions.forEach((act, j) => check(actionRefs(act), [...base, 'faults', i, 'actions', j]));
      checkPredicate(f.when, [...base, 'faults', i, 'when']);
    });
    const b = x.answer;
    b.remediation.forEach((r, i) => checkPredicate(r.predicate, [...base, 'answer', 'remediation', i, 'predicate']));
    b.harmful.forEach((h, i) => checkPredicate(h.predicate, [...base, 'answer', 'harmful', i, 'predicate']));
    checkVariants(x.variants, base);
    // Merged into the main key (forStack): ids may not collide with the main ones.
    const clash = (mine: { id: string }[], theirs: { id: string }[], at: Path) => mine.forEach((it, i) => {
      if (theirs.some((o) => o.id === it.id)) out.push({ path: [...base, ...at, i, 'id'], message: `id "${it.id}" is also the main incident's` });
    });
    clash(x.faults, s.faults, ['faults']);
    clash(b.evidence, a.evidence, ['answer', 'evidence']);
    clash(b.remediation, a.remediation, ['answer', 'remediation']);
    clash(b.harmful, a.harmful, ['answer', 'harmful']);
    clash(b.hints, a.hints, ['answer', 'hints']);
    clash([b.rootCause, ...b.distractors], [a.rootCause, ...a.partial, ...a.distractors], ['answer', 'distractors']);
    if (x.solution.rootCause !== b.rootCause.id) out.push({ path: [...base, 'solution', 'rootCause'], message: `the stack's solution names "${x.solution.rootCause}" but its root cause is "${b.rootCause.id}"` });
    x.solution.evidence.forEach((id, i) => {
      if (!b.evidence.some((e) => e.id === id)) out.push({ path: [...base, 'solution', 'evidence', i], message: `unknown evidence "${id}" (the stack's evidence: ${b.evidence.map((e) => e.id).join(', ')})` });
    });
    const first = s.stacks[0]!;
    if (x.briefing !== first.briefing) out.push({ path: [...base, 'briefing'], message: `differs from stack "${first.id}": what players see must not tell which stack was drawn` });
    if (JSON.stringify(b.hints.map((h) => [h.cost, h.afterSec ?? null])) !== JSON.stringify(first.answer.hints.map((h) => [h.cost, h.afterSec ?? null]))) {
      out.push({ path: [...base, 'answer', 'hints'], message: `hint costs differ from stack "${first.id}": what players see must not tell which stack was drawn` });
    }
  });
  for (const v of s.stacks.length > 0 ? variantIds : []) {
    if (!s.stacks.some((x) => !x.variants || x.variants.includes(v))) out.push({ path: ['stacks'], message: `no stack applies to variant "${v}": a stacked room may draw any variant` });
  }
  for (const t of s.cluster.network.traffic) {
    if (!inv.services.has(t.service)) out.push({ path: ['cluster', 'network', 'traffic'], message: `traffic targets service "${t.service}", which does not exist in the cluster` });
  }
  return out;
}

/** Problems that only show once the variant's items are selected (the solution must fit its own variant). */
function solutionProblems(s: Scenario, solutionIndex: number): { path: Path; message: string }[] {
  const out: { path: Path; message: string }[] = [];
  const solution = s.solutions[0];
  if (!solution) return [{ path: ['solutions'], message: 'no solution applies to this variant' }];
  const at = solutionIndex;
  const d = solution.diagnosis;
  if (d.rootCause !== s.answer.rootCause.id) out.push({ path: ['solutions', at, 'diagnosis', 'rootCause'], message: `the reference diagnosis names "${d.rootCause}" but the root cause is "${s.answer.rootCause.id}"` });
  d.evidence.forEach((id, i) => {
    if (!s.answer.evidence.some((e) => e.id === id)) out.push({ path: ['solutions', at, 'diagnosis', 'evidence', i], message: `unknown evidence "${id}" (this variant's evidence: ${s.answer.evidence.map((e) => e.id).join(', ')})` });
  });
  return out;
}

function issuePath(issue: z.core.$ZodIssue): Path {
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  // "Unrecognized key" is reported on the object; point at the key itself.
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) path.push(issue.keys[0]!);
  return path;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}

/** Parse and validate a scenario file's text. `file` is only used in messages. */
/**
 * The diagnosis form cites an evidence item by evidenceChoiceId(label) (player-view.ts): in
 * each variant, that id must name one item only.
 */
function evidenceChoiceProblems(file: Scenario, variant: Scenario): { path: Path; message: string }[] {
  const items = variant.answer.evidence;
  return items.flatMap((e) => {
    const choice = evidenceChoiceId(e.label);
    const other = items.find((o) => o !== e && (evidenceChoiceId(o.label) === choice || o.id === choice));
    if (!other) return [];
    const index = file.answer.evidence.findIndex((x) => x.id === e.id);
    const k = file.stacks.findIndex((x) => x.answer.evidence.some((y) => y.id === e.id));
    const path: Path = index >= 0 || k < 0 ? ['answer', 'evidence', index, 'label'] : ['stacks', k, 'answer', 'evidence', file.stacks[k]!.answer.evidence.findIndex((y) => y.id === e.id), 'label'];
    return [{ path, message: `label "${e.label}" is offered as "${choice}", which also names evidence "${other.id}": choose another label` }];
  });
}

/**
 * `validated`: what loading files validated in full gave before, by hash. Such a file is not
 * parsed again (its YAML is parsed only to place a problem) and is checked only under its
 * first dressing options (what the lobby shows), taken as they were built when kept; every
 * other combination is still validated when a room first builds it, and one that does not
 * validate throws there (`build`).
 */
export function loadScenarioText(text: string, file: string, validated: ValidatedScenarios = NONE, library: StackLibrary = NO_LIBRARY): LoadResult {
  const hash = scenarioHash(text, library);
  const known = validated.get(hash);
  let parsed: Parsed | undefined;
  const parse = () => (parsed ??= parseText(text));
  const problems: ScenarioProblem[] = [];
  // stacks[k] taken from a shared file: a problem in what that file gave is placed there.
  const shared = new Map<number, { file: string; text: string }>();
  const add = (path: Path, message: string) => {
    const from = path[0] === 'stacks' && typeof path[1] === 'number' ? shared.get(path[1]) : undefined;
    if (from && path.length > 2 && !REF_KEYS.has(String(path[2]))) {
      const inner = path.slice(2);
      const { doc, counter } = parseText(from.text);
      problems.push({ file: from.file, ...locate(doc, counter, inner), path: formatPath(inner), message: `${message} (used by ${file} stacks[${path[1]}])` });
      return;
    }
    problems.push({ file, ...locate(parse().doc, parse().counter, path), path: formatPath(path), message });
  };
  let raw: unknown;
  if (known) {
    raw = known.raw;
  } else {
    const { doc, counter } = parse();
    for (const e of doc.errors) {
      const pos = counter.linePos(e.pos[0]);
      problems.push({ file, line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0]! });
    }
    if (problems.length > 0) return { ok: false, problems };
    raw = doc.toJS() as unknown;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, problems: [{ file, line: 1, column: 1, path: '', message: 'a scenario file is a YAML mapping' }] };
  if (!known) {
    raw = oneByteStrings(useSharedStacks(raw as Record<string, unknown>, library, shared, add, problems));
    if (problems.length > 0) return { ok: false, problems };
  }

  const variantsParse = z.array(VariantSchema).min(1).optional().safeParse((raw as Record<string, unknown>)['variants']);
  const dressingParse = DressingSchema.safeParse((raw as Record<string, unknown>)['dressing']);
  if (!variantsParse.success || !dressingParse.success) {
    for (const issue of variantsParse.error?.issues ?? []) add(['variants', ...issuePath(issue)], issueMessage(issue));
    for (const issue of dressingParse.error?.issues ?? []) add(['dressing', ...issuePath(issue)], issueMessage(issue));
    return { ok: false, problems };
  }
  const variants = variantsParse.data ?? [{ id: 'default', params: {} }];
  const variantIds = variants.map((v) => v.id);
  variants.forEach((v, i) => { if (variantIds.indexOf(v.id) !== i) add(['variants', i, 'id'], `duplicate variant id "${v.id}"`); });
  const dressing: DressingDimension[] = Object.entries(dressingParse.data).map(([name, options]) => ({ name, options }));
  for (const p of dressingProblems(variants, dressing)) add(p.path, p.message);
  // The diagnosis form offers every variant's evidence labels: they cannot change with the dressing.
  // So do a stacked room's, which offer every stack's too.
  const rawStacks = (raw as { stacks?: unknown }).stacks;
  const evidenceLists: [Path, unknown][] = [
    [['answer', 'evidence'], (raw as { answer?: { evidence?: unknown } }).answer?.evidence],
    ...(Array.isArray(rawStacks) ? rawStacks.map((x: unknown, k): [Path, unknown] => [['stacks', k, 'answer', 'evidence'], (x as { answer?: { evidence?: unknown } } | null)?.answer?.evidence]) : []),
  ];
  for (const [at, list] of evidenceLists) if (Array.isArray(list)) list.forEach((e: unknown, i) => {
    const label = (e as { label?: unknown } | null)?.label;
    if (typeof label === 'string' && label.includes('{{')) add([...at, i, 'label'], 'an evidence label holds no params: the form offers the same labels in every variant and dressing');
  });

  // Each (variant, dressing) pair is validated on its own; a problem shared by all is reported once.
  const found = new Map<string, { path: Path; message: string; variants: Set<string> }>();
  let noted = 0;
  const note = (variant: string, path: Path, message: string) => {
    noted++;
    const key = `${formatPath(path)}\0${message}`;
    const entry = found.get(key) ?? { path, message, variants: new Set<string>() };
    entry.variants.add(variant);
    found.set(key, entry);
  };
  const cache = new Map<string, Scenario>();
  const keyOf = (variant: number, choice: Record<string, number>) => `${variant}|${dressing.map((d) => choice[d.name] ?? 0).join(',')}`;
  if (known?.first?.length === variants.length) known.first.forEach((scenario, i) => cache.set(keyOf(i, {}), scenario));
  let loadedAll = false;
  const buildChecked = (variant: number, choice: Record<string, number>): Scenario | undefined => {
    const v = variants[variant]!;
    const key = keyOf(variant, choice);
    const hit = cache.get(key);
    if (hit) return hit;
    const notedBefore = noted;
    const dressed = Object.assign({}, ...dressing.map((d) => d.options[choice[d.name] ?? 0]!)) as ParamValues;
    const subErrors: SubstitutionError[] = [];
    // A variant's params may use the dressing's (`dbSize: '{{fullDb}}'`): the cause picks, the dressing sizes.
    const own = substitute(v.params, dressed, subErrors, ['variants', variant, 'params']) as ParamValues;
    const params = { ...dressed, ...own };
    const input = substitute(raw, params, subErrors);
    for (const e of subErrors) note(v.id, e.path, e.message);
    const parsed = ScenarioSchema.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) note(v.id, issuePath(issue), issueMessage(issue));
      return undefined;
    }
    for (const p of referenceProblems(parsed.data, variantIds)) note(v.id, p.path, p.message);
    const scenario = forVariant(parsed.data, v.id);
    for (const p of evidenceChoiceProblems(parsed.data, scenario)) note(v.id, p.path, p.message);
    for (const stack of stacksFor(scenario, v.id)) for (const p of evidenceChoiceProblems(parsed.data, forStack(scenario, stack))) note(v.id, p.path, p.message);
    const solutionIndex = parsed.data.solutions.findIndex((x) => !x.variants || x.variants.includes(v.id));
    for (const p of solutionProblems(scenario, solutionIndex)) note(v.id, p.path, p.message);
    // After the load, a combination first built for a room must be free of problems itself.
    if (loadedAll && noted > notedBefore) return undefined;
    if (cache.size < MAX_CACHED_INSTANCES) cache.set(key, scenario);
    return scenario;
  };
  // Every option of every dimension is validated with every variant (not every combination).
  const rounds = known ? 1 : Math.max(1, ...dressing.map((d) => d.options.length));
  const loaded: LoadedScenario['variants'] = [];
  for (let round = 0; round < rounds; round++) {
    const choice = Object.fromEntries(dressing.map((d) => [d.name, round % d.options.length]));
    const built = variants.map((_, i) => buildChecked(i, choice));
    if (round === 0) built.forEach((sc, i) => sc && loaded.push({ id: variants[i]!.id, scenario: sc }));
    for (const p of sameForEveryVariant(built, variantIds)) add(p.path, p.message);
  }
  for (const f of found.values()) {
    const which = f.variants.size < variants.length ? ` (variant${f.variants.size > 1 ? 's' : ''} ${[...f.variants].join(', ')})` : '';
    add(f.path, f.message + which);
  }
  const first = loaded[0]?.scenario;
  const expectedName = first ? `${first.id}.yaml` : undefined;
  if (first && basename(file) !== expectedName && !file.startsWith('<')) add(['id'], `the file of scenario "${first.id}" must be named ${expectedName}`);
  if (problems.length > 0 || !first || loaded.length < variants.length) return { ok: false, problems: problems.sort((a, b) => a.line - b.line || a.column - b.column) };
  loadedAll = true;
  const build = (variant: number, choice: Record<string, number>): Scenario => {
    const scenario = buildChecked(variant, choice);
    // Every option was validated with every variant; a combination can still clash (e.g. two names equal).
    if (!scenario) throw new Error(`${file}: variant ${variants[variant]?.id} with dressing ${JSON.stringify(choice)} does not validate`);
    return scenario;
  };
  return {
    ok: true,
    scenario: { file, hash, id: first.id, title: first.title, difficulty: first.difficulty, timeLimitSec: first.timeLimitSec, variants: loaded, dressing, build },
    validated: { raw, first: loaded.map((v) => v.scenario) },
  };
}

type Parsed = { doc: Document; counter: LineCounter };

function parseText(text: string): Parsed {
  const counter = new LineCounter();
  return { doc: parseDocument(text, { lineCounter: counter, prettyErrors: false }), counter };
}

/** What a stack that uses a shared one gives itself; the rest of stacks[k] is the shared file's. */
const REF_KEYS = new Set(['use', 'briefing', 'variants', 'params']);

/**
 * The file with each `stacks` item that uses a shared stack (`{ use: ID, briefing, … }`)
 * replaced by stacks/ID.yaml, its own `{{params}}` filled from the item's `params`, with the
 * item's briefing and variants. Problems go to `add` (the scenario file) or straight into
 * `problems` (the shared file's text).
 */
function useSharedStacks(raw: Record<string, unknown>, library: StackLibrary, shared: Map<number, { file: string; text: string }>, add: (path: Path, message: string) => void, problems: ScenarioProblem[]): Record<string, unknown> {
  const stacks = raw['stacks'];
  const uses = (item: unknown): boolean => !!item && typeof item === 'object' && 'use' in item;
  if (!Array.isArray(stacks) || !stacks.some(uses)) return raw;
  const resolved = stacks.map((item: unknown, k) => {
    if (!uses(item)) return item;
    const ref = StackRefSchema.safeParse(item);
    if (!ref.success) {
      for (const issue of ref.error.issues) add(['stacks', k, ...issuePath(issue)], issueMessage(issue));
      return item;
    }
    const { use, briefing, variants, params } = ref.data;
    const file = join(library.dir, `${use}.yaml`);
    const text = library.texts.get(use);
    if (text === undefined) {
      add(['stacks', k, 'use'], `no shared stack "${use}"${library.dir ? ` (${file})` : ''}; shared: ${[...library.texts.keys()].join(', ') || 'none'}`);
      return item;
    }
    const { doc, counter } = parseText(text);
    const at = (path: Path, message: string) => problems.push({ file, ...locate(doc, counter, path), path: formatPath(path), message });
    for (const e of doc.errors) at([], e.message.split('\n')[0]!);
    const body = doc.errors.length > 0 ? undefined : (doc.toJS() as unknown);
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      if (doc.errors.length === 0) at([], 'a shared stack is a YAML mapping');
      return item;
    }
    for (const key of ['briefing', 'variants']) if (key in body) at([key], `${key} belongs to each scenario that uses the stack, not to the shared file`);
    if ((body as { id?: unknown }).id !== use) at(['id'], `the shared stack in ${use}.yaml must have id "${use}"`);
    const errors: SubstitutionError[] = [];
    const filled = substitute(body, params, errors, [], true) as Record<string, unknown>;
    for (const e of errors) at(e.path, e.message);
    shared.set(k, { file, text });
    return { ...filled, ...(variants ? { variants } : {}), briefing };
  });
  return { ...raw, stacks: resolved };
}

/** Built instances kept per file (variants × dressing combinations can be many). */
const MAX_CACHED_INSTANCES = 256;

/** Dressing params may not collide with a variant's (the cause would override the dressing), and options of a dimension set the same params. */
function dressingProblems(variants: { id: string; params: ParamValues }[], dressing: DressingDimension[]): { path: Path; message: string }[] {
  const out: { path: Path; message: string }[] = [];
  const owner = new Map<string, string>();
  for (const d of dressing) {
    const names = Object.keys(d.options[0]!).sort();
    d.options.forEach((o, i) => {
      if (Object.keys(o).sort().join() !== names.join()) out.push({ path: ['dressing', d.name, i], message: `every option of "${d.name}" sets the same params (${names.join(', ')})` });
    });
    for (const n of names) {
      const other = owner.get(n);
      if (other) out.push({ path: ['dressing', d.name], message: `param "${n}" is set by both dressing "${other}" and "${d.name}"` });
      owner.set(n, d.name);
      const v = variants.find((x) => n in x.params);
      if (v) out.push({ path: ['dressing', d.name], message: `param "${n}" is set by dressing "${d.name}" and by variant "${v.id}": the dressing must not depend on the cause` });
    }
  }
  return out;
}

/**
 * Under the same dressing, what players see before they look must read the same whatever
 * the variant: title, briefing, time limit, tags, and hint costs.
 */
function sameForEveryVariant(built: (Scenario | undefined)[], ids: string[]): { path: Path; message: string }[] {
  const out: { path: Path; message: string }[] = [];
  const shown = (s: Scenario) => ({ title: s.title, briefing: s.briefing, difficulty: s.difficulty, timeLimitSec: s.timeLimitSec, tags: s.tags, hints: s.answer.hints.map((h) => [h.cost, h.afterSec ?? null]) });
  const first = built.findIndex((b) => b);
  if (first < 0) return out;
  const base = shown(built[first]!);
  built.forEach((b, i) => {
    if (!b) return;
    const here = shown(b);
    for (const key of Object.keys(base) as (keyof typeof base)[]) {
      if (JSON.stringify(here[key]) !== JSON.stringify(base[key])) {
        out.push({ path: [key === 'hints' ? 'answer' : key], message: `${key} differs between variants "${ids[first]}" and "${ids[i]}": what players see first must not tell the cause` });
      }
    }
  });
  return out;
}

/** `library`: the shared stacks beside the file (its folder's stacks/) unless given. */
export function loadScenarioFile(path: string, validated: ValidatedScenarios = NONE, library = readStackLibrary(dirname(path))): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, problems: [{ file: path, line: 1, column: 1, path: '', message: `cannot read: ${(e as Error).message}` }] };
  }
  return loadScenarioText(text, path, validated, library);
}

/** Every `*.yaml` in a directory (default: the repository's scenarios/), sorted by file name. */
/** `validated` in the result: what each file loaded gave, for the next load (see loadScenarioText). */
export function loadScenarioDir(dir = SCENARIOS_DIR, validated: ValidatedScenarios = NONE): { scenarios: LoadedScenario[]; problems: ScenarioProblem[]; validated: Map<string, ValidatedScenario> } {
  const scenarios: LoadedScenario[] = [];
  const problems: ScenarioProblem[] = [];
  const next = new Map<string, ValidatedScenario>();
  const library = readStackLibrary(dir);
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    const res = loadScenarioFile(join(dir, name), validated, library);
    if (!res.ok) {
      problems.push(...res.problems);
      continue;
    }
    scenarios.push(res.scenario);
    next.set(res.scenario.hash, res.validated);
  }
  return { scenarios, problems, validated: next };
}
