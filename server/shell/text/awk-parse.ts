// The awk language subset the `awk` tool runs: `pattern { action }` rules with BEGIN/END,
// /re/ patterns, expressions (fields, NR/NF, arithmetic, comparison, ~, &&, ||, ?:, string
// concatenation, assignment incl. += and ++, associative arrays), statements print, printf,
// if/else, while, do, for (;;) and for (k in a), break/continue, delete, next, exit, range
// patterns, user-defined functions (`function f(a,   local) { … return x }`), getline (plain,
// into a variable, `< file`, `"cmd" | getline`), print/printf `> file` / `>> file`, and gawk's builtin functions. Parsed to an AST here;
// unsupported constructs are rejected with a clear message instead of being misread.

export type Expr =
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'regex'; source: string }
  | { k: 'var'; name: string }
  | { k: 'field'; index: Expr }
  | { k: 'elem'; name: string; key: Expr }
  | { k: 'in'; key: Expr; name: string }
  | { k: 'unary'; op: '!' | '-' | '+'; e: Expr }
  | { k: 'binary'; op: string; l: Expr; r: Expr }
  | { k: 'match'; negate: boolean; l: Expr; r: Expr }
  | { k: 'cond'; c: Expr; t: Expr; f: Expr }
  | { k: 'assign'; op: string; target: Expr; e: Expr }
  | { k: 'incr'; op: '++' | '--'; prefix: boolean; target: Expr }
  | { k: 'call'; name: string; args: Expr[] }
  /** A call of a function the program defines. */
  | { k: 'ucall'; name: string; args: Expr[] }
  /** `getline [target] [< file]`, `command | getline [target]`. */
  | { k: 'getline'; target?: Expr; file?: Expr; command?: Expr }
  | { k: 'group'; e: Expr };

export type Stmt =
  | { k: 'print'; args: Expr[]; to?: Expr; append?: boolean }
  | { k: 'printf'; args: Expr[]; to?: Expr; append?: boolean }
  | { k: 'return'; e?: Expr }
  | { k: 'while'; c: Expr; body: Stmt }
  | { k: 'do'; body: Stmt; c: Expr }
  | { k: 'for'; init?: Expr; c?: Expr; step?: Expr; body: Stmt }
  | { k: 'break' }
  | { k: 'continue' }
  | { k: 'delete'; name: string; key?: Expr }
  | { k: 'expr'; e: Expr }
  | { k: 'if'; c: Expr; then: Stmt; else?: Stmt }
  | { k: 'forin'; key: string; array: string; body: Stmt }
  | { k: 'block'; body: Stmt[] }
  | { k: 'next' }
  | { k: 'exit'; code?: Expr };

export interface Rule {
  pattern: 'BEGIN' | 'END' | Expr | undefined;
  /** `pattern, end`: a range of records. */
  end?: Expr;
  action: Stmt[] | undefined;
}

export interface AwkFunction {
  params: string[];
  body: Stmt[];
}

export interface AwkProgram {
  rules: Rule[];
  functions: Map<string, AwkFunction>;
  /** gawk's parse-time warnings (a call with more arguments than the function declares). */
  warnings: string[];
}

/** A call of a function the program does not define: gawk refuses to run it (exit 2). */
export class AwkUndefinedFunction {
  constructor(readonly name: string) {}
}

export class AwkSyntaxError {
  /** `at`: offset in the program gawk points its caret at; `bare`: gawk prints only `error: message`. */
  constructor(readonly message: string, readonly at?: number, readonly bare = false) {}
}

/** `call`: a name written right before `(`, which is how awk tells a function call from concatenation. */
type Tok = ({ t: 'num'; v: number } | { t: 'str'; v: string } | { t: 'regex'; v: string } | { t: 'name'; v: string; call: boolean } | { t: 'op'; v: string } | { t: 'nl' } | { t: 'eof' }) & { at?: number };

export const BUILTINS = new Set(['length', 'substr', 'index', 'split', 'tolower', 'toupper', 'sprintf', 'int', 'gsub', 'sub', 'sqrt', 'match', 'asort', 'asorti', 'systime', 'exp', 'log', 'sin', 'cos', 'atan2', 'rand', 'srand', 'close', 'fflush', 'strftime']);
const UNSUPPORTED = new Set(['nextfile', 'system']);
/** Names a function may not take: keywords and builtins. */
const RESERVED = new Set([...BUILTINS, 'BEGIN', 'END', 'function', 'func', 'return', 'getline', 'print', 'printf', 'if', 'else', 'while', 'for', 'do', 'break', 'continue', 'next', 'exit', 'delete', 'in']);
const OPS = ['**=', '**', '+=', '-=', '*=', '/=', '%=', '^=', '==', '!=', '<=', '>=', '&&', '||', '++', '--', '!~', '>>', '{', '}', '(', ')', '[', ']', ';', ',', '+', '-', '*', '/', '%', '^', '!', '>', '<', '~', '?', ':', '=', '$', '|'];

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  // A `/` starts a regex where an operand is expected (not after a value).
  const regexAllowed = (): boolean => {
    const last = toks.at(-1);
    if (!last) return true;
    if (last.t === 'num' || last.t === 'str' || last.t === 'regex') return false;
    if (last.t === 'name') return false;
    if (last.t === 'op') return !(last.v === ')' || last.v === ']' || last.v === '$' || last.v === '++' || last.v === '--');
    return true;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '\\' && src[i + 1] === '\n') i += 2;
    else if (c === '\n') {
      toks.push({ t: 'nl', at: i });
      i++;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (/[0-9.]/.test(c) && /^(\d+\.?\d*(e[+-]?\d+)?|\.\d+)/i.test(src.slice(i))) {
      const m = /^(\d+\.?\d*(e[+-]?\d+)?|\.\d+)/i.exec(src.slice(i))!;
      toks.push({ t: 'num', v: Number(m[0]), at: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      toks.push({ t: 'name', v: m[0], call: src[i + m[0].length] === '(', at: i });
      i += m[0].length;
    } else if (c === '"') {
      const at = i;
      let s = '';
      i++;
      // A backslash-newline continues the string; a bare newline ends it unterminated.
      const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', '/': '/', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
      while (i < src.length && src[i] !== '"' && src[i] !== '\n') {
        if (src[i] === '\\' && i + 1 < src.length) {
          s += esc[src[i + 1]!] ?? `\\${src[i + 1]}`;
          i += 2;
        } else s += src[i++];
      }
      if (src[i] !== '"') throw new AwkSyntaxError('unterminated string', at);
      i++;
      toks.push({ t: 'str', v: s, at });
    } else if (c === '/' && regexAllowed()) {
      const at = i;
      let s = '';
      i++;
      while (i < src.length && src[i] !== '/') {
        if (src[i] === '\\' && src[i + 1] === '/') {
          s += '/';
          i += 2;
        } else if (src[i] === '\n') break;
        else s += src[i++];
      }
      if (src[i] !== '/') throw new AwkSyntaxError('unterminated regexp', at + 1);
      i++;
      toks.push({ t: 'regex', v: s, at });
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (!op) throw new AwkSyntaxError('syntax error', i);
      // gawk's `**` and `**=` are `^` and `^=`.
      toks.push({ t: 'op', v: op === '**' ? '^' : op === '**=' ? '^=' : op, at: i });
      i += op.length;
    }
  }
  toks.push({ t: 'eof' });
  return toks;
}

export function parseAwk(src: string): AwkProgram {
  const toks = lex(src);
  let p = 0;
  const functions = new Map<string, AwkFunction>();
  /** Each called function's largest argument count. */
  const called = new Map<string, number>();
  let inFunction = false;
  const peek = (): Tok => toks[p]!;
  const isOp = (v: string): boolean => {
    const t = peek();
    return t.t === 'op' && t.v === v;
  };
  const isName = (v: string): boolean => {
    const t = peek();
    return t.t === 'name' && t.v === v;
  };
  const fail = (): never => {
    const t = peek();
    if (t.t === 'name' && UNSUPPORTED.has(t.v)) throw new AwkSyntaxError(`'${t.v}' is not supported by this terminal's awk`);
    if (t.t === 'eof' || t.t === 'nl') throw new AwkSyntaxError('unexpected newline or end of string', t.t === 'eof' ? src.length : t.at);
    // gawk points its caret at the token bison stopped on.
    throw new AwkSyntaxError('syntax error', t.at);
  };
  const expect = (v: string): void => {
    if (!isOp(v)) fail();
    p++;
  };
  const skipNl = (): void => {
    while (peek().t === 'nl') p++;
  };
  const skipTerminators = (): void => {
    while (peek().t === 'nl' || isOp(';')) p++;
  };

  // Expressions, lowest precedence first. `noGt`/`noIn` cover print's `>` and for-in's `in`.
  const expr = (noGt = false): Expr => ternary(noGt);
  const ternary = (noGt: boolean): Expr => {
    const c = or(noGt);
    if (isOp('?')) {
      p++;
      const t = ternary(noGt);
      expect(':');
      const f = ternary(noGt);
      return { k: 'cond', c, t, f };
    }
    if (peek().t === 'op' && ['=', '+=', '-=', '*=', '/=', '%=', '^='].includes((peek() as { v: string }).v)) {
      if (c.k !== 'var' && c.k !== 'field' && c.k !== 'elem') fail();
      const op = (toks[p++] as { v: string }).v;
      return { k: 'assign', op, target: c, e: ternary(noGt) };
    }
    return c;
  };
  const or = (noGt: boolean): Expr => {
    let l = and(noGt);
    while (isOp('||')) {
      p++;
      skipNl();
      l = { k: 'binary', op: '||', l, r: and(noGt) };
    }
    return l;
  };
  const and = (noGt: boolean): Expr => {
    let l = inExpr(noGt);
    while (isOp('&&')) {
      p++;
      skipNl();
      l = { k: 'binary', op: '&&', l, r: inExpr(noGt) };
    }
    return l;
  };
  const inExpr = (noGt: boolean): Expr => {
    let l = matchExpr(noGt);
    while (isName('in')) {
      p++;
      const t = peek();
      if (t.t !== 'name') fail();
      p++;
      l = { k: 'in', key: l, name: (t as { v: string }).v };
    }
    return l;
  };
  const matchExpr = (noGt: boolean): Expr => {
    let l = comparison(noGt);
    while (isOp('~') || isOp('!~')) {
      const negate = (toks[p++] as { v: string }).v === '!~';
      l = { k: 'match', negate, l, r: comparison(noGt) };
    }
    return l;
  };
  /** The variable or field `getline` reads into, if one follows. */
  const getlineTarget = (): Expr | undefined =>
    (peek().t === 'name' && !RESERVED.has((peek() as { v: string }).v)) || isOp('$') ? primary() : undefined;
  const comparison = (noGt: boolean): Expr => {
    let l = concat();
    // `"echo " x | getline [var]`: the command is all that is concatenated before the bar.
    while (isOp('|') && toks[p + 1]?.t === 'name' && (toks[p + 1] as { v: string }).v === 'getline') {
      p += 2;
      const target = getlineTarget();
      l = { k: 'getline', command: l, ...(target ? { target } : {}) };
    }
    for (const op of ['<', '<=', '==', '!=', '>=', '>']) {
      if (isOp(op) && !(noGt && (op === '>'))) {
        p++;
        return { k: 'binary', op, l, r: concat() };
      }
    }
    return l;
  };
  const startsOperand = (): boolean => {
    const t = peek();
    if (t.t === 'num' || t.t === 'str' || t.t === 'regex') return true;
    if (t.t === 'name') return t.v !== 'in' && !UNSUPPORTED.has(t.v);
    return t.t === 'op' && ['$', '!', '(', '-', '+', '++', '--'].includes(t.v);
  };
  const concat = (): Expr => {
    let l = additive();
    // Juxtaposition concatenates; `-`/`+` there would be ambiguous, awk reads them as binary.
    while (startsOperand() && !isOp('-') && !isOp('+')) l = { k: 'binary', op: ' ', l, r: additive() };
    return l;
  };
  const additive = (): Expr => {
    let l = multiplicative();
    while (isOp('+') || isOp('-')) {
      const op = (toks[p++] as { v: string }).v;
      l = { k: 'binary', op, l, r: multiplicative() };
    }
    return l;
  };
  const multiplicative = (): Expr => {
    let l = unary();
    while (isOp('*') || isOp('/') || isOp('%')) {
      const op = (toks[p++] as { v: string }).v;
      l = { k: 'binary', op, l, r: unary() };
    }
    return l;
  };
  const unary = (): Expr => {
    if (isOp('!') || isOp('-') || isOp('+')) {
      const op = (toks[p++] as { v: string }).v as '!' | '-' | '+';
      return { k: 'unary', op, e: unary() };
    }
    return power();
  };
  const power = (): Expr => {
    const base = incr();
    if (isOp('^')) {
      p++;
      return { k: 'binary', op: '^', l: base, r: unary() };
    }
    return base;
  };
  const incr = (): Expr => {
    if (isOp('++') || isOp('--')) {
      const op = (toks[p++] as { v: string }).v as '++' | '--';
      return { k: 'incr', op, prefix: true, target: primary() };
    }
    const e = primary();
    if ((isOp('++') || isOp('--')) && (e.k === 'var' || e.k === 'field' || e.k === 'elem')) {
      const op = (toks[p++] as { v: string }).v as '++' | '--';
      return { k: 'incr', op, prefix: false, target: e };
    }
    return e;
  };
  const primary = (): Expr => {
    const t = peek();
    if (t.t === 'num') {
      p++;
      return { k: 'num', v: t.v };
    }
    if (t.t === 'str') {
      p++;
      return { k: 'str', v: t.v };
    }
    if (t.t === 'regex') {
      p++;
      return { k: 'regex', source: t.v };
    }
    if (t.t === 'op' && t.v === '$') {
      p++;
      return { k: 'field', index: incr() };
    }
    if (t.t === 'op' && t.v === '(') {
      p++;
      const e = expr();
      expect(')');
      return { k: 'group', e };
    }
    if (t.t === 'name') {
      // A keyword (print, if, else…) is no operand: `{ … } print` is gawk's syntax error.
      if (UNSUPPORTED.has(t.v) || (RESERVED.has(t.v) && !BUILTINS.has(t.v) && t.v !== 'getline')) fail();
      p++;
      if (t.v === 'getline') {
        const target = getlineTarget();
        // `getline < file`: the file is a single operand, as in gawk (`getline < "a" "b"` reads a).
        const file = isOp('<') ? (p++, incr()) : undefined;
        return { k: 'getline', ...(target ? { target } : {}), ...(file ? { file } : {}) };
      }
      if (t.call && !BUILTINS.has(t.v)) {
        p++;
        const args: Expr[] = [];
        if (!isOp(')')) {
          args.push(expr());
          while (isOp(',')) {
            p++;
            skipNl();
            args.push(expr());
          }
        }
        expect(')');
        called.set(t.v, Math.max(called.get(t.v) ?? 0, args.length));
        return { k: 'ucall', name: t.v, args };
      }
      if (BUILTINS.has(t.v)) {
        if (t.v === 'systime' && !isOp('(')) return { k: 'call', name: t.v, args: [] };
        if (t.v === 'length' && !isOp('(')) return { k: 'call', name: 'length', args: [] };
        expect('(');
        const args: Expr[] = [];
        if (!isOp(')')) {
          args.push(expr());
          while (isOp(',')) {
            p++;
            args.push(expr());
          }
        }
        expect(')');
        return { k: 'call', name: t.v, args };
      }
      if (isOp('[')) {
        p++;
        const key = expr();
        expect(']');
        return { k: 'elem', name: t.v, key };
      }
      return { k: 'var', name: t.v };
    }
    return fail();
  };

  const printArgs = (): Expr[] => {
    const args: Expr[] = [];
    if (isOp(';') || isOp('}') || isOp('>') || isOp('>>') || isOp('|') || peek().t === 'nl' || peek().t === 'eof') return args;
    // `printf("%s\n", x)`: a parenthesised list is the argument list.
    if (isOp('(')) {
      const save = p;
      p++;
      const list = [expr()];
      while (isOp(',')) {
        p++;
        skipNl();
        list.push(expr());
      }
      if (isOp(')') && list.length > 1) {
        p++;
        if (isOp(';') || isOp('}') || isOp('>') || isOp('>>') || isOp('|') || peek().t === 'nl' || peek().t === 'eof') return list;
      }
      p = save;
    }
    const parenthesised = isOp('(');
    args.push(expr(true));
    while (isOp(',')) {
      p++;
      skipNl();
      args.push(expr(true));
    }
    if (parenthesised && args.length === 1 && args[0]!.k === 'group') args.splice(0, 1, args[0]!.e);
    if (isOp('|')) throw new AwkSyntaxError('output to a command (print | "cmd") is not supported by this terminal\'s awk');
    return args;
  };
  /** `> FILE` (truncated when first opened) / `>> FILE` (appended to) after print. */
  const redirect = (): { to: Expr; append?: true } | undefined => {
    if (!isOp('>') && !isOp('>>')) return undefined;
    const append = (toks[p++] as { v: string }).v === '>>';
    return { to: concat(), ...(append ? { append } : {}) };
  };

  const statement = (): Stmt => {
    if (isOp('{')) {
      p++;
      const body = statements();
      expect('}');
      return { k: 'block', body };
    }
    if (isName('print') || isName('printf')) {
      const name = (toks[p++] as { v: string }).v;
      const args = printArgs();
      const k = name === 'print' ? 'print' : 'printf';
      return { k, args, ...redirect() };
    }
    if (isName('return')) {
      if (!inFunction) throw new AwkSyntaxError("`return' used outside function context", peek().at);
      p++;
      const ends = isOp(';') || isOp('}') || peek().t === 'nl' || peek().t === 'eof';
      return ends ? { k: 'return' } : { k: 'return', e: expr() };
    }
    if (isName('while')) {
      p++;
      expect('(');
      const c = expr();
      expect(')');
      if (isOp(';')) return { k: 'while', c, body: { k: 'block', body: [] } };
      skipNl();
      return { k: 'while', c, body: statement() };
    }
    if (isName('do')) {
      p++;
      skipNl();
      const body = statement();
      skipTerminators();
      if (!isName('while')) fail();
      p++;
      expect('(');
      const c = expr();
      expect(')');
      return { k: 'do', body, c };
    }
    if (isName('break') || isName('continue')) {
      const k = (toks[p++] as { v: string }).v as 'break' | 'continue';
      return { k };
    }
    if (isName('delete')) {
      p++;
      const t = peek();
      if (t.t !== 'name') fail();
      p++;
      if (isOp('[')) {
        p++;
        const key = expr();
        expect(']');
        return { k: 'delete', name: (t as { v: string }).v, key };
      }
      return { k: 'delete', name: (t as { v: string }).v };
    }
    if (isName('if')) {
      p++;
      expect('(');
      const c = expr();
      expect(')');
      skipNl();
      const then = statement();
      const save = p;
      skipTerminators();
      if (isName('else')) {
        p++;
        skipNl();
        return { k: 'if', c, then, else: statement() };
      }
      p = save;
      return { k: 'if', c, then };
    }
    if (isName('for')) {
      p++;
      expect('(');
      const key = peek();
      const arrayTok = toks[p + 2];
      if (key.t === 'name' && toks[p + 1]?.t === 'name' && (toks[p + 1] as { v: string }).v === 'in' && arrayTok?.t === 'name' && toks[p + 3]?.t === 'op' && (toks[p + 3] as { v: string }).v === ')') {
        p += 3;
        expect(')');
        skipNl();
        return { k: 'forin', key: key.v, array: (arrayTok as { v: string }).v, body: statement() };
      }
      const init = isOp(';') ? undefined : expr();
      expect(';');
      skipNl();
      const c = isOp(';') ? undefined : expr();
      expect(';');
      skipNl();
      const step = isOp(')') ? undefined : expr();
      expect(')');
      if (isOp(';')) return { k: 'for', ...(init ? { init } : {}), ...(c ? { c } : {}), ...(step ? { step } : {}), body: { k: 'block', body: [] } };
      skipNl();
      return { k: 'for', ...(init ? { init } : {}), ...(c ? { c } : {}), ...(step ? { step } : {}), body: statement() };
    }
    if (isName('next')) {
      p++;
      return { k: 'next' };
    }
    if (isName('exit')) {
      p++;
      const ends = isOp(';') || isOp('}') || peek().t === 'nl' || peek().t === 'eof';
      return ends ? { k: 'exit' } : { k: 'exit', code: expr() };
    }
    return { k: 'expr', e: expr() };
  };

  const statements = (): Stmt[] => {
    const body: Stmt[] = [];
    skipTerminators();
    while (!isOp('}') && peek().t !== 'eof') {
      body.push(statement());
      // A statement ending in its block's `}` (if, while, for, a block) needs no terminator, as in gawk's grammar.
      const closedBlock = toks[p - 1]?.t === 'op' && (toks[p - 1] as { v: string }).v === '}';
      if (!closedBlock && !isOp('}') && peek().t !== 'eof' && !isOp(';') && peek().t !== 'nl') fail();
      skipTerminators();
    }
    return body;
  };

  /** `function name(a, b,   locals) { body }` (`func` too); extra parameters are the locals. */
  const functionDefinition = (): void => {
    p++;
    const name = peek();
    if (name.t !== 'name' || RESERVED.has(name.v)) fail();
    const fname = (name as { v: string }).v;
    if (functions.has(fname)) throw new AwkSyntaxError(`function name \`${fname}' previously defined`, undefined, true);
    p++;
    expect('(');
    const params: string[] = [];
    while (!isOp(')')) {
      skipNl();
      const param = peek();
      if (param.t !== 'name' || RESERVED.has(param.v) || params.includes(param.v)) fail();
      params.push((param as { v: string }).v);
      p++;
      skipNl();
      if (!isOp(')')) expect(',');
    }
    p++;
    skipNl();
    expect('{');
    inFunction = true;
    const body = statements();
    inFunction = false;
    expect('}');
    functions.set(fname, { params, body });
  };

  const rules: Rule[] = [];
  skipTerminators();
  while (peek().t !== 'eof') {
    if (isName('function') || isName('func')) {
      functionDefinition();
      skipTerminators();
      continue;
    }
    let pattern: Rule['pattern'];
    let end: Expr | undefined;
    if (isName('BEGIN') || isName('END')) pattern = (toks[p++] as { v: string }).v as 'BEGIN' | 'END';
    else if (!isOp('{')) {
      pattern = expr();
      if (isOp(',')) {
        p++;
        skipNl();
        end = expr();
      }
    }
    let action: Stmt[] | undefined;
    if (isOp('{')) {
      p++;
      action = statements();
      expect('}');
    } else if (pattern === 'BEGIN' || pattern === 'END') fail();
    rules.push({ pattern, action, ...(end ? { end } : {}) });
    skipTerminators();
  }
  const warnings: string[] = [];
  for (const [name, count] of called) {
    const fn = functions.get(name);
    if (!fn) throw new AwkUndefinedFunction(name);
    if (count > fn.params.length) warnings.push(`function \`${name}' called with more arguments than declared`);
  }
  return { rules, functions, warnings };
}
