// strftime in the C locale and UTC, as glibc writes it and GNU date extends it (%N, %:z, %q):
// the flags `-` (no padding), `_` (spaces), `0` (zeros), `^` (upper case), `#` (swap case),
// a field width, and the E/O modifiers, which the C locale ignores.

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const dayOfYear = (d: Date): number => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000);

/** ISO 8601 week-based year and week number (%G, %V). */
function isoWeek(d: Date): [number, number] {
  const wday = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - wday + 3));
  const year = thursday.getUTCFullYear();
  return [year, Math.floor(dayOfYear(thursday) / 7) + 1];
}

/** A conversion's text, and how it pads by default: digits to a width with a fill, or none. */
type Field = [text: string, width: number, fill: '0' | ' '] | [text: string];

function field(d: Date, c: string, colons: number, ms: number): Field | undefined {
  const hour12 = d.getUTCHours() % 12 || 12;
  const num = (n: number, width: number, fill: '0' | ' ' = '0'): Field => [String(n), width, fill];
  const text = (s: string): Field => [s];
  switch (c) {
    case 'a': return text(DAYS[d.getUTCDay()]!.slice(0, 3));
    case 'A': return text(DAYS[d.getUTCDay()]!);
    case 'b': case 'h': return text(MONTHS[d.getUTCMonth()]!.slice(0, 3));
    case 'B': return text(MONTHS[d.getUTCMonth()]!);
    case 'c': return text(strftime(d, '%a %b %e %H:%M:%S %Y'));
    case 'C': return num(Math.floor(d.getUTCFullYear() / 100), 2);
    case 'd': return num(d.getUTCDate(), 2);
    case 'D': case 'x': return text(strftime(d, '%m/%d/%y'));
    case 'e': return num(d.getUTCDate(), 2, ' ');
    case 'F': return text(strftime(d, '%+4Y-%m-%d'));
    case 'g': return num(isoWeek(d)[0] % 100, 2);
    case 'G': return num(isoWeek(d)[0], 1);
    case 'H': return num(d.getUTCHours(), 2);
    case 'I': return num(hour12, 2);
    case 'j': return num(dayOfYear(d) + 1, 3);
    case 'k': return num(d.getUTCHours(), 2, ' ');
    case 'l': return num(hour12, 2, ' ');
    case 'm': return num(d.getUTCMonth() + 1, 2);
    case 'M': return num(d.getUTCMinutes(), 2);
    case 'n': return text('\n');
    case 'N': return [String(ms * 1_000_000).padStart(9, '0')];
    case 'p': return text(d.getUTCHours() < 12 ? 'AM' : 'PM');
    case 'P': return text(d.getUTCHours() < 12 ? 'am' : 'pm');
    case 'q': return num(Math.floor(d.getUTCMonth() / 3) + 1, 1);
    case 'r': return text(strftime(d, '%I:%M:%S %p'));
    case 'R': return text(strftime(d, '%H:%M'));
    case 's': return num(Math.floor(d.getTime() / 1000), 1);
    case 'S': return num(d.getUTCSeconds(), 2);
    case 't': return text('\t');
    case 'T': case 'X': return text(strftime(d, '%H:%M:%S'));
    case 'u': return num(d.getUTCDay() || 7, 1);
    case 'U': return num(Math.floor((dayOfYear(d) + 7 - d.getUTCDay()) / 7), 2);
    case 'V': return num(isoWeek(d)[1], 2);
    case 'w': return num(d.getUTCDay(), 1);
    case 'W': return num(Math.floor((dayOfYear(d) + 7 - ((d.getUTCDay() + 6) % 7)) / 7), 2);
    case 'y': return num(d.getUTCFullYear() % 100, 2);
    case 'Y': return num(d.getUTCFullYear(), 1);
    case 'z': return text(['+0000', '+00:00', '+00:00:00', '+00'][colons]!);
    case 'Z': return text('UTC');
    case '%': return text('%');
    default: return undefined;
  }
}

/** date's own conversions, which glibc's strftime (jq's) leaves as written. */
const DATE_ONLY = new Set(['N', 'q']);

/** `format` with its conversions replaced; an unknown one is left as written, as glibc and date do. */
export function strftime(d: Date, format: string, glibc = false): string {
  const ms = d.getUTCMilliseconds();
  return format.replace(/%([-_0^#+]*)(\d*)([EO]?)(:{0,3})(.)/gs, (all, flags: string, w: string, _mod: string, colons: string, c: string) => {
    if (colons && (c !== 'z' || glibc)) return all;
    if (glibc && DATE_ONLY.has(c)) return all;
    const f = field(d, c, colons.length, ms);
    if (!f) return all;
    let [s] = f;
    const width = w === '' ? undefined : Number(w);
    if (c === 'N') {
      // date's %N takes its width as the digits to show.
      s = width === undefined ? s : s.slice(0, width).padEnd(width, '0');
    } else {
      const flag = flags.at(-1);
      let fill: string = f.length === 3 ? f[2] : ' ';
      if (flag === '0' || flag === '+') fill = '0';
      else if (flag === '_') fill = ' ';
      const pad = flag === '-' ? 0 : (width ?? (f.length === 3 ? f[1] : 0));
      if (fill === '0' && s.startsWith('-')) s = `-${s.slice(1).padStart(pad - 1, '0')}`;
      else s = s.padStart(pad, fill);
    }
    // glibc's __strftime_internal: `#` lower-cases %p and %Z (over `^`) and upper-cases the names
    // (%a %A %b %B %h), no other; `^` upper-cases any but %P, which is always lower case.
    if (flags.includes('#') && (c === 'p' || c === 'Z')) s = s.toLowerCase();
    else if ((flags.includes('^') && c !== 'P') || (flags.includes('#') && 'aAbBh'.includes(c))) s = s.toUpperCase();
    return s;
  });
}
