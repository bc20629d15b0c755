// kubectl describe's prefix writer: indentation levels of two spaces, tab-separated cells
// aligned at the end by a tabwriter (minwidth 0, padding 2), plus the helpers every
// describer shares (labels, annotations, events).
import type { ClusterEvent, ClusterState, ObjectMeta, Taint, Toleration } from '../../../cluster/types.js';
import { age } from '../age.js';
import { DESCRIBE_WRITER, tabwrite } from '../table.js';

export interface DescribeWriter {
  /** Writes `text` at an indentation level (0-3); cells separated by `\t`. */
  write(level: number, text: string): void;
  done(): string;
}

export function describeWriter(): DescribeWriter {
  let out = '';
  return {
    write: (level, text) => {
      out += '  '.repeat(level) + text;
    },
    done: () => tabwrite(out, DESCRIBE_WRITER),
  };
}

/** A PrefixWriter's text as it is, without the tabwriter (history.go printTemplate writes so). */
export function plainWriter(): DescribeWriter {
  let out = '';
  return {
    write: (level, text) => {
      out += '  '.repeat(level) + text;
    },
    done: () => out,
  };
}

/** `Labels:  a=b` then one `\tkey=value` line per further label (printLabelsMultiline: no indent before the tab). */
export function writeMultiline(w: DescribeWriter, level: number, title: string, entries: string[]): void {
  if (entries.length === 0) {
    w.write(level, `${title}:\t<none>\n`);
    return;
  }
  entries.forEach((entry, i) => w.write(i === 0 ? level : 0, i === 0 ? `${title}:\t${entry}\n` : `\t${entry}\n`));
}

const sortedEntries = (m: Record<string, string>): [string, string][] =>
  Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export function writeLabels(w: DescribeWriter, level: number, title: string, labels: Record<string, string>): void {
  writeMultiline(w, level, title, sortedEntries(labels).map(([k, v]) => `${k}=${v}`));
}

/** The annotation `kubectl apply` keeps its last applied object in (corev1.LastAppliedConfigAnnotation). */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** describe.go maxAnnotationLen: a longer `key: value` goes under its key, each line cut to this less 2. */
const MAX_ANNOTATION_LEN = 140;

/**
 * describe.go printAnnotationsMultiline: kubectl's last-applied-configuration is left out, a
 * long or multi-line value goes on lines of its own under its key (each cut with `...`).
 * Lengths are Go's, in bytes.
 */
export function writeAnnotations(w: DescribeWriter, level: number, annotations: Record<string, string>): void {
  const bytes = (s: string): number => Buffer.byteLength(s);
  const shorten = (s: string, max: number): string => (bytes(s) > max ? `${Buffer.from(s).subarray(0, max).toString()}...` : s);
  const lines = sortedEntries(annotations).filter(([k]) => k !== LAST_APPLIED).flatMap(([k, raw]) => {
    const v = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
    if (bytes(v) + bytes(k) + 2 <= MAX_ANNOTATION_LEN && !v.includes('\n')) return [`${k}: ${v}`];
    return [`${k}:`, ...v.split('\n').map((line) => `  ${shorten(line, MAX_ANNOTATION_LEN - 2)}`)];
  });
  writeMultiline(w, level, 'Annotations', lines);
}

/** The common head: Name, Namespace, Labels, Annotations (in the order most describers use). */
export function writeObjectHead(w: DescribeWriter, meta: ObjectMeta): void {
  w.write(0, `Name:\t${meta.name}\n`);
  if (meta.namespace !== undefined) w.write(0, `Namespace:\t${meta.namespace}\n`);
  writeLabels(w, 0, 'Labels', meta.labels);
  writeAnnotations(w, 0, meta.annotations);
}

export function tolerationString(t: Toleration): string {
  let s = t.key ?? '';
  if (t.value) s += `=${t.value}`;
  if (t.effect) s += `:${t.effect}`;
  // describe.go printTolerationsMultilineWithIndent: a bare `operator: Exists` (no key, no effect) tolerates everything.
  if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
  if (t.tolerationSeconds !== undefined) s += ` for ${t.tolerationSeconds}s`;
  return s;
}

export function taintString(t: Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

// Events by involved object, per events array. recordEvent only appends (an aggregated
// repeat changes count and times in place) and expiry replaces the array, so an index is
// valid while the array and its length are the same.
const eventIndexes = new WeakMap<ClusterEvent[], { length: number; byUid: Map<string, ClusterEvent[]> }>();

export function eventsAbout(state: ClusterState, uid: string): ClusterEvent[] {
  const events = state.events;
  let index = eventIndexes.get(events);
  if (!index || index.length !== events.length) {
    index = { length: events.length, byUid: new Map() };
    for (const e of events) {
      const list = index.byUid.get(e.involvedObject.uid);
      if (list) list.push(e);
      else index.byUid.set(e.involvedObject.uid, [e]);
    }
    eventIndexes.set(events, index);
  }
  return index.byUid.get(uid) ?? [];
}

/** Events about an object (by uid), oldest first, as the `Events:` table. */
export function writeEvents(w: DescribeWriter, state: ClusterState, uid: string): void {
  const events = [...eventsAbout(state, uid)].sort((a, b) => a.lastTimestamp - b.lastTimestamp);
  if (events.length === 0) {
    w.write(0, 'Events:\t<none>\n');
    return;
  }
  w.write(0, 'Events:\n');
  w.write(1, 'Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  for (const e of events) w.write(1, `${e.type}\t${e.reason}\t${eventAge(state, e)}\t${e.source.component}\t${e.message.trim()}\n`);
}

export function eventAge(state: ClusterState, e: ClusterEvent): string {
  return e.count > 1
    ? `${age(state, e.lastTimestamp)} (x${e.count} over ${age(state, e.firstTimestamp)})`
    : age(state, e.firstTimestamp);
}
