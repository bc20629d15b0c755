// The bash subset players type: words with quotes and escapes, $VAR / ${VAR} / $(…) / `…`,
// pipelines, `;` `&&` `||` lists, redirections, `VAR=value` prefixes and `#` comments.
// A recursive-descent parser over characters (bash's lexing depends on context, e.g. inside
// `$(…)`), producing an AST the runner expands and executes. Syntax errors are values,
// worded like bash's.

export type WordPart =
  /** Literal text; `quoted` text is never split into fields. */
  | { kind: 'lit'; text: string; quoted: boolean }
  | { kind: 'var'; name: string; quoted: boolean; fallback?: Word }
  | { kind: 'cmdsub'; list: List; quoted: boolean };

export interface Word {
  parts: WordPart[];
}

export type RedirectOp = '>' | '>>' | '<' | '<<<' | '>&';

export interface Redirect {
  /** The file descriptor redirected: 0, 1, 2, or 'both' for `&>`. */
  fd: number | 'both';
  op: RedirectOp;
  /** File name (or, for `>&`, the fd number as a word). */
  target: Word;
}

export interface Assignment {
  name: string;
  value: Word;
}

export interface SimpleCommand {
  assignments: Assignment[];
  words: Word[];
  redirects: Redirect[];
}

export interface Pipeline {
  negated: boolean;
  commands: SimpleCommand[];
}

export interface AndOr {
  first: Pipeline;
  rest: { op: '&&' | '||'; pipeline: Pipeline }[];
}

export type List = AndOr[];

export type ParseResult = { ok: true; list: List } | { ok: false; error: string };

class SyntaxError_ {
  constructor(readonly message: string) {}
}

const nearToken = (token: string): SyntaxError_ => new SyntaxError_(`bash: syntax error near unexpected token \`${token}'`);
const unexpectedEof = (): SyntaxError_ => new SyntaxError_('bash: syntax error: unexpected end of file');
const unmatched = (quote: string): SyntaxError_ =>
  new SyntaxError_(`bash: unexpected EOF while looking for matching \`${quote}'\nbash: syntax error: unexpected end of file`);

/** Characters that end an unquoted word. */
const META = new Set([' ', '\t', '\n', '|', '&', ';', '<', '>', '(', ')']);
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Words bash treats as the start of a compound command, which this shell does not run. */
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', 'select', 'function', '{', '}', '[[', ']]']);

export function parseLine(src: string): ParseResult {
  try {
    const parser = new Parser(src);
    const list = parser.parseList(null);
    return { ok: true, list };
  } catch (error) {
    if (error instanceof SyntaxError_) return { ok: false, error: `${error.message}\n` };
    throw error;
  }
}

class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  private startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  private skipBlanks(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '#') {
        while (this.pos < this.src.length && this.peek() !== '\n') this.pos++;
      } else return;
    }
  }

  private atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  /** The operator at the cursor (for lists and pipelines), without consuming it. */
  private operator(): string | undefined {
    for (const op of [';;', '&&', '||', '|&', ';', '|', '&', '\n', '(', ')']) if (this.startsWith(op)) return op;
    return undefined;
  }

  /** A list up to end of input, or up to `)` when `closer` is ')'. */
  parseList(closer: ')' | null): List {
    const list: List = [];
    for (;;) {
      this.skipBlanks();
      while (this.peek() === '\n') {
        this.pos++;
        this.skipBlanks();
      }
      if (this.atEnd()) {
        if (closer) throw unmatched(')');
        return list;
      }
      if (closer && this.peek() === ')') {
        this.pos++;
        return list;
      }
      list.push(this.parseAndOr(closer));
      this.skipBlanks();
      const op = this.operator();
      if (op === ';' || op === '&' || op === '\n') {
        this.pos++;
        continue;
      }
      if (op === ';;') throw nearToken(';;');
      if (op === ')' && closer) continue;
      if (op === ')' || op === '(') throw nearToken(op);
      if (!this.atEnd()) throw nearToken(this.peek());
    }
  }

  private parseAndOr(closer: ')' | null): AndOr {
    const first = this.parsePipeline(closer);
    const rest: AndOr['rest'] = [];
    for (;;) {
      this.skipBlanks();
      const op = this.operator();
      if (op !== '&&' && op !== '||') return { first, rest };
      this.pos += 2;
      this.skipNewlines();
      rest.push({ op, pipeline: this.parsePipeline(closer) });
    }
  }

  /** After `|`, `&&`, `||` bash keeps reading on the next line. */
  private skipNewlines(): void {
    this.skipBlanks();
    while (this.peek() === '\n') {
      this.pos++;
      this.skipBlanks();
    }
  }

  private parsePipeline(closer: ')' | null): Pipeline {
    this.skipBlanks();
    let negated = false;
    if (this.peek() === '!' && (this.peek(1) === ' ' || this.peek(1) === '\t')) {
      negated = true;
      this.pos++;
    }
    const commands = [this.parseCommand(closer)];
    for (;;) {
      this.skipBlanks();
      const op = this.operator();
      if (op !== '|' && op !== '|&') return { negated, commands };
      this.pos += op.length;
      if (op === '|&') {
        const last = commands[commands.length - 1]!;
        last.redirects.push({ fd: 2, op: '>&', target: litWord('1') });
      }
      this.skipNewlines();
      if (this.atEnd()) throw unexpectedEof();
      commands.push(this.parseCommand(closer));
    }
  }

  private parseCommand(closer: ')' | null): SimpleCommand {
    const cmd: SimpleCommand = { assignments: [], words: [], redirects: [] };
    for (;;) {
      this.skipBlanks();
      if (this.atEnd()) break;
      const redirect = this.tryRedirect();
      if (redirect) {
        cmd.redirects.push(redirect);
        continue;
      }
      const op = this.operator();
      if (op !== undefined) {
        if (op === '(' || (op === ')' && !closer)) throw nearToken(op);
        break;
      }
      const start = this.pos;
      const word = this.parseWord();
      const text = this.src.slice(start, this.pos);
      if (cmd.words.length === 0) {
        const assignment = asAssignment(word);
        if (assignment) {
          cmd.assignments.push(assignment);
          continue;
        }
        if (RESERVED.has(text)) {
          throw new SyntaxError_(`bash: ${text}: compound commands (if, for, while, case, functions) are not supported in this terminal`);
        }
      }
      cmd.words.push(word);
    }
    if (cmd.words.length === 0 && cmd.assignments.length === 0 && cmd.redirects.length === 0) {
      const op = this.operator();
      if (this.atEnd()) throw unexpectedEof();
      throw nearToken(op === '\n' ? 'newline' : (op ?? this.peek()));
    }
    return cmd;
  }

  /** `[N]>`, `[N]>>`, `&>`, `<`, `<<<`, `[N]>&M` followed by a target word. */
  private tryRedirect(): Redirect | undefined {
    const m = /^(\d?)(>>|>&|>|<<<|<<|<)|^(&>)/.exec(this.src.slice(this.pos, this.pos + 4));
    if (!m) return undefined;
    if (m[2] === '<<') throw new SyntaxError_('bash: here-documents (<<) are not supported in this terminal; use a pipe or <<<');
    const fd: number | 'both' = m[3] ? 'both' : m[1] ? Number(m[1]) : m[2]!.startsWith('<') ? 0 : 1;
    const op = (m[3] ? '>' : m[2]) as RedirectOp;
    this.pos += m[0].length;
    this.skipBlanks();
    if (this.atEnd()) throw nearToken('newline');
    const next = this.operator();
    if (next !== undefined) throw nearToken(next === '\n' ? 'newline' : next);
    if (this.peek() === '<' || this.peek() === '>') throw nearToken(this.peek());
    return { fd, op, target: this.parseWord() };
  }

  private parseWord(): Word {
    const parts: WordPart[] = [];
    const lit = (text: string, quoted: boolean): void => {
      const last = parts[parts.length - 1];
      if (last?.kind === 'lit' && last.quoted === quoted) last.text += text;
      else parts.push({ kind: 'lit', text, quoted });
    };
    while (!this.atEnd()) {
      const c = this.peek();
      if (META.has(c)) break;
      if (c === "'") {
        const end = this.src.indexOf("'", this.pos + 1);
        if (end < 0) throw unmatched("'");
        lit(this.src.slice(this.pos + 1, end), true);
        this.pos = end + 1;
      } else if (c === '"') {
        this.pos++;
        this.parseDoubleQuoted(parts, lit);
      } else if (c === '\\') {
        this.pos++;
        if (this.atEnd()) break;
        const escaped = this.peek();
        this.pos++;
        if (escaped !== '\n') lit(escaped, true);
      } else if (c === '$') {
        this.parseDollar(parts, lit, false);
      } else if (c === '`') {
        parts.push({ kind: 'cmdsub', list: this.parseBackticks(), quoted: false });
      } else {
        lit(c, false);
        this.pos++;
      }
    }
    return { parts };
  }

  private parseDoubleQuoted(parts: WordPart[], lit: (text: string, quoted: boolean) => void): void {
    lit('', true); // `""` is an (empty) quoted word, not nothing
    for (;;) {
      if (this.atEnd()) throw unmatched('"');
      const c = this.peek();
      if (c === '"') {
        this.pos++;
        return;
      }
      if (c === '\\') {
        const next = this.peek(1);
        if ('$`"\\\n'.includes(next) && next !== '') {
          if (next !== '\n') lit(next, true);
          this.pos += 2;
        } else {
          lit('\\', true);
          this.pos++;
        }
      } else if (c === '$') {
        this.parseDollar(parts, lit, true);
      } else if (c === '`') {
        parts.push({ kind: 'cmdsub', list: this.parseBackticks(), quoted: true });
      } else {
        lit(c, true);
        this.pos++;
      }
    }
  }

  private parseDollar(parts: WordPart[], lit: (text: string, quoted: boolean) => void, quoted: boolean): void {
    const next = this.peek(1);
    if (next === '(') {
      if (this.peek(2) === '(') throw new SyntaxError_('bash: arithmetic expansion $((…)) is not supported in this terminal');
      this.pos += 2;
      parts.push({ kind: 'cmdsub', list: this.parseList(')'), quoted });
      return;
    }
    if (next === '{') {
      const end = this.src.indexOf('}', this.pos + 2);
      if (end < 0) throw unmatched('}');
      const body = this.src.slice(this.pos + 2, end);
      this.pos = end + 1;
      const m = /^([A-Za-z_][A-Za-z0-9_]*|[?$#0-9])(?::-(.*))?$/s.exec(body);
      if (!m) throw new SyntaxError_(`bash: \${${body}}: bad substitution`);
      const fallback = m[2] !== undefined ? new Parser(m[2]).parseWord() : undefined;
      parts.push({ kind: 'var', name: m[1]!, quoted, ...(fallback ? { fallback } : {}) });
      return;
    }
    if (next === "'" && !quoted) {
      const end = this.src.indexOf("'", this.pos + 2);
      if (end < 0) throw unmatched("'");
      lit(ansiC(this.src.slice(this.pos + 2, end)), true);
      this.pos = end + 1;
      return;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[?$#0-9])/.exec(this.src.slice(this.pos + 1));
    if (!m) {
      lit('$', quoted);
      this.pos++;
      return;
    }
    parts.push({ kind: 'var', name: m[1]!, quoted });
    this.pos += 1 + m[1]!.length;
  }

  /** `…`: bash finds the closing backtick, removes the backslashes before \ ` $, and parses the inside. */
  private parseBackticks(): List {
    let inner = '';
    let i = this.pos + 1;
    for (;;) {
      const c = this.src[i];
      if (c === undefined) throw unmatched('`');
      if (c === '`') break;
      if (c === '\\' && '\\`$'.includes(this.src[i + 1] ?? 'x')) {
        inner += this.src[i + 1];
        i += 2;
      } else {
        inner += c;
        i++;
      }
    }
    this.pos = i + 1;
    return new Parser(inner).parseList(null);
  }
}

function litWord(text: string): Word {
  return { parts: [{ kind: 'lit', text, quoted: false }] };
}

/** `NAME=value` at the start of a command: the name must be unquoted literal text. */
function asAssignment(word: Word): Assignment | undefined {
  const first = word.parts[0];
  if (first?.kind !== 'lit' || first.quoted) return undefined;
  const eq = first.text.indexOf('=');
  if (eq <= 0 || !NAME_RE.test(first.text.slice(0, eq))) return undefined;
  const rest = first.text.slice(eq + 1);
  const valueParts: WordPart[] = [...(rest ? [{ kind: 'lit' as const, text: rest, quoted: false }] : []), ...word.parts.slice(1)];
  return { name: first.text.slice(0, eq), value: { parts: valueParts } };
}

/** $'…' escapes. */
function ansiC(s: string): string {
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', e: '\x1b', '0': '\0' };
  return s.replace(/\\(.)/g, (all, c: string) => map[c] ?? all);
}
