// The bash subset players type: words with quotes and escapes, $VAR / ${VAR} / $(…) / `…`,
// pipelines, `;` `&&` `||` lists, redirections, here-documents (`<<EOF`, `<<'EOF'`, `<<-EOF`:
// a line may hold several lines), `VAR=value` prefixes, `#` comments, and the two compound
// commands one-liners use: `for NAME in WORDS; do …; done` and `if …; then …;
// [elif …; then …;] [else …;] fi`.
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

export type RedirectOp = '>' | '>>' | '<' | '<<<' | '<<' | '>&';

export interface Redirect {
  /** The file descriptor redirected: 0, 1, 2, or 'both' for `&>`. */
  fd: number | 'both';
  op: RedirectOp;
  /** File name (or, for `>&`, the fd number as a word; for `<<`, the here-document's text). */
  target: Word;
}

export interface Assignment {
  name: string;
  value: Word;
}

export interface SimpleCommand {
  kind: 'simple';
  assignments: Assignment[];
  words: Word[];
  redirects: Redirect[];
}

/** `for NAME [in WORDS]; do BODY; done`, with redirections after `done`. */
export interface ForCommand {
  kind: 'for';
  name: string;
  words: Word[];
  body: List;
  redirects: Redirect[];
}

/** `if C; then B; elif C; then B; else B; fi`: the first branch whose condition succeeds runs. */
export interface IfCommand {
  kind: 'if';
  branches: { condition: List; body: List }[];
  otherwise: List | undefined;
  redirects: Redirect[];
}

export type Command = SimpleCommand | ForCommand | IfCommand;

export interface Pipeline {
  negated: boolean;
  commands: Command[];
}

export interface AndOr {
  first: Pipeline;
  rest: { op: '&&' | '||'; pipeline: Pipeline }[];
}

export type List = AndOr[];

/** `incomplete`: the text ended inside something still open (a quote, `for` without `done`, a here-document). */
export type ParseResult = { ok: true; list: List } | { ok: false; error: string; incomplete?: true };

class SyntaxError_ {
  constructor(readonly message: string, readonly incomplete = false) {}
}

const nearToken = (token: string): SyntaxError_ => new SyntaxError_(`bash: syntax error near unexpected token \`${token}'`);
const unexpectedEof = (): SyntaxError_ => new SyntaxError_('bash: syntax error: unexpected end of file', true);
const unmatched = (quote: string): SyntaxError_ =>
  new SyntaxError_(`bash: unexpected EOF while looking for matching \`${quote}'\nbash: syntax error: unexpected end of file`, true);
const unendedHeredoc = (delimiter: string): SyntaxError_ =>
  new SyntaxError_(`bash: warning: here-document delimited by end-of-file (wanted \`${delimiter}')`, true);

/** Characters that end an unquoted word. */
const META = new Set([' ', '\t', '\n', '|', '&', ';', '<', '>', '(', ')']);
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Words bash treats as the start of a compound command this shell does not run. */
const UNSUPPORTED = new Set(['while', 'until', 'case', 'esac', 'select', 'function', '{', '}', '[[', ']]']);
/** Words that only continue a compound command: anywhere else they are a syntax error. */
const CONTINUATIONS = new Set(['then', 'else', 'elif', 'fi', 'do', 'done']);

export function parseLine(src: string): ParseResult {
  try {
    const parser = new Parser(src);
    const list = parser.parseList(null);
    return { ok: true, list };
  } catch (error) {
    if (error instanceof SyntaxError_) return { ok: false, error: `${error.message}\n`, ...(error.incomplete ? { incomplete: true as const } : {}) };
    throw error;
  }
}

/**
 * True when the typed text cannot run yet because something is still open (a quote, a
 * `for` without `done`, a here-document without its delimiter, a trailing `|`, `&&` or
 * backslash): a terminal then asks for the next line with `> `, as bash does.
 */
export function needsMoreInput(text: string): boolean {
  if (/(^|[^\\])(\\\\)*\\$/.test(text)) return true;
  try {
    const parsed = parseLine(text);
    return !parsed.ok && parsed.incomplete === true;
  } catch (error) {
    // Nested too deep for the stack: complete as far as we can tell; running it says why.
    if (error instanceof RangeError) return false;
    throw error;
  }
}

class Parser {
  private pos = 0;

  /** Not readonly: a here-document's lines are cut out of it once read. */
  constructor(private src: string) {}

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  private startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  /** The bare word at the cursor if it could be a reserved word (`for`, `then`, `done`, …). */
  private keyword(): string | undefined {
    const m = /^(?:[a-z]+|\{|\}|\[\[|\]\])/.exec(this.src.slice(this.pos, this.pos + 9));
    if (!m) return undefined;
    const after = this.src[this.pos + m[0].length];
    return after === undefined || META.has(after) ? m[0] : undefined;
  }

  /** Reads the reserved word `word` (after blanks and newlines), or fails like bash. */
  private expectKeyword(word: string): void {
    this.skipNewlines();
    if (this.atEnd()) throw unexpectedEof();
    const found = this.keyword();
    if (found !== word) throw nearToken(found ?? this.operator() ?? this.peek());
    this.pos += word.length;
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

  /**
   * A list up to end of input, or up to `)` when `closer` is ')', or (inside a compound
   * command) up to one of the keywords `until` (left for the caller to read).
   */
  parseList(closer: ')' | null, until?: ReadonlySet<string>): List {
    const list: List = [];
    for (;;) {
      this.skipBlanks();
      while (this.peek() === '\n') {
        this.pos++;
        this.skipBlanks();
      }
      if (this.atEnd()) {
        if (closer) throw unmatched(')');
        if (until) throw unexpectedEof();
        return list;
      }
      const keyword = until && this.keyword();
      if (keyword && until.has(keyword)) {
        if (list.length === 0) throw nearToken(keyword);
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

  private parseCommand(closer: ')' | null): Command {
    this.skipBlanks();
    const keyword = this.keyword();
    if (keyword === 'for') return this.parseFor();
    if (keyword === 'if') return this.parseIf();
    if (keyword && UNSUPPORTED.has(keyword)) {
      throw new SyntaxError_(`bash: ${keyword}: this terminal runs \`for\` and \`if\`, not while, until, case, { } or functions`);
    }
    if (keyword && CONTINUATIONS.has(keyword)) throw nearToken(keyword);
    const cmd: SimpleCommand = { kind: 'simple', assignments: [], words: [], redirects: [] };
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
      const word = this.parseWord();
      if (cmd.words.length === 0) {
        const assignment = asAssignment(word);
        if (assignment) {
          cmd.assignments.push(assignment);
          continue;
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

  private parseFor(): ForCommand {
    this.pos += 'for'.length;
    this.skipBlanks();
    const start = this.pos;
    const nameWord = this.atEnd() || this.operator() !== undefined ? undefined : this.parseWord();
    const name = this.src.slice(start, this.pos);
    if (!nameWord || !NAME_RE.test(name)) throw nameWord ? new SyntaxError_(`bash: \`${name}': not a valid identifier`) : this.atEnd() ? unexpectedEof() : nearToken(this.operator() ?? this.peek());
    this.skipBlanks();
    const words: Word[] = [];
    if (this.keyword() === 'in') {
      this.pos += 2;
      for (;;) {
        this.skipBlanks();
        if (this.atEnd()) throw unexpectedEof();
        if (this.tryRedirect()) throw nearToken('redirection');
        if (this.operator() !== undefined) break;
        words.push(this.parseWord());
      }
    }
    // `for x in a b; do`, `for x in a b<newline>do`, `for x; do` (no list: the positional parameters, none here).
    const op = this.operator();
    if (op === ';' || op === '\n') this.pos++;
    else if (op !== undefined) throw nearToken(op);
    this.expectKeyword('do');
    const body = this.parseList(null, DONE);
    this.expectKeyword('done');
    return { kind: 'for', name, words, body, redirects: this.trailingRedirects() };
  }

  private parseIf(): IfCommand {
    this.pos += 'if'.length;
    const branches: IfCommand['branches'] = [];
    let otherwise: List | undefined;
    for (;;) {
      const condition = this.parseList(null, THEN);
      this.expectKeyword('then');
      const body = this.parseList(null, AFTER_THEN);
      branches.push({ condition, body });
      const next = this.keyword();
      this.pos += next!.length;
      if (next === 'elif') continue;
      if (next === 'else') {
        otherwise = this.parseList(null, FI);
        this.expectKeyword('fi');
      }
      break;
    }
    return { kind: 'if', branches, otherwise, redirects: this.trailingRedirects() };
  }

  /** Redirections after `done` / `fi`, which apply to the whole compound command. */
  private trailingRedirects(): Redirect[] {
    const redirects: Redirect[] = [];
    for (;;) {
      this.skipBlanks();
      const redirect = this.tryRedirect();
      if (!redirect) break;
      redirects.push(redirect);
    }
    if (!this.atEnd() && this.operator() === undefined) throw nearToken(this.keyword() ?? this.peek());
    return redirects;
  }

  /** `[N]>`, `[N]>>`, `&>`, `<`, `<<<`, `[N]>&M` followed by a target word. */
  private tryRedirect(): Redirect | undefined {
    const m = /^(\d?)(>>|>&|>|<<<|<<|<)|^(&>)/.exec(this.src.slice(this.pos, this.pos + 4));
    if (!m) return undefined;
    if (m[2] === '<<') {
      this.pos += m[0].length;
      return { fd: m[1] ? Number(m[1]) : 0, op: '<<', target: this.hereDocument() };
    }
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

  /**
   * After `<<`: the delimiter word, then the document: the lines after the current one, up
   * to a line that is the delimiter. They are taken out of the source (the rest of the
   * current line, e.g. `| kubectl apply -f -`, is parsed as usual). A quoted delimiter
   * keeps the text as is; otherwise $VAR, $(…) and `…` expand in it. `<<-` drops leading tabs.
   */
  private hereDocument(): Word {
    const stripTabs = this.peek() === '-';
    if (stripTabs) this.pos++;
    this.skipBlanks();
    if (this.atEnd() || this.operator() !== undefined) throw nearToken(this.atEnd() || this.peek() === '\n' ? 'newline' : this.operator()!);
    const start = this.pos;
    const word = this.parseWord();
    const quoted = /['"\\]/.test(this.src.slice(start, this.pos));
    const delimiter = word.parts.map((p) => (p.kind === 'lit' ? p.text : '')).join('');
    const lineEnd = this.src.indexOf('\n', this.pos);
    if (lineEnd < 0) throw unendedHeredoc(delimiter);
    const lines: string[] = [];
    let at = lineEnd + 1;
    for (;;) {
      if (at > this.src.length) throw unendedHeredoc(delimiter);
      const next = this.src.indexOf('\n', at);
      const end = next < 0 ? this.src.length : next;
      const line = stripTabs ? this.src.slice(at, end).replace(/^\t+/, '') : this.src.slice(at, end);
      if (line === delimiter) {
        this.src = this.src.slice(0, lineEnd) + this.src.slice(end); // the current line goes on after the document
        break;
      }
      lines.push(line);
      at = end + 1;
    }
    const text = lines.map((l) => `${l}\n`).join('');
    return quoted ? { parts: [{ kind: 'lit', text, quoted: true }] } : inner(() => new Parser(text).hereDocumentText());
  }

  /** A here-document's text with an unquoted delimiter: expansions as inside double quotes, quotes kept. */
  hereDocumentText(): Word {
    const parts: WordPart[] = [];
    this.parseExpanding(parts, literalAppender(parts), undefined);
    return { parts };
  }

  private parseWord(): Word {
    const parts: WordPart[] = [];
    const lit = literalAppender(parts);
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
        this.parseExpanding(parts, lit, '"');
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

  /**
   * Text in which $ and ` expand and a backslash escapes only what it escapes there: the
   * inside of "…" (closer '"', after the opening quote) or a whole here-document (no closer).
   */
  private parseExpanding(parts: WordPart[], lit: (text: string, quoted: boolean) => void, closer: '"' | undefined): void {
    lit('', true); // `""` is an (empty) quoted word, not nothing
    const escapable = closer ? '$`"\\\n' : '$`\\\n';
    for (;;) {
      if (this.atEnd()) {
        if (closer) throw unmatched(closer);
        return;
      }
      const c = this.peek();
      if (c === closer) {
        this.pos++;
        return;
      }
      if (c === '\\') {
        const next = this.peek(1);
        if (next !== '' && escapable.includes(next)) {
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
      const fallback = m[2] !== undefined ? inner(() => new Parser(m[2]!).parseWord()) : undefined;
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
    let text = '';
    let i = this.pos + 1;
    for (;;) {
      const c = this.src[i];
      if (c === undefined) throw unmatched('`');
      if (c === '`') break;
      if (c === '\\' && '\\`$'.includes(this.src[i + 1] ?? 'x')) {
        text += this.src[i + 1];
        i += 2;
      } else {
        text += c;
        i++;
      }
    }
    this.pos = i + 1;
    return inner(() => new Parser(text).parseList(null));
  }
}

const DONE: ReadonlySet<string> = new Set(['done']);
const THEN: ReadonlySet<string> = new Set(['then']);
const AFTER_THEN: ReadonlySet<string> = new Set(['elif', 'else', 'fi']);
const FI: ReadonlySet<string> = new Set(['fi']);

/**
 * Parses text already cut out of the line (a here-document, `…`, ${x:-…}): whatever is
 * missing in it, later lines cannot supply, so its errors never ask for more input.
 */
function inner<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof SyntaxError_ && error.incomplete) throw new SyntaxError_(error.message);
    throw error;
  }
}

/** Appends literal text to `parts`, joined to the previous literal if it is quoted alike. */
function literalAppender(parts: WordPart[]): (text: string, quoted: boolean) => void {
  return (text, quoted) => {
    const last = parts[parts.length - 1];
    if (last?.kind === 'lit' && last.quoted === quoted) last.text += text;
    else parts.push({ kind: 'lit', text, quoted });
  };
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
