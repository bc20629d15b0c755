// Bounds that keep one player's line from freezing or exhausting the server that every room
// shares: typed text can multiply itself (`!!`, `$x$x`, printf widths, pipelines), so sizes
// are checked where text grows, not only at the end.

/** Longest line history expansion may produce (a typed line is at most 4096 chars, LIMITS.maxLineChars). */
export const MAX_LINE_CHARS = 16 * 1024;

/**
 * Most text one command, pipeline stage, expansion or whole line may produce. What a line
 * prints is stored in the room's log and sent to every viewer: 256 KiB of typing
 * `printf '%262144s'` must not become megabytes per player.
 */
export const MAX_OUTPUT_CHARS = 256 * 1024;

/**
 * Most text one command may hand to the next stage of a pipeline. Larger than what a line
 * may print, so `kubectl get pods -A -o json | jq …` reads whole objects on a cluster of
 * a few hundred pods; the line's work budget bounds what producing it costs, and it is
 * never stored.
 */
export const MAX_STAGE_CHARS = 4 * 1024 * 1024;

/** Most UTF-8 bytes a line's output may hold once printed (multi-byte text is cut to this too). */
export const MAX_LINE_OUTPUT_BYTES = MAX_OUTPUT_CHARS + MAX_LINE_CHARS + 100;

/** Lines the history keeps, as Ubuntu's ~/.bashrc sets HISTSIZE; older ones are forgotten. */
export const HISTSIZE = 1000;

/** Most shell variables a session may hold, and most characters (names and values) in all. */
export const MAX_VARIABLES = 1000;
export const MAX_VARIABLE_CHARS = 1024 * 1024;

/** Most commands and loop iterations one typed line may run (`for` loops, substitutions, lists). */
export const MAX_COMMANDS_PER_LINE = 1000;

/** Most simulated time `sleep` may let pass in one line (a typed `sleep 86400` must not skip the drill). */
export const MAX_SLEEP_PER_LINE_MS = 5 * 60_000;

/** Largest printf field width or precision; a wider one is refused like an overflowing int. */
export const MAX_FORMAT_WIDTH = 1024 * 1024;

/**
 * The text cut at MAX_OUTPUT_CHARS, and how many UTF-8 bytes were cut (0: none). The caller
 * prints the `truncationLine` itself, so a later cap counts these bytes, not the line's.
 */
export function capOutput(text: string, max = MAX_OUTPUT_CHARS): { text: string; cut: number } {
  if (text.length <= max) return { text, cut: 0 };
  return { text: text.slice(0, max), cut: utf8Length(text.slice(max)) };
}

/**
 * A line's output within MAX_LINE_OUTPUT_BYTES: only text of multi-byte characters gets here
 * past MAX_OUTPUT_CHARS. It is cut on a character boundary and one notice counts every byte cut.
 */
export function capLineOutput(output: string): string {
  if (output.length * 3 <= MAX_LINE_OUTPUT_BYTES || utf8Length(output) <= MAX_LINE_OUTPUT_BYTES) return output;
  const notice = /\n… output truncated \((\d+) bytes\)\n$/.exec(output);
  const text = notice ? output.slice(0, notice.index) : output;
  const bytes = Buffer.from(text, 'utf8');
  let end = MAX_OUTPUT_CHARS;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // not inside a character
  const kept = bytes.subarray(0, end).toString('utf8');
  return kept + truncationLine(bytes.length - end + Number(notice?.[1] ?? 0));
}

/** The line that stands for cut output (starts on a line of its own). */
export function truncationLine(bytes: number): string {
  return `\n… output truncated (${bytes} bytes)\n`;
}

/** Bytes of the text in UTF-8 (a lone surrogate counts as the 3-byte replacement character). */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
