// The line being typed at the prompt, as plain state: buffer, cursor and history with
// bash's ↑/↓ behaviour (the unfinished line is kept while browsing). No DOM, no xterm —
// player-terminal.ts turns key presses into these calls and redraws.
export class LineEditor {
  buffer = '';
  cursor = 0;
  private history: string[] = [];
  /** Index into history while browsing; history.length = the line being typed. */
  private browsing = 0;
  private draft = '';

  constructor(history: readonly string[] = []) {
    this.setHistory(history);
  }

  setHistory(history: readonly string[]): void {
    // A command of several lines (a here-document) is not recalled: the editor holds one line.
    this.history = history.filter((line) => line.trim() !== '' && !line.includes('\n'));
    this.browsing = this.history.length;
  }

  insert(text: string): void {
    this.buffer = this.buffer.slice(0, this.cursor) + text + this.buffer.slice(this.cursor);
    this.cursor += text.length;
  }

  backspace(): void {
    if (this.cursor === 0) return;
    this.buffer = this.buffer.slice(0, this.cursor - 1) + this.buffer.slice(this.cursor);
    this.cursor -= 1;
  }

  delete(): void {
    this.buffer = this.buffer.slice(0, this.cursor) + this.buffer.slice(this.cursor + 1);
  }

  left(): void {
    this.cursor = Math.max(0, this.cursor - 1);
  }

  right(): void {
    this.cursor = Math.min(this.buffer.length, this.cursor + 1);
  }

  home(): void {
    this.cursor = 0;
  }

  end(): void {
    this.cursor = this.buffer.length;
  }

  /** Ctrl-U: delete from the start of the line to the cursor. */
  killToStart(): void {
    this.buffer = this.buffer.slice(this.cursor);
    this.cursor = 0;
  }

  /** Ctrl-W: delete the word before the cursor. */
  killWord(): void {
    const before = this.buffer.slice(0, this.cursor).replace(/\S+\s*$/, '');
    this.buffer = before + this.buffer.slice(this.cursor);
    this.cursor = before.length;
  }

  up(): void {
    if (this.browsing === 0) return;
    if (this.browsing === this.history.length) this.draft = this.buffer;
    this.browsing -= 1;
    this.show(this.history[this.browsing] ?? '');
  }

  down(): void {
    if (this.browsing >= this.history.length) return;
    this.browsing += 1;
    this.show(this.browsing === this.history.length ? this.draft : (this.history[this.browsing] ?? ''));
  }

  /** Enter: returns the line, records it in history (unless it is part of a longer command), starts an empty line. */
  submit(record = true): string {
    const line = this.buffer;
    if (record && line.trim() !== '' && this.history.at(-1) !== line) this.history.push(line);
    this.reset();
    return line;
  }

  /** Ctrl-C: drop the line. */
  reset(): void {
    this.buffer = '';
    this.cursor = 0;
    this.draft = '';
    this.browsing = this.history.length;
  }

  /** Replaces `buffer[from, cursor)` with `text` (a completion). */
  replace(from: number, text: string): void {
    this.buffer = this.buffer.slice(0, from) + text + this.buffer.slice(this.cursor);
    this.cursor = from + text.length;
  }

  private show(line: string): void {
    this.buffer = line;
    this.cursor = line.length;
  }
}

/** What Tab does with the server's candidates for the word at `from`. */
export function completionEdit(word: string, candidates: readonly string[]): { insert?: string; list?: string[] } {
  if (candidates.length === 0) return {};
  if (candidates.length === 1) {
    const only = candidates[0]!;
    // bash adds a space after a complete word, not after a directory or a `--flag=`.
    return { insert: /[/=: ]$/.test(only) ? only : `${only} ` };
  }
  const prefix = commonPrefix(candidates);
  return { ...(prefix.length > word.length ? { insert: prefix } : {}), list: [...candidates] };
}

export function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? '';
  for (const word of words) while (!word.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/** Candidates laid out in columns like bash's completion listing (column-major). */
export function columns(words: readonly string[], width: number): string[] {
  const cell = Math.max(...words.map((w) => w.length)) + 2;
  const perRow = Math.max(1, Math.floor(width / cell));
  const rows = Math.ceil(words.length / perRow);
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = '';
    for (let c = 0; c < perRow; c++) {
      const word = words[c * rows + r];
      if (word !== undefined) line += word.padEnd(cell);
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;

/** Printed width of a string with ANSI escapes removed (one cell per character). */
export const visibleLength = (text: string): number => [...text.replace(ANSI, '')].length;

/**
 * Escape sequence that redraws `prompt + buffer` from the row the line starts on and puts
 * the cursor at `cursor`; handles lines that wrap past the terminal width.
 * `cursorRow` is the row (relative to the line's first row) the cursor is on now.
 */
export function redrawSequence(prompt: string, buffer: string, cursor: number, cols: number, cursorRow: number): { data: string; cursorRow: number } {
  const promptWidth = visibleLength(prompt);
  let data = cursorRow > 0 ? `\x1b[${cursorRow}A` : '';
  data += `\r\x1b[J${prompt}${buffer}`;
  const total = promptWidth + buffer.length;
  const endRow = Math.floor(total / cols);
  // At an exact multiple of the width the terminal holds a pending wrap: make it real.
  if (total > 0 && total % cols === 0) data += '\r\n';
  const target = promptWidth + cursor;
  const targetRow = Math.floor(target / cols);
  const targetCol = target % cols;
  if (endRow > targetRow) data += `\x1b[${endRow - targetRow}A`;
  data += `\r${targetCol > 0 ? `\x1b[${targetCol}C` : ''}`;
  return { data, cursorRow: targetRow };
}
