// POSIX basic / extended regular expressions (as grep, sed and awk take them) translated to
// JavaScript RegExp source, with GNU's error messages for the common mistakes.

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
  global?: boolean;
}

const CLASSES: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', word: 'A-Za-z0-9_', cntrl: '\\x00-\\x1f\\x7f', print: ' -~', graph: '!-~',
};

const escapeJs = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** JavaScript source for a POSIX pattern. */
export function posixToJs(pattern: string, extended: boolean): string {
  let out = '';
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
      else if (/[0-9]/.test(next)) out += `\\${next}`;
      else out += escapeJs(next);
    } else if (c === '[') {
      const end = bracketEnd(pattern, i);
      if (end < 0) {
        out += '['; // left for RegExp to report as an unmatched [
        continue;
      }
      out += translateBracket(pattern.slice(i + 1, end));
      i = end;
    } else if (!extended && '()|+?{}'.includes(c)) out += `\\${c}`;
    else if (c === '/') out += '\\/';
    else out += c;
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

/** The RegExp for a pattern, or GNU's message for why it is invalid. */
export function compileRegex(pattern: string, opts: RegexOptions): RegExp | { error: string } {
  let source = opts.fixed ? escapeJs(pattern) : posixToJs(pattern, opts.extended);
  if (opts.word) source = `(?<![A-Za-z0-9_])(?:${source})(?![A-Za-z0-9_])`;
  if (opts.line) source = `^(?:${source})$`;
  try {
    return new RegExp(source, `${opts.ignoreCase ? 'i' : ''}${opts.global ? 'g' : ''}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/Unterminated group/.test(message)) return { error: 'Unmatched ( or \\(' };
    if (/Unmatched '\)'/.test(message)) return { error: 'Unmatched ) or \\)' };
    if (/Unterminated character class/.test(message)) return { error: 'Unmatched [, [^, [:, [., or [=' };
    if (/Nothing to repeat/.test(message)) return { error: 'Invalid preceding regular expression' };
    return { error: 'Invalid regular expression' };
  }
}
