#!/usr/bin/env node
// Writes server/shell/kubectl/explain-schema.json, the field documentation `kubectl explain`
// prints, from the Kubernetes v1.29 API types as the `kubernetes-types@1.29.0` package carries
// them (its declarations and doc comments are generated from the v1.29 OpenAPI schema).
// A maintenance tool, run by hand when the schema changes:
//   node scripts/explain-schema.mjs            (fetches the package with `npm pack`)
//   node scripts/explain-schema.mjs DIR        (uses an unpacked package in DIR)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

const OUT = join(import.meta.dirname, '../server/shell/kubectl/explain-schema.json');
/** IntOrString is inlined as `number | string` in the package; its description is intstr.IntOrString's. */
const INT_OR_STRING = {
  d: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
  p: {},
  r: [],
};
/** Aliases of string whose schema is a plain string (explain prints `<string>`); others print their name. */
const STRING_SCHEMAS = new Set(['Time', 'MicroTime']);

function packageDir() {
  if (process.argv[2]) return process.argv[2];
  const dir = mkdtempSync(join(tmpdir(), 'k8s-types-'));
  const tgz = execFileSync('npm', ['pack', 'kubernetes-types@1.29.0', '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').at(-1);
  execFileSync('tar', ['xzf', tgz], { cwd: dir });
  return join(dir, 'package');
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.d.ts') ? [path] : [];
  });
}

/** A doc comment's text: lines without the ` * ` prefix, joined as the schema wrote them. */
const commentText = (lines) => lines.map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim();

function parse(root) {
  const defs = { 'intstr.IntOrString': INT_OR_STRING };
  const aliases = {};
  const pending = [];
  for (const file of files(root)) {
    const module = relative(root, file).replace(/\.d\.ts$/, '');
    const imports = {};
    const lines = readFileSync(file, 'utf8').split('\n');
    let comment = [];
    let inComment = false;
    let current;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const imp = /^import \{ (.+) \} from "(.+)";$/.exec(line);
      if (imp) {
        const from = relative(root, join(dirname(file), imp[2]));
        for (const name of imp[1].split(', ')) imports[name] = from;
        continue;
      }
      if (/^\s*\/\*\*/.test(line)) { inComment = true; comment = []; continue; }
      if (inComment) {
        if (/^\s*\*\//.test(line)) inComment = false;
        else comment.push(line);
        continue;
      }
      const alias = /^export declare type (\w+) = (.+);$/.exec(line);
      if (alias) {
        aliases[`${module}.${alias[1]}`] = alias[2];
        defs[`${module}.${alias[1]}`] = { d: commentText(comment), p: {}, r: [] };
        continue;
      }
      const start = /^export interface (\w+) \{$/.exec(line);
      if (start) {
        current = { d: commentText(comment), p: {}, r: [] };
        defs[`${module}.${start[1]}`] = current;
        continue;
      }
      if (line === '}') { current = undefined; continue; }
      const prop = /^ {4}(?:readonly )?([\w$]+)(\?)?: (.*)$/.exec(line);
      if (prop && current) {
        let type = prop[3];
        // A map spans lines: `{`, `[name: string]: T;`, `};`
        if (type === '{') {
          type = `{ ${lines[i + 1].trim()} }`;
          i += 2;
        }
        type = type.replace(/;$/, '');
        if (!prop[2]) current.r.push(prop[1]);
        const entry = { d: commentText(comment) };
        current.p[prop[1]] = entry;
        pending.push({ entry, type, module, imports });
      }
    }
  }
  const refOf = (name, module, imports) => `${imports[name] ?? module}.${name}`;
  const convert = (type, module, imports) => {
    if (type === 'string' || /^"/.test(type)) return { t: 'string' };
    if (type === 'number') return { t: 'integer' };
    if (type === 'boolean') return { t: 'boolean' };
    if (type === 'number | string') return { t: 'IntOrString', r: 'intstr.IntOrString' };
    const array = /^Array<(.+)>$/.exec(type) ?? /^(\w+)\[\]$/.exec(type);
    if (array) {
      const inner = convert(array[1], module, imports);
      return { ...inner, t: `[]${inner.t}` };
    }
    const map = /^\{ \[name: string\]: (.+); \}$/.exec(type);
    if (map) {
      const inner = convert(map[1], module, imports);
      return { ...inner, t: `map[string]${inner.t}` };
    }
    if (/^\w+$/.test(type)) {
      const ref = refOf(type, module, imports);
      return { t: STRING_SCHEMAS.has(type) ? 'string' : type, r: ref };
    }
    return { t: 'Object' };
  };
  for (const { entry, type, module, imports } of pending) Object.assign(entry, convert(type, module, imports));
  for (const def of Object.values(defs)) if (def.r.length === 0) delete def.r;
  return defs;
}

const defs = parse(packageDir());
writeFileSync(OUT, `${JSON.stringify(defs)}\n`);
console.log(`wrote ${OUT}: ${Object.keys(defs).length} definitions`);
