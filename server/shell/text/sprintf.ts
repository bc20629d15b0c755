// C printf formatting for awk's printf/sprintf and the shell's printf:
// %[flags][width][.precision](d i o u x X e E f g G c s %).
import { MAX_FORMAT_WIDTH, MAX_OUTPUT_CHARS } from '../limits.js';

/** A bigint is an integer the shell's printf read exactly (bash's intmax_t). */
type Value = number | string | bigint;

/** A width or precision too large to honour (C's int overflow); the message names the spec. */
export class FormatError {
  constructor(readonly message: string) {}
}

/** JavaScript formats at most 100 digits; C pads further digits, which are zeros here. */
const MAX_JS_DIGITS = 100;
const toFixed = (n: number, digits: number): string => {
  // From 1e21 toFixed writes an exponent; such a double is an integer, which C prints whole.
  if (Math.abs(n) >= 1e21 && Number.isFinite(n)) return `${BigInt(n)}${digits > 0 ? `.${'0'.repeat(digits)}` : ''}`;
  if (digits > MAX_JS_DIGITS) return n.toFixed(MAX_JS_DIGITS) + '0'.repeat(digits - MAX_JS_DIGITS);
  const fixed = n.toFixed(digits);
  // toFixed rounds an exact half away from zero; C rounds it to even (printf '%.0f' 2.5 is 2).
  if (digits >= MAX_JS_DIGITS || !Number.isFinite(n)) return fixed;
  const exact = Math.abs(n).toFixed(MAX_JS_DIGITS);
  const rest = exact.slice(exact.indexOf('.') + 1 + digits);
  if (!/^50*$/.test(rest)) return fixed;
  const down = exact.slice(0, exact.indexOf('.') + (digits > 0 ? 1 + digits : 0));
  const last = Number(down.at(-1));
  return last % 2 === 0 ? `${n < 0 ? '-' : ''}${down}` : fixed;
};

const num = (v: Value | undefined): number => {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const m = /^\s*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+)/.exec(v ?? '');
  return m ? Number(m[0]) : 0;
};
const str = (v: Value | undefined): string => (v === undefined ? '' : typeof v !== 'number' ? String(v) : Number.isInteger(v) ? String(v) : formatG(v, 6, false));

/**
 * An integer conversion's digits: the integer's exact value (a double past 2^53 too, as gawk
 * prints it), %o %u %x of a negative one as its 64-bit unsigned value (as C and gawk print it),
 * at least `precision` digits. gawk prints an unsigned conversion of a value out of 64 bits as %g.
 */
function integerDigits(conv: string, arg: Value | undefined, precision: number | undefined): string {
  const x = typeof arg === 'bigint' ? arg : Math.trunc(num(arg));
  let digits: string;
  if (typeof x === 'bigint' || Number.isFinite(x)) {
    let n = BigInt(x);
    const signed = conv === 'd' || conv === 'i';
    if (!signed && typeof x === 'number' && (n < -(2n ** 63n) || n >= 2n ** 64n)) return formatG(x, precision ?? 6, false);
    if (!signed && n < 0n) n = BigInt.asUintN(64, n);
    digits = n.toString(conv === 'o' ? 8 : conv === 'x' || conv === 'X' ? 16 : 10);
  } else digits = '0';
  if (conv === 'X') digits = digits.toUpperCase();
  if (precision === undefined) return digits;
  const sign = digits.startsWith('-') ? '-' : '';
  return sign + digits.slice(sign.length).padStart(precision, '0');
}

/** %g: shortest of %e / %f for the precision, trailing zeros removed (unless #). */
function formatG(n: number, precision: number, alt: boolean): string {
  const p = precision === 0 ? 1 : precision;
  if (n === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  let out = exp < -4 || exp >= p ? formatE(n, p - 1) : toFixed(n, Math.max(0, p - 1 - exp));
  if (!alt) out = out.replace(/\.0+(e|$)/, '$1').replace(/(\.\d*?)0+(e|$)/, '$1$2');
  return out;
}

function formatE(n: number, precision: number): string {
  const [mantissa, exponent] = n.toExponential(Math.min(precision, MAX_JS_DIGITS)).split('e');
  const e = Number(exponent);
  return `${mantissa}${'0'.repeat(Math.max(0, precision - MAX_JS_DIGITS))}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/**
 * The formatted text. Throws FormatError for a width or precision over MAX_FORMAT_WIDTH;
 * once the text passes MAX_OUTPUT_CHARS the remaining conversions print nothing.
 */
export function sprintf(format: string, args: Value[]): string {
  let next = 0;
  let produced = 0;
  return format.replace(/%([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d+))?([diouxXeEfgGcs%])/g, (all, flags: string, w: string | undefined, pr: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const width = w === '*' ? num(args[next++]) : w !== undefined ? Number(w) : 0;
    const starPrecision = pr === '*' ? Math.trunc(num(args[next++])) : undefined;
    // C: a negative `*` precision is taken as if none was given.
    const precision = starPrecision !== undefined ? (starPrecision < 0 ? undefined : starPrecision) : pr !== undefined ? Number(pr) : undefined;
    if (Math.abs(width) > MAX_FORMAT_WIDTH || (precision ?? 0) > MAX_FORMAT_WIDTH) throw new FormatError(`${all}: Numerical result out of range`);
    if (produced > MAX_OUTPUT_CHARS) return '';
    const text = convert(flags, width, precision, conv, args[next++]);
    produced += text.length;
    return text;
  });
}

function convert(flags: string, width: number, precision: number | undefined, conv: string, arg: Value | undefined): string {
  let body: string;
  let numeric = true;
  switch (conv) {
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x':
    case 'X': body = integerDigits(conv, arg, precision); break;
    case 'e':
    case 'E':
    case 'f':
    case 'g':
    case 'G':
      if (!Number.isFinite(num(arg))) {
        // C's words for what has no digits.
        const n = num(arg);
        body = Number.isNaN(n) ? 'nan' : n < 0 ? '-inf' : 'inf';
        if (conv === 'E' || conv === 'G') body = body.toUpperCase();
        break;
      }
      if (conv === 'f') body = toFixed(num(arg), precision ?? 6);
      else if (conv === 'g' || conv === 'G') {
        body = formatG(num(arg), precision ?? 6, flags.includes('#'));
        if (conv === 'G') body = body.toUpperCase();
      } else {
        body = formatE(num(arg), precision ?? 6);
        if (conv === 'E') body = body.toUpperCase();
      }
      break;
    case 'c': numeric = false; body = typeof arg === 'number' ? String.fromCharCode(arg) : String(arg ?? '').slice(0, 1); break;
    default: numeric = false; body = str(arg); if (precision !== undefined) body = body.slice(0, precision);
  }
  if (numeric && flags.includes('+') && !body.startsWith('-')) body = `+${body}`;
  else if (numeric && flags.includes(' ') && !body.startsWith('-')) body = ` ${body}`;
  if (body.length >= width) return body;
  if (flags.includes('-')) return body.padEnd(width);
  // C: a precision on an integer conversion turns the 0 flag off.
  if (numeric && flags.includes('0') && !(precision !== undefined && 'diouxX'.includes(conv))) {
    const sign = /^[-+ ]/.test(body) ? body[0]! : '';
    return sign + body.slice(sign.length).padStart(width - sign.length, '0');
  }
  return body.padStart(width);
}
