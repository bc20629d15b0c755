// Text people type (names, command lines, notes, diagnoses) is stored in PostgreSQL and
// shown on other people's screens. At the boundary it must be storable: no NUL (PostgreSQL
// text cannot hold it) and no lone UTF-16 surrogate (not a character; JSON and UTF-8
// cannot carry it faithfully). Such text is refused, never silently changed.
import { z } from 'zod';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorableText(text: string): boolean {
  return !text.includes('\0') && !LONE_SURROGATE.test(text);
}

export const UNSTORABLE_TEXT = 'must not contain NUL or unpaired surrogate characters';

export interface TypedTextOptions {
  max: number;
  /** Trim surrounding white space first (names, notes). */
  trim?: boolean;
}

/** A text field a person typed: storable, at most `max` characters. */
export function typedText({ max, trim = false }: TypedTextOptions) {
  return (trim ? z.string().trim() : z.string()).refine(isStorableText, UNSTORABLE_TEXT).max(max);
}
