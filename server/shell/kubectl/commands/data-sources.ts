// The data of `create configmap|secret generic`: `--from-literal=k=v`, `--from-file=[k=]path`
// (a directory gives each of its files, by name), `--from-env-file=path` (KEY=VALUE lines),
// as kubectl's configmap and secret generators read them (create_configmap.go, create_secret.go).
import { isDirectory, listDirectory, readFile, resolvePath } from '../../vfs.js';
import type { KubectlContext, ParsedFlags } from '../types.js';

/** What a key may be (validation.IsConfigMapKey). */
const KEY = /^[-._a-zA-Z0-9]+$/;

export function dataSources(ctx: KubectlContext, flags: ParsedFlags): Record<string, string> | string {
  const data: Record<string, string> = {};
  const add = (key: string, value: string): string | undefined => {
    if (!KEY.test(key)) return `error: "${key}" is not a valid key name: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')\n`;
    if (Object.hasOwn(data, key)) return `error: cannot add key ${key}, another key by that name already exists in data: ${JSON.stringify(Object.keys(data))}\n`;
    data[key] = value;
    return undefined;
  };
  /** A file's text, charged to the line's budget; undefined if it cannot be read. */
  const read = (path: string): string | undefined => {
    const file = readFile(ctx, 'kubectl', path);
    if (!file.ok) return undefined;
    ctx.budget.spend(file.content.length);
    return file.content;
  };
  for (const literal of flags.all('from-literal')) {
    const eq = literal.indexOf('=');
    if (eq <= 0) return `error: invalid literal source ${literal}, expected key=value\n`;
    const problem = add(literal.slice(0, eq), literal.slice(eq + 1));
    if (problem) return problem;
  }
  for (const source of flags.all('from-file')) {
    const eq = source.indexOf('=');
    const [key, path] = eq > 0 ? [source.slice(0, eq), source.slice(eq + 1)] : [undefined, source];
    const abs = resolvePath(ctx.session, path);
    if (key === undefined && isDirectory(ctx.state, ctx.session, abs)) {
      for (const entry of listDirectory(ctx.state, ctx.session, abs).filter((e) => !e.dir)) {
        const content = read(`${abs}/${entry.name}`);
        if (content === undefined) continue;
        const problem = add(entry.name, content);
        if (problem) return problem;
      }
      continue;
    }
    const content = read(path);
    if (content === undefined) return `error: error reading ${path}: no such file or directory\n`;
    const problem = add(key ?? path.split('/').pop()!, content);
    if (problem) return problem;
  }
  for (const path of flags.all('from-env-file')) {
    const content = read(path);
    if (content === undefined) return `error: error reading ${path}: no such file or directory\n`;
    for (const [i, raw] of content.split('\n').entries()) {
      const line = raw.replace(/^\s+/, '');
      if (line === '' || line.startsWith('#')) continue;
      const eq = line.indexOf('=');
      const key = eq < 0 ? line : line.slice(0, eq);
      if (eq < 0) return `error: line ${i + 1}: no '=' found in ${JSON.stringify(key)}\n`;
      const problem = add(key, line.slice(eq + 1));
      if (problem) return problem;
    }
  }
  // The apiserver keeps a map, and prints it with its keys in order.
  return Object.fromEntries(Object.keys(data).sort().map((k) => [k, data[k]!]));
}
