// Brace expansion, bash's first expansion: `a{b,c}d` → abd acd, `{1..5}`, `{01..10..3}`,
// `{a..e}`, nested and several per word. Only unquoted literal text takes part; `${…}`,
// `$(…)` and quoted text are carried along untouched.
import type { Word, WordPart } from './parse.js';

/** Most words one word may expand to (`{1..9}{1..9}…` multiplies). */
export const MAX_BRACE_WORDS = 20_000;

/**
 * Most characters the words of one expansion may hold together, counted while they are
 * built: a long tail after `{a,b}{a,b}…` multiplies text long before it multiplies words.
 */
export const MAX_BRACE_CHARS = 256 * 1024;

/**
 * Most brace expressions one word may nest (bash has no limit): each level copies the rest of
 * the word, so a 4 KB line of `{a,{a,…}}` took seconds and recursed a frame per level.
 */
export const MAX_BRACE_NESTING = 64;

export class BraceTooLarge extends Error {}

/** One character of unquoted literal text (which may be `{`, `,` or `}`), or a part kept whole. */
type Seg = { c: string } | { part: WordPart };

function segments(word: Word): Seg[] {
  const segs: Seg[] = [];
  for (const part of word.parts) {
    if (part.kind === 'lit' && !part.quoted) for (const c of part.text) segs.push({ c });
    else segs.push({ part });
  }
  return segs;
}

function toWord(segs: Seg[]): Word {
  const parts: WordPart[] = [];
  for (const s of segs) {
    if ('part' in s) parts.push(s.part);
    else {
      const last = parts.at(-1);
      if (last?.kind === 'lit' && !last.quoted) parts[parts.length - 1] = { ...last, text: last.text + s.c };
      else parts.push({ kind: 'lit', text: s.c, quoted: false });
    }
  }
  return { parts };
}

const isChar = (s: Seg | undefined, c: string): boolean => s !== undefined && 'c' in s && s.c === c;

/** The words a word expands to (the word itself when it has no brace expression). */
export function expandBraces(word: Word): Word[] {
  if (!word.parts.some((p) => p.kind === 'lit' && !p.quoted && p.text.includes('{'))) return [word];
  return expand(segments(word)).map(toWord);
}

function expand(segs: Seg[], nesting = 0): Seg[][] {
  if (nesting > MAX_BRACE_NESTING) throw new BraceTooLarge();
  for (let open = 0; open < segs.length; open++) {
    if (!isChar(segs[open], '{')) continue;
    const found = alternatives(segs, open);
    if (!found) continue;
    const prefix = segs.slice(0, open);
    const results: Seg[][] = [];
    let size = 0;
    for (const alt of found.alternatives) {
      for (const tail of expand([...alt, ...segs.slice(found.close + 1)], nesting + 1)) {
        size += prefix.length + tail.length;
        if (results.length >= MAX_BRACE_WORDS || size > MAX_BRACE_CHARS) throw new BraceTooLarge();
        results.push([...prefix, ...tail]);
      }
    }
    return results;
  }
  return [segs];
}

/** The alternatives of the brace expression opening at `open`, and where it closes. */
function alternatives(segs: Seg[], open: number): { alternatives: Seg[][]; close: number } | undefined {
  let depth = 0;
  const commas: number[] = [];
  for (let i = open + 1; i < segs.length; i++) {
    if (isChar(segs[i], '{')) depth++;
    else if (isChar(segs[i], '}')) {
      if (depth > 0) {
        depth--;
        continue;
      }
      if (commas.length > 0) {
        const bounds = [open, ...commas, i];
        return { alternatives: bounds.slice(1).map((end, k) => segs.slice(bounds[k]! + 1, end)), close: i };
      }
      const inner = segs.slice(open + 1, i);
      if (inner.some((s) => 'part' in s)) return undefined;
      const seq = sequence(inner.map((s) => (s as { c: string }).c).join(''));
      return seq ? { alternatives: seq.map((t) => [...t].map((c) => ({ c }))), close: i } : undefined;
    } else if (depth === 0 && isChar(segs[i], ',')) commas.push(i);
  }
  return undefined;
}

/** `1..10`, `01..10..3`, `a..e`: the items, or undefined when the text is no sequence. */
function sequence(text: string): string[] | undefined {
  const num = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/.exec(text);
  if (num) {
    const [from, to] = [Number(num[1]), Number(num[2])];
    const step = Math.abs(Number(num[3] ?? 1)) || 1;
    const width = [num[1]!, num[2]!].some((n) => /^-?0\d/.test(n)) ? Math.max(num[1]!.length, num[2]!.length) : 0;
    if (Math.abs(to - from) / step > MAX_BRACE_WORDS) throw new BraceTooLarge();
    const items: string[] = [];
    const dir = to >= from ? 1 : -1;
    for (let n = from; dir > 0 ? n <= to : n >= to; n += dir * step) {
      const s = String(Math.abs(n)).padStart(width - (n < 0 ? 1 : 0), '0');
      items.push(n < 0 ? `-${s}` : s);
    }
    return items;
  }
  const chars = /^([A-Za-z])\.\.([A-Za-z])(?:\.\.(-?\d+))?$/.exec(text);
  if (chars) {
    const [from, to] = [chars[1]!.charCodeAt(0), chars[2]!.charCodeAt(0)];
    const step = Math.abs(Number(chars[3] ?? 1)) || 1;
    const dir = to >= from ? 1 : -1;
    const items: string[] = [];
    for (let n = from; dir > 0 ? n <= to : n >= to; n += dir * step) items.push(String.fromCharCode(n));
    return items;
  }
  return undefined;
}
