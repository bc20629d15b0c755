// C printf formatting for awk's printf/sprintf and the shell's printf:
// %[flags][width][.precision](d i o u x X e E f g G c s %).
import { MAX_FORMAT_WIDTH, MAX_OUTPUT_CHARS } from '../limits.js';

type Value = number | string;

/** A width or precision too large to honour (C's int overflow); the message names the spec. */
export class FormatError {
  constructor(readonly message: string) {}
}

/** JavaScript formats at most 100 digits; C pads further digits, which are zeros here. */
const MAX_JS_DIGITS = 100;
const toFixed = (n: number, digits: number): string =>
  digits <= MAX_JS_DIGITS ? n.toFixed(digits) : n.toFixed(MAX_JS_DIGITS) + '0'.repeat(digits - MAX_JS_DIGITS);

const num = (v: Value | undefined): number => {
  if (typeof v === 'number') return v;
  const m = /^\s*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+)/.exec(v ?? '');
  return m ? Number(m[0]) : 0;
};
const str = (v: Value | undefined): string => (v === undefined ? '' : typeof v === 'string' ? v : Number.isInteger(v) ? String(v) : formatG(v, 6, false));

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
    case 'u': body = String(Math.trunc(num(arg))); break;
    case 'o': body = Math.trunc(num(arg)).toString(8); break;
    case 'x': body = Math.trunc(num(arg)).toString(16); break;
    case 'X': body = Math.trunc(num(arg)).toString(16).toUpperCase(); break;
    case 'e':
    case 'E': body = formatE(num(arg), precision ?? 6); if (conv === 'E') body = body.toUpperCase(); break;
    case 'f': body = toFixed(num(arg), precision ?? 6); break;
    case 'g':
    case 'G': body = formatG(num(arg), precision ?? 6, flags.includes('#')); if (conv === 'G') body = body.toUpperCase(); break;
    case 'c': numeric = false; body = typeof arg === 'number' ? String.fromCharCode(arg) : (arg ?? '').slice(0, 1); break;
    default: numeric = false; body = str(arg); if (precision !== undefined) body = body.slice(0, precision);
  }
  if (numeric && flags.includes('+') && !body.startsWith('-')) body = `+${body}`;
  else if (numeric && flags.includes(' ') && !body.startsWith('-')) body = ` ${body}`;
  if (body.length >= width) return body;
  if (flags.includes('-')) return body.padEnd(width);
  if (numeric && flags.includes('0')) {
    const sign = /^[-+ ]/.test(body) ? body[0]! : '';
    return sign + body.slice(sign.length).padStart(width - sign.length, '0');
  }
  return body.padStart(width);
}
