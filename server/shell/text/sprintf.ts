// C printf formatting for awk's printf/sprintf and the shell's printf:
// %[flags][width][.precision](d i o u x X e E f g G c s %).

type Value = number | string;

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
  let out = exp < -4 || exp >= p ? formatE(n, p - 1) : n.toFixed(Math.max(0, p - 1 - exp));
  if (!alt) out = out.replace(/\.0+(e|$)/, '$1').replace(/(\.\d*?)0+(e|$)/, '$1$2');
  return out;
}

function formatE(n: number, precision: number): string {
  const [mantissa, exponent] = n.toExponential(precision).split('e');
  const e = Number(exponent);
  return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

export function sprintf(format: string, args: Value[]): string {
  let next = 0;
  return format.replace(/%([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d+))?([diouxXeEfgGcs%])/g, (_all, flags: string, w: string | undefined, pr: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const width = w === '*' ? num(args[next++]) : w !== undefined ? Number(w) : 0;
    const precision = pr === '*' ? num(args[next++]) : pr !== undefined ? Number(pr) : undefined;
    const arg = args[next++];
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
      case 'f': body = num(arg).toFixed(precision ?? 6); break;
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
  });
}
