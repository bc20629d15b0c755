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
  const out: string[] = new Array<string>(lines.length);
  const widths: number[] = [];

  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i]!;
      out[i] = cells
        .map((cell, j) => (j < cells.length - 1 && j < widths.length ? cell.padEnd(widths[j]!) : cell))
        .join('');
    }
  };

  // Go's tabwriter.format: recursive over columns, one block of lines at a time.
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    let start = line0;
    for (let i = line0; i < line1; i++) {
      if (column >= lines[i]!.length - 1) continue;
      writeLines(start, i);
      let width = opts.minwidth;
      let end = i;
      for (; end < line1; end++) {
        const cells = lines[end]!;
        if (column >= cells.length - 1) break;
        width = Math.max(width, [...cells[column]!].length + opts.padding);
      }
      widths.push(width);
      format(i, end);
      widths.pop();
      start = end;
      i = end - 1;
    }
    writeLines(start, line1);
  };
  format(0, lines.length);
  return out.join('\n') + (endsWithNewline ? '\n' : '');
}

/** A kubectl table: headers (already uppercase) and rows of cells, aligned. */
export function renderTable(headers: string[] | undefined, rows: string[][]): string {
  const all = headers ? [headers, ...rows] : rows;
  if (all.length === 0) return '';
  return tabwrite(all.map((r) => r.join('\t')).join('\n') + '\n', TABLE_WRITER);
}
