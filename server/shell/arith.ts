// bash arithmetic ($((…)), ((…)), let, array indices): 64-bit signed integers that wrap,
// C operators with bash's precedence, variables whose values are themselves expressions,
// and bash's error messages (`division by 0 (error token is "0")`).

export interface ArithEnv {
  /** The variable's value ('' when unset); `index` for an array element. */
  get(name: string, index?: bigint): string;
  set(name: string, value: bigint, index?: bigint): void;
}

export class ArithError extends Error {}

type Node =
  | { k: 'num'; v: bigint }
  | { k: 'var'; name: string; index?: Node; at: number }
  | { k: 'un'; op: string; e: Node }
  | { k: 'bin'; op: string; l: Node; r: Node; at: number }
  | { k: 'assign'; op: string; name: string; index?: Node; e: Node }
  | { k: 'incdec'; op: '++' | '--'; prefix: boolean; name: string; index?: Node }
  | { k: 'cond'; c: Node; t: Node; f: Node }
  | { k: 'comma'; l: Node; r: Node };

const MAX_DEPTH = 1024;
const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);

/** Evaluates an expression (already expanded text); throws ArithError with bash's message. */
export function evaluateArith(text: string, env: ArithEnv, depth = 0): bigint {
  if (depth > MAX_DEPTH) throw new ArithError(`${text}: expression recursion level exceeded (error token is "${text}")`);
  if (text.trim() === '') return 0n;
  const parser = new ArithParser(text);
  const node = parser.parse();
  return new Evaluator(env, text, depth).eval(node);
}

const TOKEN_RE = /^(?:\d[0-9A-Za-z_#@]*|[A-Za-z_][A-Za-z0-9_]*|\*\*=|<<=|>>=|\*\*|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|[-+*/%<>=!~&|^?:,()[\]])/;

class ArithParser {
  private tokens: { text: string; at: number }[] = [];
  private i = 0;

  constructor(private readonly src: string) {
    let at = 0;
    while (at < src.length) {
      const c = src[at]!;
      if (c === ' ' || c === '\t' || c === '\n') {
        at++;
        continue;
      }
      const m = TOKEN_RE.exec(src.slice(at, at + 256));
      if (!m) throw this.error('syntax error: invalid arithmetic operator', at);
      this.tokens.push({ text: m[0], at });
      at += m[0].length;
    }
  }

  private error(message: string, at: number): ArithError {
    return new ArithError(`${this.src}: ${message} (error token is "${this.src.slice(at).trimEnd()}")`);
  }

  private peek(): string | undefined {
    return this.tokens[this.i]?.text;
  }

  /** Where the error token starts: the last token read, as bash reports it. */
  private errorAt(): number {
    return this.tokens[this.i - 1]?.at ?? 0;
  }

  parse(): Node {
    const node = this.comma();
    if (this.i < this.tokens.length) throw this.error('syntax error in expression', this.tokens[this.i]!.at);
    return node;
  }

  private comma(): Node {
    let l = this.assign();
    while (this.peek() === ',') {
      this.i++;
      l = { k: 'comma', l, r: this.assign() };
    }
    return l;
  }

  private assign(): Node {
    const start = this.i;
    const t = this.tokens[this.i];
    if (t && /^[A-Za-z_]/.test(t.text)) {
      this.i++;
      let index: Node | undefined;
      if (this.peek() === '[') {
        this.i++;
        index = this.comma();
        this.expect(']');
      }
      const op = this.peek();
      if (op !== undefined && /^(?:=|\*\*=|[-+*/%&|^]=|<<=|>>=)$/.test(op)) {
        this.i++;
        return { k: 'assign', op, name: t.text, ...(index ? { index } : {}), e: this.assign() };
      }
      this.i = start;
    }
    return this.conditional();
  }

  private conditional(): Node {
    const c = this.binary(0);
    if (this.peek() !== '?') return c;
    this.i++;
    const t = this.comma();
    // bash points at the token it found instead, or the last one: `1 ? 2` is "… (error token is "2")".
    if (this.peek() !== ':') throw this.error("`:' expected for conditional expression", this.tokens[this.i]?.at ?? this.errorAt());
    this.i++;
    const f = this.conditional();
    return { k: 'cond', c, t, f };
  }

  private static readonly LEVELS = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

  private binary(level: number): Node {
    if (level >= ArithParser.LEVELS.length) return this.power();
    let l = this.binary(level + 1);
    for (;;) {
      const op = this.peek();
      if (op === undefined || !ArithParser.LEVELS[level]!.includes(op)) return l;
      this.i++;
      const r = this.binary(level + 1);
      l = { k: 'bin', op, l, r, at: this.errorAt() };
    }
  }

  private power(): Node {
    const l = this.unary();
    if (this.peek() !== '**') return l;
    this.i++;
    return { k: 'bin', op: '**', l, r: this.power(), at: this.errorAt() };
  }

  private unary(): Node {
    const op = this.peek();
    if (op === '!' || op === '~' || op === '-' || op === '+') {
      this.i++;
      return { k: 'un', op, e: this.unary() };
    }
    if (op === '++' || op === '--') {
      this.i++;
      const target = this.postfix();
      if (target.k !== 'var') throw this.error('syntax error: operand expected', this.errorAt());
      return { k: 'incdec', op, prefix: true, name: target.name, ...(target.index ? { index: target.index } : {}) };
    }
    return this.postfix();
  }

  private postfix(): Node {
    const node = this.primary();
    const op = this.peek();
    if (node.k === 'var' && (op === '++' || op === '--')) {
      this.i++;
      return { k: 'incdec', op, prefix: false, name: node.name, ...(node.index ? { index: node.index } : {}) };
    }
    return node;
  }

  private primary(): Node {
    const t = this.tokens[this.i];
    if (!t) throw this.error('syntax error: operand expected', this.tokens.at(-1)?.at ?? 0);
    if (t.text === '(') {
      this.i++;
      const e = this.comma();
      this.expect(')');
      return e;
    }
    if (/^\d/.test(t.text)) {
      this.i++;
      return { k: 'num', v: parseNumber(t.text, (m) => this.error(m, t.at)) };
    }
    if (/^[A-Za-z_]/.test(t.text)) {
      this.i++;
      if (this.peek() === '[') {
        this.i++;
        const index = this.comma();
        this.expect(']');
        return { k: 'var', name: t.text, index, at: t.at };
      }
      return { k: 'var', name: t.text, at: t.at };
    }
    throw this.error('syntax error: operand expected', t.at);
  }

  private expect(text: string): void {
    if (this.peek() !== text) {
      const at = this.tokens[this.i]?.at ?? this.src.length;
      throw this.error(text === ')' ? "missing `)'" : 'syntax error in expression', at);
    }
    this.i++;
  }
}

/** A literal: decimal, 0x hex, 0 octal or BASE#digits (bases 2–64). */
function parseNumber(text: string, error: (message: string) => ArithError): bigint {
  let base = 10;
  let digits = text;
  const hash = text.indexOf('#');
  if (hash >= 0) {
    base = Number(text.slice(0, hash));
    digits = text.slice(hash + 1);
    if (!/^\d+$/.test(text.slice(0, hash)) || base < 2 || base > 64) throw error('invalid arithmetic base');
  } else if (/^0[xX]/.test(text)) {
    base = 16;
    digits = text.slice(2);
  } else if (text.length > 1 && text.startsWith('0')) base = 8;
  if (digits === '') throw error('invalid number');
  let value = 0n;
  for (const c of digits) {
    let d: number;
    if (c >= '0' && c <= '9') d = c.charCodeAt(0) - 48;
    else if (c >= 'a' && c <= 'z') d = c.charCodeAt(0) - 97 + 10;
    else if (c >= 'A' && c <= 'Z') d = base <= 36 ? c.charCodeAt(0) - 65 + 10 : c.charCodeAt(0) - 65 + 36;
    else if (c === '@') d = 62;
    else if (c === '_') d = 63;
    else throw error('invalid number');
    if (d >= base) throw error('value too great for base');
    value = wrap(value * BigInt(base) + BigInt(d));
  }
  return value;
}

class Evaluator {
  constructor(private readonly env: ArithEnv, private readonly src: string, private readonly depth: number) {}

  eval(n: Node): bigint {
    switch (n.k) {
      case 'num': return n.v;
      case 'var': return this.read(n.name, n.index);
      case 'un': {
        const v = this.eval(n.e);
        if (n.op === '!') return v === 0n ? 1n : 0n;
        if (n.op === '~') return wrap(~v);
        if (n.op === '-') return wrap(-v);
        return v;
      }
      case 'comma':
        this.eval(n.l);
        return this.eval(n.r);
      case 'cond': return this.eval(n.c) !== 0n ? this.eval(n.t) : this.eval(n.f);
      case 'incdec': {
        const index = n.index ? this.eval(n.index) : undefined;
        const old = this.read(n.name, undefined, index);
        const next = wrap(n.op === '++' ? old + 1n : old - 1n);
        this.env.set(n.name, next, index);
        return n.prefix ? next : old;
      }
      case 'assign': {
        const index = n.index ? this.eval(n.index) : undefined;
        const rhs = this.eval(n.e);
        const value = n.op === '=' ? rhs : this.apply(n.op.slice(0, -1), this.read(n.name, undefined, index), rhs, this.src.length);
        this.env.set(n.name, value, index);
        return value;
      }
      case 'bin': {
        if (n.op === '&&') return this.eval(n.l) !== 0n && this.eval(n.r) !== 0n ? 1n : 0n;
        if (n.op === '||') return this.eval(n.l) !== 0n || this.eval(n.r) !== 0n ? 1n : 0n;
        return this.apply(n.op, this.eval(n.l), this.eval(n.r), n.at);
      }
    }
  }

  private apply(op: string, l: bigint, r: bigint, at: number): bigint {
    const divisionByZero = (): ArithError => new ArithError(`${this.src}: division by 0 (error token is "${this.src.slice(at).trimEnd()}")`);
    switch (op) {
      case '+': return wrap(l + r);
      case '-': return wrap(l - r);
      case '*': return wrap(l * r);
      case '/':
        if (r === 0n) throw divisionByZero();
        return wrap(l / r);
      case '%':
        if (r === 0n) throw divisionByZero();
        return wrap(l % r);
      case '**':
        if (r < 0n) throw new ArithError(`${this.src}: exponent less than 0 (error token is "${this.src.slice(at).trimEnd()}")`);
        return power(l, r);
      case '<<': return wrap(l << (r & 63n));
      case '>>': return wrap(l >> (r & 63n));
      case '&': return l & r;
      case '|': return l | r;
      case '^': return l ^ r;
      case '==': return l === r ? 1n : 0n;
      case '!=': return l !== r ? 1n : 0n;
      case '<': return l < r ? 1n : 0n;
      case '>': return l > r ? 1n : 0n;
      case '<=': return l <= r ? 1n : 0n;
      case '>=': return l >= r ? 1n : 0n;
    }
    throw new ArithError(`${this.src}: syntax error in expression (error token is "${op}")`);
  }

  /** A variable's value: empty is 0, anything else is evaluated as an expression in turn. */
  private read(name: string, indexNode?: Node, index?: bigint): bigint {
    const i = indexNode ? this.eval(indexNode) : index;
    const text = this.env.get(name, i).trim();
    if (text === '') return 0n;
    if (/^-?\d+$/.test(text) && !/^-?0\d/.test(text)) return wrap(BigInt(text));
    return evaluateArith(text, this.env, this.depth + 1);
  }
}

/** l ** r by squaring, wrapping at 64 bits. */
function power(l: bigint, r: bigint): bigint {
  let result = 1n;
  let base = l;
  let e = r;
  while (e > 0n) {
    if (e & 1n) result = wrap(result * base);
    base = wrap(base * base);
    e >>= 1n;
  }
  return result;
}
