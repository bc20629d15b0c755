// Text people type (names, command lines, notes, diagnoses) is stored in PostgreSQL and
// shown on other people's screens. At the boundary it must be storable: no NUL (PostgreSQL
// text cannot hold it) and no lone UTF-16 surrogate (not a character; JSON and UTF-8
// cannot carry it faithfully). Such text is refused, never silently changed.
//
// Control characters are shown, not obeyed: the host's mirror of a player's terminal is an
// xterm, so an ESC or CR in a typed line, a name or a note could erase a line and draw a
// fake one. They are rewritten in caret notation as `cat -v` prints them (ESC → `^[`,
// CR → `^M`, DEL → `^?`, the C1 controls xterm also obeys → `M-^[`…). A terminal line
// legitimately carries a tab; a newline only where the field may span lines.
import { z } from 'zod';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorableText(text: string): boolean {
  return !text.includes('\0') && !LONE_SURROGATE.test(text);
}

export const UNSTORABLE_TEXT = 'must not contain NUL or unpaired surrogate characters';

const CONTROLS = /[\x00-\x1f\x7f-\x9f]/g;
const caret = (code: number): string => (code === 0x7f ? '^?' : `^${String.fromCharCode(code + 64)}`);

/** `text` with every control character in caret notation, except tabs and, if `multiline`, newlines. */
export function showControls(text: string, multiline = false): string {
  return text.replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\t' || (multiline && c === '\n')) return c;
    return code >= 0x80 ? `M-${caret(code - 0x80)}` : caret(code);
  });
}

export interface TypedTextOptions {
  max: number;
  /** Trim surrounding white space first (names, notes). */
  trim?: boolean;
  /** The field may span lines (command lines, notes, a diagnosis): newlines are kept. */
  multiline?: boolean;
}

/**
 * A text field a person typed: storable, control characters shown (see above), at most
 * `max` characters once shown.
 */
export function typedText({ max, trim = false, multiline = false }: TypedTextOptions) {
  return (trim ? z.string().trim() : z.string())
    .refine(isStorableText, UNSTORABLE_TEXT)
    .overwrite((text) => showControls(text, multiline))
    .max(max);
}
