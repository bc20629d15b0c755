// POSIX basic / extended regular expressions (as grep, sed and awk take them), translated to
// RE2 syntax and run by re2js: player-typed patterns match in linear time, so a pattern like
// `(a+)+$` cannot freeze the server the way a backtracking RegExp would. GNU's error messages
// for the common mistakes; back-references (which need backtracking) are refused.
import { RE2JS } from 're2js';
import { LineBudget } from '../budget.js';
import { MAX_STAGE_CHARS } from '../limits.js';
import { KeptPrograms } from './kept.js';

export interface RegexOptions {
  /** ERE (grep -E, egrep, sed -E, awk) rather than BRE. */
  extended: boolean;
  ignoreCase?: boolean;
  /** grep -F: the pattern is a plain string. */
  fixed?: boolean;
  /** grep -w: the match must be a whole word. */
  word?: boolean;
  /** grep -x: the match must be the whole line. */
  line?: boolean;
  /** grep -P: Perl syntax, which RE2's is (\d, \s, \w, lazy quantifiers, lookbehinds), with `\K`. */
  perl?: boolean;
}

export interface Match {
  index: number;
  text: string;
  /** Capture groups 1…n (undefined when a group took no part). */
  groups: (string | undefined)[];
}

/** A compiled pattern; every operation runs in time linear in the text. */
export interface Matcher {
  test(text: string): boolean;
  /** Successive matches left to right (at most one empty match per position), like a /g RegExp. */
  matchAll(text: string): Match[];
  /**
   * The text with the first (or every) match replaced; `count` says how many were. Once the
   * result passes MAX_STAGE_CHARS the rest is dropped (the shell cuts output there anyway).
   */
  replace(text: string, global: boolean, replacement: (m: Match) => string): { text: string; count: number };
  /** The text cut at every non-empty match, like String.split with a RegExp. */
  split(text: string): string[];
}

export const BACK_REFERENCE_ERROR = 'back-references are not supported here';

const CLASSES: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', word: 'A-Za-z0-9_', cntrl: '\\x00-\\x1f\\x7f', print: ' -~', graph: '!-~',
};

const escapeRe2 = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** RE2 source for a POSIX pattern, or undefined when it holds a back-reference (\1–\9). */
export function posixToRe2(pattern: string, extended: boolean): string | undefined {
  let out = '';
  /** The quantifier just written, unescaped (ERE), if the last thing written was one. */
  let lastQuantifier: string | undefined;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      i++;
      if (next === undefined) return `${out}\\\\`;
      if (next === '<' || next === '>') out += '\\b';
      else if (!extended && '()|+?{}'.includes(next)) out += next;
      else if ('wWsSbB'.includes(next)) out += `\\${next}`;
      else if (next === 'n') out += '\\n';
      else if (next === 't') out += '\\t';
      else if (/[1-9]/.test(next)) return undefined;
      else out += escapeRe2(next);
    } else if (c === '[') {
      const end = bracketEnd(pattern, i);
      if (end < 0) {
        out += '['; // left for RE2 to report as an unmatched [
        continue;
      }
      out += translateBracket(pattern.slice(i + 1, end));
      i = end;
    } else if (!extended && '()|+?{}'.includes(c)) out += `\\${c}`;
    else if (extended && '*+?'.includes(c) && lastQuantifier !== undefined && out.endsWith(lastQuantifier)) {
      // POSIX reads `a+?` as `(a+)?`; RE2 would read a lazy `+`. Both quantifiers make one.
      const both = lastQuantifier + c;
      out = out.slice(0, -1) + (both === '++' ? '+' : both === '??' ? '?' : '*');
      lastQuantifier = out.at(-1);
      continue;
    } else out += c;
    lastQuantifier = extended && '*+?'.includes(c) ? c : undefined;
  }
  return out;
}

/** Index of the `]` closing the bracket expression opened at `start`, or -1. */
function bracketEnd(p: string, start: number): number {
  let i = start + 1;
  if (p[i] === '^') i++;
  if (p[i] === ']') i++;
  for (; i < p.length; i++) {
    if (p[i] === '[' && (p[i + 1] === ':' || p[i + 1] === '.' || p[i + 1] === '=')) {
      const close = p.indexOf(`${p[i + 1]}]`, i + 2);
      if (close < 0) return -1;
      i = close + 1;
    } else if (p[i] === ']') return i;
  }
  return -1;
}

function translateBracket(body: string): string {
  let out = '[';
  let i = 0;
  if (body[0] === '^') {
    out += '^';
    i = 1;
  }
  for (; i < body.length; i++) {
    const c = body[i]!;
    const cls = /^\[:([a-z]+):\]/.exec(body.slice(i));
    if (cls) {
      out += CLASSES[cls[1]!] ?? '';
      i += cls[0].length - 1;
    } else if (c === '\\' || c === ']' || c === '[') out += `\\${c}`;
    else out += c;
  }
  return `${out}]`;
}

/** GNU's wording for what RE2 rejects. */
function gnuError(message: string): string {
  if (/missing closing \)/.test(message)) return 'Unmatched ( or \\(';
  if (/unexpected \)/.test(message)) return 'Unmatched ) or \\)';
  if (/missing closing \]/.test(message)) return 'Unmatched [, [^, [:, [., or [=';
  if (/missing argument to repetition|invalid nested repetition/.test(message)) return 'Invalid preceding regular expression';
  if (/invalid repeat count/.test(message)) return 'Invalid content of \\{\\}';
  if (/expression too large/.test(message)) return 'Regular expression too big';
  return 'Invalid regular expression';
}

const WORD_CHAR = 'A-Za-z0-9_';

/** The matcher for a pattern, or GNU's message for why it is invalid; its work is spent from `budget`. */
export function compileRegex(pattern: string, opts: RegexOptions, budget: LineBudget): Matcher | { error: string } {
  const perl = opts.perl && !opts.fixed ? perlToRe2(pattern) : undefined;
  let source = perl?.source ?? (opts.fixed ? escapeRe2(pattern) : posixToRe2(pattern, opts.extended));
  if (source === undefined) return { error: BACK_REFERENCE_ERROR };
  // -w: a word character may neither precede nor follow. RE2 has no lookahead, so the
  // following character is consumed and the match proper is kept in an extra group 1.
  if (opts.word) source = `(?<![${WORD_CHAR}])(${source})(?:[^${WORD_CHAR}]|$)`;
  if (opts.line) source = `^(?:${source})$`;
  const flags = (opts.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0) | (opts.word || opts.perl ? RE2JS.LOOKBEHINDS : 0);
  const compiled = compileSource(source, flags, (opts.word ? 1 : 0) + (perl?.kept ? 1 : 0), budget);
  return 'error' in compiled ? { error: gnuError(compiled.error) } : compiled;
}

/**
 * A PCRE pattern as RE2 source: the same syntax, but for `\K` ("keep": the match reported starts
 * there), which becomes a group holding the rest, the match proper (`kept`). Only a `\K` outside
 * groups and classes is known; PCRE's other extras (lookaheads, backreferences) fail to compile.
 */
function perlToRe2(pattern: string): { source: string; kept: boolean } {
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (pattern[i + 1] === 'K' && depth === 0) return { source: `(?:${pattern.slice(0, i)})(${pattern.slice(i + 2)})`, kept: true };
      i++;
    } else if (c === '[') i = classEnd(pattern, i);
    else if (c === '(') depth++;
    else if (c === ')') depth--;
  }
  return { source: pattern, kept: false };
}

/** A pattern in RE2 / Go syntax as is (crictl --name), or undefined when it does not parse. */
export function compileRe2(source: string): Matcher | undefined {
  const compiled = compileSource(source, 0, 0, new LineBudget(Infinity)); // names of a few containers
  return 'error' in compiled ? undefined : compiled;
}

/** Compiling takes time in proportion to the program: `x{1000}x{1000}…` is refused before. */
const MAX_PROGRAM_SIZE = 20_000;

/** RE2 source made only of plain characters (escaped metacharacters included). */
const LITERAL = /^(?:[^\\.*+?()[\]{}|^$]|\\[.*+?()[\]{}|^$\\/-])+$/;

function compileSource(source: string, flags: number, main: number, budget: LineBudget): Matcher | { error: string } {
  // Most typed patterns are plain words: indexOf finds them far faster than a regex engine.
  if (flags === 0 && main === 0 && LITERAL.test(source)) return new LiteralMatcher(source.replace(/\\(.)/g, '$1'), budget);
  const size = estimatedSize(source);
  if (size > MAX_PROGRAM_SIZE) return { error: 'expression too large' };
  budget.spend(size); // charged whether the program was kept or not: replay spends the same
  try {
    const re = compiled(source, flags);
    const lookbehinds = (flags & RE2JS.LOOKBEHINDS) !== 0 && /\(\?<[=!]/.test(source);
    return new Re2Matcher(re, main, budget, 1 + Math.floor(size / PROGRAM_SIZE_PER_STEP), lookbehinds);
  } catch (error) {
    return { error: error instanceof Error ? error.message : '' };
  }
}

/** re2js programs by flags and source (compiling takes it far longer than matching a few hundred lines). */
const programs = new KeptPrograms<RE2JS>();

function compiled(source: string, flags: number): RE2JS {
  return programs.get(`${flags}:${source}`, () => RE2JS.compile(source, flags));
}

/** A rough upper bound of the compiled program's size: each `{n,m}` multiplies what it repeats. */
function estimatedSize(source: string): number {
  const groups: { total: number; last: number }[] = [{ total: 0, last: 0 }];
  for (let i = 0; i < source.length; i++) {
    const top = groups.at(-1)!;
    const c = source[i];
    const repeat = c === '{' ? /^\{(\d+)(?:,(\d*))?\}/.exec(source.slice(i, i + 16)) : null;
    if (c === '(') groups.push({ total: 0, last: 0 });
    else if (c === ')' && groups.length > 1) {
      const group = groups.pop()!;
      const parent = groups.at(-1)!;
      parent.last = group.total + 1;
      parent.total += parent.last;
    } else if (repeat) {
      const n = Math.max(Number(repeat[1]), Number(repeat[2] || repeat[1]));
      top.total += top.last * (n - 1);
      top.last *= n;
      i += repeat[0].length - 1;
    } else {
      const start = i;
      if (c === '\\') {
        i++;
        // \p{Greek} and \pL are one class each.
        if (source[i] === 'p' || source[i] === 'P') i = source[i + 1] === '{' ? Math.max(i, source.indexOf('}', i)) : i + 1;
      } else if (c === '[') i = classEnd(source, i);
      // A Unicode class (\p{L}: hundreds of ranges) costs far more to compile and to step.
      const unicode = source.slice(start, i + 1).match(/\\[pP]/g)?.length ?? 0;
      top.last = 1 + unicode * UNICODE_CLASS_SIZE;
      top.total += top.last;
    }
  }
  return groups.reduce((sum, g) => sum + g.total, 0);
}

/**
 * What a Unicode class (`\p{L}`, grep -P) counts for: re2js copies its ranges for each repeat,
 * so 1500 `-e '[\p{L}\p{N}\p{P}\p{S}\p{M}]{1000}zN'` compiled for 1.2 s (100 MB) within 2 M
 * steps; now such a repeat is too large, and `\p{L}+` still compiles.
 */
const UNICODE_CLASS_SIZE = 64;

/** Index of the `]` closing the RE2 character class at `start` (or the end of the source). */
function classEnd(source: string, start: number): number {
  let i = start + 1;
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
  return i;
}

/**
 * Matching costs a step per character per this much program (re2js steps a set of program
 * states along the text): `(a|b| ){500}x` over a long line is refused before it runs.
 */
const PROGRAM_SIZE_PER_STEP = 64;

/**
 * re2js's NFA (what runs a program with lookbehinds, and a search for groups in a text longer
 * than the backtracker takes) keeps a thread per live instruction, each ~40–60 ns a character.
 * Charged a step a character per 64 instructions, `grep -ciP '(?<=[\p{L}\p{Z}…]{1000})x'` or
 * `sed -E 's/[[:alnum:][:space:]]{1000}x//I'` over a 150 000 character line held the event loop
 * 8.6 s within its budget. A step per instruction would refuse the everyday patterns, whose
 * threads die at once (`kubectl get pods -A -o json | grep -P '(?<=phase": ")Running'`, 22
 * instructions, 3 ms); only a large program can keep many alive, so the charge grows with the
 * square of the program: n²/NFA_SQUARE_PER_STEP steps a character.
 */
const NFA_SQUARE_PER_STEP = 64;

/** The backtracker's reach (re2js: it runs programs up to 500 instructions, 256 Ki (instruction, position) pairs). */
const BACKTRACK_PROGRAM = 500;
const BACKTRACK_VECTOR = 262_144;

/** A match found costs this many steps times the program's weight (setting up the next search). */
const STEPS_PER_MATCH = 400;

class Re2Matcher implements Matcher {
  constructor(
    private readonly re: RE2JS,
    /** The group holding what counts as the match (1 for -w, see above). */
    private readonly main: number,
    private readonly budget: LineBudget,
    /** Steps per character searched (by the DFA or the backtracker). */
    private readonly weight: number,
    /** The program has lookbehinds: re2js runs it by its NFA only. */
    private readonly lookbehinds: boolean,
  ) {
    const instructions = re.programSize();
    this.nfaWeight = Math.max(weight, 1 + Math.floor((instructions * instructions) / NFA_SQUARE_PER_STEP));
    this.backtrackChars = instructions <= BACKTRACK_PROGRAM ? Math.floor(BACKTRACK_VECTOR / instructions) : 0;
  }

  /** Steps per character the NFA searches. */
  private readonly nfaWeight: number;
  /** The longest text a search for groups is backtracked in (longer: the NFA). */
  private readonly backtrackChars: number;

  test(text: string): boolean {
    this.budget.spend(text.length * (this.lookbehinds ? this.nfaWeight : this.weight));
    return this.re.test(text);
  }

  matchAll(text: string): Match[] {
    return [...this.matches(text)];
  }

  /** Matches one at a time, so replace can stop early. */
  private *matches(text: string): Generator<Match> {
    const nfa = this.lookbehinds || text.length > this.backtrackChars;
    this.budget.spend(text.length * (nfa ? this.nfaWeight : this.weight));
    const m = this.re.matcher(text);
    const groupCount = this.re.groupCount();
    let from = 0;
    let lastEnd = -1;
    while (from <= text.length && m.find(from)) {
      this.budget.spend(STEPS_PER_MATCH * this.weight);
      const start = m.start(this.main);
      const end = m.end(this.main);
      if (start === end && start === lastEnd) {
        // An empty match right after the previous match: move on (as sed and awk do).
        from = start + 1;
        continue;
      }
      const groups: (string | undefined)[] = [];
      for (let g = this.main + 1; g <= groupCount; g++) groups.push(m.group(g) ?? undefined);
      yield { index: start, text: text.slice(start, end), groups };
      lastEnd = end;
      from = end > start ? end : end + 1;
    }
  }

  replace(text: string, global: boolean, replacement: (m: Match) => string): { text: string; count: number } {
    let out = '';
    let at = 0;
    let count = 0;
    for (const match of this.matches(text)) {
      out += text.slice(at, match.index) + replacement(match);
      at = match.index + match.text.length;
      count++;
      if (out.length > MAX_STAGE_CHARS) return { text: out, count };
      if (!global) break;
    }
    return { text: out + text.slice(at), count };
  }

  split(text: string): string[] {
    const parts: string[] = [];
    let at = 0;
    for (const match of this.matches(text)) {
      if (match.text === '') continue;
      parts.push(text.slice(at, match.index));
      at = match.index + match.text.length;
    }
    parts.push(text.slice(at));
    return parts;
  }
}

class LiteralMatcher implements Matcher {
  constructor(
    private readonly literal: string,
    private readonly budget: LineBudget,
  ) {}

  test(text: string): boolean {
    this.budget.spend(text.length);
    return text.includes(this.literal);
  }

  matchAll(text: string): Match[] {
    this.budget.spend(text.length);
    const found: Match[] = [];
    for (let i = text.indexOf(this.literal); i >= 0; i = text.indexOf(this.literal, i + this.literal.length)) {
      this.budget.spend(STEPS_PER_MATCH);
      found.push({ index: i, text: this.literal, groups: [] });
    }
    return found;
  }

  replace(text: string, global: boolean, replacement: (m: Match) => string): { text: string; count: number } {
    this.budget.spend(text.length);
    let out = '';
    let at = 0;
    let count = 0;
    for (let i = text.indexOf(this.literal); i >= 0; i = text.indexOf(this.literal, at)) {
      this.budget.spend(STEPS_PER_MATCH);
      out += text.slice(at, i) + replacement({ index: i, text: this.literal, groups: [] });
      at = i + this.literal.length;
      count++;
      if (out.length > MAX_STAGE_CHARS) return { text: out, count };
      if (!global) break;
    }
    return { text: out + text.slice(at), count };
  }

  split(text: string): string[] {
    this.budget.spend(text.length);
    return text.split(this.literal);
  }
}
