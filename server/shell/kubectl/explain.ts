// `kubectl explain TYPE[.field…] [--recursive]` as kubectl v1.29 renders it from the server's
// OpenAPI v3 schema (k8s.io/kubectl pkg/explain/v2/templates/plaintext.tmpl): a GROUP/KIND/
// VERSION header, FIELD for a field path, DESCRIPTION (the field's text, then its type's),
// wrapped at 76 columns by go-wordwrap, and FIELDS sorted by name with `<type>` and
// `-required-`. The documentation is v1.29's own, shipped as data (explain-schema.json,
// written by scripts/explain-schema.mjs).
import schema from './explain-schema.json' with { type: 'json' };
import type { ResourceType } from './resources.js';

interface Field { d: string; t: string; r?: string }
interface Definition { d: string; p: Record<string, Field>; r?: string[] }

const DEFINITIONS = schema as Record<string, Definition>;

/** The schema module a group's types live in: `apps`, `networking` for networking.k8s.io, `core` for the core group. */
function definitionKey(type: ResourceType): string {
  const module = type.group === '' ? 'core' : type.group.split('.')[0]!;
  return `${module}/${type.apiVersion.split('/').at(-1)}.${type.kind}`;
}

export function hasExplanation(type: ResourceType): boolean {
  return Object.hasOwn(DEFINITIONS, definitionKey(type));
}

/**
 * go-wordwrap's WrapString: breaks at white space once a line would pass `limit` runes, keeps
 * the text's own newlines, and never breaks a word (a word longer than the limit overflows).
 */
export function wordWrap(text: string, limit: number): string {
  let out = '';
  let current = 0;
  let word = '';
  let space = '';
  for (const char of text) {
    if (char === '\n') {
      if (word === '') {
        if (current + space.length <= limit) out += space;
      } else out += space + word;
      out += '\n';
      space = '';
      word = '';
      current = 0;
    } else if (/\s/.test(char) && char !== '\u00a0') {
      if (space === '' || word !== '') {
        current += space.length + word.length;
        out += space + word;
        space = '';
        word = '';
      }
      space += char;
    } else {
      word += char;
      if (current + space.length + word.length > limit && word.length < limit) {
        out += '\n';
        current = 0;
        space = '';
      }
    }
  }
  if (word === '') {
    if (current + space.length <= limit) out += space;
  } else out += space + word;
  return out;
}

/** The template's `indent`: the pad before the text and after each of its newlines. */
const indent = (amount: number, text: string): string => {
  const pad = ' '.repeat(amount);
  return pad + text.replaceAll('\n', `\n${pad}`);
};

/** A field's own text, then its type's (the template's "description": the schema, then its $ref). */
function description(field: Field): string {
  let text = field.d ? `${field.d}\n` : '';
  const def = field.r ? DEFINITIONS[field.r] : undefined;
  if (def?.d) text += `${def.d}\n`;
  return text;
}

function fieldList(def: Definition | undefined, level: number, recursive: boolean, seen: Set<string>): string {
  if (!def) return '';
  let out = '';
  const pad = level * 2;
  for (const name of Object.keys(def.p).sort()) {
    const field = def.p[name]!;
    out += `${indent(pad, name)}\t<${field.t}>${def.r?.includes(name) ? ' -required-' : ''}\n`;
    if (!recursive) out += `${indent(pad + 2, wordWrap(field.d || '<no description>', 78 - pad))}\n\n`;
    else if (field.r && !seen.has(field.r)) out += fieldList(DEFINITIONS[field.r], level + 1, true, new Set([...seen, field.r]));
  }
  return out;
}

/** What `kubectl explain` prints for TYPE and a field path under it, or its error line. */
export function explain(type: ResourceType, path: string[], recursive: boolean): { ok: true; text: string } | { ok: false; error: string } {
  const key = definitionKey(type);
  const root = DEFINITIONS[key];
  if (!root) return { ok: false, error: `error: GVR (${type.group ? `${type.group}/` : ''}${type.apiVersion.split('/').at(-1)}, Resource=${type.plural}) not found in OpenAPI schema\n` };
  const group = type.group ? `GROUP:      ${type.group}\n` : '';
  let out = `${group}KIND:       ${type.kind}\nVERSION:    ${type.apiVersion.split('/').at(-1)}\n\n`;
  let def: Definition | undefined = root;
  let field: Field | undefined;
  const seen = new Set([key]);
  for (const [i, name] of path.entries()) {
    const next: Field | undefined = def && Object.hasOwn(def.p, name) ? def.p[name] : undefined;
    if (!next) return { ok: false, error: `error: field "${name}" does not exist\n` };
    if (i === path.length - 1) out += `FIELD: ${name} <${next.t}>\n\n`;
    field = next;
    def = next.r ? DEFINITIONS[next.r] : undefined;
    if (next.r) seen.add(next.r);
  }
  const text = field ? description(field) : root.d ? `${root.d}\n` : '';
  out += `DESCRIPTION:\n${indent(4, wordWrap(text || '<empty>', 76))}\n`;
  const fields = fieldList(def, 1, recursive, seen);
  if (fields) out += `FIELDS:\n${fields}`;
  return { ok: true, text: `${out}\n` };
}
