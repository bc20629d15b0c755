// What kubectl showed of the world (cluster/facts.ts): after printing objects, in any
// format, it tags the facts of those objects whose text is in what it printed — a field's
// value, a table column, an event's message. Only objects and fields the sink wants are
// looked at, so a 15,000-pod listing costs nothing unless evidence names those pods.
import type { Fact, FactScope, FactSink, PartialFact } from '../../cluster/facts.js';
import type { ClusterEvent, Node } from '../../cluster/types.js';
import { shows } from '../reveals.js';
import { allocatedCpu } from './describe/node.js';
import { eventsAbout, taintString } from './describe/writer.js';
import { toManifest, type Json } from './manifest.js';
import { TABLES, tableHeaders } from './printers.js';
import type { Selected } from './query.js';
import type { KubeObject } from './resources.js';
import { compareStrings } from './listing.js';
import type { KubectlContext } from './types.js';

/** How the objects were printed: describe adds its derived sections and the objects' events. */
export type PrintedAs = 'table' | 'structured' | 'describe';

/** describe's line for an object without events (padded by its tab writer). */
const NO_EVENTS = /^Events:[ \t]+<none>$/m;

/** Fields kubectl derives rather than prints from the manifest. */
const DERIVED = new Set(['spec.taints', 'allocated.cpu', 'events']);

/** The fact field of each table column of a kind (`STATUS` → `status`), as `-o wide` orders them; NAME and AGE are none. */
const COLUMN_FIELDS = new Map<string, (string | undefined)[]>();
function columnFields(kind: string, wide: boolean): (string | undefined)[] {
  const key = `${kind}/${wide}`;
  let fields = COLUMN_FIELDS.get(key);
  if (!fields) {
    const table = TABLES[kind];
    fields = (table ? tableHeaders(table, wide) : []).map((h) => (h === 'NAME' || h === 'AGE' ? undefined : h.toLowerCase().replace(/\s+/g, '-')));
    COLUMN_FIELDS.set(key, fields);
  }
  return fields;
}

/** Scalar leaves of a manifest under dotted paths (list indexes left out); multi-line strings by line. */
function leaves(value: Json | undefined, path: string, out: [string, string][]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) leaves(item, path, out);
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
    return;
  }
  const text = String(value);
  if (!text.includes('\n')) out.push([path, text]);
  else for (const line of text.split('\n')) if (line.trim() !== '') out.push([path, line.trim()]);
}

function eventFact(e: ClusterEvent): Fact {
  return {
    source: 'event', kind: e.involvedObject.kind, name: e.involvedObject.name, field: e.reason, value: e.message.trim(),
    ...(e.involvedObject.namespace !== undefined ? { namespace: e.involvedObject.namespace } : {}),
  };
}

/** Tags the events among `events` whose message `output` shows. */
export function tagEvents(sink: FactSink, events: readonly ClusterEvent[], output: string): void {
  // One probe, filled in per event: asking about thousands of events allocates nothing.
  const probe: PartialFact = { source: 'event' };
  for (const e of events) {
    probe.kind = e.involvedObject.kind;
    probe.name = e.involvedObject.name;
    probe.namespace = e.involvedObject.namespace;
    probe.field = e.reason;
    if (!sink.wants(probe)) continue;
    const fact = eventFact(e);
    if (shows(output, fact.value)) sink.add({ fact, text: fact.value });
  }
}

/**
 * Tags the facts of printed objects that `output` shows. `ordered`: the objects of each kind
 * come in listing order (by namespace, then name; a listing without --sort-by), so the rows
 * evidence can name are found by binary search and a 15,000-pod listing touches only those.
 */
export function tagObjects(ctx: Pick<KubectlContext, 'state' | 'facts'>, items: readonly Selected[], output: string, as: PrintedAs, ordered = false): void {
  const sink = ctx.facts;
  if (!sink || output === '') return;
  const events: ClusterEvent[] = [];
  // One probe, filled in per object (no allocation per row).
  const probe: PartialFact = { source: 'object' };
  // A run of items of one kind at a time (queryObjects lists kind after kind).
  for (let start = 0, end = 0; start < items.length; start = end) {
    const type = items[start]!.type;
    for (end = start + 1; end < items.length && items[end]!.type === type; end++);
    if (type.kind === 'Event') {
      for (let i = start; i < end; i++) events.push(items[i]!.obj as ClusterEvent);
      continue;
    }
    // Asked once per kind: a listing of a kind no evidence names costs one question.
    const wantsObjects = sink.wants({ source: 'object', kind: type.kind });
    const wantsEvents = as === 'describe' && sink.wants({ source: 'event', kind: type.kind });
    if (!wantsObjects && !wantsEvents) continue;
    const scopes = ordered ? scopesOf(sink, type.kind, wantsObjects, wantsEvents) : undefined;
    const candidates = scopes ? inScopes(items, start, end, scopes) : undefined;
    const count = candidates ? candidates.length : end - start;
    for (let c = 0; c < count; c++) {
      const obj = items[candidates ? candidates[c]! : start + c]!.obj;
      probe.kind = type.kind;
      probe.name = obj.metadata.name;
      probe.namespace = obj.metadata.namespace;
      if (wantsEvents) {
        probe.source = 'event';
        if (sink.wants(probe)) events.push(...eventsAbout(ctx.state, obj.metadata.uid));
        probe.source = 'object';
      }
      if (wantsObjects && sink.wants(probe)) tagObject(ctx, sink, type.kind, obj, output, as);
    }
  }
  if (events.length > 0) tagEvents(sink, events, output);
}

/** Where the objects of a kind that evidence names may be (undefined: anywhere). */
function scopesOf(sink: FactSink, kind: string, objects: boolean, events: boolean): FactScope[] | undefined {
  const out: FactScope[] = [];
  for (const [source, wanted] of [['object', objects], ['event', events]] as const) {
    if (!wanted) continue;
    const scopes = sink.scopes({ source, kind });
    if (!scopes) return undefined;
    out.push(...scopes);
  }
  return out;
}

/** Indexes in items[start, end) (sorted by namespace, then name) of the objects in the scopes, ascending, each once. */
function inScopes(items: readonly Selected[], start: number, end: number, scopes: readonly FactScope[]): number[] {
  const found = new Set<number>();
  for (const scope of scopes) {
    const prefix = scope.name ?? scope.namePrefix ?? '';
    let lo = start;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = items[mid]!.obj.metadata;
      if ((compareStrings(m.namespace ?? '', scope.namespace) || compareStrings(m.name, prefix)) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < end; i++) {
      const m = items[i]!.obj.metadata;
      if ((m.namespace ?? '') !== scope.namespace || !(scope.name !== undefined ? m.name === scope.name : m.name.startsWith(prefix))) break;
      found.add(i);
    }
  }
  return [...found].sort((a, b) => a - b);
}

/** Tags the facts of one object whose fields some evidence names. */
function tagObject(ctx: Pick<KubectlContext, 'state'>, sink: FactSink, kind: string, obj: KubeObject, output: string, as: PrintedAs): void {
  const who = { kind, name: obj.metadata.name, ...(obj.metadata.namespace !== undefined ? { namespace: obj.metadata.namespace } : {}) };
  // Only the fields some evidence names are built.
  const fields = sink.fields({ source: 'object', ...who });
  const want = (field: string): boolean => fields === undefined || fields.includes(field);
  const found: [string, string, string][] = []; // field, value, the text that shows it
  const table = TABLES[kind];
  const columns = columnFields(kind, true);
  if (table && columns.some((c) => c !== undefined && want(c))) {
    // The wide cells (INTERNAL-IP…) only when some evidence names one; printed or not, the text decides.
    const narrow = columnFields(kind, false);
    const wide = columns.some((c) => c !== undefined && want(c) && !narrow.includes(c));
    const row = table.row(ctx.state, obj, wide);
    (wide ? columns : narrow).forEach((c, i) => {
      if (c !== undefined && row[i] && want(c)) found.push([c, row[i]!, row[i]!]);
    });
  }
  // A table shows labels (-L, --show-labels) and its columns; other formats the whole object.
  const leavesOf: [string, string][] = [];
  if (as === 'table') for (const [k, v] of Object.entries(obj.metadata.labels)) leavesOf.push([`metadata.labels.${k}`, v]);
  else if (fields === undefined || fields.some((f) => !DERIVED.has(f) && !columns.includes(f))) leaves(toManifest(ctx.state, kind, obj) as Json, '', leavesOf);
  for (const [field, value] of leavesOf) if (want(field)) found.push([field, value, value]);
  if (kind === 'Node' && want('spec.taints')) {
    for (const t of (obj as Node).spec.taints) {
      const value = taintString(t);
      found.push(['spec.taints', value, value], ['spec.taints', value, t.key]);
    }
  }
  if (kind === 'Node' && as === 'describe' && want('allocated.cpu')) {
    const cpu = allocatedCpu(ctx.state, obj as Node);
    found.push(['allocated.cpu', cpu, cpu]);
  }
  if (as === 'describe' && want('events') && eventsAbout(ctx.state, obj.metadata.uid).length === 0) {
    const line = NO_EVENTS.exec(output)?.[0];
    if (line) found.push(['events', '<none>', line]);
  }
  for (const [field, value, text] of found) {
    if (shows(output, text)) sink.add({ fact: { source: 'object', ...who, field, value }, text });
  }
}
