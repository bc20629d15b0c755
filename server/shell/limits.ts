// Bounds that keep one player's line from freezing or exhausting the server that every room
// shares: typed text can multiply itself (`!!`, `$x$x`, printf widths, pipelines), so sizes
// are checked where text grows, not only at the end.

/** Longest line history expansion may produce (a typed line is at most 4096 chars, LIMITS.maxLineChars). */
export const MAX_LINE_CHARS = 16 * 1024;

/** Most text one command, pipeline stage, expansion or whole line may produce. */
export const MAX_OUTPUT_CHARS = 1024 * 1024;

/** Most commands and loop iterations one typed line may run (`for` loops, substitutions, lists). */
export const MAX_COMMANDS_PER_LINE = 1000;

/** Most simulated time `sleep` may let pass in one line (a typed `sleep 86400` must not skip the drill). */
export const MAX_SLEEP_PER_LINE_MS = 5 * 60_000;

/** Largest printf field width or precision; a wider one is refused like an overflowing int. */
export const MAX_FORMAT_WIDTH = MAX_OUTPUT_CHARS;

/**
 * The text cut at MAX_OUTPUT_CHARS, and how many UTF-8 bytes were cut (0: none). The caller
 * prints the `truncationLine` itself, so a later cap counts these bytes, not the line's.
 */
export function capOutput(text: string): { text: string; cut: number } {
  if (text.length <= MAX_OUTPUT_CHARS) return { text, cut: 0 };
  return { text: text.slice(0, MAX_OUTPUT_CHARS), cut: utf8Length(text.slice(MAX_OUTPUT_CHARS)) };
}

/** The line that stands for cut output (starts on a line of its own). */
export function truncationLine(bytes: number): string {
  return `\n… output truncated (${bytes} bytes)\n`;
}

/** Bytes of the text in UTF-8 (a lone surrogate counts as the 3-byte replacement character). */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
