// bash glob patterns (case items, `[[ x == pat ]]`, ${x#pat}, ${x/pat/rep}, file names):
// `*`, `?`, `[…]` with ranges, negation and [:classes:]; a backslash makes the next
// character literal (the runner escapes what was quoted). Compiled to RE2 and run by re2js,
// so a pattern like `*a*a*a*b` cannot take more than linear time — linear in the text times
// the pattern's states, which the line's budget is charged for before each match.
import { RE2JS } from 're2js';
import type { LineBudget } from './budget.js';

type Atom = { k: 'lit'; c: string } | { k: 'star' } | { k: 'any' } | { k: 'class'; source: string };

const CLASSES: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', word: 'A-Za-z0-9_', cntrl: '\\x00-\\x1f\\x7f', print: ' -~', graph: '!-~',
};

const escapeRe = (c: string): string => (/[\\^$.|?*+()[\]{}\/-]/.test(c) ? `\\${c}` : c);

/** Makes text match itself in a pattern (for what was quoted). */
export function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]]/g, '\\$&');
}

/** True when the pattern has an unescaped `*`, `?` or `[`. */
export function hasGlob(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

function atoms(pattern: string): Atom[] {
  const out: Atom[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out.push({ k: 'lit', c: pattern[i + 1] ?? '\\' });
      i++;
    } else if (c === '*') {
      if (out.at(-1)?.k !== 'star') out.push({ k: 'star' });
    } else if (c === '?') out.push({ k: 'any' });
    else if (c === '[') {
      const cls = bracket(pattern, i);
      if (cls) {
        out.push({ k: 'class', source: cls.source });
        i = cls.end;
      } else out.push({ k: 'lit', c });
    } else out.push({ k: 'lit', c });
  }
  return out;
}

/** The `[…]` at `start` as an RE2 class, or undefined when it is not closed (then `[` is literal). */
function bracket(pattern: string, start: number): { source: string; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (pattern[i] === '!' || pattern[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  let first = true;
  for (; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === ']' && !first) return { source: `[${negate ? '^' : ''}${body}]`, end: i };
    first = false;
    if (c === '[' && pattern[i + 1] === ':') {
      const close = pattern.indexOf(':]', i + 2);
      const name = close < 0 ? undefined : pattern.slice(i + 2, close);
      if (name !== undefined && CLASSES[name] !== undefined) {
        body += CLASSES[name];
        i = close + 1;
        continue;
      }
    }
    if (c === '\\' && i + 1 < pattern.length) {
      body += escapeRe(pattern[++i]!);
      continue;
    }
    body += c === '-' ? '-' : escapeRe(c);
  }
  return undefined;
}

function source(list: Atom[], lazy: boolean): string {
  return list.map((a) => {
    switch (a.k) {
      case 'lit': return escapeRe(a.c);
      case 'star': return lazy ? '(?s:.*?)' : '(?s:.*)';
      case 'any': return '(?s:.)';
      case 'class': return a.source;
    }
  }).join('');
}

const cache = new Map<string, RE2JS>();

function compile(re: string): RE2JS {
  let compiled = cache.get(re);
  if (!compiled) {
    compiled = RE2JS.compile(re);
    if (cache.size > 500) cache.clear();
    cache.set(re, compiled);
  }
  return compiled;
}

/** Steps per character per pattern state: RE2's automaton advances every live state on each character. */
const STEPS_PER_STATE = 8;

/** Charges a match of `text` against a pattern of `parts` atoms (and compiling it). */
function charge(budget: LineBudget, parts: Atom[], textLength: number): Atom[] {
  budget.spend(parts.length + textLength * (parts.length + 1) * STEPS_PER_STATE);
  return parts;
}

/** Whether the whole text matches the pattern. */
export function matchGlob(pattern: string, text: string, budget: LineBudget): boolean {
  return compile(`^(?:${source(charge(budget, atoms(pattern), text.length), false)})$`).matcher(text).matches();
}

/** ${x#pat} (shortest) / ${x##pat} (longest): the text without the matching prefix. */
export function removePrefix(text: string, pattern: string, longest: boolean, budget: LineBudget): string {
  const m = compile(`^(?:${source(charge(budget, atoms(pattern), text.length), !longest)})`).matcher(text);
  return m.find() ? text.slice(m.end()) : text;
}

/** ${x%pat} (shortest) / ${x%%pat} (longest): the text without the matching suffix, found on the reversed text. */
export function removeSuffix(text: string, pattern: string, longest: boolean, budget: LineBudget): string {
  const reversed = [...text].reverse().join('');
  const m = compile(`^(?:${source(charge(budget, atoms(pattern), text.length).reverse(), !longest)})`).matcher(reversed);
  if (!m.find()) return text;
  return [...reversed.slice(m.end())].reverse().join('');
}

/** ${x/pat/rep}: the first (or every, or anchored) longest match replaced. */
export function replaceGlob(text: string, pattern: string, replacement: string, mode: '/' | '//' | '/#' | '/%', budget: LineBudget): string {
  if (pattern === '') return text;
  const parts = atoms(pattern);
  const body = source(charge(budget, parts, 0), false);
  const re = mode === '/#' ? `^(?:${body})` : mode === '/%' ? `(?:${body})$` : `(?:${body})`;
  const m = compile(re).matcher(text);
  let out = '';
  let at = 0;
  // Each search scans on from where the last match ended, as far as its match (or the end).
  const found = (from: number): boolean => {
    // A search that might scan past what the line can still afford is charged its worst case first.
    if ((text.length - from) * (parts.length + 1) * STEPS_PER_STATE > budget.remaining) charge(budget, parts, text.length - from);
    const hit = m.find(from);
    charge(budget, parts, (hit ? m.end() : text.length) - from);
    return hit;
  };
  while (at <= text.length && found(at)) {
    const start = m.start();
    const end = m.end();
    if (end === start) {
      if (mode === '/%' && start === text.length) return text.slice(0, start) + replacement;
      if (start >= text.length) break;
      out += text.slice(at, start + 1);
      at = start + 1;
      continue;
    }
    out += text.slice(at, start) + replacement;
    at = end;
    if (mode !== '//') break;
  }
  return out + text.slice(at);
}
