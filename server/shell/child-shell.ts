// `bash` and `sh` as programs on the workstation and the nodes (a container's shells are the
// image's: exec/index.ts): `-c SCRIPT [NAME [ARG…]]`, `FILE [ARG…]`, or a script piped in
// (`… | bash`). The child gets a copy of the session (directory, place) whose variables are the
// environment it was given (exported ones, `VAR=x bash` prefixes; no arrays), without the
// functions, aliases, traps and options of the parent, and its own $0 and positional
// parameters; `exit` ends the child only. Ubuntu's /bin/sh is dash, and `sh` refuses what dash
// does: bash's syntax (parse.ts `dash`), builtins and `${…}` forms (run.ts), `echo -e`, `[ a == b ]`.
// `bash` or `sh` typed alone at the terminal opens an interactive shell inside the one typed in
// (login.ts `enterNestedShell`): the same place and environment, its own variables, until `exit`.
import type { ProgramResult, ShellProgram } from './program.js';
import { enterNestedShell } from './login.js';
import { assignVar, baseEnv, exportVar, forkSession } from './session.js';
import type { SavedShell, ShellOptions, ShellSession } from './types.js';
import { readFile } from './vfs.js';

const fail = (stderr: string, exitCode: number): ProgramResult => ({ stdout: '', stderr, exitCode });

/** bash 5.1's usage lines after an invalid option. */
const BASH_USAGE = `Usage:\tbash [GNU long option] [option] ...
\tbash [GNU long option] [option] script-file ...
GNU long options:
\t--debug
\t--debugger
\t--dump-po-strings
\t--dump-strings
\t--help
\t--init-file
\t--login
\t--noediting
\t--noprofile
\t--norc
\t--posix
\t--pretty-print
\t--rcfile
\t--restricted
\t--verbose
\t--version
Shell options:
\t-ilrsD or -c command or -O shopt_option\t\t(invocation only)
\t-abefhkmnptuvxBCHP or -o option
`;

const LETTERS: Record<string, keyof ShellOptions> = { e: 'errexit', u: 'nounset', x: 'xtrace' };
const NAMED: Record<string, keyof ShellOptions> = { errexit: 'errexit', nounset: 'nounset', xtrace: 'xtrace', pipefail: 'pipefail' };
/** Invocation options that change nothing the simulation models. */
const IGNORED = new Set(['-i', '-l', '-v', '--login', '--norc', '--noprofile', '--posix', '--noediting']);

export const childShell: ShellProgram = (ctx, argv, shell) => {
  const name = argv[0]!.replace(/^.*\//, '') === 'sh' ? 'sh' : 'bash';
  const options: ShellOptions = {};
  let command = false;
  let fromStdin = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--' || a === '-') {
      i++;
      break;
    }
    if (IGNORED.has(a)) continue;
    const letters = /^[-+]([a-zA-Z]+)$/.exec(a)?.[1];
    if (letters === undefined) break;
    for (const letter of letters) {
      if (letter === 'o') {
        // `-euo pipefail`: each `o` takes the next word as an option's name.
        const option = NAMED[argv[++i] ?? ''];
        if (option === undefined) return fail(`${name}: ${argv[i] ?? ''}: invalid option name\n`, 2);
        options[option] = a.startsWith('-');
      } else if (letter === 'c' && a.startsWith('-')) command = true;
      else if (letter === 's' && a.startsWith('-')) fromStdin = true;
      else if (LETTERS[letter]) options[LETTERS[letter]] = a.startsWith('-');
      else if (!'ilv'.includes(letter)) {
        return fail(name === 'sh' ? `sh: 0: Illegal option -${letter}\n` : `bash: -${letter}: invalid option\n${BASH_USAGE}`, 2);
      }
    }
  }
  const rest = argv.slice(i);
  let text: string;
  let arg0 = name;
  let args: string[] = [];
  let stdin = '';
  if (command) {
    if (rest[0] === undefined) return fail(name === 'sh' ? 'sh: 0: -c requires an argument\n' : 'bash: -c: option requires an argument\n', 2);
    text = rest[0];
    arg0 = rest[1] ?? name;
    args = rest.slice(2);
    stdin = ctx.stdin;
  } else if (fromStdin || (rest[0] === undefined && !ctx.stdinIsTerminal)) {
    // `… | bash`, `… | bash -s ARG…`: the script is standard input, the words its parameters.
    if (ctx.stdinIsTerminal) return { stdout: '', stderr: '', exitCode: 0 };
    text = ctx.stdin;
    args = rest;
  } else if (rest[0] !== undefined) {
    const file = readFile(ctx, name, rest[0]);
    if (!file.ok) return fail(name === 'sh' ? `sh: 0: cannot open ${rest[0]}: No such file\n` : `bash: ${rest[0]}: No such file or directory\n`, name === 'sh' ? 2 : 127);
    text = file.content;
    arg0 = rest[0];
    args = rest.slice(1);
    stdin = ctx.stdin;
  } else {
    // An interactive shell at the terminal (a script's `bash` reads no terminal here: it ends at once).
    if (ctx.session.script || !ctx.stdinIsTerminal) return { stdout: '', stderr: '', exitCode: 0 };
    if (!enterNestedShell(ctx.session, environmentShell(ctx.env, ctx.session, name, options))) return fail(`${name}: fork: Resource temporarily unavailable\n`, 1);
    return { stdout: '', stderr: '', exitCode: 0 };
  }
  const child: ShellSession = { ...forkSession(ctx.session), script: true, ...environmentShell(ctx.env, ctx.session, name, options) };
  // Only a bash reads the functions `export -f` put in its environment.
  const exported = Object.entries(ctx.session.functions ?? {}).filter(([f]) => ctx.session.exportedFunctions?.[f]);
  if (name === 'bash' && exported.length > 0) child.functions = Object.fromEntries(exported);
  else delete child.functions;
  delete child.aliases;
  delete child.traps;
  delete child.arrays;
  delete child.assoc;
  if (!child.dash) delete child.dash;
  return shell.runChild(child, { text, arg0, args, stdin }, ctx.facts);
};

/**
 * A new shell's own state: the variables of the environment it was given (what differs from the
 * login environment it computes itself — HOME, PWD… — is its own, exported as it came), the
 * invocation's options, dash's language for `sh`; no functions, arrays or traps.
 */
function environmentShell(env: Record<string, string>, parent: ShellSession, name: string, options: ShellOptions): SavedShell {
  const shell: ShellSession = { ...parent, vars: {}, exported: {}, options };
  const login = baseEnv(shell);
  for (const [key, value] of Object.entries(env)) {
    if (login[key] === value) continue;
    assignVar(shell, key, value);
    exportVar(shell, key);
  }
  return { vars: shell.vars, exported: shell.exported, options, ...(name === 'sh' ? { dash: true as const } : {}) };
}
