// coreutils that rearrange lines: paste, nl, rev, tac, expand, seq, yes, and the digests
// md5sum / sha256sum. GNU's output formats and messages.
import { createHash } from 'node:crypto';
import type { ShellCommand } from '../types.js';
import { STEPS_PER_RECORD } from '../budget.js';
import { MAX_OUTPUT_CHARS, MAX_STAGE_CHARS } from '../limits.js';
import { count, parseOptions, readInputs, splitLines, usageError } from './common.js';
import { FormatError, sprintf } from './sprintf.js';

/** paste's -d list: `\n`, `\t`, `\\` and `\0` (no delimiter) escapes, used in turn. */
function delimiterList(spec: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < spec.length; i++) {
    if (spec[i] !== '\\' || i + 1 >= spec.length) {
      out.push(spec[i]!);
      continue;
    }
    const c = spec[++i]!;
    out.push(c === 'n' ? '\n' : c === 't' ? '\t' : c === '0' ? '' : c);
  }
  return out;
}

export const paste: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('paste', argv.slice(1), {
    flags: 'sz',
    valued: 'd',
    long: { serial: { key: 's', value: false }, delimiters: { key: 'd', value: true } },
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const names = o.operands.length > 0 ? o.operands : ['-'];
  const delims = delimiterList(o.last('d') ?? '\t');
  if (delims.length === 0) delims.push('');
  const { inputs, errors } = readInputs(ctx, 'paste', [...new Set(names.filter((n) => n !== '-'))]);
  if (errors) return { stdout: '', stderr: errors, exitCode: 1 };
  const fileLines = new Map(inputs.map((i) => [i.name, splitLines(i.text)]));
  const stdinLines = splitLines(ctx.stdin);
  let out = '';
  if (o.has('s')) {
    for (const name of names) {
      const lines = name === '-' ? stdinLines.splice(0) : fileLines.get(name)!;
      out += `${lines.map((l, i) => (i === 0 ? l : delims[(i - 1) % delims.length] + l)).join('')}\n`;
    }
    return { stdout: out, stderr: '', exitCode: 0 };
  }
  // Every `-` reads the next line of the one standard input, in turn.
  const cursors = new Map<string, number>();
  let stdinAt = 0;
  for (;;) {
    let any = false;
    const fields = names.map((name) => {
      if (name === '-') {
        if (stdinAt < stdinLines.length) any = true;
        return stdinLines[stdinAt++] ?? '';
      }
      const at = cursors.get(name) ?? 0;
      cursors.set(name, at + 1);
      const line = fileLines.get(name)![at];
      if (line !== undefined) any = true;
      return line ?? '';
    });
    if (!any || out.length > MAX_STAGE_CHARS) break;
    out += `${fields.map((f, i) => (i === 0 ? f : delims[(i - 1) % delims.length] + f)).join('')}\n`;
  }
  return { stdout: out, stderr: '', exitCode: 0 };
};

export const nl: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('nl', argv.slice(1), {
    valued: 'bnwsvi',
    long: {
      'body-numbering': { key: 'b', value: true }, 'number-format': { key: 'n', value: true }, 'number-width': { key: 'w', value: true },
      'number-separator': { key: 's', value: true }, 'starting-line-number': { key: 'v', value: true }, 'line-increment': { key: 'i', value: true },
    },
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const style = o.last('b') ?? 't';
  const format = o.last('n') ?? 'rn';
  if (!['a', 't', 'n'].includes(style)) return { stdout: '', stderr: `nl: invalid body numbering style: '${style}'\n`, exitCode: 1 };
  if (!['ln', 'rn', 'rz'].includes(format)) return { stdout: '', stderr: `nl: invalid line numbering format: '${format}'\n`, exitCode: 1 };
  const width = count(o.last('w') ?? '6');
  if (width === undefined || width === 0) return { stdout: '', stderr: `nl: invalid line number field width: '${o.last('w')}'\n`, exitCode: 1 };
  const separator = o.last('s') ?? '\t';
  let n = Number(o.last('v') ?? '1');
  const step = Number(o.last('i') ?? '1');
  const { inputs, errors } = readInputs(ctx, 'nl', o.operands);
  let out = '';
  for (const line of inputs.flatMap((i) => splitLines(i.text))) {
    const numbered = style === 'a' || (style === 't' && line !== '');
    if (!numbered) out += `${' '.repeat(width + separator.length)}${line}\n`;
    else {
      const digits = String(n);
      const field = format === 'ln' ? digits.padEnd(width) : format === 'rz' ? digits.padStart(width, '0') : digits.padStart(width);
      out += `${field}${separator}${line}\n`;
      n += step;
    }
  }
  return { stdout: out, stderr: errors, exitCode: errors ? 1 : 0 };
};

export const rev: ShellCommand = (ctx, argv) => {
  const { inputs, errors } = readInputs(ctx, 'rev', argv.slice(1));
  const text = inputs.map((i) => i.text).join('');
  const out = text.split('\n').map((line) => [...line].reverse().join('')).join('\n');
  return { stdout: out, stderr: errors, exitCode: errors ? 1 : 0 };
};

export const tac: ShellCommand = (ctx, argv) => {
  const { inputs, errors } = readInputs(ctx, 'tac', argv.slice(1));
  let out = '';
  for (const input of inputs) {
    // Records end with their newline; a last one without keeps none (GNU prints `ba\n` for `a\nb`).
    const records = input.text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
    out += records.reverse().join('');
  }
  return { stdout: out, stderr: errors, exitCode: errors ? 1 : 0 };
};

/**
 * `fold [-w WIDTH] [-s] [-b]`: lines broken at WIDTH columns (a byte one, a tab to the next
 * multiple of 8, backspace one back, carriage return to 0; every byte one with -b), after the
 * last blank with -s, as coreutils' fold.c does (a character is never split here).
 */
export const fold: ShellCommand = (ctx, argv) => {
  const args = argv.slice(1).map((a) => (/^-\d/.test(a) ? `-w${a.slice(1)}` : a));
  const parsed = parseOptions('fold', args, { flags: 'bs', valued: 'w', long: { width: { key: 'w', value: true }, spaces: { key: 's', value: false }, bytes: { key: 'b', value: false } } });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const spec = o.last('w') ?? '80';
  const width = /^\d+$/.test(spec) ? Number(spec) : NaN;
  if (!(width >= 1)) return { stdout: '', stderr: `fold: invalid number of columns: ‘${spec}’${width === 0 ? ': Numerical result out of range' : ''}\n`, exitCode: 1 };
  const bytes = o.has('b');
  const advance = (column: number, c: string): number => {
    // fold.c counts bytes, not characters: `é` takes two columns.
    if (bytes) return column + Buffer.byteLength(c);
    if (c === '\b') return Math.max(0, column - 1);
    if (c === '\r') return 0;
    if (c === '\t') return column + 8 - (column % 8);
    return column + Buffer.byteLength(c);
  };
  const { inputs, errors } = readInputs(ctx, 'fold', o.operands);
  const text = inputs.map((i) => i.text).join('');
  ctx.budget.spendText(text);
  let out = '';
  let line: string[] = [];
  let column = 0;
  for (const c of text) {
    if (c === '\n') {
      out += `${line.join('')}\n`;
      line = [];
      column = 0;
      continue;
    }
    column = advance(column, c);
    if (column > width && line.length > 0) {
      const blank = o.has('s') ? line.findLastIndex((x) => x === ' ' || x === '\t') : -1;
      const kept = blank >= 0 ? line.splice(blank + 1) : [];
      out += `${line.join('')}\n`;
      line = kept;
      column = line.reduce(advance, 0);
      column = advance(column, c);
    }
    line.push(c);
    if (out.length > MAX_STAGE_CHARS) break;
  }
  out += line.join('');
  return { stdout: out, stderr: errors, exitCode: errors ? 1 : 0 };
};

export const expand: ShellCommand = (ctx, argv) => {
  const args = argv.slice(1).map((a) => (/^-\d/.test(a) ? `-t${a.slice(1)}` : a));
  const parsed = parseOptions('expand', args, { flags: 'i', valued: 't', long: { tabs: { key: 't', value: true }, initial: { key: 'i', value: false } } });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const spec = o.last('t') ?? '8';
  const stops = spec.split(/[, ]/).map(Number);
  if (stops.some((s) => !Number.isInteger(s) || s <= 0)) return { stdout: '', stderr: `expand: tab size contains invalid character(s): '${spec}'\n`, exitCode: 1 };
  const next = (column: number): number => {
    if (stops.length === 1) return column + stops[0]! - (column % stops[0]!);
    return stops.find((s) => s > column) ?? column + 1;
  };
  const { inputs, errors } = readInputs(ctx, 'expand', o.operands);
  const text = inputs.map((i) => i.text).join('');
  const out = text.split('\n').map((line) => {
    let column = 0;
    let result = '';
    let leading = true;
    for (const c of line) {
      if (c === '\t' && (!o.has('i') || leading)) {
        const to = next(column);
        result += ' '.repeat(to - column);
        column = to;
      } else {
        if (c !== ' ' && c !== '\t') leading = false;
        result += c;
        column++;
      }
    }
    return result;
  }).join('\n');
  return { stdout: out, stderr: errors, exitCode: errors ? 1 : 0 };
};

const fractionDigits = (s: string): number => {
  const m = /\.(\d*)/.exec(s);
  return /e/i.test(s) ? 0 : (m?.[1]?.length ?? 0);
};

export const seq: ShellCommand = (ctx, argv) => {
  const args = argv.slice(1);
  // Negative numbers are operands, not options.
  const optionArgs: string[] = [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (/^-\d|^-\.\d/.test(a) || operands.length > 0 || !a.startsWith('-') || a === '-') operands.push(a);
    else {
      optionArgs.push(a);
      if (/^-[sf]$/.test(a) || a === '--separator' || a === '--format') optionArgs.push(args[++i] ?? '');
    }
  }
  const parsed = parseOptions('seq', optionArgs, { flags: 'w', valued: 'sf', long: { separator: { key: 's', value: true }, format: { key: 'f', value: true }, 'equal-width': { key: 'w', value: false } } });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  if (operands.length === 0) return usageError('seq', 'missing operand', {});
  if (operands.length > 3) return usageError('seq', `extra operand '${operands[3]}'`, {});
  for (const a of operands) {
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(a)) return usageError('seq', `invalid floating point argument: '${a}'`, {});
  }
  const [firstText, stepText, lastText] = operands.length === 1 ? ['1', '1', operands[0]!] : operands.length === 2 ? [operands[0]!, '1', operands[1]!] : (operands as [string, string, string]);
  const first = Number(firstText);
  const step = Number(stepText);
  const last = Number(lastText);
  if (step === 0) return usageError('seq', `invalid Zero increment value: '${stepText}'`, {});
  const digits = Math.max(fractionDigits(firstText), fractionDigits(stepText));
  const format = o.last('f');
  const separator = o.last('s') ?? '\n';
  const values: string[] = [];
  let size = 0;
  // What the line can still afford to handle: no point printing more (the next stage would pay
  // for it and stop the line anyway), and a long count costs what it prints, not 4 MiB.
  const affordable = ctx.budget.remaining;
  let cost = 0;
  for (let i = 0; ; i++) {
    const v = first + i * step;
    if (step > 0 ? v > last : v < last) break;
    let text: string;
    try {
      text = format !== undefined ? sprintf(format, [v]) : v.toFixed(digits);
    } catch (error) {
      if (error instanceof FormatError) return { stdout: '', stderr: `seq: ${error.message}\n`, exitCode: 1 };
      throw error;
    }
    values.push(text);
    size += text.length + separator.length;
    cost += text.length + separator.length + STEPS_PER_RECORD;
    if (size > MAX_STAGE_CHARS || cost > affordable) break;
  }
  if (o.has('w') && format === undefined) {
    const width = Math.max(...values.map((v) => v.length), lastText.replace(/^\+/, '').length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      values[i] = v.startsWith('-') ? `-${v.slice(1).padStart(width - 1, '0')}` : v.padStart(width, '0');
    }
  }
  return { stdout: values.length > 0 ? `${values.join(separator)}\n` : '', stderr: '', exitCode: 0 };
};

/**
 * yes: the line again and again. Stages run one after another, so it cannot wait for its
 * reader: it prints YES_LINES lines (or fewer, within the output cap), enough for `yes | head`
 * and cheap enough for the reader's share of the line's budget.
 */
const YES_LINES = 4096;

export const yes: ShellCommand = (_ctx, argv) => {
  const line = `${argv.length > 1 ? argv.slice(1).join(' ') : 'y'}\n`;
  return { stdout: line.repeat(Math.min(YES_LINES, Math.ceil((MAX_OUTPUT_CHARS + 1) / line.length))), stderr: '', exitCode: 0 };
};

function digest(algorithm: 'md5' | 'sha256'): ShellCommand {
  const tool = `${algorithm}sum`;
  return (ctx, argv) => {
    const parsed = parseOptions(tool, argv.slice(1), { flags: 'btz', long: { binary: { key: 'b', value: false }, text: { key: 't', value: false }, tag: { key: 'tag', value: false } } });
    if (!parsed.ok) return parsed.error;
    const o = parsed.opts;
    const names = o.operands.length > 0 ? o.operands : ['-'];
    const { inputs, errors } = readInputs(ctx, tool, names);
    const lines = inputs.map((input) => {
      const hash = createHash(algorithm).update(input.text, 'utf8').digest('hex');
      const name = input.name === '(standard input)' ? '-' : input.name;
      return o.has('tag') ? `${algorithm.toUpperCase()} (${name}) = ${hash}\n` : `${hash} ${o.has('b') ? '*' : ' '}${name}\n`;
    });
    return { stdout: lines.join(''), stderr: errors, exitCode: errors ? 1 : 0 };
  };
}

export const md5sum = digest('md5');
export const sha256sum = digest('sha256');
