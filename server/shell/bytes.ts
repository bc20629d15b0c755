// Byte escapes (`\xHH`, `\NNN`) in printf, `echo -e` and `$'…'` write bytes, and the shell's
// text is UTF-8: `\xe2\x80\x8b` is one character (a zero-width space), as a terminal and `od`
// see it. Escapes stand in as private-use marks until the run of them is decoded; a run that
// is no valid UTF-8 keeps one character per byte.

const MARK = 0xf700;

/** The stand-in for one escaped byte. */
export function escapedByte(value: number): string {
  const byte = value & 0xff;
  return byte < 0x80 ? String.fromCharCode(byte) : String.fromCharCode(MARK + byte);
}

const RUN = /[\uf780-\uf7ff]+/g;
const strict = new TextDecoder('utf-8', { fatal: true });

/** The text with each run of escaped bytes decoded as UTF-8. */
export function settleBytes(text: string): string {
  if (!RUN.test(text)) return text;
  RUN.lastIndex = 0;
  return text.replace(RUN, (run) => {
    const bytes = Uint8Array.from(run, (c) => c.charCodeAt(0) - MARK);
    try {
      return strict.decode(bytes);
    } catch {
      return String.fromCharCode(...bytes);
    }
  });
}

/** bash's `$'…'` quoting of text with control characters (printf %q, declare -p). */
export function ansiCQuote(text: string): string {
  return `$'${text.replace(/[\\']/g, '\\$&').replace(/[\x00-\x1f\x7f]/g, (c) => ({ '\n': '\\n', '\t': '\\t', '\r': '\\r' })[c] ?? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)}'`;
}
