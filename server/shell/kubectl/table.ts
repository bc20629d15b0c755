// Column alignment the way Go's text/tabwriter does it: cells are tab-terminated, a column
// block is a run of consecutive lines that have a cell in that column, and the text after
// the last tab of a line is never padded. kubectl's tables use minwidth 6 / padding 3;
// `describe` uses minwidth 0 / padding 2.

export interface TabwriterOptions {
  minwidth: number;
  padding: number;
}

export const TABLE_WRITER: TabwriterOptions = { minwidth: 6, padding: 3 };
export const DESCRIBE_WRITER: TabwriterOptions = { minwidth: 0, padding: 2 };

/** Aligns tab-separated `text` (lines separated by '\n'). */
export function tabwrite(text: string, opts: TabwriterOptions): string {
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
  return alignCells(lines, opts) + (endsWithNewline ? '\n' : '');
}

/** `n` spaces; the same few widths recur on every line of a table. */
const SPACES: string[] = [];
function spaces(n: number): string {
  return (SPACES[n] ??= ' '.repeat(n));
}

/**
 * Aligns lines already split into cells (no cell holds '\t' or '\n'); the lines are
 * joined with '\n', without a final one.
 */
function alignCells(lines: string[][], opts: TabwriterOptions): string {
  const out: string[] = new Array<string>(lines.length);
  const widths: number[] = [];

  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i]!;
      const pieces: string[] = [];
      for (let j = 0; j < cells.length; j++) {
        const cell = cells[j]!;
        pieces.push(cell);
        // Like padEnd: padded to the width in UTF-16 units.
        if (j < cells.length - 1 && j < widths.length && cell.length < widths[j]!) pieces.push(spaces(widths[j]! - cell.length));
      }
      out[i] = pieces.join(''); // one flat string per line, not a rope of its cells
    }
  };

  // Go's tabwriter.format, recursive over columns (one block of lines at a time), run with a
  // stack of its own: a line may hold 100 000 cells (a value full of tabs), past the JS stack.
  const frames: { line1: number; start: number; i: number }[] = [{ line1: lines.length, start: 0, i: 0 }];
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    const column = widths.length;
    let block: { from: number; to: number; width: number } | undefined;
    for (; frame.i < frame.line1; frame.i++) {
      if (column >= lines[frame.i]!.length - 1) continue;
      writeLines(frame.start, frame.i);
      let width = opts.minwidth;
      let end = frame.i;
      for (; end < frame.line1; end++) {
        const cells = lines[end]!;
        if (column >= cells.length - 1) break;
        width = Math.max(width, plainWidth(cells[column]!) + opts.padding);
      }
      block = { from: frame.i, to: end, width };
      frame.start = end;
      frame.i = end;
      break;
    }
    if (block) {
      widths.push(block.width);
      frames.push({ line1: block.to, start: block.from, i: block.from });
      continue;
    }
    writeLines(frame.start, frame.line1);
    frames.pop();
    if (frames.length > 0) widths.pop();
  }
  return out.join('\n');
}

const TAB_OR_NEWLINE = /[\t\n]/;

/** A kubectl table: headers (already uppercase) and rows of cells, aligned. */
export function renderTable(headers: string[] | undefined, rows: string[][]): string {
  const lines: string[][] = headers ? [headers] : [];
  for (const row of rows) {
    // A cell holding a tab or a newline splits like the text would in kubectl's tabwriter.
    if (!row.some((cell) => TAB_OR_NEWLINE.test(cell))) lines.push(row);
    else for (const line of row.join('\t').split('\n')) lines.push(line.split('\t'));
  }
  if (lines.length === 0) return '';
  return alignCells(lines, TABLE_WRITER) + '\n';
}

/**
 * The same table as `renderTable(headers, rows)`, given column by column (`columns[j][i]` is
 * row i's cell j; every column as long as the others). Big listings come this way: no array
 * per row, widths measured in one pass, the text built by a single join.
 */
export function renderColumns(headers: string[] | undefined, columns: string[][]): string {
  const rowCount = columns[0]?.length ?? 0;
  const last = columns.length - 1;
  // Every line has a cell in every column, so each column is one tabwriter block.
  const widths: number[] = [];
  for (let j = 0; j < columns.length; j++) {
    const column = columns[j]!;
    let widest = headers ? plainWidth(headers[j]!) : 0;
    for (let i = 0; i < rowCount && widest >= 0; i++) {
      const w = plainWidth(column[i]!);
      widest = w < 0 ? w : Math.max(widest, w);
    }
    // A cell holding a tab or a newline splits like the text would in kubectl's tabwriter.
    if (widest < 0) return renderTable(headers, rowsOf(columns));
    widths.push(Math.max(TABLE_WRITER.minwidth, widest + TABLE_WRITER.padding));
  }
  if (rowCount === 0 && !headers) return '';
  // One string per line, then one join (a final '' for the last newline): far less to
  // allocate and copy than a piece per cell.
  const lines: string[] = new Array<string>(rowCount + (headers ? 2 : 1));
  let at = 0;
  if (headers) lines[at++] = alignedLine(headers, widths);
  // Most columns (namespace, ready, status, restarts, age) repeat a few values down a big
  // listing: each padded cell is built once and reused, so a line is a few concatenations.
  const padded = widths.map(() => new Map<string, string>());
  for (let i = 0; i < rowCount; i++) {
    let text = '';
    for (let j = 0; j < last; j++) {
      const cell = columns[j]![i]!;
      const seen = padded[j]!;
      let cellText = seen.get(cell);
      if (cellText === undefined) {
        cellText = padCell(cell, widths[j]!);
        if (seen.size < MAX_PADDED_PER_COLUMN) seen.set(cell, cellText);
      }
      text += cellText;
    }
    lines[at++] = text + columns[last]![i]!;
  }
  lines[at] = '';
  return lines.join('\n');
}

/** Distinct padded cells kept per column: enough for repeated values, bounded for unique ones (names). */
const MAX_PADDED_PER_COLUMN = 256;

/** Like padEnd: padded to the width in UTF-16 units. */
function padCell(cell: string, width: number): string {
  return cell.length < width ? cell + spaces(width - cell.length) : cell;
}

/** One line of cells, each but the last padded to its column's width (in UTF-16 units, like padEnd). */
function alignedLine(cells: string[], widths: number[]): string {
  const last = cells.length - 1;
  let text = '';
  for (let j = 0; j < last; j++) text += padCell(cells[j]!, widths[j]!);
  return text + cells[last]!;
}

/** Characters (code points) in a cell, as tabwriter counts its width; -1 if it holds a tab or a newline. */
function plainWidth(cell: string): number {
  let n = cell.length;
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    if (c === 9 || c === 10) return -1;
    if (c < 0xd800 || c > 0xdbff || i === cell.length - 1) continue;
    const next = cell.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) { n--; i++; } // a surrogate pair is one character
  }
  return n;
}

function rowsOf(columns: string[][]): string[][] {
  return (columns[0] ?? []).map((_, i) => columns.map((column) => column[i]!));
}

/** One row of a kept table: its cells, and the time until which they read the same. */
export interface KeptRow {
  cells: string[];
  validUntil: number;
}

/**
 * A big table kept between printings (one per listing and set of columns, see listing.ts):
 * the same text as renderColumns, but a row's cells are only asked for again when its
 * object was written (`invalidate`) or an age it prints ticked over, and a line is only
 * rebuilt when its row or the column widths changed. Printing a settled 15,000-pod cluster
 * again then reads a few arrays instead of every pod.
 */
export class KeptTable {
  /** cells[j][i], and its width in characters. */
  private readonly cells: string[][];
  private readonly widths: Int32Array[];
  /** Row i was built at validFrom[i] and reads the same until validUntil[i] (NaN: not built). */
  private readonly validFrom: Float64Array;
  private readonly validUntil: Float64Array;
  /** The header line, a line per row and '' (for the final newline): one join makes the text. */
  private readonly lines: string[];
  private readonly staleLine: Uint8Array;
  /** The column widths (all but the last) the lines were built with. */
  private lineWidths = '';
  /** The last text made, while no line changed since. */
  private text: string | undefined;

  constructor(readonly rows: number, readonly columns: number) {
    this.cells = Array.from({ length: columns }, () => new Array<string>(rows).fill(''));
    this.widths = Array.from({ length: columns }, () => new Int32Array(rows));
    this.validFrom = new Float64Array(rows).fill(NaN);
    this.validUntil = new Float64Array(rows).fill(NaN);
    this.lines = new Array<string>(rows + 2).fill('');
    this.staleLine = new Uint8Array(rows).fill(1);
  }

  /** The object of row `i` was written: ask for its cells again next time. */
  invalidate(i: number): void {
    this.validUntil[i] = NaN;
  }

  /**
   * The table's text at time `now` (with `row(i)` asked for the rows that may have changed),
   * or undefined when a cell holds a tab or a newline: renderTable splits those.
   */
  render(headers: string[] | undefined, now: number, row: (i: number) => KeptRow): string | undefined {
    const { rows, columns, cells, widths } = this;
    for (let i = 0; i < rows; i++) {
      if (this.validFrom[i]! <= now && now < this.validUntil[i]!) continue; // NaN: never
      const built = row(i);
      if (built.cells.length !== columns) throw new Error(`row ${i} has ${built.cells.length} cells, the table ${columns}`);
      for (let j = 0; j < columns; j++) {
        const cell = built.cells[j]!;
        const width = plainWidth(cell);
        if (width < 0) {
          this.invalidate(i);
          return undefined;
        }
        cells[j]![i] = cell;
        widths[j]![i] = width;
      }
      this.validFrom[i] = now;
      this.validUntil[i] = built.validUntil;
      this.staleLine[i] = 1;
    }
    const columnWidths: number[] = [];
    for (let j = 0; j < columns; j++) {
      let widest = headers ? plainWidth(headers[j]!) : 0;
      const column = widths[j]!;
      for (let i = 0; i < rows; i++) if (column[i]! > widest) widest = column[i]!;
      columnWidths.push(Math.max(TABLE_WRITER.minwidth, widest + TABLE_WRITER.padding));
    }
    // The last column is not padded: its width does not change any line.
    const lineWidths = columnWidths.slice(0, -1).join(',');
    const rebuildAll = lineWidths !== this.lineWidths;
    if (rebuildAll) this.text = undefined;
    this.lineWidths = lineWidths;
    const last = columns - 1;
    for (let i = 0; i < rows; i++) {
      if (!rebuildAll && this.staleLine[i] === 0) continue;
      let text = '';
      for (let j = 0; j < last; j++) text += padCell(cells[j]![i]!, columnWidths[j]!);
      text += cells[last]![i]!;
      text.charCodeAt(0); // makes V8 flatten the concatenation now, so later joins copy it in one go
      this.lines[i + 1] = text;
      this.staleLine[i] = 0;
      this.text = undefined;
    }
    const header = headers ? alignedLine(headers, columnWidths) : '';
    if (header !== this.lines[0]) this.text = undefined;
    this.lines[0] = header;
    // One flat string (a slice of it without headers): the shell's output cap slices it without copying.
    this.text ??= this.lines.join('\n');
    return headers ? this.text : this.text.slice(1);
  }
}
