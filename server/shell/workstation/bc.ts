// `bc [-lq] [FILE…]` on the workstation, as GNU bc 1.07.1 computes and prints: decimal numbers
// of any length (a BigInt and its scale), `scale`, `ibase`, `obase` and `last`, + - * / % ^ with
// bc's scale rules, unary minus binding tighter than ^, ++/--, relational and boolean operators,
// assignments (= += …), sqrt/length/scale, strings, and with -l scale=20 and the math library's
// s c a l e (each the true value truncated to scale, as bc's own series give). Lines run one at a
// time: a syntax error drops the rest of its line, a runtime error (`Divide by zero`, with the
// byte address bc's compiled code would name) stops it. Output lines break at 68 characters with
// a backslash. bc's programming constructs (define, if, while, for, arrays, print, read) are not
// modelled: a line using one says so. Bounded: no loops, numbers of MAX_DIGITS digits at most,
// every operation charged by its digits.
import { STEPS_PER_RECORD } from '../budget.js';
import type { CommandContext, ShellCommand } from '../types.js';
import { interleaved } from '../types.js';
import { readFile } from '../vfs.js';

const MAX_DIGITS = 20_000;
const LINE_CHARS = 68;
const UNSUPPORTED = new Set(['define', 'if', 'while', 'for', 'print', 'read', 'auto', 'return', 'break', 'continue', 'halt', 'else', 'limits', 'warranty']);

/** A decimal number: v / 10^s. */
interface Num {
  v: bigint;
  s: number;
}

const TEN = 10n;
const pow10 = (n: number): bigint => TEN ** BigInt(n);
const num = (v: bigint, s = 0): Num => ({ v, s });
const ZERO = num(0n);
const ONE = num(1n);

/** The number at scale `s`, truncated toward zero as bc truncates. */
function rescale(a: Num, s: number): Num {
  if (s === a.s) return a;
  return s > a.s ? num(a.v * pow10(s - a.s), s) : num(a.v / pow10(a.s - s), s);
}

const digitsOf = (a: Num): number => (a.v < 0n ? -a.v : a.v).toString().length;

class BcError extends Error {
  constructor(readonly text: string) {
    super(text);
  }
}

type Node =
  | { kind: 'num'; text: string }
  | { kind: 'str'; text: string }
  | { kind: 'var'; name: string }
  | { kind: 'neg' | 'not'; arg: Node }
  | { kind: 'bin'; op: string; left: Node; right: Node }
  | { kind: 'assign'; op: string; name: string; value: Node }
  | { kind: 'incr'; op: '++' | '--'; prefix: boolean; name: string }
  | { kind: 'call'; name: string; args: Node[] };

/** A statement's bytes in bc's compiled code, up to where it failed: runtime errors name that address. */
function codeBytes(n: Node): number {
  switch (n.kind) {
    case 'num': return n.text === '0' || n.text === '1' ? 1 : n.text.length + 2;
    case 'str': return 3;
    case 'var': return 2;
    case 'neg': case 'not': return codeBytes(n.arg) + 1;
    case 'bin': return codeBytes(n.left) + codeBytes(n.right) + 1;
    case 'assign': return codeBytes(n.value) + (n.op === '=' ? 0 : 3) + 3;
    case 'incr': return 3;
    case 'call': return n.args.reduce((t, a) => t + codeBytes(a), 0) + 2;
  }
}

const TOKEN = /\s*(?:(\d[0-9A-F]*(?:\.[0-9A-F]*)?|\.[0-9A-F]+|[A-F][0-9A-F]*(?:\.[0-9A-F]*)?)|([a-z][a-z0-9_]*)|("[^"]*")|(\+\+|--|[-+*/%^]=|==|!=|<=|>=|&&|\|\||[-+*/%^=<>!(),;.\[\]{}])|(\S))/y;

interface Token {
  kind: 'num' | 'name' | 'str' | 'op' | 'bad';
  text: string;
}

function tokenize(line: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  for (;;) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(line);
    if (!m || m.index !== start) break;
    const [, n, name, str, op, bad] = m;
    if (n !== undefined) out.push({ kind: 'num', text: n });
    else if (name !== undefined) out.push({ kind: 'name', text: name });
    else if (str !== undefined) out.push({ kind: 'str', text: str.slice(1, -1) });
    else if (op !== undefined) out.push({ kind: 'op', text: op });
    else if (bad !== undefined) out.push({ kind: 'bad', text: bad });
  }
  return out;
}

/** One line's statements, parsed as bc's grammar orders the operators (bc(1), EXPRESSIONS). */
class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private take(text?: string): Token | undefined {
    const t = this.tokens[this.at];
    if (t && (text === undefined || (t.kind === 'op' && t.text === text))) {
      this.at++;
      return t;
    }
    return undefined;
  }

  /** The statements, or undefined at a syntax error (the rest of the line is dropped). */
  statements(): { list: Node[]; quit: boolean } | undefined {
    const list: Node[] = [];
    for (;;) {
      while (this.take(';'));
      const t = this.peek();
      if (!t) return { list, quit: false };
      if (t.kind === 'name' && t.text === 'quit') return { list, quit: true };
      if (t.kind === 'name' && UNSUPPORTED.has(t.text)) throw new BcError(`bc: ${t.text}: not available in this simulation (expressions and assignments only)\n`);
      const node = t.kind === 'str' ? (this.at++, { kind: 'str' as const, text: t.text }) : this.or();
      if (!node) return undefined;
      list.push(node);
      if (this.peek() && !this.take(';')) return undefined;
    }
  }

  private binary(next: () => Node | undefined, ops: string[]): Node | undefined {
    let left = next();
    while (left) {
      const t = this.peek();
      if (!t || t.kind !== 'op' || !ops.includes(t.text)) return left;
      this.at++;
      const right = next();
      if (!right) return undefined;
      left = { kind: 'bin', op: t.text, left, right };
    }
    return left;
  }

  private or = (): Node | undefined => this.binary(this.and, ['||']);
  private and = (): Node | undefined => this.binary(this.not, ['&&']);

  private not = (): Node | undefined => {
    if (this.take('!')) {
      const arg = this.not();
      return arg && { kind: 'not', arg };
    }
    return this.relation();
  };

  private relation = (): Node | undefined => this.binary(this.assignment, ['==', '!=', '<', '<=', '>', '>=']);

  private assignment = (): Node | undefined => {
    const left = this.sum();
    const t = this.peek();
    if (left?.kind === 'var' && t?.kind === 'op' && /^[-+*/%^]?=$/.test(t.text)) {
      this.at++;
      const value = this.assignment();
      return value && { kind: 'assign', op: t.text, name: left.name, value };
    }
    return left;
  };

  private sum = (): Node | undefined => this.binary(this.product, ['+', '-']);
  private product = (): Node | undefined => this.binary(this.power, ['*', '/', '%']);

  private power = (): Node | undefined => {
    const left = this.unary();
    if (!left || !this.take('^')) return left;
    const right = this.power();
    return right && { kind: 'bin', op: '^', left, right };
  };

  private unary = (): Node | undefined => {
    if (this.take('-')) {
      const arg = this.unary();
      return arg && { kind: 'neg', arg };
    }
    return this.postfix();
  };

  private postfix = (): Node | undefined => {
    const pre = this.take('++') ?? this.take('--');
    const t = this.take();
    if (!t) return undefined;
    if (pre) return t.kind === 'name' ? { kind: 'incr', op: pre.text as '++' | '--', prefix: true, name: t.text } : undefined;
    if (t.kind === 'num') return { kind: 'num', text: t.text };
    if (t.kind === 'op' && t.text === '.') return { kind: 'var', name: 'last' };
    if (t.kind === 'op' && t.text === '(') {
      const inner = this.or();
      return inner && this.take(')') ? inner : undefined;
    }
    if (t.kind !== 'name') return undefined;
    if (this.peek()?.text === '[') throw new BcError(`bc: ${t.text}[]: arrays are not available in this simulation\n`);
    if (this.take('(')) {
      const args: Node[] = [];
      if (!this.take(')')) {
        for (;;) {
          const arg = this.or();
          if (!arg) return undefined;
          args.push(arg);
          if (this.take(')')) break;
          if (!this.take(',')) return undefined;
        }
      }
      return { kind: 'call', name: t.text, args };
    }
    const post = this.take('++') ?? this.take('--');
    return post ? { kind: 'incr', op: post.text as '++' | '--', prefix: false, name: t.text } : { kind: 'var', name: t.text };
  }
}

/** The interpreter's state across lines: variables, and what it printed. */
class Bc {
  vars = new Map<string, Num>();
  scale = 0;
  ibase = 10;
  obase = 10;
  last = ZERO;
  out = '';
  col = 0;
  /** Runtime warnings of the line run last (bc goes on after them). */
  warnings = '';
  /** The address the failing instruction would have in bc's code for the line. */
  private adr = 0;

  constructor(private readonly ctx: CommandContext, readonly mathlib: boolean) {
    if (mathlib) this.scale = 20;
  }

  private charge(...nums: Num[]): void {
    let digits = 0;
    for (const n of nums) digits += digitsOf(n) + n.s;
    this.ctx.budget.spend(10 + Math.ceil(digits * digits / 64));
  }

  private fail(adr: number, what: string): never {
    throw new BcError(`Runtime error (func=(main), adr=${adr}): ${what}\n`);
  }

  private checkSize(n: Num, adr: number): Num {
    if (digitsOf(n) + n.s > MAX_DIGITS) this.fail(adr, `number too long for this terminal (over ${MAX_DIGITS} digits)`);
    return n;
  }

  /** A number as typed, read in ibase (one digit is its own value, whatever the base). */
  private literal(text: string): Num {
    const digit = (c: string): number => parseInt(c, 16);
    if (text.length === 1) return num(BigInt(digit(text)));
    const [whole = '', fraction = ''] = text.split('.');
    if (this.ibase === 10 && !/[A-F]/.test(text)) return num(BigInt(`${whole || '0'}${fraction}`), fraction.length);
    // A digit at a time, each a product of the number so far (a fraction's two): charged like them.
    this.ctx.budget.spend(Math.ceil((text.length * text.length) / 32));
    const base = BigInt(this.ibase);
    let v = 0n;
    for (const c of whole) v = v * base + BigInt(digit(c));
    if (!fraction) return num(v);
    let f = 0n;
    let den = 1n;
    for (const c of fraction) {
      f = f * base + BigInt(digit(c));
      den *= base;
    }
    const s = fraction.length;
    return num(v * pow10(s) + (f * pow10(s)) / den, s);
  }

  private get(name: string): Num {
    if (name === 'scale') return num(BigInt(this.scale));
    if (name === 'ibase') return num(BigInt(this.ibase));
    if (name === 'obase') return num(BigInt(this.obase));
    if (name === 'last') return this.last;
    return this.vars.get(name) ?? ZERO;
  }

  private set(name: string, value: Num, adr: number): void {
    const whole = Number(rescale(value, 0).v);
    if (name === 'scale') {
      if (whole < 0) this.warn(adr, 'negative scale, set to 0');
      this.scale = Math.min(Math.max(0, whole), 1000);
    } else if (name === 'ibase') {
      if (whole < 2) this.warn(adr, 'ibase too small, set to 2');
      else if (whole > 16) this.warn(adr, 'ibase too large, set to 16');
      this.ibase = Math.min(Math.max(2, whole), 16);
    } else if (name === 'obase') {
      if (whole < 2) this.warn(adr, 'obase too small, set to 2');
      this.obase = Math.min(Math.max(2, whole), 999);
    } else if (name === 'last') this.last = value;
    else this.vars.set(name, value);
  }

  private warn(adr: number, what: string): void {
    this.warnings += `Runtime warning (func=(main), adr=${adr}): ${what}\n`;
  }

  /** Runs one line; what it printed is in `out`, its errors returned. */
  runLine(line: string): { error?: string; quit?: boolean } {
    const code = line.replace(/\/\*.*?\*\//g, ' ').replace(/#.*/, '');
    let parsed: { list: Node[]; quit: boolean } | undefined;
    try {
      parsed = new Parser(tokenize(code)).statements();
    } catch (error) {
      if (error instanceof BcError) return { error: error.text };
      throw error;
    }
    if (!parsed) return { error: 'syntax' };
    // bc acts on quit as it reads it: nothing of its line runs.
    if (parsed.quit) return { quit: true };
    this.adr = 0;
    try {
      for (const statement of parsed.list) {
        // Read, parsed and run, a statement is ~2 us however short its text (`y=++x;`).
        this.ctx.budget.spend(STEPS_PER_RECORD);
        if (statement.kind === 'str') {
          this.print(statement.text.replace(/\\n/g, '\n'));
          this.adr += 3;
          continue;
        }
        const base = this.adr;
        const value = this.eval(statement, base);
        this.adr = base + codeBytes(statement);
        if (statement.kind === 'assign') continue; // an assignment prints nothing; x++ prints x
        this.adr += 1;
        this.last = value;
        this.print(`${this.format(value)}\n`);
      }
    } catch (error) {
      if (error instanceof BcError) return { error: error.text };
      throw error;
    }
    return {};
  }

  private print(text: string): void {
    // A piece up to the next newline or the line's end at a time (an 18 000-digit number is 270 lines).
    for (let i = 0; i < text.length; ) {
      if (text[i] === '\n') {
        this.out += '\n';
        this.col = 0;
        i++;
        continue;
      }
      if (this.col === LINE_CHARS) {
        this.out += '\\\n';
        this.col = 0;
      }
      const newline = text.indexOf('\n', i);
      const end = Math.min(newline < 0 ? text.length : newline, i + LINE_CHARS - this.col);
      this.out += text.slice(i, end);
      this.col += end - i;
      i = end;
    }
  }

  /** Evaluates a node whose code starts at address `at`. */
  private eval(n: Node, at: number): Num {
    switch (n.kind) {
      case 'num': return this.literal(n.text);
      case 'str': return ZERO;
      case 'var': return this.get(n.name);
      case 'neg': {
        const v = this.eval(n.arg, at);
        return num(-v.v, v.s);
      }
      case 'not': return this.eval(n.arg, at).v === 0n ? ONE : ZERO;
      case 'incr': {
        const old = this.get(n.name);
        const next = this.add(old, n.op === '++' ? ONE : num(-1n));
        this.set(n.name, next, at + 3);
        return n.prefix ? next : old;
      }
      case 'assign': {
        let value = this.eval(n.value, at + (n.op === '=' ? 0 : 2));
        const end = at + codeBytes(n);
        if (n.op !== '=') value = this.binary(n.op[0]!, this.get(n.name), value, end - 3);
        this.set(n.name, value, end - 1);
        return value;
      }
      case 'bin': {
        if (n.op === '&&' || n.op === '||') {
          const left = this.eval(n.left, at).v !== 0n;
          if (n.op === '&&' ? !left : left) return n.op === '&&' ? ZERO : ONE;
          return this.eval(n.right, at + codeBytes(n.left)).v !== 0n ? ONE : ZERO;
        }
        const left = this.eval(n.left, at);
        const right = this.eval(n.right, at + codeBytes(n.left));
        return this.binary(n.op, left, right, at + codeBytes(n));
      }
      case 'call': return this.call(n, at);
    }
  }

  private add(a: Num, b: Num): Num {
    const s = Math.max(a.s, b.s);
    return num(rescale(a, s).v + rescale(b, s).v, s);
  }

  private binary(op: string, a: Num, b: Num, adr: number): Num {
    this.charge(a, b);
    switch (op) {
      case '+': return this.checkSize(this.add(a, b), adr);
      case '-': return this.checkSize(this.add(a, num(-b.v, b.s)), adr);
      case '*': {
        const full = num(a.v * b.v, a.s + b.s);
        return this.checkSize(rescale(full, Math.min(a.s + b.s, Math.max(this.scale, a.s, b.s))), adr);
      }
      case '/': return this.divide(a, b, this.scale, adr, 'Divide by zero');
      case '%': {
        // a - (a / b) * b, the quotient at scale, the rest exact: scale max(scale + b's, a's).
        const q = this.divide(a, b, this.scale, adr, 'Modulo by zero');
        const product = num(q.v * b.v, q.s + b.s);
        const s = Math.max(this.scale + b.s, a.s);
        return rescale(num(rescale(a, Math.max(s, product.s)).v - rescale(product, Math.max(s, product.s)).v, Math.max(s, product.s)), s);
      }
      case '^': return this.power(a, b, adr);
      default: {
        const s = Math.max(a.s, b.s);
        const x = rescale(a, s).v;
        const y = rescale(b, s).v;
        const truth = op === '==' ? x === y : op === '!=' ? x !== y : op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
        return truth ? ONE : ZERO;
      }
    }
  }

  private divide(a: Num, b: Num, s: number, adr: number, zero: string): Num {
    if (b.v === 0n) this.fail(adr, zero);
    // (a.v / 10^a.s) / (b.v / 10^b.s) at scale s.
    const shift = s + b.s - a.s;
    const top = shift >= 0 ? a.v * pow10(shift) : a.v / pow10(-shift);
    return this.checkSize(num(top / b.v, s), adr);
  }

  private power(a: Num, b: Num, adr: number): Num {
    // Raised at the ^ instruction itself, one byte before the address after it.
    if (b.s > 0 && rescale(b, 0).v * pow10(b.s) !== b.v) this.warn(adr - 1, 'non-zero scale in exponent');
    const e = rescale(b, 0).v;
    const n = e < 0n ? -e : e;
    if (n === 0n) return ONE;
    if (a.v === 0n) {
      if (e < 0n) this.fail(adr, 'divide by zero');
      return ZERO;
    }
    if (Number(n) * digitsOf(a) > MAX_DIGITS) this.fail(adr, `number too long for this terminal (over ${MAX_DIGITS} digits)`);
    // The product's digits, and the quadratic work of counting them (checkSize writes it in decimal: 1.3 ms for 18 000 digits).
    const digits = Number(n) * (digitsOf(a) + a.s);
    this.ctx.budget.spend(Math.ceil(digits / 8 + (digits * digits) / 2048));
    const full = num(a.v ** n, a.s * Number(n));
    if (e < 0n) return this.divide(ONE, full, this.scale, adr, 'divide by zero');
    return this.checkSize(rescale(full, Math.min(full.s, Math.max(this.scale, a.s))), adr);
  }

  private call(n: Extract<Node, { kind: 'call' }>, at: number): Num {
    const adr = at + codeBytes(n);
    const lib = this.mathlib && ['s', 'c', 'a', 'l', 'e'].includes(n.name);
    if (!['sqrt', 'length', 'scale'].includes(n.name) && !lib) this.fail(adr, `Function ${n.name} not defined.`);
    if (n.args.length !== 1) this.fail(adr, 'Parameter number mismatch');
    const x = this.eval(n.args[0]!, at);
    this.charge(x);
    if (n.name === 'length') return num(BigInt(x.v === 0n ? Math.max(1, x.s) : Math.max(digitsOf(x), x.s)));
    if (n.name === 'scale') return num(BigInt(x.s));
    if (n.name === 'sqrt') {
      if (x.v < 0n) this.fail(adr, 'Square root of a negative number');
      const s = Math.max(this.scale, x.s);
      return num(isqrt(rescale(x, 2 * s).v), s);
    }
    return this.library(n.name, x, adr);
  }

  /** The -l library's functions: the true value with guard digits, truncated to scale. */
  private library(name: string, x: Num, adr: number): Num {
    const s = this.scale;
    const p = s + 12;
    const fx = rescale(x, p).v;
    let r: bigint;
    if (name === 'e') {
      if (Number(rescale(x, 0).v) > MAX_DIGITS * 2.3) this.fail(adr, `number too long for this terminal (over ${MAX_DIGITS} digits)`);
      r = expFixed(fx, p);
    } else if (name === 'l') {
      if (fx <= 0n) return num(1n - pow10(s), 0);
      r = lnFixed(fx, p);
    } else if (name === 'a') r = atanFixed(fx, p);
    else {
      const pi = piFixed(p);
      const twoPi = 2n * pi;
      let y = fx % twoPi;
      if (name === 'c') y += pi / 2n;
      r = sinFixed(y, p);
    }
    this.ctx.budget.spend(p * p);
    return num(r / pow10(p - s), s);
  }

  /** bc's out_num: sign, the integer part (none when 0 and there is a fraction), then scale's digits. */
  format(n: Num): string {
    if (n.v === 0n) return '0';
    const negative = n.v < 0n;
    const abs = negative ? -n.v : n.v;
    const whole = abs / pow10(n.s);
    const fraction = abs % pow10(n.s);
    let text: string;
    if (this.obase === 10) {
      text = `${whole === 0n ? '' : whole}${n.s > 0 ? `.${fraction.toString().padStart(n.s, '0')}` : ''}`;
      // Writing a number in decimal is quadratic (1.3 ms for 18 000 digits): charged by its square, like a power.
      this.ctx.budget.spend(Math.ceil((text.length * text.length) / 2048));
    } else {
      // A digit at a time, each a division of the whole number: charged like a product per digit.
      const digits = digitsOf(n) + n.s;
      this.ctx.budget.spend(Math.ceil((digits * digits * Math.log(10)) / Math.log(this.obase) / 12));
      const base = BigInt(this.obase);
      const width = String(this.obase - 1).length;
      const digit = (d: bigint): string => (this.obase <= 16 ? d.toString(16).toUpperCase() : ` ${d.toString().padStart(width, '0')}`);
      let intText = '';
      for (let w = whole; w > 0n; w /= base) intText = digit(w % base) + intText;
      text = intText || (this.obase <= 16 && n.s === 0 ? '0' : '');
      if (n.s > 0) {
        let f = fraction;
        const den = pow10(n.s);
        const digits: string[] = [];
        for (let reach = 1n; reach < den; reach *= base) {
          f *= base;
          digits.push(digit(f / den));
          f %= den;
        }
        // Past base 16 the fraction's digits are spaced apart, the first one right after the point.
        text += `.${this.obase <= 16 ? digits.join('') : digits.map((d) => d.trimStart()).join(' ')}`;
      }
    }
    return `${negative ? '-' : ''}${text}`;
  }
}

/** ⌊√n⌋ by Newton's method from a power of two above it. */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** e^x at p fractional digits: x halved until small, the series, then squared back. */
function expFixed(x: bigint, p: number): bigint {
  const one = pow10(p);
  if (x < 0n) return (one * one) / expFixed(-x, p);
  let k = 0;
  let y = x;
  while (y > one / 16n) {
    y /= 2n;
    k++;
  }
  let term = one;
  let sum = one;
  for (let i = 1n; term !== 0n; i++) {
    term = (term * y) / one / i;
    sum += term;
  }
  for (let i = 0; i < k; i++) sum = (sum * sum) / one;
  return sum;
}

/** atanh(x) = x + x³/3 + x⁵/5 …, for small |x|. */
function atanhFixed(x: bigint, p: number): bigint {
  const one = pow10(p);
  const x2 = (x * x) / one;
  let power = x;
  let sum = 0n;
  for (let i = 1n; power !== 0n; i += 2n) {
    sum += power / i;
    power = (power * x2) / one;
  }
  return sum;
}

/** ln x: x = m · 2^k with m in [1, 2), ln m = 2 atanh((m-1)/(m+1)), ln 2 = 2 atanh(1/3). */
function lnFixed(x: bigint, p: number): bigint {
  const one = pow10(p);
  // Halved at once, not one bit at a time (a 20 000-digit x is 66 000 halvings).
  const whole = x / one;
  let k = whole >= 2n ? BigInt(whole.toString(2).length - 1) : 0n;
  let m = x >> k;
  while (m < one) {
    m *= 2n;
    k--;
  }
  const ln2 = 2n * atanhFixed(one / 3n, p);
  return 2n * atanhFixed(((m - one) * one) / (m + one), p) + k * ln2;
}

/** atan x: 1/x beyond 1, halved twice by atan x = 2 atan(x / (1 + √(1+x²))), then the series. */
function atanFixed(x: bigint, p: number): bigint {
  const one = pow10(p);
  if (x < 0n) return -atanFixed(-x, p);
  if (x > one) return piFixed(p) / 2n - atanFixed((one * one) / x, p);
  let y = x;
  for (let i = 0; i < 2; i++) y = (y * one) / (one + isqrt(one * one + y * y));
  const y2 = (y * y) / one;
  let power = y;
  let sum = 0n;
  for (let i = 1n, sign = 1n; power !== 0n; i += 2n, sign = -sign) {
    sum += (sign * power) / i;
    power = (power * y2) / one;
  }
  return 4n * sum;
}

const pis = new Map<number, bigint>();
/** π by Machin's formula, kept per precision (a few a session). */
function piFixed(p: number): bigint {
  const kept = pis.get(p);
  if (kept !== undefined) return kept;
  const one = pow10(p + 5);
  const arctanInv = (n: bigint): bigint => {
    let power = one / n;
    let sum = 0n;
    for (let i = 1n, sign = 1n; power !== 0n; i += 2n, sign = -sign) {
      sum += (sign * power) / i;
      power /= n * n;
    }
    return sum;
  };
  const pi = (16n * arctanInv(5n) - 4n * arctanInv(239n)) / 100_000n;
  if (pis.size > 64) pis.clear();
  pis.set(p, pi);
  return pi;
}

/** sin x by its series, x already within a turn. */
function sinFixed(x: bigint, p: number): bigint {
  const one = pow10(p);
  const x2 = (x * x) / one;
  let term = x;
  let sum = 0n;
  for (let i = 1n; term !== 0n; i += 2n) {
    sum += term;
    term = -(term * x2) / one / ((i + 1n) * (i + 2n));
  }
  return sum;
}

export const bc: ShellCommand = (ctx, argv) => {
  const options = argv.slice(1).filter((a) => /^-[lqswi]+$|^--(mathlib|quiet|standard|warn|interactive)$/.test(a));
  const bad = argv.slice(1).find((a) => a.startsWith('-') && a !== '-' && !options.includes(a));
  if (bad) return { stdout: '', stderr: `bc: invalid option -- '${bad.replace(/^-+/, '')[0]}'\nusage: bc [options] [file ...]\n`, exitCode: 1 };
  const machine = new Bc(ctx, options.some((o) => o.includes('l') || o === '--mathlib'));
  // Line by line, what it printed and its errors in the order a terminal shows them.
  const written: { fd: 1 | 2; text: string }[] = [];
  const sources: { name: string; text: string }[] = [];
  for (const file of argv.slice(1).filter((a) => !a.startsWith('-'))) {
    const read = readFile(ctx, 'bc', file);
    if (!read.ok) return { stdout: '', stderr: `File ${file} is unavailable.\n`, exitCode: 1 };
    sources.push({ name: file, text: read.content });
  }
  // Typed alone at the terminal there is nothing to read: the session has no interactive bc.
  if (!ctx.stdinIsTerminal) sources.push({ name: '(standard_in)', text: ctx.stdin });
  for (const { name, text } of sources) {
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    // bc names the file and the line an error was read at, counting each file from 1.
    let lineNo = 0;
    for (const line of lines) {
      lineNo++;
      ctx.budget.spend(line.length + 10);
      const result = machine.runLine(line);
      written.push({ fd: 1, text: machine.out });
      machine.out = '';
      if (result.error === 'syntax') {
        // bc's parser sees the error at the token after it: the newline when the line ends open.
        written.push({ fd: 2, text: `${name} ${/[-+*/%^=<>!&|(,]\s*$/.test(line.replace(/#.*/, '')) ? lineNo + 1 : lineNo}: syntax error\n` });
      } else if (result.error) written.push({ fd: 2, text: result.error });
      written.push({ fd: 2, text: machine.warnings });
      machine.warnings = '';
      if (result.quit) return interleaved(written, 0);
    }
  }
  return interleaved(written, 0);
};
