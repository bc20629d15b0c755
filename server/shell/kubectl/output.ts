// `-o` formats other than tables: yaml, json, name, jsonpath, custom-columns; and `--sort-by`.
import { Document, stringify, visit } from 'yaml';
import type { ClusterState } from '../../cluster/types.js';
import type { LineBudget } from '../budget.js';
import { evaluatePath, executeJsonPath } from './jsonpath.js';
import { toManifest, type Json } from './manifest.js';
import { withManagedFields } from './managed-fields.js';
import type { Selected } from './query.js';
import { keptBuilt } from './listing.js';
import { goSort, naturalLess } from './go-sort.js';
import { goYamlDoubleQuoted } from './go-yaml-style.js';
import { qualifiedSingular } from './resources.js';
import { renderTable } from './table.js';
import { executeGoTemplate, goString } from './go-template.js';
import type { FlagSpec } from './types.js';
import type { StdoutJson } from '../types.js';

export type OutputFormat =
  | { kind: 'table'; wide: boolean }
  | { kind: 'yaml' | 'json' | 'name' }
  | { kind: 'jsonpath'; template: string; asJson?: boolean }
  | { kind: 'go-template'; template: string }
  | { kind: 'custom-columns'; columns: { header: string; path: string }[] };

export const OUTPUT_FLAGS: FlagSpec[] = [
  { name: 'output', short: 'o', type: 'string', usage: 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, custom-columns-file, wide).' },
  { name: 'no-headers', type: 'bool', usage: 'When using the default or custom-column output format, don\'t print headers (default print headers).' },
  { name: 'show-labels', type: 'bool', usage: 'When printing, show all labels as the last column (default hide labels column).' },
  { name: 'sort-by', type: 'string', usage: 'If non-empty, sort list types using this field specification.' },
  { name: 'label-columns', short: 'L', type: 'stringArray', usage: 'Accepts a comma separated list of labels that are going to be presented as columns.' },
  { name: 'show-managed-fields', type: 'bool', usage: 'If true, keep the managedFields when printing objects in JSON or YAML format.' },
];

const ALLOWED = 'custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml';

/** Parses `-o VALUE`; errors are kubectl's (with newline). */
export function parseOutputFormat(value: string | undefined): { ok: true; format: OutputFormat } | { ok: false; error: string } {
  if (value === undefined || value === '') return { ok: true, format: { kind: 'table', wide: false } };
  if (value === 'wide') return { ok: true, format: { kind: 'table', wide: true } };
  if (value === 'yaml' || value === 'json' || value === 'name') return { ok: true, format: { kind: value } };
  const eq = value.indexOf('=');
  const name = eq < 0 ? value : value.slice(0, eq);
  const arg = eq < 0 ? '' : value.slice(eq + 1);
  if (name === 'jsonpath' || name === 'jsonpath-as-json') {
    if (arg === '') return { ok: false, error: 'error: template format specified but no template given\n' };
    return { ok: true, format: { kind: 'jsonpath', template: arg, ...(name === 'jsonpath-as-json' ? { asJson: true } : {}) } };
  }
  if (name === 'custom-columns') {
    const columns = arg.split(',').filter((c) => c !== '').map((spec) => {
      const colon = spec.indexOf(':');
      return colon < 0 ? undefined : { header: spec.slice(0, colon), path: spec.slice(colon + 1) };
    });
    if (columns.length === 0 || columns.some((c) => c === undefined)) {
      return { ok: false, error: 'error: custom-columns format specified but no custom columns given\n' };
    }
    return { ok: true, format: { kind: 'custom-columns', columns: columns as { header: string; path: string }[] } };
  }
  if (name === 'go-template' || name === 'template') {
    if (arg === '') return { ok: false, error: 'error: template format specified but no template given\n' };
    return { ok: true, format: { kind: 'go-template', template: arg } };
  }
  if (['go-template-file', 'templatefile'].includes(name)) {
    return { ok: false, error: `error: ${name} output needs a local file, which this simulator does not have; use -o ${name === 'templatefile' ? 'template' : 'go-template'}=… instead\n` };
  }
  if (['jsonpath-file', 'custom-columns-file'].includes(name)) {
    return { ok: false, error: `error: ${name} output needs a local file, which this simulator does not have; use -o ${name.replace('-file', '')}=… instead\n` };
  }
  return { ok: false, error: `error: unable to match a printer suitable for the output format "${value}", allowed formats are: ${ALLOWED}\n` };
}

/** kubectl's YAML: sorted keys, sequences not indented under their key, YAML 1.1 quoting, go-yaml's folding. */
export function toYaml(value: Json): string {
  return foldLikeGoYaml(unfoldedYaml(value));
}

/** toYaml before folding: each scalar on one line. */
function unfoldedYaml(value: Json): string {
  const doc = new Document(value, { sortMapEntries: true, schema: 'yaml-1.1' });
  // go-yaml double-quotes what would read back as another type or cannot be printed as it is;
  // any other string that cannot be plain it single-quotes (singleQuote: the library's choice then),
  // an apostrophe doubled ('it''s: x'), where this library would double-quote a string holding one.
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || node.value.includes('\n')) return;
      if (goYamlDoubleQuoted(node.value)) node.type = 'QUOTE_DOUBLE';
      else if (node.value.includes("'") && stringify(node.value, { singleQuote: true, lineWidth: 0 }).startsWith('"')) node.type = 'QUOTE_SINGLE';
    },
  });
  const text = doc.toString({ indentSeq: false, lineWidth: 0, singleQuote: true });
  // go-yaml writes the key `.` (managedFields' fieldsV1) plain, where this library quotes it.
  return text.includes("'.'") ? text.replace(/^(\s*(?:- )?)'\.':/gm, '$1.:') : text;
}


/** go-yaml v2's emitter best_width: past this column a scalar breaks at its next space. */
const BEST_WIDTH = 80;

/** `indent`, `- ` markers, maybe a key (plain or quoted) and `: `, then the value. */
const YAML_LINE = /^( *(?:- )*)((?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^'"\s][^]*?): )?(.*)$/;

/**
 * Folds the scalars the yaml library left on one line as go-yaml v2 does (emitterc.go
 * yaml_emitter_write_plain_scalar, _single_quoted_, _double_quoted_): at a space, once the
 * line is past column 80 and the space is neither doubled nor at a quoted value's ends, the
 * line breaks and the scalar goes on indented 2 past its key (or its `- `). Block scalars'
 * lines are left as they are. Columns count characters, as the emitter does.
 */
function foldLikeGoYaml(text: string): string {
  if (!/^.{81}/mu.test(text)) return text;
  const out: string[] = [];
  let block = -1; // inside a block scalar (`|`): the indent of the line that opened it
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (block >= 0 && (line === '' || indent > block)) {
      out.push(line);
      continue;
    }
    block = -1;
    const m = YAML_LINE.exec(line)!;
    const [, lead = '', key, value = ''] = m;
    if (/^[|>][0-9+-]*$/.test(value)) block = indent;
    const head = [...lead].length + (key === undefined ? 0 : [...key].length);
    out.push(head + [...value].length <= BEST_WIDTH + 1 ? line : lead + (key ?? '') + foldScalar(value, head, lead.length + (key === undefined ? 0 : 2)));
  }
  return out.join('\n');
}

function foldScalar(value: string, column: number, continuation: number): string {
  const quote = value[0] === "'" || value[0] === '"' ? value[0] : '';
  if (!quote && /^[[{&*!|>]/.test(value)) return value;
  const chars = [...value];
  const inner = quote ? [1, chars.length - 1] : [0, chars.length];
  let out = '';
  let col = column;
  let spaces = false;
  chars.forEach((c, i) => {
    if (c === ' ' && i >= inner[0]! && i < inner[1]!) {
      const atEnds = quote !== '' && (i === inner[0] || i === inner[1]! - 1);
      const nextSpace = chars[i + 1] === ' ';
      if (!spaces && col > BEST_WIDTH && !atEnds && (quote === '"' || !nextSpace)) {
        // A double-quoted scalar escapes a space that would start the next line.
        out += `\n${' '.repeat(continuation)}${quote === '"' && nextSpace ? '\\' : ''}`;
        col = continuation + (quote === '"' && nextSpace ? 1 : 0);
      } else {
        out += c;
        col++;
      }
      spaces = true;
      return;
    }
    out += c;
    col++;
    spaces = false;
  });
  return out;
}

// The yaml library takes about 1 µs per character it prints: `-o yaml` of a few dozen pods is
// tens of ms. Each object's YAML is kept by its JSON (a pure function of it, so the bytes are
// the same), and a list is put together from its items' YAML: listing unchanged objects again
// costs a lookup. Bounded by size; the oldest entries go first.
const yamlByJson = new Map<string, string>();
let yamlCacheChars = 0;
const YAML_CACHE_CHARS = 8 * 2 ** 20;

/**
 * Steps charged per character of an object's compact JSON for its YAML, whether it was kept
 * or not: the budget a line spends must not depend on what this process printed before.
 */
const YAML_STEPS_PER_JSON_CHAR = 15;

/** The YAML of one object (a map) before folding, kept by its JSON. */
function objectYaml(manifest: Json, budget: LineBudget): string {
  const key = JSON.stringify(manifest);
  budget.spend(YAML_STEPS_PER_JSON_CHAR * key.length);
  const kept = yamlByJson.get(key);
  if (kept !== undefined) {
    yamlByJson.delete(key); // most recently used last
    yamlByJson.set(key, kept);
    return kept;
  }
  const text = unfoldedYaml(manifest);
  yamlByJson.set(key, text);
  yamlCacheChars += key.length + text.length;
  for (const [oldKey, oldText] of yamlByJson) {
    if (yamlCacheChars <= YAML_CACHE_CHARS) break;
    yamlByJson.delete(oldKey);
    yamlCacheChars -= oldKey.length + oldText.length;
  }
  return text;
}

/** kubectl's YAML of an object, or of a v1 List of them, from its items' kept YAML. */
export function manifestYaml(document: Json, budget: LineBudget): string {
  return foldLikeGoYaml(unfoldedManifestYaml(document, budget));
}

/** manifestYaml with each scalar on one line (folding looks at whole lines where they land). */
function unfoldedManifestYaml(document: Json, budget: LineBudget): string {
  const list = document as { kind?: Json; items?: Json };
  if (list.kind !== 'List' || !Array.isArray(list.items) || list.items.length === 0) return objectYaml(document, budget);
  // Keys sorted: apiVersion, items, kind, metadata; list entries not indented under `items:`.
  const items = list.items.map((item) => objectYaml(item, budget).replace(/\n(?=.)/g, '\n  ').replace(/^/, '- ')).join('');
  return unfoldedYaml({ ...(document as Record<string, Json>), items: [] }).replace('items: []\n', `items:\n${items}`);
}

/**
 * Objects with their keys sorted, as Go's encoding/json writes the maps kubectl decodes the
 * server's answer into (checked against the real kubectl, tests/differential/kubectl-api.test.ts).
 */
function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) sorted[k] = (value as Record<string, unknown>)[k];
  return sorted;
}

/** kubectl's JSON: 4-space indent, keys sorted. */
export function toJson(value: Json): string {
  return JSON.stringify(value, sortKeys, 4) + '\n';
}

/** An object's `-o json` as an item of a List (indented two levels, no newline after it), its value and newlines. */
interface ItemJson {
  text: string;
  value: Json;
  newlines: number;
}

function itemsJson(state: ClusterState, items: Selected[]): ItemJson[] {
  return keptBuilt(state, items, 'json', (item) => {
    const json = JSON.stringify(toManifest(state, item.type.kind, item.obj), sortKeys, 4);
    // Parsed back, not the manifest itself: the value is exactly what a reader of the text gets.
    const value = deepFreeze(JSON.parse(json) as Json);
    let newlines = 0;
    for (let i = json.indexOf('\n'); i >= 0; i = json.indexOf('\n', i + 1)) newlines++;
    return { text: `        ${json.replaceAll('\n', '\n        ')}`, value, newlines };
  });
}

function deepFreeze(value: Json): Json {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const LIST_HEAD = '{\n    "apiVersion": "v1",\n    "items": ';
const LIST_TAIL = ',\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n';

/**
 * `-o json`: toJson of outputDocument, with a List put together from its items' kept text
 * and value (CommandResult.json, so `| jq` need not parse it again).
 */
function outputJson(state: ClusterState, items: Selected[], single: boolean): { text: string; json?: StdoutJson } {
  if (single && items.length === 1) return { text: toJson(toManifest(state, items[0]!.type.kind, items[0]!.obj)) };
  const kept = itemsJson(state, items);
  // Concatenated, not joined: V8 keeps a rope, copied into one string only if a reader reads
  // the characters (`| jq` takes the value instead).
  let list = '[]';
  if (kept.length > 0) {
    list = '[\n';
    for (let i = 0; i < kept.length; i++) list += (i === 0 ? '' : ',\n') + kept[i]!.text;
    list += '\n    ]';
  }
  const value = { apiVersion: 'v1', items: kept.map((k) => k.value), kind: 'List', metadata: { resourceVersion: '' } };
  // The head's and tail's newlines, one after each item, and the items' own.
  const newlines = 8 + (kept.length === 0 ? 0 : kept.length + 1) + kept.reduce((n, k) => n + k.newlines, 0);
  return { text: LIST_HEAD + list + LIST_TAIL, json: { value, newlines } };
}

/** The document `-o yaml|json|jsonpath` prints: the object, or a v1 List of them. */
export function outputDocument(state: ClusterState, items: Selected[], single: boolean, managedFields = false): Json {
  const manifests = items.map((i) => {
    const manifest = toManifest(state, i.type.kind, i.obj);
    return managedFields ? withManagedFields(state, i.type.kind, i.obj, manifest) : manifest;
  });
  if (single && manifests.length === 1) return manifests[0]!;
  return { apiVersion: 'v1', items: manifests, kind: 'List', metadata: { resourceVersion: '' } };
}

/** Prints items in a non-table format. */
/** `managedFields`: --show-managed-fields (kubectl strips them from what it prints otherwise). */
export function printStructured(state: ClusterState, items: Selected[], format: Exclude<OutputFormat, { kind: 'table' }>, opts: { single: boolean; noHeaders: boolean; budget: LineBudget; managedFields?: boolean }): { ok: true; text: string; json?: StdoutJson } | { ok: false; error: string } {
  switch (format.kind) {
    case 'yaml': return { ok: true, text: manifestYaml(outputDocument(state, items, opts.single, opts.managedFields), opts.budget) };
    case 'json': return opts.managedFields ? { ok: true, text: toJson(outputDocument(state, items, opts.single, true)) } : { ok: true, ...outputJson(state, items, opts.single) };
    case 'name': return { ok: true, text: items.map((i) => `${qualifiedSingular(i.type)}/${i.obj.metadata.name}\n`).join('') };
    case 'jsonpath': {
      const result = executeJsonPath(format.template, outputDocument(state, items, opts.single, opts.managedFields), opts.budget, format.asJson);
      return result.ok ? { ok: true, text: result.text } : { ok: false, error: `error: ${result.error}\n` };
    }
    case 'go-template': {
      const result = executeGoTemplate(format.template, outputDocument(state, items, opts.single, opts.managedFields), opts.budget);
      return result.ok ? { ok: true, text: result.text } : { ok: false, error: `error: ${result.error}\n` };
    }
    case 'custom-columns': {
      const rows = items.map((i) => {
        const manifest = toManifest(state, i.type.kind, i.obj);
        return format.columns.map((c) => {
          const values = evaluatePath(c.path, manifest, opts.budget) ?? [];
          // fmt's %v of each value (cli-runtime printers/customcolumn.go printOneObject): a map is `map[k:v]`.
          const cell = values.length === 0 ? '<none>' : values.map(goString).join(',');
          // Charged as it is made: the table of every cell was charged only once printed
          // (500 `..name` columns over 24 pods: 5 MB, 350 ms before the line stopped).
          opts.budget.spend(cell.length);
          return cell;
        });
      });
      return { ok: true, text: renderTable(opts.noHeaders ? undefined : format.columns.map((c) => c.header), rows) };
    }
  }
}

/**
 * `--sort-by=.metadata.name` / `{.status.startTime}`: kubectl's sorter.go (RuntimeSort,
 * TableSorter): Go's sort.Sort (unstable: ties land where its pdqsort puts them), an item
 * without the field before any other, strings in natural order, numbers by value.
 */
export function sortItems(state: ClusterState, items: Selected[], expression: string, budget?: LineBudget): { ok: true; items: Selected[] } | { ok: false; error: string } {
  const path = expression.startsWith('{') ? expression : `{${expression}}`;
  const keyed = items.map((item) => {
    const values = evaluatePath(path, toManifest(state, item.type.kind, item.obj), budget);
    return { item, key: values?.[0] };
  });
  if (keyed.some((k) => k.key !== undefined && typeof k.key === 'object' && k.key !== null)) {
    return { ok: false, error: `error: couldn't find any field with path "${path}" in the list of objects\n` };
  }
  const less = (a: Json | undefined, b: Json | undefined): boolean => {
    if (a === undefined || a === null) return true;
    if (b === undefined || b === null) return false;
    if (typeof a === 'number' && typeof b === 'number') return a < b;
    return naturalLess(String(a), String(b));
  };
  goSort(keyed, (a, b) => less(a.key, b.key));
  return { ok: true, items: keyed.map((k) => k.item) };
}
