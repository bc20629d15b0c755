// A small sed: scripts of `s/RE/REPL/FLAGS`, `p`, `d`, `q` commands, each with an optional
// address (N, $, /RE/) or range, `!` negation, `-n`, `-e`, `-E`. Other commands get sed's
// own "unknown command" error rather than a wrong result.
import type { ShellCommand } from '../types.js';
import { writeFile } from '../vfs.js';
import { joinLines, parseOptions, readInputs, splitLines } from './common.js';
import { MAX_OUTPUT_CHARS } from '../limits.js';
import { compileRegex, type Matcher } from './regex.js';

type Address = { kind: 'line'; n: number } | { kind: 'last' } | { kind: 're'; re: Matcher };

interface SedCommand {
  from?: Address;
  to?: Address;
  negate: boolean;
  name: 's' | 'p' | 'd' | 'q';
  re?: Matcher;
  replacement?: string;
  global?: boolean;
  print?: boolean;
  /** Range state: inside a from,to range. */
  active: boolean;
}

class SedError {
  constructor(readonly message: string) {}
}

function parseScript(script: string, extended: boolean): SedCommand[] {
  const commands: SedCommand[] = [];
  let i = 0;
  const at = (): string => script[i] ?? '';
  const skipSpace = (): void => {
    while (/[ \t\n;]/.test(at()) && i < script.length) i++;
  };
  const char = (): number => i + 1;
  const regexUntil = (delim: string): string => {
    let body = '';
    while (i < script.length && at() !== delim) {
      if (at() === '\\' && script[i + 1] === delim) {
        body += delim;
        i += 2;
      } else if (at() === '\\') {
        body += script.slice(i, i + 2);
        i += 2;
      } else body += script[i++];
    }
    if (at() !== delim) throw new SedError(`-e expression #1, char ${script.length}: unterminated address regex`);
    i++;
    return body;
  };
  const compile = (body: string, flags: string): Matcher => {
    const re = compileRegex(body, { extended, ignoreCase: flags.includes('i') || flags.includes('I') });
    if ('error' in re) throw new SedError(`-e expression #1, char ${char()}: ${re.error}`);
    return re;
  };
  const address = (): Address | undefined => {
    if (/\d/.test(at())) {
      const m = /^\d+/.exec(script.slice(i))!;
      i += m[0].length;
      return { kind: 'line', n: Number(m[0]) };
    }
    if (at() === '$') {
      i++;
      return { kind: 'last' };
    }
    if (at() === '/') {
      i++;
      return { kind: 're', re: compile(regexUntil('/'), '') };
    }
    return undefined;
  };
  for (skipSpace(); i < script.length; skipSpace()) {
    const from = address();
    let to: Address | undefined;
    if (from && at() === ',') {
      i++;
      to = address();
      if (!to) throw new SedError(`-e expression #1, char ${char()}: unexpected \`,'`);
    }
    while (at() === ' ') i++;
    let negate = false;
    if (at() === '!') {
      negate = true;
      i++;
    }
    const name = at();
    i++;
    const base = { ...(from ? { from } : {}), ...(to ? { to } : {}), negate, active: false };
    if (name === 's') {
      const delim = at();
      if (!delim || delim === '\n' || delim === '\\') throw new SedError(`-e expression #1, char ${char()}: unterminated \`s' command`);
      i++;
      const pattern = regexUntil(delim);
      let replacement = '';
      while (i < script.length && at() !== delim) {
        if (at() === '\\' && i + 1 < script.length) {
          replacement += script.slice(i, i + 2);
          i += 2;
        } else replacement += script[i++];
      }
      if (at() !== delim) throw new SedError(`-e expression #1, char ${script.length}: unterminated \`s' command`);
      i++;
      const flags = /^[gipI0-9]*/.exec(script.slice(i))![0];
      i += flags.length;
      if (i < script.length && !/[ \t\n;}]/.test(at())) throw new SedError(`-e expression #1, char ${char()}: unknown option to \`s'`);
      commands.push({ ...base, name: 's', re: compile(pattern, flags), replacement, global: flags.includes('g'), print: flags.includes('p') });
    } else if (name === 'p' || name === 'd' || name === 'q') {
      commands.push({ ...base, name });
    } else if (name === '') {
      throw new SedError(`-e expression #1, char ${script.length}: missing command`);
    } else {
      throw new SedError(`-e expression #1, char ${i}: unknown command: \`${name}'`);
    }
  }
  return commands;
}

/** sed's REPL: `&` is the match, `\1`–`\9` groups, `\n` a newline. */
function expandReplacement(replacement: string, match: string, groups: (string | undefined)[]): string {
  return replacement.replace(/\\([0-9n&\\])|&/g, (all, esc: string | undefined) => {
    if (esc === undefined) return match;
    if (esc === 'n') return '\n';
    if (esc === '&' || esc === '\\') return esc;
    return esc === '0' ? match : (groups[Number(esc) - 1] ?? '');
  });
}

function matches(address: Address, line: string, n: number, last: boolean): boolean {
  if (address.kind === 'line') return n === address.n;
  if (address.kind === 'last') return last;
  return address.re.test(line);
}

function selects(cmd: SedCommand, line: string, n: number, last: boolean): boolean {
  let hit: boolean;
  if (!cmd.from) hit = true;
  else if (!cmd.to) hit = matches(cmd.from, line, n, last);
  else if (cmd.active) {
    hit = true;
    const end = cmd.to.kind === 'line' ? n >= cmd.to.n : matches(cmd.to, line, n, last);
    if (end) cmd.active = false;
  } else {
    hit = matches(cmd.from, line, n, last);
    if (hit) cmd.active = !(cmd.to.kind === 'line' && cmd.to.n <= n);
  }
  return hit !== cmd.negate;
}

export const sed: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('sed', argv.slice(1), {
    flags: 'nErsuzi',
    valued: 'ef',
    long: {
      quiet: { key: 'n', value: false },
      silent: { key: 'n', value: false },
      expression: { key: 'e', value: true },
      'regexp-extended': { key: 'E', value: false },
      'in-place': { key: 'i', value: false },
    },
    usage: 'Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n\n',
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const operands = [...o.operands];
  const script = o.has('e') ? o.all('e').join('\n') : operands.shift();
  if (script === undefined) return { stdout: '', stderr: "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n", exitCode: 1 };
  let commands: SedCommand[];
  try {
    commands = parseScript(script, o.has('E') || o.has('r'));
  } catch (error) {
    if (error instanceof SedError) return { stdout: '', stderr: `sed: ${error.message}\n`, exitCode: 1 };
    throw error;
  }
  if (o.has('i')) {
    // -i: each file is edited on its own and written back (vfs: where the session may write).
    if (operands.length === 0) return { stdout: '', stderr: 'sed: no input files\n', exitCode: 1 };
    let stderr = '';
    for (const name of operands) {
      const { inputs, errors } = readInputs(ctx, 'sed', [name]);
      stderr += errors;
      if (inputs.length === 0) continue;
      const edited = runScript(commands, splitLines(inputs[0]!.text), o.has('n'));
      const error = writeFile(ctx.state, ctx.session, name, edited);
      if (error) stderr += `sed: couldn't open file ${name}: ${error}\n`;
    }
    return { stdout: '', stderr, exitCode: stderr ? 4 : 0 };
  }
  const { inputs, errors } = readInputs(ctx, 'sed', operands);
  const stdout = runScript(commands, inputs.flatMap((input) => splitLines(input.text)), o.has('n'));
  return { stdout, stderr: errors, exitCode: errors ? 2 : 0 };
};

/** The script over the lines: what sed prints. */
function runScript(commands: SedCommand[], lines: string[], quiet: boolean): string {
  const out: string[] = [];
  let size = 0;
  // Past MAX_OUTPUT_CHARS the shell cuts the output anyway: stop there.
  for (let n = 1; n <= lines.length && size <= MAX_OUTPUT_CHARS; n++) {
    let line = lines[n - 1]!;
    const last = n === lines.length;
    let deleted = false;
    let quit = false;
    for (const cmd of commands) {
      if (!selects(cmd, line, n, last)) continue;
      if (cmd.name === 'p') out.push(line);
      else if (cmd.name === 'd') {
        deleted = true;
        break;
      } else if (cmd.name === 'q') {
        quit = true;
        break;
      } else {
        const next = cmd.re!.replace(line, cmd.global ?? false, (m) => expandReplacement(cmd.replacement!, m.text, m.groups));
        line = next.text;
        if (next.count > 0 && cmd.print) out.push(line);
      }
    }
    if (!deleted && !quiet) out.push(line);
    size += line.length;
    if (quit) break;
  }
  return joinLines(out);
}
