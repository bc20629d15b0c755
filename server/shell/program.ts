// Programs that need the shell itself (sudo, ssh, xargs, exit, type…): they receive, besides
// the usual context, a handle to look commands up and to run whole lines.
import type { FactSink } from '../cluster/facts.js';
import type { CommandContext, CommandResult, ShellCommand, ShellSession } from './types.js';

export interface ProgramResult extends CommandResult {
  /** `exit`/`logout`: the rest of the typed line is not run. */
  stop?: boolean;
  /** `exit` on the workstation: the terminal session ends. */
  exitShell?: boolean;
}

export interface ShellApi {
  /**
   * The program `name` resolves to where the context's session is. `external` leaves out
   * the shell builtins (cd, export…), as `sudo` and `xargs` only find programs on disk.
   */
  find(ctx: CommandContext, name: string, external?: boolean): ShellProgram | undefined;
  /**
   * Runs a typed line in a session (the remote shell of `ssh NODE CMD`, awk's `"cmd" | getline`),
   * within the line's budget; what it showed goes to `sink`. `output` is both streams as printed.
   */
  runLine(session: ShellSession, line: string, sink?: FactSink, offTerminal?: boolean): { output: string; stdout: string; stderr: string; exitCode: number };
  /**
   * Runs a script in a child shell's session (`bash -c SCRIPT NAME ARGS…`): its own $0 and
   * positional parameters, `stdin` as standard input, within the line's budget.
   */
  runChild(session: ShellSession, script: ChildScript, sink?: FactSink): ProgramResult;
}

/** What a child shell runs: the text, its `$0` and `$1…`, and its standard input. */
export interface ChildScript {
  text: string;
  arg0: string;
  args: string[];
  stdin: string;
}

export type ShellProgram = (ctx: CommandContext, argv: string[], shell: ShellApi) => ProgramResult;

/** A plain ShellCommand as a ShellProgram. */
export const program = (command: ShellCommand): ShellProgram => (ctx, argv) => command(ctx, argv);
