// Byte dumps for hidden characters (a stray \r in a token, a BOM in a manifest): od, xxd and
// hexdump -C, in GNU coreutils' / vim's / util-linux's layouts, over the UTF-8 bytes of the input.
import type { ShellCommand } from '../types.js';
import { parseOptions, readInputs } from './common.js';

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
const printable = (b: number): boolean => b >= 0x20 && b < 0x7f;

function inputBytes(ctx: Parameters<ShellCommand>[0], tool: string, names: string[]): { bytes: Buffer; errors: string } {
  const { inputs, errors } = readInputs(ctx, tool, names.length > 0 ? names : ['-']);
  const bytes = Buffer.from(inputs.map((i) => i.text).join(''), 'utf8');
  ctx.budget.spend(bytes.length * 4);
  return { bytes, errors };
}

/** Runs of identical lines print once, then `*` (od and hexdump without -v). */
function squeeze(lines: { key: string; text: string }[], verbose: boolean): string {
  let out = '';
  let previous: string | undefined;
  let starred = false;
  for (const line of lines) {
    if (!verbose && line.key === previous) {
      if (!starred) out += '*\n';
      starred = true;
      continue;
    }
    previous = line.key;
    starred = false;
    out += line.text;
  }
  return out;
}

const C_ESCAPES: Record<number, string> = { 0: '\\0', 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

type OdType = { kind: 'c' | 'x' | 'o' | 'd' | 'u'; size: number };

function odType(spec: string): OdType | undefined {
  const m = /^([cxodu])([1248]?)$/.exec(spec);
  if (!m) return undefined;
  const kind = m[1] as OdType['kind'];
  return { kind, size: kind === 'c' ? 1 : Number(m[2] || (kind === 'x' || kind === 'o' ? 2 : 4)) };
}

/** One field of an od line: width is the widest value of that type and size, plus a space. */
function odField(bytes: Buffer, at: number, type: OdType): string {
  if (type.kind === 'c') {
    const b = bytes[at]!;
    return (C_ESCAPES[b] ?? (printable(b) ? String.fromCharCode(b) : b.toString(8).padStart(3, '0'))).padStart(4);
  }
  let value = 0;
  for (let i = type.size - 1; i >= 0; i--) value = value * 256 + (bytes[at + i] ?? 0); // little-endian
  const bits = type.size * 8;
  if (type.kind === 'd' && value >= 2 ** (bits - 1)) value -= 2 ** bits;
  const widths: Record<string, number> = { x: type.size * 2, o: Math.ceil(bits / 3), u: String(2 ** bits - 1).length, d: String(2 ** (bits - 1)).length + 1 };
  const text = type.kind === 'x' ? hex(value, widths.x!) : type.kind === 'o' ? value.toString(8).padStart(widths.o!, '0') : String(value);
  return ` ${text.padStart(widths[type.kind]!)}`;
}

export const od: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('od', argv.slice(1), { flags: 'bcdoxv', valued: 'AtN', long: { 'address-radix': { key: 'A', value: true }, format: { key: 't', value: true }, 'output-duplicates': { key: 'v', value: false } } });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const types: OdType[] = [];
  for (const [key, values] of o.values) {
    for (const value of values) {
      if (key === 't') {
        for (const spec of value.match(/[cxodu][1248]?/g) ?? [value]) {
          const type = odType(spec);
          if (!type) return { stdout: '', stderr: `od: invalid type string '${value}'\n`, exitCode: 1 };
          types.push(type);
        }
      } else if ('bcdox'.includes(key)) types.push({ b: { kind: 'o', size: 1 }, c: { kind: 'c', size: 1 }, d: { kind: 'u', size: 2 }, o: { kind: 'o', size: 2 }, x: { kind: 'x', size: 2 } }[key as 'b']! as OdType);
    }
  }
  if (types.length === 0) types.push({ kind: 'o', size: 2 });
  const radix = o.last('A') ?? 'o';
  if (!'doxn'.includes(radix) || radix.length !== 1) return { stdout: '', stderr: `od: invalid output address radix '${radix}'; it must be one character from [doxn]\n`, exitCode: 1 };
  const { bytes: all, errors } = inputBytes(ctx, 'od', o.operands);
  const limit = o.last('N');
  const bytes = limit !== undefined ? all.subarray(0, Number(limit)) : all;
  const address = (n: number): string => (radix === 'n' ? '' : radix === 'd' ? String(n).padStart(7, '0') : radix === 'x' ? hex(n, 6) : n.toString(8).padStart(7, '0'));
  const lines: { key: string; text: string }[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const end = Math.min(at + 16, bytes.length);
    const rows = types.map((type, t) => {
      let fields = '';
      for (let i = at; i < end; i += type.size) fields += odField(bytes, i, type);
      return `${t === 0 ? address(at) : ' '.repeat(address(at).length)}${fields}\n`;
    });
    lines.push({ key: end - at === 16 ? bytes.subarray(at, end).toString('hex') : `${at}`, text: rows.join('') });
  }
  let out = squeeze(lines, o.has('v'));
  if (radix !== 'n') out += `${address(bytes.length)}\n`;
  return { stdout: out, stderr: errors, exitCode: errors ? 1 : 0 };
};

/** `xxd [-p] [-c N] [-g N] [-u]`: vim's hex dump. */
export const xxd: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('xxd', argv.slice(1), { flags: 'pu', valued: 'cgl', long: { ps: { key: 'p', value: false }, plain: { key: 'p', value: false } } });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const { bytes: all, errors } = inputBytes(ctx, 'xxd', o.operands.slice(0, 1));
  const bytes = o.has('l') ? all.subarray(0, Number(o.last('l'))) : all;
  const upper = (s: string): string => (o.has('u') ? s.toUpperCase() : s);
  if (o.has('p')) {
    const cols = Number(o.last('c') ?? 30) || 30;
    let out = '';
    for (let at = 0; at < bytes.length; at += cols) out += `${upper(bytes.subarray(at, at + cols).toString('hex'))}\n`;
    return { stdout: out, stderr: errors, exitCode: errors ? 1 : 0 };
  }
  const cols = Number(o.last('c') ?? 16) || 16;
  const group = Number(o.last('g') ?? 2) || cols;
  const hexWidth = cols * 2 + Math.ceil(cols / group);
  let out = '';
  for (let at = 0; at < bytes.length; at += cols) {
    const chunk = bytes.subarray(at, at + cols);
    let hexPart = '';
    for (let i = 0; i < chunk.length; i++) hexPart += (i > 0 && i % group === 0 ? ' ' : '') + upper(hex(chunk[i]!, 2));
    const text = [...chunk].map((b) => (printable(b) ? String.fromCharCode(b) : '.')).join('');
    out += `${hex(at, 8)}: ${hexPart.padEnd(hexWidth)} ${text}\n`;
  }
  return { stdout: out, stderr: errors, exitCode: errors ? 1 : 0 };
};

/** `hexdump -C`: canonical hex+ASCII; plain hexdump prints 16-bit words like `od -x`. */
export const hexdump: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('hexdump', argv.slice(1), { flags: 'Cvx', valued: 'n' });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const { bytes: all, errors } = inputBytes(ctx, 'hexdump', o.operands);
  const bytes = o.has('n') ? all.subarray(0, Number(o.last('n'))) : all;
  const canonical = o.has('C');
  const lines: { key: string; text: string }[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const chunk = bytes.subarray(at, at + 16);
    let text: string;
    if (canonical) {
      let hexPart = '';
      for (let i = 0; i < 16; i++) hexPart += (i === 8 ? ' ' : '') + (i < chunk.length ? `${hex(chunk[i]!, 2)} ` : '   ');
      text = `${hex(at, 8)}  ${hexPart} |${[...chunk].map((b) => (printable(b) ? String.fromCharCode(b) : '.')).join('')}|\n`;
    } else {
      let words = '';
      for (let i = 0; i < chunk.length; i += 2) words += ` ${hex((chunk[i + 1] ?? 0) * 256 + chunk[i]!, 4)}`;
      text = `${`${hex(at, 7)}${words}`.padEnd(7 + 8 * 5)}\n`;
    }
    lines.push({ key: chunk.length === 16 ? chunk.toString('hex') : `${at}`, text });
  }
  const out = squeeze(lines, o.has('v')) + (bytes.length > 0 ? `${hex(bytes.length, canonical ? 8 : 7)}\n` : '');
  return { stdout: out, stderr: errors, exitCode: errors ? 1 : 0 };
};
