// GNU sed: addresses (N, $, /RE/I, \cREc, first~step, ranges with N, /RE/, +N, ~N, 0,/RE/, `!`),
// the commands { } = a b c d D F g G h H i l n N p P q Q r s t T x y z : #, s/// with any
// delimiter, escapes (\n \t \/ …), & \1-\9 \U \L \u \l \E and the g p N I M flags, -n -e -E -s.
// A run is bounded: branches may loop, so commands executed and pattern space size are counted.
import type { CommandContext, ShellCommand } from '../types.js';
import { STEPS_PER_STATEMENT, type LineBudget } from '../budget.js';
import { MAX_STAGE_CHARS } from '../limits.js';
import { writeFileCharged } from '../vfs.js';
import { parseOptions, readInputs } from './common.js';
import { compileRegex, type Matcher } from './regex.js';

/** Commands one sed run may execute (a `b` loop is stopped there). */
const STOPPED = 'program stopped: it ran too long';

type Address =
  | { kind: 'line'; n: number }
  | { kind: 'last' }
  | { kind: 're'; re: Matcher | undefined }
  | { kind: 'step'; first: number; step: number }
  | { kind: 'zero' };

type RangeEnd = Address | { kind: 'plus'; n: number } | { kind: 'multiple'; n: number };

interface Command {
  from?: Address;
  to?: RangeEnd;
  negate: boolean;
  name: string;
  /** a/i/c text, b/t/T label, r/w file name. */
  text?: string;
  re?: Matcher | undefined;
  replacement?: string;
  global?: boolean;
  occurrence?: number;
  print?: boolean;
  /** y: source and target characters. */
  from2?: string[];
  to2?: string[];
  exitCode?: number;
  /** `{`: index of the matching `}`; `}`: unused. */
  jump?: number;
  /** Range state. */
  active: boolean;
  endLine: number;
}

class SedError {
  constructor(readonly message: string) {}
}

const TEXT_ESCAPES: Record<string, string> = { n: '\n', t: '\t', a: '\x07', f: '\f', v: '\v', r: '\r' };

class ScriptParser {
  private i = 0;
  readonly commands: Command[] = [];
  private readonly blocks: number[] = [];

  constructor(private readonly s: string, private readonly extended: boolean, private readonly budget: LineBudget) {}

  private error(message: string, at = this.i): SedError {
    return new SedError(`-e expression #1, char ${at}: ${message}`);
  }

  private ch(): string {
    return this.s[this.i] ?? '';
  }

  parse(): Command[] {
    for (;;) {
      while (/[\s;]/.test(this.ch()) && this.i < this.s.length) this.i++;
      if (this.i >= this.s.length) break;
      if (this.ch() === '#') {
        while (this.i < this.s.length && this.ch() !== '\n') this.i++;
        continue;
      }
      this.command();
    }
    if (this.blocks.length > 0) throw this.error("unmatched `{'", 0);
    return this.commands;
  }

  /** The regex up to the delimiter (skipped), with `\delim` meaning the delimiter itself. */
  private regexBody(delim: string): string {
    let body = '';
    for (;;) {
      if (this.i >= this.s.length) throw this.error('unterminated address regex');
      const c = this.s[this.i]!;
      if (c === delim) break;
      if (c === '\\') {
        const next = this.s[this.i + 1];
        if (next === delim) body += delim === '/' || !/[.*[\]^$+?(){}|]/.test(delim) ? delim : `\\${delim}`;
        else body += `\\${next ?? ''}`;
        this.i += 2;
        continue;
      }
      if (c === '[') {
        // A bracket expression may hold the delimiter.
        const from = this.i + (this.s[this.i + 1] === '^' ? 2 : 1) + 1;
        const end = this.s.indexOf(']', from);
        if (end > 0) {
          body += this.s.slice(this.i, end + 1);
          this.i = end + 1;
          continue;
        }
      }
      body += c;
      this.i++;
    }
    this.i++;
    return body;
  }

  compile(body: string, flags: string): Matcher | undefined {
    if (body === '') return undefined; // the last regex used
    const re = compileRegex(body, { extended: this.extended, ignoreCase: /[iI]/.test(flags) }, this.budget);
    if ('error' in re) throw this.error(re.error);
    return re;
  }

  private address(): Address | undefined {
    const m = /^(\d+)(?:~(\d+))?/.exec(this.s.slice(this.i));
    if (m) {
      this.i += m[0].length;
      if (m[2] !== undefined) return { kind: 'step', first: Number(m[1]), step: Number(m[2]) };
      return Number(m[1]) === 0 ? { kind: 'zero' } : { kind: 'line', n: Number(m[1]) };
    }
    if (this.ch() === '$') {
      this.i++;
      return { kind: 'last' };
    }
    if (this.ch() === '/' || this.ch() === '\\') {
      const delim = this.ch() === '\\' ? this.s[++this.i]! : '/';
      this.i++;
      const re = this.regexWithFlags(delim);
      return { kind: 're', re };
    }
    return undefined;
  }

  private regexWithFlags(delim: string): Matcher | undefined {
    const body = this.regexBody(delim);
    let flags = '';
    while (/[IM]/.test(this.ch())) flags += this.s[this.i++];
    return this.compile(body, flags);
  }

  private command(): void {
    const from = this.address();
    let to: RangeEnd | undefined;
    if (from && this.ch() === ',') {
      this.i++;
      const m = /^([+~])(\d+)/.exec(this.s.slice(this.i));
      if (m) {
        this.i += m[0].length;
        to = { kind: m[1] === '+' ? 'plus' : 'multiple', n: Number(m[2]) };
      } else {
        to = this.address();
        if (!to || to.kind === 'zero') throw this.error("unexpected `,'");
      }
    }
    if (from?.kind === 'zero' && !(to && to.kind === 're')) throw this.error('invalid usage of line address 0');
    while (this.ch() === ' ' || this.ch() === '\t') this.i++;
    let negate = false;
    while (this.ch() === '!') {
      negate = true;
      this.i++;
      while (this.ch() === ' ' || this.ch() === '\t') this.i++;
    }
    const name = this.ch();
    this.i++;
    const cmd: Command = { ...(from ? { from } : {}), ...(to ? { to } : {}), negate, name, active: false, endLine: 0 };
    switch (name) {
      case '{':
        this.blocks.push(this.commands.length);
        break;
      case '}':
        if (from) throw this.error("} doesn't want any addresses");
        if (this.blocks.length === 0) throw this.error("unexpected `}'");
        this.commands[this.blocks.pop()!]!.jump = this.commands.length;
        break;
      case '=': case 'd': case 'D': case 'g': case 'G': case 'h': case 'H': case 'l': case 'n': case 'N': case 'p': case 'P': case 'x': case 'z': case 'F':
        break;
      case 'q': case 'Q': {
        const m = /^\s*(\d+)/.exec(this.s.slice(this.i));
        if (m) {
          cmd.exitCode = Number(m[1]);
          this.i += m[0].length;
        }
        break;
      }
      case 'a': case 'i': case 'c':
        cmd.text = this.text();
        break;
      case ':': {
        if (from) throw this.error(': doesn\'t want any addresses');
        const label = this.label();
        if (label === '') throw this.error('":" lacks a label');
        cmd.text = label;
        break;
      }
      case 'b': case 't': case 'T':
        cmd.text = this.label();
        break;
      case 'r': case 'R': case 'w': case 'W':
        cmd.text = this.fileName();
        break;
      case 's':
        this.substitute(cmd);
        break;
      case 'y':
        this.transliterate(cmd);
        break;
      case '':
        throw this.error('missing command');
      default:
        throw this.error(`unknown command: \`${name}'`);
    }
    this.commands.push(cmd);
    this.endOfCommand(name);
  }

  private endOfCommand(name: string): void {
    while (this.ch() === ' ' || this.ch() === '\t') this.i++;
    if (this.i >= this.s.length || this.ch() === '\n' || this.ch() === ';' || this.ch() === '}' || this.ch() === '#') return;
    if ('{'.includes(name)) return;
    throw this.error(`extra characters after command`, this.i + 1);
  }

  private label(): string {
    while (this.ch() === ' ' || this.ch() === '\t') this.i++;
    let label = '';
    while (this.i < this.s.length && !/[\n;]/.test(this.ch())) label += this.s[this.i++];
    return label.trim();
  }

  private fileName(): string {
    while (this.ch() === ' ' || this.ch() === '\t') this.i++;
    let name = '';
    while (this.i < this.s.length && this.ch() !== '\n') name += this.s[this.i++];
    return name;
  }

  /** a/i/c text: `a\` NEWLINE text, `a\text` or `a text`; `\` NEWLINE continues it. */
  private text(): string {
    while (this.ch() === ' ' || this.ch() === '\t') this.i++;
    if (this.ch() === '\\') {
      this.i++;
      if (this.ch() === '\n') this.i++;
    }
    let out = '';
    while (this.i < this.s.length && this.ch() !== '\n') {
      if (this.ch() === '\\') {
        const next = this.s[this.i + 1] ?? '';
        out += next === '\n' ? '\n' : (TEXT_ESCAPES[next] ?? next);
        this.i += 2;
      } else out += this.s[this.i++];
    }
    return out;
  }

  private substitute(cmd: Command): void {
    const delim = this.ch();
    if (!delim || delim === '\n' || delim === '\\') throw this.error("unterminated `s' command");
    this.i++;
    const body = this.regexBody(delim);
    let replacement = '';
    for (;;) {
      if (this.i >= this.s.length) throw this.error("unterminated `s' command");
      const c = this.s[this.i]!;
      if (c === delim) break;
      if (c === '\\') {
        const next = this.s[this.i + 1] ?? '';
        // `\delim` is the delimiter itself; other escapes are kept for the expansion.
        replacement += next === delim ? (delim === '&' ? '\\&' : delim) : `\\${next}`;
        this.i += 2;
        continue;
      }
      replacement += c;
      this.i++;
    }
    this.i++;
    let flags = '';
    while (/[gpiImMe0-9]/.test(this.ch()) && this.i < this.s.length) flags += this.s[this.i++];
    if (this.ch() === 'w') {
      this.i++;
      cmd.text = this.fileName();
    }
    const occurrence = /\d+/.exec(flags);
    if (occurrence && Number(occurrence[0]) === 0) throw this.error("number option to `s' command may not be zero");
    if ((flags.match(/g/g) ?? []).length > 1) throw this.error("multiple `g' options to `s' command");
    if ((flags.match(/p/g) ?? []).length > 1) throw this.error("multiple `p' options to `s' command");
    cmd.re = this.compile(body, flags);
    cmd.replacement = replacement;
    cmd.global = flags.includes('g');
    cmd.print = flags.includes('p');
    cmd.occurrence = occurrence ? Number(occurrence[0]) : 1;
  }

  private transliterate(cmd: Command): void {
    const delim = this.ch();
    this.i++;
    const part = (): string[] => {
      const chars: string[] = [];
      for (;;) {
        if (this.i >= this.s.length) throw this.error("unterminated `y' command");
        const c = this.s[this.i]!;
        if (c === delim) break;
        if (c === '\\') {
          const next = this.s[this.i + 1] ?? '';
          chars.push(next === 'n' ? '\n' : next === 't' ? '\t' : next === '\\' ? '\\' : next === delim ? delim : `\\${next}`);
          this.i += 2;
        } else {
          chars.push(c);
          this.i++;
        }
      }
      this.i++;
      return chars;
    };
    cmd.from2 = part();
    cmd.to2 = part();
    if (cmd.from2.length !== cmd.to2.length) throw this.error("strings for `y' command are different lengths");
  }
}

/** sed's replacement: `&`, `\0`–`\9`, `\n`, `\t`, case conversion `\U \L \u \l \E`. */
function expandReplacement(replacement: string, match: string, groups: (string | undefined)[]): string {
  let out = '';
  let mode: 'U' | 'L' | '' = '';
  let once: 'u' | 'l' | '' = '';
  const put = (text: string): void => {
    for (const ch of text) {
      let c = mode === 'U' ? ch.toUpperCase() : mode === 'L' ? ch.toLowerCase() : ch;
      if (once) {
        c = once === 'u' ? c.toUpperCase() : c.toLowerCase();
        once = '';
      }
      out += c;
    }
  };
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === '&') put(match);
    else if (c === '\\' && i + 1 < replacement.length) {
      const e = replacement[++i]!;
      if (/\d/.test(e)) put(e === '0' ? match : (groups[Number(e) - 1] ?? ''));
      else if (e === 'U' || e === 'L') mode = e;
      else if (e === 'E') mode = '';
      else if (e === 'u' || e === 'l') once = e;
      else if (e === '\n') put('\n');
      else put(TEXT_ESCAPES[e] ?? e);
    } else put(c);
  }
  return out;
}

/** `l`: the pattern space with escapes, lines folded at 69 characters and `$` at the end. */
function unambiguous(text: string): string {
  const escapes: Record<string, string> = { '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
  const pieces = [...Buffer.from(text, 'utf8')].map((b) => {
    const ch = String.fromCharCode(b);
    if (escapes[ch]) return escapes[ch];
    if (b < 32 || b >= 127) return `\\${b.toString(8).padStart(3, '0')}`;
    return ch;
  });
  let out = '';
  let line = '';
  for (const piece of pieces) {
    if (line.length + piece.length > 69) {
      out += `${line}\\\n`;
      line = '';
    }
    line += piece;
  }
  return `${out}${line}$\n`;
}

interface RunState {
  lines: string[];
  /** The input's last line had no newline. */
  lastWithoutNewline: boolean;
  quiet: boolean;
}

function run(ctx: CommandContext, commands: Command[], state: RunState): { stdout: string; stderr: string; exitCode: number } {
  const { lines } = state;
  let out = '';
  let missingNewline = false;
  const write = (text: string, newline = true): void => {
    if (missingNewline) out += '\n';
    missingNewline = false;
    out += text;
    if (newline) out += '\n';
  };
  /** The pattern space of the last line keeps its missing newline. */
  const writeSpace = (text: string, n: number): void => {
    const bare = n === lines.length && state.lastWithoutNewline;
    write(text, !bare);
    if (bare) missingNewline = true;
  };
  const labels = new Map<string, number>();
  commands.forEach((c, i) => {
    if (c.name === ':') labels.set(c.text!, i);
  });
  for (const c of commands) {
    if ((c.name === 'b' || c.name === 't' || c.name === 'T') && c.text && !labels.has(c.text)) {
      return { stdout: '', stderr: `sed: can't find label for jump to \`${c.text}'\n`, exitCode: 4 };
    }
  }
  let lastRe: Matcher | undefined;
  const regex = (re: Matcher | undefined): Matcher => {
    if (re) lastRe = re;
    if (!lastRe) throw new SedError('no previous regular expression');
    return lastRe;
  };
  const matches = (a: Address, space: string, n: number): boolean => {
    switch (a.kind) {
      case 'line': return n === a.n;
      case 'last': return n === lines.length;
      case 're': return regex(a.re).test(space);
      case 'step': return a.step <= 0 ? n === a.first : n >= a.first && (n - a.first) % a.step === 0;
      case 'zero': return false;
    }
  };
  const selects = (cmd: Command, space: string, n: number): boolean => {
    let hit: boolean;
    if (!cmd.from) hit = true;
    else if (!cmd.to) hit = matches(cmd.from, space, n);
    else if (cmd.active) {
      hit = true;
      const to = cmd.to;
      if (to.kind === 'line' || to.kind === 'plus' || to.kind === 'multiple') {
        if (n >= cmd.endLine) cmd.active = false;
      } else if (matches(to, space, n)) cmd.active = false;
    } else {
      hit = cmd.from.kind === 'zero' ? n === 1 : matches(cmd.from, space, n);
      if (hit) {
        const to = cmd.to;
        cmd.active = true;
        if (to.kind === 'line') cmd.endLine = to.n;
        else if (to.kind === 'plus') cmd.endLine = n + to.n;
        else if (to.kind === 'multiple') cmd.endLine = to.n <= 0 ? n : Math.ceil(n / to.n) * to.n;
        if (to.kind === 'line' || to.kind === 'plus' || to.kind === 'multiple') {
          if (cmd.endLine <= n) cmd.active = false;
        } else if (cmd.from.kind === 'zero' && matches(to, space, n)) cmd.active = false;
        else if (to.kind === 'last' && n === lines.length) cmd.active = false;
      }
    }
    return hit !== cmd.negate;
  };

  let hold = '';
  let n = 0;
  let exitCode = 0;
  let quit = false;
  let space = '';
  let nextCycleKeepsSpace = false;
  while (!quit) {
    if (!nextCycleKeepsSpace) {
      if (n >= lines.length) break;
      space = lines[n++]!;
    }
    nextCycleKeepsSpace = false;
    const appended: string[] = [];
    let substituted = false;
    let autoprint = !state.quiet;
    let pc = 0;
    let restart = false;
    while (pc < commands.length) {
      ctx.budget.spend(STEPS_PER_STATEMENT);
      if (space.length > MAX_STAGE_CHARS || out.length > MAX_STAGE_CHARS) {
        return { stdout: out, stderr: `sed: ${STOPPED}\n`, exitCode: 4 };
      }
      const cmd = commands[pc]!;
      if (cmd.name === '}' || cmd.name === ':') {
        pc++;
        continue;
      }
      if (!selects(cmd, space, n)) {
        pc = cmd.name === '{' ? cmd.jump! + 1 : pc + 1;
        continue;
      }
      pc++;
      switch (cmd.name) {
        case '{': break;
        case '=': write(String(n)); break;
        case 'a': appended.push(`${cmd.text}\n`); break;
        case 'i': write(cmd.text!); break;
        case 'c':
          // In a range the text replaces the whole range: it is printed at its end.
          if (!cmd.to || !cmd.active || cmd.negate) write(cmd.text!);
          autoprint = false;
          pc = commands.length;
          break;
        case 'b': pc = cmd.text ? labels.get(cmd.text)! : commands.length; break;
        case 't':
        case 'T':
          if (substituted === (cmd.name === 't')) pc = cmd.text ? labels.get(cmd.text)! : commands.length;
          substituted = false;
          break;
        case 'd': autoprint = false; pc = commands.length; break;
        case 'D':
          if (!space.includes('\n')) {
            autoprint = false;
            pc = commands.length;
          } else {
            space = space.slice(space.indexOf('\n') + 1);
            autoprint = false;
            restart = true;
            pc = commands.length;
          }
          break;
        case 'g': space = hold; break;
        case 'G': space += `\n${hold}`; break;
        case 'h': hold = space; break;
        case 'H': hold += `\n${space}`; break;
        case 'x': [space, hold] = [hold, space]; break;
        case 'z': space = ''; break;
        case 'F': write('-'); break;
        case 'l': write(unambiguous(space), false); break;
        case 'p': writeSpace(space, n); break;
        case 'P': write(space.split('\n')[0]!); break;
        case 'n':
          if (n >= lines.length) {
            quit = true;
            pc = commands.length;
            break;
          }
          if (!state.quiet) writeSpace(space, n);
          for (const text of appended.splice(0)) write(text, false);
          space = lines[n++]!;
          break;
        case 'N':
          if (n >= lines.length) {
            // GNU prints the pattern space when there is no next line to append.
            quit = true;
            pc = commands.length;
            break;
          }
          for (const text of appended.splice(0)) write(text, false);
          space += `\n${lines[n++]!}`;
          break;
        case 'q':
          exitCode = cmd.exitCode ?? 0;
          quit = true;
          pc = commands.length;
          break;
        case 'Q':
          exitCode = cmd.exitCode ?? 0;
          autoprint = false;
          quit = true;
          pc = commands.length;
          break;
        case 'r':
        case 'R': {
          const { inputs } = readInputs(ctx, 'sed', [cmd.text!]);
          if (inputs[0]) appended.push(inputs[0].text);
          break;
        }
        case 'w':
        case 'W':
          if (cmd.text === '/dev/stdout') write(cmd.name === 'W' ? space.split('\n')[0]! : space);
          break;
        case 's': {
          const re = regex(cmd.re);
          // A replacement without `&` or `\` is the same text for every match.
          const fixed = /[\\&]/.test(cmd.replacement!) ? undefined : cmd.replacement!;
          let seen = 0;
          const next = re.replace(space, cmd.global! || cmd.occurrence! > 1, (m) => {
            seen++;
            const take = cmd.global ? seen >= cmd.occurrence! : seen === cmd.occurrence;
            return take ? (fixed ?? expandReplacement(cmd.replacement!, m.text, m.groups)) : m.text;
          });
          if (seen >= cmd.occurrence!) {
            space = next.text;
            substituted = true;
            if (cmd.print) writeSpace(space, n);
            if (cmd.text === '/dev/stdout') write(space);
          }
          break;
        }
        case 'y': {
          const map = new Map(cmd.from2!.map((c, i) => [c, cmd.to2![i]!]));
          space = [...space].map((c) => map.get(c) ?? c).join('');
          break;
        }
      }
    }
    if (autoprint) writeSpace(space, n);
    for (const text of appended) write(text, false);
    if (restart) nextCycleKeepsSpace = true;
  }
  return { stdout: out, stderr: '', exitCode };
}

export const sed: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('sed', argv.slice(1), {
    flags: 'nErsuzi',
    valued: 'ef',
    long: {
      quiet: { key: 'n', value: false },
      silent: { key: 'n', value: false },
      expression: { key: 'e', value: true },
      file: { key: 'f', value: true },
      'regexp-extended': { key: 'E', value: false },
      'in-place': { key: 'i', value: false },
      separate: { key: 's', value: false },
      posix: { key: 'posix', value: false },
      debug: { key: 'debug', value: false },
      'null-data': { key: 'z', value: false },
      unbuffered: { key: 'u', value: false },
    },
    usage: 'Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n\n',
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const operands = [...o.operands];
  const script = o.has('e') ? o.all('e').join('\n') : operands.shift();
  if (script === undefined) return { stdout: '', stderr: 'Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n', exitCode: 1 };
  let commands: Command[];
  try {
    commands = new ScriptParser(script, o.has('E') || o.has('r'), ctx.budget).parse();
  } catch (error) {
    if (error instanceof SedError) return { stdout: '', stderr: `sed: ${error.message}\n`, exitCode: 1 };
    throw error;
  }
  if (o.has('i')) return inPlace(ctx, commands, operands, o.has('n'));
  const { inputs, errors } = readInputs(ctx, 'sed', operands);
  const result = runOn(ctx, commands, inputs.map((i) => i.text).join(''), o.has('n'));
  if ('error' in result) return { stdout: '', stderr: result.error, exitCode: 4 };
  const stderr = cantRead(errors) + result.stderr;
  return { ...result, stderr, exitCode: result.exitCode || (errors ? 2 : 0) };
};

/** `sed -i`: each file is edited on its own and written back (vfs: where the session may write). */
function inPlace(ctx: CommandContext, commands: Command[], operands: string[], quiet: boolean): { stdout: string; stderr: string; exitCode: number } {
  if (operands.length === 0) return { stdout: '', stderr: 'sed: no input files\n', exitCode: 1 };
  let stderr = '';
  let exitCode = 0;
  for (const name of operands) {
    const { inputs, errors } = readInputs(ctx, 'sed', [name]);
    if (errors) {
      stderr += cantRead(errors);
      exitCode ||= 2;
      continue;
    }
    const result = runOn(ctx, commands, inputs[0]!.text, quiet);
    if ('error' in result) return { stdout: '', stderr: stderr + result.error, exitCode: 4 };
    // What -i prints goes to the file, as GNU sed writes the pattern space there.
    stderr += result.stderr;
    const error = writeFileCharged(ctx, name, result.stdout);
    if (error) {
      stderr += `sed: couldn't open file ${name}: ${error}\n`;
      exitCode = 4;
    }
    if (result.exitCode !== 0) return { stdout: '', stderr, exitCode: result.exitCode };
  }
  return { stdout: '', stderr, exitCode };
}

/** The script over one text: what sed prints, or the message of a run stopped by an error. */
function runOn(ctx: CommandContext, commands: Command[], text: string, quiet: boolean): { stdout: string; stderr: string; exitCode: number } | { error: string } {
  const lines = text.split('\n');
  const lastWithoutNewline = text !== '' && !text.endsWith('\n');
  if (!lastWithoutNewline) lines.pop();
  try {
    return run(ctx, commands, { lines, lastWithoutNewline, quiet });
  } catch (error) {
    if (error instanceof SedError) return { error: `sed: ${error.message}\n` };
    throw error;
  }
}

function cantRead(errors: string): string {
  return errors.replace(/^sed: (.*): No such file or directory$/gm, "sed: can't read $1: No such file or directory");
}
