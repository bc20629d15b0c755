// The bash language players type: words with quotes and escapes, parameter expansion
// ($VAR, ${VAR…} with its operators, arrays), $(…) / `…`, $((…)), process substitution,
// pipelines, `;` `&` `&&` `||` lists, redirections, here-documents (a line may hold several
// lines), `VAR=value` prefixes and array assignments, `#` comments, aliases, and the compound
// commands: for (both forms), while/until, if, case, `{ …; }`, `( … )`, `((…))`, `[[ … ]]`,
// function definitions, `time` and `!`.
// A recursive-descent parser over characters (bash's lexing depends on context, e.g. inside
// `$(…)`), producing an AST the runner expands and executes. Syntax errors are values,
// worded like bash's.
import { escapedByte, settleBytes } from './bytes.js';

export type ParamOp =
  | ':-' | '-' | ':=' | '=' | ':+' | '+' | ':?' | '?'
  | '#' | '##' | '%' | '%%' | '/' | '//' | '/#' | '/%' | '^' | '^^' | ',' | ',,' | ':' | '@';

/** `$name`, `${name[index]…}`: what a parameter expansion asks for. */
export interface ParamPart {
  kind: 'var';
  name: string;
  quoted: boolean;
  /** `${a[i]}`: the index as typed ('@' and '*' mean all elements). */
  index?: Word;
  /** `${#name}`. */
  length?: true;
  /** `${!name}` (indirection) or `${!a[@]}` (the array's indices). */
  indirect?: true;
  /** `${!prefix@}`, `${!prefix*}`: the names of the variables starting with it. */
  names?: '@' | '*';
  op?: ParamOp;
  /** The word after the operator (for `/`, the pattern; for `:`, the offset). */
  arg?: Word;
  /** For `/`, the replacement; for `:`, the length. */
  arg2?: Word;
}

export type WordPart =
  /** Literal text; `quoted` text is never split into fields nor brace-expanded or globbed. */
  | { kind: 'lit'; text: string; quoted: boolean }
  | ParamPart
  | { kind: 'cmdsub'; list: List; quoted: boolean }
  /** `$((expr))`: the expression's text expands first, then evaluates. */
  | { kind: 'arith'; expr: Word; quoted: boolean }
  /** `<(list)`: a file name whose content is the list's output. */
  | { kind: 'procsub'; list: List; quoted: false };

export interface Word {
  parts: WordPart[];
}

export type RedirectOp = '>' | '>>' | '<' | '<<<' | '<<' | '>&' | '>|';

export interface Redirect {
  /** The file descriptor redirected: 0, 1, 2, or 'both' for `&>` / `&>>`. */
  fd: number | 'both';
  op: RedirectOp;
  /** File name (or, for `>&`, the fd number as a word; for `<<`, the here-document's text). */
  target: Word;
}

export interface Assignment {
  name: string;
  /** `a[i]=v`: the index as typed. */
  index?: Word;
  /** `+=`. */
  append?: true;
  value: Word;
  /** `a=(x y z)`: the elements. */
  array?: Word[];
}

export interface SimpleCommand {
  kind: 'simple';
  /** The script line it starts on, kept for dash, whose messages name it (`sh: 3: [[: not found`). */
  line?: number;
  assignments: Assignment[];
  words: Word[];
  redirects: Redirect[];
  /** `local a=(x y)`, `declare -A m=([k]=v)`: array values given to a declaration builtin (its word is the name). */
  arrayArgs?: Assignment[];
}

/** `for NAME [in WORDS]; do BODY; done`, with redirections after `done`. */
export interface ForCommand {
  kind: 'for';
  name: string;
  /** undefined: no `in` (the positional parameters). */
  words: Word[] | undefined;
  body: List;
  redirects: Redirect[];
}

/** `for ((init; test; step)); do BODY; done`. */
export interface ArithForCommand {
  kind: 'arithfor';
  init: Word;
  test: Word;
  step: Word;
  body: List;
  redirects: Redirect[];
}

/** `while C; do B; done` (or `until`). */
export interface WhileCommand {
  kind: 'while';
  until: boolean;
  condition: List;
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

/** `case WORD in PAT|PAT) LIST ;; … esac`; `;&` falls through, `;;&` tests the next patterns. */
export interface CaseCommand {
  kind: 'case';
  word: Word;
  items: { patterns: Word[]; body: List; end: ';;' | ';&' | ';;&' }[];
  redirects: Redirect[];
}

/** `{ LIST; }` runs in the shell itself, `( LIST )` in a subshell. */
export interface GroupCommand {
  kind: 'group';
  subshell: boolean;
  body: List;
  redirects: Redirect[];
}

/** `((expr))`: status 0 when the expression is not zero. */
export interface ArithCommand {
  kind: 'arith';
  expr: Word;
  redirects: Redirect[];
}

export type CondExpr =
  | { kind: 'and' | 'or'; left: CondExpr; right: CondExpr }
  | { kind: 'not'; expr: CondExpr }
  | { kind: 'unary'; op: string; arg: Word }
  | { kind: 'binary'; op: string; left: Word; right: Word }
  | { kind: 'word'; word: Word };

/** `[[ expr ]]`. */
export interface CondCommand {
  kind: 'cond';
  expr: CondExpr;
  redirects: Redirect[];
}

/** `name() { …; }` or `function name { …; }`: defines, runs nothing. */
export interface FunctionDef {
  kind: 'function';
  name: string;
  body: Command;
  redirects: Redirect[];
}

export type Command =
  | SimpleCommand | ForCommand | ArithForCommand | WhileCommand | IfCommand | CaseCommand
  | GroupCommand | ArithCommand | CondCommand | FunctionDef;

export interface Pipeline {
  negated: boolean;
  /** `time PIPELINE`. */
  timed?: true;
  commands: Command[];
}

export interface AndOr {
  first: Pipeline;
  rest: { op: '&&' | '||'; pipeline: Pipeline }[];
  /** Ended by `&`: run "in the background" (here: at once, with `$!` set). */
  background?: true;
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
/** dash's message; `$0` is replaced by the shell's name or script (`sh: 1: Syntax error: "(" unexpected`). */
const dashSyntax = (line: number, what: string): SyntaxError_ => new SyntaxError_(`$0: ${line}: Syntax error: ${what}`);
const unendedHeredoc = (delimiter: string): SyntaxError_ =>
  new SyntaxError_(`bash: warning: here-document delimited by end-of-file (wanted \`${delimiter}')`, true);

/** Characters that end an unquoted word. */
const META = new Set([' ', '\t', '\n', '|', '&', ';', '<', '>', '(', ')']);
/** What starts a quote, an escape or an expansion inside a word (wordChar). */
const WORD_SPECIAL = new Set(["'", '"', '\\', '$', '`']);
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Words that only continue a compound command: anywhere else they are a syntax error. */
const CONTINUATIONS = new Set(['then', 'else', 'elif', 'fi', 'do', 'done', 'esac', '}', 'in']);
/** Operators, longest first. */
const OPERATORS = [';;&', ';;', ';&', '&&', '||', '|&', ';', '|', '&', '\n', '(', ')'];
/** How deep aliases may expand into aliases. */
const MAX_ALIAS_DEPTH = 16;

export interface ParseOptions {
  /** `alias` definitions: expanded where a command's first word is one. */
  aliases?: Readonly<Record<string, string>>;
  /**
   * dash's grammar (`sh` on Ubuntu): no `[[`, `((`, arrays, `<<<`, `<(…)`, `for ((`, `function`,
   * `a[i]=`/`+=` assignments; what bash alone parses is dash's syntax error.
   */
  dash?: boolean;
}

export function parseLine(src: string, options: ParseOptions = {}): ParseResult {
  try {
    const parser = new Parser(src, options.aliases ?? {}, options.dash ?? false);
    const list = parser.parseList({});
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

/** Parses the text of an arithmetic expression (`$((…))`, `((…))`, an array index): expansions only. */
export function parseArithText(text: string): Word {
  return inner(() => new Parser(text, {}).expandingText('arith'));
}

interface ListEnd {
  /** Inside `( … )`: the list ends at `)`. */
  paren?: boolean;
  /** Reserved words that end the list (left for the caller to read). */
  keywords?: ReadonlySet<string>;
  /** A `case` item: the list ends at `;;`, `;&`, `;;&` or `esac`. */
  caseItem?: boolean;
}

class Parser {
  private pos = 0;
  /** How many `( … )` (subshell or `$(…)`) the cursor is in: `)` ends a list there. */
  private parens = 0;
  private aliasDepth = 0;
  /** Where lineHere() last counted to, so counting stays linear in the script's length. */
  private counted = { pos: 0, line: 1 };

  /** Not readonly: a here-document's lines are cut out of it once read, aliases spliced in. */
  constructor(private src: string, private readonly aliases: Readonly<Record<string, string>>, private readonly dash = false) {}

  /** The line the cursor is on, from 1. */
  private lineHere(): number {
    if (this.pos < this.counted.pos) this.counted = { pos: 0, line: 1 };
    let { line } = this.counted;
    for (let i = this.counted.pos; i < this.pos; i++) if (this.src.charCodeAt(i) === 10) line++;
    this.counted = { pos: this.pos, line };
    return line;
  }

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  private startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  /** The bare word at the cursor if it could be a reserved word (`for`, `then`, `done`, …). */
  private keyword(): string | undefined {
    const m = /^(?:[a-z]+|\{|\}|\[\[|\]\]|!)/.exec(this.src.slice(this.pos, this.pos + 9));
    if (!m) return undefined;
    const after = this.src[this.pos + m[0].length];
    return after === undefined || META.has(after) ? m[0] : undefined;
  }

  /** Reads the reserved word `word` (after blanks and newlines), or fails like bash. */
  private expectKeyword(word: string): void {
    this.skipNewlines();
    if (this.atEnd()) throw unexpectedEof();
    const found = this.keyword();
    if (found !== word) throw nearToken(found ?? this.operatorToken());
    this.pos += word.length;
  }

  private skipBlanks(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '\\' && this.peek(1) === '\n') this.pos += 2;
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
    for (const op of OPERATORS) if (this.startsWith(op)) return op;
    return undefined;
  }

  /** What bash names in `near unexpected token`. */
  private operatorToken(): string {
    const op = this.operator();
    return op === '\n' ? 'newline' : (op ?? this.peek());
  }

  /** A list up to its end (see ListEnd); at the end of input only when it is the whole line. */
  parseList(end: ListEnd): List {
    const list: List = [];
    for (;;) {
      this.skipNewlines();
      if (this.atEnd()) {
        if (end.paren) throw unmatched(')');
        if (end.keywords || end.caseItem) throw unexpectedEof();
        return list;
      }
      const keyword = this.keyword();
      if (end.caseItem && keyword === 'esac') return list;
      if (keyword && end.keywords?.has(keyword)) {
        if (list.length === 0) throw nearToken(keyword);
        return list;
      }
      const op = this.operator();
      if (end.caseItem && (op === ';;' || op === ';&' || op === ';;&')) return list;
      if (end.paren && op === ')') {
        this.pos++;
        return list;
      }
      const andOr = this.parseAndOr();
      list.push(andOr);
      this.skipBlanks();
      const next = this.operator();
      if (next === ';' || next === '\n') this.pos++;
      else if (next === '&') {
        andOr.background = true;
        this.pos++;
      } else if ((next === ';;' || next === ';&' || next === ';;&') && end.caseItem) continue;
      else if (next === ')' && end.paren) continue;
      else if (next !== undefined) throw nearToken(next);
      else if (!this.atEnd()) throw nearToken(this.keyword() ?? this.peek());
    }
  }

  private parseAndOr(): AndOr {
    const first = this.parsePipeline();
    const rest: AndOr['rest'] = [];
    for (;;) {
      this.skipBlanks();
      const op = this.operator();
      if (op !== '&&' && op !== '||') return { first, rest };
      this.pos += 2;
      this.skipNewlines();
      rest.push({ op, pipeline: this.parsePipeline() });
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

  private parsePipeline(): Pipeline {
    this.skipBlanks();
    let negated = false;
    let timed = false;
    for (;;) {
      const keyword = this.keyword();
      if (keyword === '!') {
        negated = !negated;
        this.pos++;
      } else if (keyword === 'time' && !timed) {
        timed = true;
        this.pos += 4;
        this.skipBlanks();
        if (this.startsWith('-p') && (this.peek(2) === '' || META.has(this.peek(2)))) this.pos += 2;
      } else break;
      this.skipBlanks();
    }
    if ((negated || timed) && (this.atEnd() || this.operator() === '\n' || this.operator() === ';')) {
      // `time` alone times nothing; `!` alone is a status of 1.
      return { negated, ...(timed ? { timed: true as const } : {}), commands: [{ kind: 'simple', assignments: [], words: [], redirects: [] }] };
    }
    const commands = [this.parseCommand()];
    for (;;) {
      this.skipBlanks();
      const op = this.operator();
      if (op !== '|' && op !== '|&') return { negated, ...(timed ? { timed: true as const } : {}), commands };
      this.pos += op.length;
      if (op === '|&') {
        const last = commands[commands.length - 1]!;
        last.redirects.push({ fd: 2, op: '>&', target: litWord('1') });
      }
      this.skipNewlines();
      if (this.atEnd()) throw unexpectedEof();
      commands.push(this.parseCommand());
    }
  }

  private parseCommand(): Command {
    this.skipBlanks();
    this.expandAlias();
    const keyword = this.keyword();
    switch (keyword) {
      case 'for': return this.parseFor();
      case 'if': return this.parseIf();
      case 'while':
      case 'until': return this.parseWhile(keyword === 'until');
      case 'case': return this.parseCase();
      case 'function':
        if (this.dash) throw dashSyntax(this.lineHere(), /^function[ \t]+[^\s(){}]+[ \t]*\(/.test(this.src.slice(this.pos, this.pos + 300)) ? '"(" unexpected' : '"}" unexpected');
        return this.parseFunction(true);
      case '{': {
        this.pos++;
        const body = this.parseList({ keywords: BRACE_END });
        this.expectKeyword('}');
        return { kind: 'group', subshell: false, body, redirects: this.trailingRedirects() };
      }
      case '[[':
        if (this.dash) break; // a command dash looks for, and does not find
        return this.parseCond();
      case '!': throw nearToken('!');
    }
    if (keyword && CONTINUATIONS.has(keyword)) throw nearToken(keyword);
    // dash reads `((` as two subshells.
    if (this.startsWith('((') && !this.dash) {
      const expr = this.arithmetic(this.pos + 2);
      return { kind: 'arith', expr, redirects: this.trailingRedirects() };
    }
    if (this.peek() === '(') {
      this.pos++;
      this.parens++;
      const body = this.parseList({ paren: true });
      this.parens--;
      if (body.length === 0) throw nearToken(')');
      return { kind: 'group', subshell: true, body, redirects: this.trailingRedirects() };
    }
    if (/^[A-Za-z_][\w.:-]*[ \t]*\([ \t]*\)/.test(this.src.slice(this.pos, this.pos + 200))) return this.parseFunction(false);
    return this.parseSimple();
  }

  /** bash replaces a command's first word by its alias text, again for the result (not the same alias twice). */
  private expandAlias(): void {
    const seen = new Set<string>();
    for (;;) {
      const m = /^[^\s|&;<>()'"\\$`]+/.exec(this.src.slice(this.pos, this.pos + 256));
      if (!m) return;
      const name = m[0];
      const after = this.src[this.pos + name.length];
      if (after !== undefined && !META.has(after)) return;
      const value = Object.hasOwn(this.aliases, name) ? this.aliases[name] : undefined;
      if (value === undefined || seen.has(name) || this.aliasDepth >= MAX_ALIAS_DEPTH) return;
      seen.add(name);
      this.aliasDepth++;
      this.src = this.src.slice(0, this.pos) + value + this.src.slice(this.pos + name.length);
      this.skipBlanks();
    }
  }

  private parseSimple(): SimpleCommand {
    const cmd: SimpleCommand = { kind: 'simple', assignments: [], words: [], redirects: [] };
    if (this.dash) cmd.line = this.lineHere();
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
        if (op === '(' || (op === ')' && this.parens === 0)) throw nearToken(op);
        break;
      }
      if (cmd.words.length === 0) {
        const assignment = this.tryAssignment();
        if (assignment) {
          cmd.assignments.push(assignment);
          continue;
        }
      } else if (!this.dash && DECLARATIONS.has(plainText(cmd.words[0]!) ?? '')) {
        const start = this.pos;
        const assignment = this.tryAssignment();
        if (assignment?.array) {
          (cmd.arrayArgs ??= []).push(assignment);
          cmd.words.push(litWord(assignment.name));
          continue;
        }
        this.pos = start;
      }
      cmd.words.push(this.parseWord());
    }
    if (cmd.words.length === 0 && cmd.assignments.length === 0 && cmd.redirects.length === 0) {
      if (this.atEnd()) throw unexpectedEof();
      throw nearToken(this.operatorToken());
    }
    return cmd;
  }

  /** `NAME=value`, `NAME+=value`, `NAME[i]=value`, `NAME=(a b c)` at the start of a command. */
  private tryAssignment(): Assignment | undefined {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]\n]*\])?(\+?)=/.exec(this.src.slice(this.pos, this.pos + 1024));
    if (!m || (this.dash && (m[2] || m[3]))) return undefined;
    if (this.dash && this.src[this.pos + m[0].length] === '(') throw dashSyntax(this.lineHere(), '"(" unexpected');
    this.pos += m[0].length;
    const assignment: Assignment = { name: m[1]!, value: { parts: [] } };
    if (m[2]) assignment.index = parseArithText(m[2].slice(1, -1));
    if (m[3]) assignment.append = true;
    if (this.peek() === '(' && !m[2]) {
      this.pos++;
      const elements: Word[] = [];
      for (;;) {
        this.skipNewlines();
        if (this.atEnd()) throw unmatched(')');
        if (this.peek() === ')') {
          this.pos++;
          break;
        }
        // A redirection cannot stand in the list (bash: syntax error); parseWord takes nothing
        // from it, so the loop would push empty words until the process ran out of memory.
        const redirection = /^(?:&>>?|>>|>&|>\||<<<|<<|<&|<>|<(?!\()|>(?!\())/.exec(this.src.slice(this.pos, this.pos + 3));
        if (redirection) throw nearToken(redirection[0]);
        if (this.operator() !== undefined) throw nearToken(this.operatorToken());
        elements.push(this.parseWord());
      }
      assignment.array = elements;
      return assignment;
    }
    if (this.atEnd() || META.has(this.peek())) return assignment;
    assignment.value = this.parseWord();
    return assignment;
  }

  private parseFor(): ForCommand | ArithForCommand {
    this.pos += 'for'.length;
    this.skipBlanks();
    if (this.startsWith('((')) {
      if (this.dash) throw dashSyntax(this.lineHere(), 'Bad for loop variable');
      const whole = this.arithmetic(this.pos + 2);
      const pieces = splitArithFor(whole);
      if (!pieces) throw new SyntaxError_('bash: syntax error: arithmetic expression required');
      this.skipBlanks();
      if (this.peek() === ';' || this.peek() === '\n') this.pos++;
      this.expectKeyword('do');
      const body = this.parseList({ keywords: DONE });
      this.expectKeyword('done');
      return { kind: 'arithfor', ...pieces, body, redirects: this.trailingRedirects() };
    }
    const start = this.pos;
    const nameWord = this.atEnd() || this.operator() !== undefined ? undefined : this.parseWord();
    const name = this.src.slice(start, this.pos);
    if (!nameWord || !NAME_RE.test(name)) throw nameWord ? new SyntaxError_(`bash: \`${name}': not a valid identifier`) : this.atEnd() ? unexpectedEof() : nearToken(this.operatorToken());
    this.skipBlanks();
    let words: Word[] | undefined;
    if (this.keyword() === 'in') {
      this.pos += 2;
      words = [];
      for (;;) {
        this.skipBlanks();
        if (this.atEnd()) throw unexpectedEof();
        if (this.tryRedirect()) throw nearToken('redirection');
        if (this.operator() !== undefined) break;
        words.push(this.parseWord());
      }
    }
    // `for x in a b; do`, `for x in a b<newline>do`, `for x; do` (no list: the positional parameters).
    const op = this.operator();
    if (op === ';' || op === '\n') this.pos++;
    else if (op !== undefined) throw nearToken(op);
    this.expectKeyword('do');
    const body = this.parseList({ keywords: DONE });
    this.expectKeyword('done');
    return { kind: 'for', name, words, body, redirects: this.trailingRedirects() };
  }

  private parseWhile(until: boolean): WhileCommand {
    this.pos += 5; // `while` or `until`
    const condition = this.parseList({ keywords: DO });
    this.expectKeyword('do');
    const body = this.parseList({ keywords: DONE });
    this.expectKeyword('done');
    return { kind: 'while', until, condition, body, redirects: this.trailingRedirects() };
  }

  private parseIf(): IfCommand {
    this.pos += 'if'.length;
    const branches: IfCommand['branches'] = [];
    let otherwise: List | undefined;
    for (;;) {
      const condition = this.parseList({ keywords: THEN });
      this.expectKeyword('then');
      const body = this.parseList({ keywords: AFTER_THEN });
      branches.push({ condition, body });
      const next = this.keyword();
      this.pos += next!.length;
      if (next === 'elif') continue;
      if (next === 'else') {
        otherwise = this.parseList({ keywords: FI });
        this.expectKeyword('fi');
      }
      break;
    }
    return { kind: 'if', branches, otherwise, redirects: this.trailingRedirects() };
  }

  private parseCase(): CaseCommand {
    this.pos += 'case'.length;
    this.skipBlanks();
    if (this.atEnd()) throw unexpectedEof();
    if (this.operator() !== undefined) throw nearToken(this.operatorToken());
    const word = this.parseWord();
    this.skipNewlines();
    this.expectKeyword('in');
    const items: CaseCommand['items'] = [];
    for (;;) {
      this.skipNewlines();
      if (this.atEnd()) throw unexpectedEof();
      if (this.keyword() === 'esac') {
        this.pos += 4;
        break;
      }
      if (this.peek() === '(') this.pos++;
      const patterns: Word[] = [];
      for (;;) {
        this.skipBlanks();
        if (this.atEnd()) throw unexpectedEof();
        if (this.operator() !== undefined) throw nearToken(this.operatorToken());
        patterns.push(this.parseWord());
        this.skipBlanks();
        if (this.peek() === '|') {
          this.pos++;
          continue;
        }
        if (this.peek() === ')') {
          this.pos++;
          break;
        }
        if (this.atEnd()) throw unexpectedEof();
        throw nearToken(this.operatorToken());
      }
      const body = this.parseList({ caseItem: true });
      const op = this.operator();
      let end: ';;' | ';&' | ';;&' = ';;';
      if (op === ';;' || op === ';&' || op === ';;&') {
        end = op;
        this.pos += op.length;
      }
      items.push({ patterns, body, end });
    }
    return { kind: 'case', word, items, redirects: this.trailingRedirects() };
  }

  /** `function NAME [()] BODY` or `NAME() BODY`; the body is a compound command. */
  private parseFunction(keyword: boolean): FunctionDef {
    if (keyword) {
      this.pos += 'function'.length;
      this.skipBlanks();
    }
    const m = /^[^\s|&;<>()'"\\$`]+/.exec(this.src.slice(this.pos, this.pos + 256));
    if (!m) throw this.atEnd() ? unexpectedEof() : nearToken(this.operatorToken());
    const name = m[0];
    this.pos += name.length;
    this.skipBlanks();
    if (this.peek() === '(') {
      this.pos++;
      this.skipBlanks();
      if (this.peek() !== ')') throw nearToken(this.peek() || 'newline');
      this.pos++;
    } else if (!keyword) throw nearToken(this.operatorToken());
    this.skipNewlines();
    if (this.atEnd()) throw unexpectedEof();
    const bodyStart = this.keyword();
    if (bodyStart !== '{' && this.peek() !== '(' && !['for', 'if', 'while', 'until', 'case', '[['].includes(bodyStart ?? '')) {
      throw nearToken(bodyStart ?? this.operatorToken());
    }
    const body = this.parseCommand();
    return { kind: 'function', name, body, redirects: [] };
  }

  /** `[[ … ]]`: operators `!`, `&&`, `||`, `( )`; words are not split; `<`, `>` compare. */
  private parseCond(): CondCommand {
    this.pos += 2;
    const expr = this.condOr();
    this.skipNewlines();
    if (this.atEnd()) throw unexpectedEof();
    if (!this.startsWith(']]')) throw new SyntaxError_(`bash: syntax error in conditional expression: unexpected token \`${this.condToken()}'`);
    this.pos += 2;
    return { kind: 'cond', expr, redirects: this.trailingRedirects() };
  }

  private condToken(): string {
    const m = /^\S+/.exec(this.src.slice(this.pos));
    return m ? m[0] : 'newline';
  }

  /** `A || B` (and below it `A && B`): left-associative, `&&` binding tighter. */
  private condOr(): CondExpr {
    return this.condBinary('||', 'or', () => this.condBinary('&&', 'and', () => this.condNot()));
  }

  private condBinary(op: '||' | '&&', kind: 'or' | 'and', operand: () => CondExpr): CondExpr {
    let left = operand();
    for (;;) {
      this.skipNewlines();
      if (!this.startsWith(op)) return left;
      this.pos += 2;
      left = { kind, left, right: operand() };
    }
  }

  private condNot(): CondExpr {
    this.skipNewlines();
    if (this.peek() === '!' && (this.peek(1) === ' ' || this.peek(1) === '\t')) {
      this.pos++;
      return { kind: 'not', expr: this.condNot() };
    }
    return this.condPrimary();
  }

  private condPrimary(): CondExpr {
    this.skipNewlines();
    if (this.atEnd()) throw unexpectedEof();
    if (this.peek() === '(') {
      this.pos++;
      const expr = this.condOr();
      this.skipNewlines();
      if (this.peek() !== ')') throw new SyntaxError_(`bash: syntax error in conditional expression: unexpected token \`${this.condToken()}'`);
      this.pos++;
      return expr;
    }
    if (this.startsWith(']]') || this.startsWith('&&') || this.startsWith('||') || this.peek() === ')') {
      throw new SyntaxError_(`bash: syntax error in conditional expression: unexpected token \`${this.condToken()}'`);
    }
    const first = this.condWord();
    this.skipBlanks();
    const firstText = plainText(first);
    if (firstText !== undefined && /^-[a-zA-Z]$/.test(firstText) && !this.startsWith(']]') && !this.startsWith('&&') && !this.startsWith('||') && this.peek() !== ')') {
      const save = this.pos;
      const opCandidate = this.condBinaryOp();
      if (opCandidate === undefined) return { kind: 'unary', op: firstText, arg: this.condWord() };
      this.pos = save;
    }
    const op = this.condBinaryOp();
    if (op === undefined) return { kind: 'word', word: first };
    this.skipBlanks();
    if (this.atEnd()) throw unexpectedEof();
    const right = op === '=~' ? this.regexWord() : this.condWord();
    return { kind: 'binary', op, left: first, right };
  }

  /** A binary operator of `[[` at the cursor (consumed), or undefined. */
  private condBinaryOp(): string | undefined {
    const m = /^(==|!=|=~|=|<|>|-eq|-ne|-lt|-le|-gt|-ge|-nt|-ot|-ef)(?=[\s]|$)/.exec(this.src.slice(this.pos, this.pos + 4));
    if (!m) return undefined;
    this.pos += m[1]!.length;
    return m[1]!;
  }

  private condWord(): Word {
    this.skipBlanks();
    if (this.atEnd()) throw unexpectedEof();
    const word = this.parseWord();
    if (word.parts.length === 0) throw new SyntaxError_(`bash: syntax error in conditional expression: unexpected token \`${this.condToken()}'`);
    return word;
  }

  /** The right side of `=~`: parentheses and `|` belong to the regex; it ends at a blank outside them. */
  private regexWord(): Word {
    const parts: WordPart[] = [];
    const lit = literalAppender(parts);
    let depth = 0;
    while (!this.atEnd()) {
      const c = this.peek();
      if (depth === 0 && (c === ' ' || c === '\t' || c === '\n')) break;
      if (c === '(') depth++;
      else if (c === ')') {
        if (depth === 0) break;
        depth--;
      }
      if ('(|)<>&;'.includes(c)) {
        lit(c, false);
        this.pos++;
        continue;
      }
      this.wordChar(parts, lit);
    }
    return { parts };
  }

  /** Redirections after `done` / `fi` / `}` / `)`, which apply to the whole compound command. */
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

  /** `[N]>`, `[N]>>`, `>|`, `&>`, `&>>`, `<`, `<<<`, `[N]>&M` followed by a target word. */
  private tryRedirect(): Redirect | undefined {
    if (this.startsWith('<(') || this.startsWith('>(')) return undefined;
    const m = /^(\d?)(>>|>&|>\||>|<<<|<<|<&|<>|<)|^(&>>|&>)/.exec(this.src.slice(this.pos, this.pos + 4));
    if (!m) return undefined;
    if (this.dash && m[2] === '<<<') throw dashSyntax(this.lineHere(), 'redirection unexpected');
    if (m[2] === '<<') {
      this.pos += m[0].length;
      return { fd: m[1] ? Number(m[1]) : 0, op: '<<', target: this.hereDocument() };
    }
    const fd: number | 'both' = m[3] ? 'both' : m[1] ? Number(m[1]) : m[2]!.startsWith('<') ? 0 : 1;
    let op = (m[3] ? m[3].slice(1) : m[2]) as RedirectOp | '<&' | '<>';
    if (op === '<&' || op === '<>') op = '<';
    this.pos += m[0].length;
    this.skipBlanks();
    if (this.atEnd()) throw nearToken('newline');
    const next = this.operator();
    if (next !== undefined) throw nearToken(next === '\n' ? 'newline' : next);
    if ((this.peek() === '<' || this.peek() === '>') && this.peek(1) !== '(') throw nearToken(this.peek());
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
    return quoted ? { parts: [{ kind: 'lit', text, quoted: true }] } : inner(() => new Parser(text, {}).expandingText('heredoc'));
  }

  /**
   * Text in which only $ and ` expand: a here-document's (quotes kept, `\` escapes $ ` \ newline)
   * or an arithmetic expression's (quotes and backslashes kept).
   */
  expandingText(kind: 'heredoc' | 'arith'): Word {
    const parts: WordPart[] = [];
    this.parseExpanding(parts, literalAppender(parts), undefined, kind === 'heredoc' ? '$`\\\n' : '');
    return { parts };
  }

  private parseWord(): Word {
    const parts: WordPart[] = [];
    const lit = literalAppender(parts);
    while (!this.atEnd()) {
      const c = this.peek();
      if ((c === '<' || c === '>') && this.peek(1) === '(') {
        if (this.dash) throw dashSyntax(this.lineHere(), '"(" unexpected');
        this.pos += 2;
        this.parens++;
        const list = this.parseList({ paren: true });
        this.parens--;
        if (c === '>') throw new SyntaxError_('bash: >(…): output process substitution is not supported in this terminal');
        parts.push({ kind: 'procsub', list, quoted: false });
        continue;
      }
      if (META.has(c)) break;
      this.wordChar(parts, lit);
    }
    return { parts };
  }

  /** One unit of a word at the cursor: a quoted string, an escape, an expansion or a character. */
  private wordChar(parts: WordPart[], lit: (text: string, quoted: boolean) => void): void {
    const c = this.peek();
    if (c === "'") {
      const end = this.src.indexOf("'", this.pos + 1);
      if (end < 0) throw unmatched("'");
      lit(this.src.slice(this.pos + 1, end), true);
      this.pos = end + 1;
    } else if (c === '"') {
      this.pos++;
      this.parseExpanding(parts, lit, '"', '$`"\\\n');
    } else if (c === '\\') {
      this.pos++;
      if (this.atEnd()) return;
      const escaped = this.peek();
      this.pos++;
      if (escaped !== '\n') lit(escaped, true);
    } else if (c === '$') {
      this.parseDollar(parts, lit, false);
    } else if (c === '`') {
      parts.push({ kind: 'cmdsub', list: this.parseBackticks(), quoted: false });
    } else {
      // The run of plain characters from here (`kubectl`, `pods`) as one piece, not a string a character.
      let end = this.pos + 1;
      while (end < this.src.length && !META.has(this.src[end]!) && !WORD_SPECIAL.has(this.src[end]!)) end++;
      lit(this.src.slice(this.pos, end), false);
      this.pos = end;
    }
  }

  /**
   * Text in which $ and ` expand and a backslash escapes only the characters in `escapable`:
   * the inside of "…" (closer '"', after the opening quote) or a whole text (no closer).
   */
  private parseExpanding(parts: WordPart[], lit: (text: string, quoted: boolean) => void, closer: '"' | undefined, escapable: string): void {
    lit('', true); // `""` is an (empty) quoted word, not nothing
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
      if (c === '\\' && escapable !== '') {
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
      if (this.peek(2) === '(') {
        parts.push({ kind: 'arith', expr: this.arithmetic(this.pos + 3), quoted });
        return;
      }
      this.pos += 2;
      this.parens++;
      parts.push({ kind: 'cmdsub', list: this.parseList({ paren: true }), quoted });
      this.parens--;
      return;
    }
    if (next === '{') {
      const end = matchingBrace(this.src, this.pos + 2);
      if (end < 0) throw unmatched('}');
      const body = this.src.slice(this.pos + 2, end);
      this.pos = end + 1;
      parts.push(parseParameter(body, quoted));
      return;
    }
    if (next === "'" && !quoted) {
      const end = this.src.indexOf("'", this.pos + 2);
      if (end < 0) throw unmatched("'");
      lit(ansiC(this.src.slice(this.pos + 2, end)), true);
      this.pos = end + 1;
      return;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[?$#0-9@*!-])/.exec(this.src.slice(this.pos + 1, this.pos + 257));
    if (!m) {
      lit('$', quoted);
      this.pos++;
      return;
    }
    parts.push({ kind: 'var', name: m[1]!, quoted });
    this.pos += 1 + m[1]!.length;
  }

  /** The expression of `$((…))` / `((…))` starting at `from`, up to the `))` that closes it. */
  private arithmetic(from: number): Word {
    let depth = 0;
    for (let i = from; i < this.src.length; i++) {
      const c = this.src[i]!;
      if (c === '(') depth++;
      else if (c === ')') {
        if (depth > 0) {
          depth--;
          continue;
        }
        if (this.src[i + 1] !== ')') throw nearToken(')');
        this.pos = i + 2;
        return parseArithText(this.src.slice(from, i));
      }
    }
    throw unmatched('))');
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
    return inner(() => new Parser(text, {}, this.dash).parseList({}));
  }

  /** The word of a `${…}` operator: quotes and expansions as in a word, blanks kept. */
  operandWord(): Word {
    const parts: WordPart[] = [];
    const lit = literalAppender(parts);
    while (!this.atEnd()) this.wordChar(parts, lit);
    return { parts };
  }
}

const DONE: ReadonlySet<string> = new Set(['done']);
/** Builtins whose arguments may be array assignments. */
const DECLARATIONS: ReadonlySet<string> = new Set(['local', 'declare', 'typeset', 'readonly', 'export']);
const DO: ReadonlySet<string> = new Set(['do']);
const THEN: ReadonlySet<string> = new Set(['then']);
const AFTER_THEN: ReadonlySet<string> = new Set(['elif', 'else', 'fi']);
const FI: ReadonlySet<string> = new Set(['fi']);
const BRACE_END: ReadonlySet<string> = new Set(['}']);

/** The index of the `}` closing a `${` whose body starts at `from` (quotes and nested `${…}` skipped). */
function matchingBrace(src: string, from: number): number {
  let depth = 0;
  for (let i = from; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') i++;
    else if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) return -1;
      i = end;
    } else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

const PARAM_NAME = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])/;
const PARAM_OPS: ParamOp[] = [':-', ':=', ':+', ':?', '##', '%%', '//', '/#', '/%', '^^', ',,', '-', '=', '+', '?', '#', '%', '/', '^', ',', ':', '@'];

/** The body of `${…}`: `#name`, `!name`, `name[index]`, then an operator and its words. */
function parseParameter(body: string, quoted: boolean): ParamPart {
  const bad = (): SyntaxError_ => new SyntaxError_(`bash: \${${body}}: bad substitution`);
  let rest = body;
  const part: ParamPart = { kind: 'var', name: '', quoted };
  if (rest.startsWith('#') && rest.length > 1 && PARAM_NAME.test(rest.slice(1))) {
    part.length = true;
    rest = rest.slice(1);
  } else if (rest.startsWith('!') && rest.length > 1) {
    part.indirect = true;
    rest = rest.slice(1);
  }
  const m = PARAM_NAME.exec(rest);
  if (!m) throw bad();
  part.name = m[0];
  rest = rest.slice(m[0].length);
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw bad();
    const index = rest.slice(1, close);
    part.index = index === '@' || index === '*' ? litWord(index) : parseArithText(index);
    rest = rest.slice(close + 1);
  }
  if (rest === '') return part;
  if (part.indirect && !part.index && (rest === '@' || rest === '*') && /^[A-Za-z_]/.test(part.name)) {
    delete part.indirect;
    part.names = rest;
    return part;
  }
  if (part.length) throw bad();
  const op = PARAM_OPS.find((o) => rest.startsWith(o));
  if (!op) throw bad();
  part.op = op;
  rest = rest.slice(op.length);
  // A pattern stays a pattern inside "…" (only its own quotes make it literal).
  if (op === '/' || op === '//' || op === '/#' || op === '/%') {
    const slash = unescapedIndex(rest, '/');
    part.arg = operand(slash < 0 ? rest : rest.slice(0, slash), false);
    if (slash >= 0) part.arg2 = operand(rest.slice(slash + 1), quoted);
  } else if (op === '@') {
    // `${x@Q}`: one transformation letter; bash refuses another only when x is set.
    if (rest.length !== 1) throw bad();
    part.arg = litWord(rest);
  } else if (op === ':') {
    const colon = unescapedIndex(rest, ':');
    part.arg = parseArithText(colon < 0 ? rest : rest.slice(0, colon));
    if (colon >= 0) part.arg2 = parseArithText(rest.slice(colon + 1));
  } else {
    part.arg = operand(rest, quoted && !['#', '##', '%', '%%'].includes(op));
  }
  return part;
}

function unescapedIndex(text: string, char: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === char) return i;
  }
  return -1;
}

function operand(text: string, quoted: boolean): Word {
  const word = inner(() => new Parser(text, {}).operandWord());
  if (quoted) for (const p of word.parts) if (p.kind !== 'procsub') p.quoted = true;
  return word;
}

/** `((init; test; step))` of an arithmetic for: its three expressions. */
function splitArithFor(word: Word): { init: Word; test: Word; step: Word } | undefined {
  const pieces: Word[] = [{ parts: [] }];
  for (const part of word.parts) {
    if (part.kind !== 'lit') {
      pieces.at(-1)!.parts.push(part);
      continue;
    }
    const texts = part.text.split(';');
    texts.forEach((text, i) => {
      if (i > 0) pieces.push({ parts: [] });
      if (text !== '') pieces.at(-1)!.parts.push({ ...part, text });
    });
  }
  if (pieces.length !== 3) return undefined;
  return { init: pieces[0]!, test: pieces[1]!, step: pieces[2]! };
}

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

/** The word's text when it is all literal, else undefined. */
export function plainText(word: Word): string | undefined {
  let text = '';
  for (const p of word.parts) {
    if (p.kind !== 'lit') return undefined;
    text += p.text;
  }
  return text;
}

/** $'…' escapes. */
function ansiC(s: string): string {
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '?': '?' };
  return settleBytes(s.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (all, c: string) => {
    if (c.startsWith('x') && c.length > 1) return escapedByte(parseInt(c.slice(1), 16));
    if (/^[0-7]+$/.test(c)) return escapedByte(parseInt(c, 8));
    return map[c] ?? all;
  }));
}

/**
 * The line that saves an edit: `save` fed the edited text as a quoted here-document, with a
 * delimiter no line of the text equals. The browser's editor and `kubedrill shell` send it.
 */
export function editLine(save: string, text: string): string {
  const lines = text.split('\n');
  let delimiter = 'KUBEDRILL_EDIT';
  while (lines.includes(delimiter)) delimiter += '_';
  const body = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  return `${save} <<'${delimiter}'\n${body}${delimiter}`;
}
