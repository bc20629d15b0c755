// `kubectl describe` for the kinds kept as JSON (cluster/stored-kinds.ts): Secret and
// ServiceAccount with kubectl's own describers, every other kind with kubectl's generic
// describer, which prints the object's content with "smart" labels (kubectl pkg/describe
// describe.go: genericDescriber, printUnstructuredContent, smartLabelFor).
import type { ClusterState, JsonValue, StoredObject } from '../../../cluster/types.js';
import { toManifest } from '../manifest.js';
import { describeWriter, writeEvents, writeLabels, writeAnnotations, writeObjectHead, type DescribeWriter } from './writer.js';

const ACRONYMS = new Set(['API', 'URL', 'UID', 'OSB', 'GUID']);

/** `apiVersion` → `API Version`, `holderIdentity` → `Holder Identity`; names with other characters stay as they are. */
export function smartLabel(field: string): string {
  if (/[^\p{L}-]/u.test(field)) return field;
  const parts = field.match(/\p{Lu}+(?!\p{Ll})|\p{Lu}?\p{Ll}+|-+/gu) ?? [field];
  return parts.map((p) => (ACRONYMS.has(p.toUpperCase()) ? p.toUpperCase() : p[0]!.toUpperCase() + p.slice(1))).join(' ');
}

const SKIPPED = new Set(['.metadata.managedFields', '.metadata.name', '.metadata.namespace', '.metadata.labels', '.metadata.annotations']);

const scalar = (v: JsonValue): string => (v === null ? '<nil>' : String(v));

function writeContent(w: DescribeWriter, level: number, content: { [k: string]: JsonValue }, prefix: string): void {
  for (const key of Object.keys(content).sort()) {
    const path = `${prefix}.${key}`;
    if (SKIPPED.has(path)) continue;
    const value = content[key]!;
    if (Array.isArray(value)) {
      w.write(level, `${smartLabel(key)}:\n`);
      for (const child of value) {
        if (child !== null && typeof child === 'object' && !Array.isArray(child)) writeContent(w, level + 1, child, path);
        else w.write(level + 1, `${Array.isArray(child) ? JSON.stringify(child) : scalar(child)}\n`);
      }
    } else if (value !== null && typeof value === 'object') {
      w.write(level, `${smartLabel(key)}:\n`);
      writeContent(w, level + 1, value, path);
    } else {
      w.write(level, `${smartLabel(key)}:\t${scalar(value)}\n`);
    }
  }
}

function describeGeneric(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  w.write(0, `Name:\t${o.metadata.name}\n`);
  w.write(0, `Namespace:\t${o.metadata.namespace ?? ''}\n`);
  writeLabels(w, 0, 'Labels', o.metadata.labels);
  writeAnnotations(w, 0, o.metadata.annotations);
  writeContent(w, 0, toManifest(state, o.kind, o), '');
  writeEvents(w, state, o.metadata.uid);
  return w.done();
}

function describeSecret(_state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  writeObjectHead(w, o.metadata);
  w.write(0, `\nType:\t${scalar(o.fields.type ?? 'Opaque')}\n\nData\n====\n`);
  const data = o.fields.data;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    for (const key of Object.keys(data).sort()) w.write(0, `${key}:\t${Buffer.from(String(data[key]), 'base64').length} bytes\n`);
  }
  return w.done();
}

function describeServiceAccount(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  writeObjectHead(w, o.metadata);
  const names = (v: JsonValue | undefined): string[] => (Array.isArray(v) ? v.map((x) => (x && typeof x === 'object' && !Array.isArray(x) ? scalar(x.name ?? '') : '')) : []);
  const list = (title: string, items: string[]) => w.write(0, `${title}:\t${items.length === 0 ? '<none>' : items.join('\n\t')}\n`);
  list('Image pull secrets', names(o.fields.imagePullSecrets));
  list('Mountable secrets', names(o.fields.secrets));
  list('Tokens', []);
  writeEvents(w, state, o.metadata.uid);
  return w.done();
}

export function describeStored(state: ClusterState, o: StoredObject): string {
  if (o.kind === 'Secret') return describeSecret(state, o);
  if (o.kind === 'ServiceAccount') return describeServiceAccount(state, o);
  return describeGeneric(state, o);
}
