// The jq language (1.6, with the 1.7 additions players type) parsed into a tree: pipes, `,`,
// `//`, assignments, arithmetic, `as` bindings with destructuring, reduce/foreach, if, try,
// label/break, `def`, string interpolation with @formats, object construction, optional `?`.
// Errors carry the offset jq points at, so messages can be printed the way jq prints them.

export type Node =
  | { kind: 'identity' }
  | { kind: 'recurse' }
  | { kind: 'literal'; value: Json }
  | { kind: 'string'; parts: (string | Node)[]; format?: string }
  | { kind: 'format'; name: string }
  | { kind: 'field'; target: Node; name: Node; optional?: boolean }
  | { kind: 'index'; target: Node; index: Node }
  | { kind: 'slice'; target: Node; from?: Node; to?: Node }
  | { kind: 'iterate'; target: Node }
  | { kind: 'try'; body: Node; handler?: Node }
  | { kind: 'pipe'; left: Node; right: Node }
  | { kind: 'comma'; left: Node; right: Node }
  | { kind: 'neg'; body: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'and' | 'or' | 'alt'; left: Node; right: Node }
  | { kind: 'assign'; op: string; left: Node; right: Node }
  | { kind: 'array'; body?: Node }
  | { kind: 'object'; entries: { key: Node; value?: Node }[] }
  | { kind: 'var'; name: string }
  | { kind: 'as'; source: Node; patterns: Pattern[]; body: Node }
  | { kind: 'reduce'; source: Node; pattern: Pattern; init: Node; update: Node }
  | { kind: 'foreach'; source: Node; pattern: Pattern; init: Node; update: Node; extract?: Node }
  | { kind: 'if'; branches: { cond: Node; then: Node }[]; otherwise?: Node }
  | { kind: 'label'; name: string; body: Node }
  | { kind: 'break'; name: string }
  | { kind: 'call'; name: string; args: Node[]; at: number }
  | { kind: 'def'; def: FuncDef; body: Node };

export type Pattern =
  | { kind: 'var'; name: string }
  | { kind: 'array'; items: Pattern[] }
  | { kind: 'object'; entries: { key: Node; keyVar?: string; value?: Pattern }[] };

export interface FuncDef {
  name: string;
  params: string[];
  body: Node;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class JqSyntaxError extends Error {
  /** `ifAt`: an `if` without `else`, which jq reports as a second error. */
  constructor(message: string, readonly at: number, readonly ifAt?: number) {
    super(message);
  }
}

interface Token {
  kind: 'num' | 'str' | 'ident' | 'field' | 'var' | 'format' | 'op' | 'keyword' | 'eof';
  text: string;
  at: number;
  /** Strings: literal parts and interpolated source ranges. */
  parts?: (string | { from: number; to: number })[];
  value?: number;
}

const KEYWORDS = new Set(['def', 'as', 'if', 'then', 'elif', 'else', 'end', 'reduce', 'foreach', 'try', 'catch', 'label', 'import', 'include', 'and', 'or', '__loc__']);
const OPS = ['?//', '|=', '+=', '-=', '*=', '/=', '%=', '//=', '==', '!=', '<=', '>=', '//', '..', '|', ',', '+', '-', '*', '/', '%', '=', '<', '>', '.', '[', ']', '{', '}', '(', ')', ':', ';', '?'];

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '/': '/', '\\': '\\', '"': '"' };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const at = i;
    if (c === '"') {
      const parts: (string | { from: number; to: number })[] = [];
      let text = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new JqSyntaxError('unexpected $end', at);
        const ch = src[i]!;
        if (ch === '"') {
          i++;
          break;
        }
        if (ch !== '\\') {
          text += ch;
          i++;
          continue;
        }
        const e = src[i + 1];
        if (e === '(') {
          const from = i + 2;
          const to = closingParen(src, from);
          if (text) parts.push(text);
          text = '';
          parts.push({ from, to });
          i = to + 1;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
          text += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
          i += 6;
        } else if (e !== undefined && e in ESCAPES) {
          text += ESCAPES[e];
          i += 2;
        } else throw new JqSyntaxError(`invalid escape`, i);
      }
      if (text || parts.length === 0) parts.push(text);
      tokens.push({ kind: 'str', text: src.slice(at, i), at, parts });
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      tokens.push({ kind: 'num', text: num[0], at, value: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*/.exec(src.slice(i));
    if (word) {
      tokens.push({ kind: KEYWORDS.has(word[0]) ? 'keyword' : 'ident', text: word[0], at });
      i += word[0].length;
      continue;
    }
    if (c === '$') {
      const name = /^\$(__loc__|[A-Za-z_][A-Za-z0-9_]*)/.exec(src.slice(i));
      if (!name) throw new JqSyntaxError("unexpected '$'", at);
      tokens.push({ kind: 'var', text: name[1]!, at });
      i += name[0].length;
      continue;
    }
    if (c === '@') {
      const name = /^@[A-Za-z0-9_]+/.exec(src.slice(i));
      if (!name) throw new JqSyntaxError('unexpected INVALID_CHARACTER', at);
      tokens.push({ kind: 'format', text: name[0].slice(1), at });
      i += name[0].length;
      continue;
    }
    if (c === '.' && /[A-Za-z_]/.test(src[i + 1] ?? '')) {
      const name = /^\.([A-Za-z_][A-Za-z0-9_]*)/.exec(src.slice(i))!;
      tokens.push({ kind: 'field', text: name[1]!, at });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new JqSyntaxError('unexpected INVALID_CHARACTER', at);
    tokens.push({ kind: 'op', text: op, at });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '', at: src.length });
  return tokens;
}

/** Index of the `)` closing an interpolation that starts at `from` (strings inside skipped). */
function closingParen(src: string, from: number): number {
  let depth = 1;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (c === '"') {
      for (i++; i < src.length && src[i] !== '"'; i++) {
        if (src[i] === '\\' && src[i + 1] === '(') i = closingParen(src, i + 2);
        else if (src[i] === '\\') i++;
      }
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  throw new JqSyntaxError('unexpected $end', src.length);
}

const ASSIGN_OPS = new Set(['=', '|=', '+=', '-=', '*=', '/=', '%=', '//=']);
const COMPARE_OPS = new Set(['==', '!=', '<', '<=', '>', '>=']);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[], private readonly src: string, private readonly offset: number) {}

  private get tok(): Token {
    return this.tokens[this.pos]!;
  }
  private is(text: string): boolean {
    return (this.tok.kind === 'op' || this.tok.kind === 'keyword') && this.tok.text === text;
  }
  private fail(): never {
    const t = this.tok;
    if (t.kind === 'eof') {
      const last = this.tokens[Math.max(0, this.pos - 1)]!;
      throw new JqSyntaxError('syntax error, unexpected $end', this.offset + (this.pos > 0 ? last.at : 0));
    }
    const name = t.kind === 'ident' ? 'IDENT' : t.kind === 'field' ? 'FIELD' : t.kind === 'num' ? 'LITERAL' : t.kind === 'str' ? 'QQSTRING_START' : t.kind === 'var' ? '$' : t.kind === 'format' ? 'FORMAT' : t.kind === 'keyword' ? t.text : `'${t.text}'`;
    throw new JqSyntaxError(`syntax error, unexpected ${name}`, this.offset + t.at);
  }
  private expect(text: string): void {
    if (!this.is(text)) this.fail();
    this.pos++;
  }

  parseProgram(): Node {
    const node = this.pipe();
    if (this.tok.kind !== 'eof') this.fail();
    return node;
  }

  /** Pipe level: `def`, `as`, `label` bind everything to their right. */
  pipe(noComma = false): Node {
    if (this.is('def')) {
      const def = this.funcDef();
      return { kind: 'def', def, body: this.pipe(noComma) };
    }
    if (this.is('label')) {
      this.pos++;
      if (this.tok.kind !== 'var') this.fail();
      const name = this.tok.text;
      this.pos++;
      this.expect('|');
      return { kind: 'label', name, body: this.pipe(noComma) };
    }
    const left = this.comma(noComma);
    if (this.is('as')) {
      this.pos++;
      const patterns = [this.pattern()];
      while (this.is('?//')) {
        this.pos++;
        patterns.push(this.pattern());
      }
      this.expect('|');
      return { kind: 'as', source: left, patterns, body: this.pipe(noComma) };
    }
    if (this.is('|')) {
      this.pos++;
      return { kind: 'pipe', left, right: this.pipe(noComma) };
    }
    return left;
  }

  funcDef(): FuncDef {
    this.expect('def');
    if (this.tok.kind !== 'ident' && this.tok.kind !== 'keyword') this.fail();
    const name = this.tok.text;
    this.pos++;
    const params: string[] = [];
    if (this.is('(')) {
      this.pos++;
      for (;;) {
        const t: Token = this.tok;
        if (t.kind === 'var') params.push(`$${t.text}`);
        else if (t.kind === 'ident') params.push(t.text);
        else this.fail();
        this.pos++;
        if (this.is(')')) break;
        this.expect(';');
      }
      this.pos++;
    }
    this.expect(':');
    const body = this.pipe();
    this.expect(';');
    return { name, params, body };
  }

  pattern(): Pattern {
    if (this.tok.kind === 'var') {
      const name = this.tok.text;
      this.pos++;
      return { kind: 'var', name };
    }
    if (this.is('[')) {
      this.pos++;
      const items: Pattern[] = [];
      for (;;) {
        items.push(this.pattern());
        if (this.is(']')) break;
        this.expect(',');
      }
      this.pos++;
      return { kind: 'array', items };
    }
    if (this.is('{')) {
      this.pos++;
      const entries: { key: Node; keyVar?: string; value?: Pattern }[] = [];
      for (;;) {
        const t = this.tok;
        if (t.kind === 'var') {
          this.pos++;
          const entry: { key: Node; keyVar?: string; value?: Pattern } = { key: { kind: 'literal', value: t.text }, keyVar: t.text };
          if (this.is(':')) {
            this.pos++;
            entry.value = this.pattern();
          }
          entries.push(entry);
        } else {
          let key: Node;
          if (t.kind === 'ident' || t.kind === 'keyword') {
            key = { kind: 'literal', value: t.text };
            this.pos++;
          } else if (t.kind === 'str') key = this.stringToken();
          else if (this.is('(')) {
            this.pos++;
            key = this.pipe();
            this.expect(')');
          } else this.fail();
          this.expect(':');
          entries.push({ key, value: this.pattern() });
        }
        if (this.is('}')) break;
        this.expect(',');
      }
      this.pos++;
      return { kind: 'object', entries };
    }
    this.fail();
  }

  comma(noComma: boolean): Node {
    let left = this.alternative();
    while (!noComma && this.is(',')) {
      this.pos++;
      left = { kind: 'comma', left, right: this.alternative() };
    }
    return left;
  }

  /** `//` is right-associative and binds looser than assignment. */
  alternative(): Node {
    const left = this.assignment();
    if (this.is('//')) {
      this.pos++;
      return { kind: 'alt', left, right: this.alternative() };
    }
    return left;
  }

  assignment(): Node {
    const left = this.or();
    if ((this.tok.kind === 'op') && ASSIGN_OPS.has(this.tok.text)) {
      const op = this.tok.text;
      this.pos++;
      return { kind: 'assign', op, left, right: this.alternative() };
    }
    return left;
  }

  or(): Node {
    return this.logical('or', () => this.and());
  }

  and(): Node {
    return this.logical('and', () => this.compare());
  }

  /** `a or b or c` / `a and b`, left-associative. */
  private logical(kind: 'and' | 'or', operand: () => Node): Node {
    let left = operand();
    while (this.is(kind)) {
      this.pos++;
      left = { kind, left, right: operand() };
    }
    return left;
  }

  compare(): Node {
    const left = this.additive();
    if (this.tok.kind === 'op' && COMPARE_OPS.has(this.tok.text)) {
      const op = this.tok.text;
      this.pos++;
      const right = this.additive();
      if (this.tok.kind === 'op' && COMPARE_OPS.has(this.tok.text)) this.fail();
      return { kind: 'binary', op, left, right };
    }
    return left;
  }

  additive(): Node {
    let left = this.multiplicative();
    while (this.is('+') || this.is('-')) {
      const op = this.tok.text;
      this.pos++;
      left = { kind: 'binary', op, left, right: this.multiplicative() };
    }
    return left;
  }

  multiplicative(): Node {
    const start = this.tok.at;
    let left = this.unary();
    while (this.is('*') || this.is('/') || this.is('%')) {
      const op = this.tok.text;
      this.pos++;
      const right = this.unary();
      if (op !== '*' && right.kind === 'literal' && right.value === 0 && left.kind === 'literal' && typeof left.value === 'number') {
        throw new JqSyntaxError(op === '/' ? 'Division by zero?' : 'Remainder by zero?', this.offset + start);
      }
      left = { kind: 'binary', op, left, right };
    }
    return left;
  }

  unary(): Node {
    if (this.is('-')) {
      this.pos++;
      return { kind: 'neg', body: this.unary() };
    }
    return this.postfix();
  }

  postfix(): Node {
    let node = this.term();
    for (;;) {
      if (this.tok.kind === 'field') {
        node = { kind: 'field', target: node, name: { kind: 'literal', value: this.tok.text } };
        this.pos++;
      } else if (this.is('.') && this.tokens[this.pos + 1]?.kind === 'str') {
        this.pos++;
        node = { kind: 'field', target: node, name: this.stringToken() };
      } else if (this.is('.') && this.tokens[this.pos + 1]?.text === '[' && this.tokens[this.pos + 1]?.kind === 'op') {
        this.pos++;
      } else if (this.is('[')) {
        node = this.bracketSuffix(node);
      } else if (this.is('?')) {
        this.pos++;
        node = { kind: 'try', body: node };
      } else if (this.is('?//')) {
        // `.a?//b` is `.a? // b`: split the token the lexer took for the destructuring `?//`.
        this.tokens[this.pos] = { kind: 'op', text: '//', at: this.tok.at + 1 };
        node = { kind: 'try', body: node };
      } else if (this.is('as') || !this.is('.')) {
        return node;
      } else this.fail();
    }
  }

  bracketSuffix(target: Node): Node {
    this.expect('[');
    if (this.is(']')) {
      this.pos++;
      return { kind: 'iterate', target };
    }
    if (this.is(':')) {
      this.pos++;
      const to = this.pipe();
      this.expect(']');
      return { kind: 'slice', target, to };
    }
    const index = this.pipe();
    if (this.is(':')) {
      this.pos++;
      if (this.is(']')) {
        this.pos++;
        return { kind: 'slice', target, from: index };
      }
      const to = this.pipe();
      this.expect(']');
      return { kind: 'slice', target, from: index, to };
    }
    this.expect(']');
    return { kind: 'index', target, index };
  }

  stringToken(format?: string): Node {
    const t = this.tok;
    if (t.kind !== 'str') this.fail();
    this.pos++;
    const parts = t.parts!.map((p) => (typeof p === 'string' ? p : parseSource(this.src, p.from, p.to)));
    if (parts.length === 1 && typeof parts[0] === 'string' && format === undefined) return { kind: 'literal', value: parts[0] };
    return { kind: 'string', parts, ...(format !== undefined ? { format } : {}) };
  }

  term(): Node {
    const t = this.tok;
    switch (t.kind) {
      case 'num':
        this.pos++;
        return { kind: 'literal', value: t.value! };
      case 'str':
        return this.stringToken();
      case 'format': {
        this.pos++;
        if (this.tok.kind === 'str') return this.stringToken(t.text);
        return { kind: 'format', name: t.text };
      }
      case 'field':
        this.pos++;
        return { kind: 'field', target: { kind: 'identity' }, name: { kind: 'literal', value: t.text } };
      case 'var':
        this.pos++;
        if (t.text === '__loc__') return { kind: 'literal', value: { file: '<top-level>', line: 1 } };
        return { kind: 'var', name: t.text };
      case 'ident': {
        this.pos++;
        if ((t.text === 'null' || t.text === 'true' || t.text === 'false') && !this.is('(')) return { kind: 'literal', value: t.text === 'null' ? null : t.text === 'true' };
        if (t.text === 'break' && this.tok.kind === 'var') {
          const name = this.tok.text;
          this.pos++;
          return { kind: 'break', name };
        }
        const args: Node[] = [];
        if (this.is('(')) {
          this.pos++;
          for (;;) {
            args.push(this.pipe());
            if (this.is(')')) break;
            this.expect(';');
          }
          this.pos++;
        }
        return { kind: 'call', name: t.text, args, at: this.offset + t.at };
      }
      case 'keyword':
        return this.keywordTerm(t);
      case 'op':
        return this.opTerm(t);
      default:
        this.fail();
    }
  }

  keywordTerm(t: Token): Node {
    if (t.text === 'if') {
      this.pos++;
      const branches: { cond: Node; then: Node }[] = [];
      let cond = this.pipe();
      this.expect('then');
      branches.push({ cond, then: this.pipe() });
      while (this.is('elif')) {
        this.pos++;
        cond = this.pipe();
        this.expect('then');
        branches.push({ cond, then: this.pipe() });
      }
      // jq 1.6 requires `else` (1.7 made it optional).
      if (!this.is('else')) throw new JqSyntaxError(`unterminated if`, this.offset + this.tok.at, this.offset + t.at);
      this.pos++;
      const otherwise = this.pipe();
      this.expect('end');
      return { kind: 'if', branches, ...(otherwise ? { otherwise } : {}) };
    }
    if (t.text === 'try') {
      this.pos++;
      const body = this.postfixNoTry();
      if (this.is('catch')) {
        this.pos++;
        return { kind: 'try', body, handler: this.postfixNoTry() };
      }
      return { kind: 'try', body };
    }
    if (t.text === 'reduce' || t.text === 'foreach') {
      this.pos++;
      const source = this.postfix();
      this.expect('as');
      const pattern = this.pattern();
      this.expect('(');
      const init = this.pipe();
      this.expect(';');
      const update = this.pipe();
      let extract: Node | undefined;
      if (t.text === 'foreach' && this.is(';')) {
        this.pos++;
        extract = this.pipe();
      }
      this.expect(')');
      if (t.text === 'reduce') return { kind: 'reduce', source, pattern, init, update };
      return { kind: 'foreach', source, pattern, init, update, ...(extract ? { extract } : {}) };
    }
    if (t.text === 'def') {
      const def = this.funcDef();
      return { kind: 'def', def, body: this.pipe() };
    }
    this.fail();
  }

  /** `try` and `catch` take a postfix term (so `try .a catch . | f` pipes the result). */
  postfixNoTry(): Node {
    return this.postfix();
  }

  opTerm(t: Token): Node {
    if (t.text === '.') {
      this.pos++;
      if (this.tok.kind === 'str') return { kind: 'field', target: { kind: 'identity' }, name: this.stringToken() };
      if (this.is('[')) return this.bracketSuffix({ kind: 'identity' });
      return { kind: 'identity' };
    }
    if (t.text === '..') {
      this.pos++;
      return { kind: 'recurse' };
    }
    if (t.text === '(') {
      this.pos++;
      const body = this.pipe();
      this.expect(')');
      return body;
    }
    if (t.text === '[') {
      this.pos++;
      if (this.is(']')) {
        this.pos++;
        return { kind: 'array' };
      }
      const body = this.pipe();
      this.expect(']');
      return { kind: 'array', body };
    }
    if (t.text === '{') return this.objectTerm();
    if (t.text === '-') {
      this.pos++;
      return { kind: 'neg', body: this.postfix() };
    }
    this.fail();
  }

  objectTerm(): Node {
    this.expect('{');
    const entries: { key: Node; value?: Node }[] = [];
    if (this.is('}')) {
      this.pos++;
      return { kind: 'object', entries };
    }
    for (;;) {
      const t = this.tok;
      let key: Node;
      let value: Node | undefined;
      if (t.kind === 'var') {
        this.pos++;
        key = { kind: 'literal', value: t.text };
        value = { kind: 'var', name: t.text };
      } else if (t.kind === 'ident' || t.kind === 'keyword') {
        this.pos++;
        key = { kind: 'literal', value: t.text };
      } else if (t.kind === 'num') {
        this.pos++;
        key = { kind: 'literal', value: t.value! };
      } else if (t.kind === 'str') key = this.stringToken();
      else if (t.kind === 'format' && this.tokens[this.pos + 1]?.kind === 'str') {
        this.pos++;
        key = this.stringToken(t.text);
      } else if (this.is('(')) {
        this.pos++;
        key = this.pipe();
        this.expect(')');
      } else this.fail();
      if (this.is(':')) {
        this.pos++;
        value = this.objectValue();
      } else if (value === undefined) {
        value = { kind: 'field', target: { kind: 'identity' }, name: key };
      }
      entries.push({ key, value });
      if (this.is('}')) break;
      this.expect(',');
    }
    this.pos++;
    return { kind: 'object', entries };
  }

  /** An object value: terms joined by `|`, no `,` (jq's ExpD). */
  objectValue(): Node {
    const left = this.alternative();
    if (this.is('|')) {
      this.pos++;
      return { kind: 'pipe', left, right: this.objectValue() };
    }
    return left;
  }
}

function parseSource(src: string, from: number, to: number): Node {
  const tokens = tokenize(src.slice(from, to));
  return new Parser(tokens, src.slice(from, to), from).parseProgram();
}

/** The program as a tree; throws JqSyntaxError with the offset jq reports. */
export function parseJq(src: string): Node {
  return new Parser(tokenize(src), src, 0).parseProgram();
}

/** Function definitions of a jq library text (`def a: …; def b: …;`). */
export function parseDefs(src: string): FuncDef[] {
  const parser = new Parser(tokenize(`${src} .`), `${src} .`, 0);
  const defs: FuncDef[] = [];
  let node = parser.parseProgram();
  while (node.kind === 'def') {
    defs.push(node.def);
    node = node.body;
  }
  return defs;
}
