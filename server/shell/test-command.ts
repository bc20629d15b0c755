// `test EXPR` and `[ EXPR ]`, for `if` conditions: strings (`-z`, `-n`, `=`, `!=`), integers
// (`-eq` … `-ge`), files where the session is (`-e`, `-f`, `-d`, `-s`: a node's, a container's, the workstation's), `!`, and `-a` / `-o`
// (`-a` binding tighter), each part evaluated by argument count as POSIX specifies. Errors
// are bash's, with status 2.
import { currentNode } from './session.js';
import { getVar } from './vars.js';
import { isDirectory, readFile, resolvePath } from './vfs.js';
import type { CommandContext, ShellCommand } from './types.js';

type Outcome = boolean | { error: string };

const STRING_OPS = new Set(['=', '==', '!=', '<', '>']);
const INTEGER_OPS = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge']);
const UNARY_OPS = new Set(['-z', '-n', '-e', '-f', '-d', '-s', '-r', '-w', '-x', '-v']);

/** `A -o B`, then `A -a B`: an operator with an expression on each side splits the arguments. */
function expression(ctx: CommandContext, args: string[]): Outcome {
  for (const op of ['-o', '-a']) {
    const at = args.indexOf(op, 1);
    if (at < 1 || at >= args.length - 1) continue;
    const left = expression(ctx, args.slice(0, at));
    if (typeof left !== 'boolean') return left;
    const right = expression(ctx, args.slice(at + 1));
    if (typeof right !== 'boolean') return right;
    return op === '-o' ? left || right : left && right;
  }
  return evaluate(ctx, args);
}

function evaluate(ctx: CommandContext, args: string[]): Outcome {
  switch (args.length) {
    case 0:
      return false;
    case 1:
      return args[0] !== '';
    case 2:
      if (args[0] === '!') return not(evaluate(ctx, args.slice(1)));
      if (UNARY_OPS.has(args[0]!)) return unary(ctx, args[0]!, args[1]!);
      return { error: `${args[0]}: unary operator expected` };
    case 3:
      // dash's test has `=` alone.
      if (ctx.session.dash && args[1] === '==') return { error: `${args[0]}: unexpected operator` };
      if (STRING_OPS.has(args[1]!) || INTEGER_OPS.has(args[1]!)) return binary(args[0]!, args[1]!, args[2]!, ctx.session.dash === true);
      if (args[0] === '!') return not(evaluate(ctx, args.slice(1)));
      if (args[0] === '(' && args[2] === ')') return evaluate(ctx, [args[1]!]);
      return { error: `${args[1]}: binary operator expected` };
    case 4:
      if (args[0] === '!') return not(evaluate(ctx, args.slice(1)));
      return { error: 'too many arguments' };
    default:
      return { error: 'too many arguments' };
  }
}

const not = (o: Outcome): Outcome => (typeof o === 'boolean' ? !o : o);

function unary(ctx: CommandContext, op: string, operand: string): Outcome {
  if (op === '-z') return operand === '';
  if (op === '-n') return operand !== '';
  // bash's `-v NAME`: the variable (or array element) is set; dash has no such test.
  if (op === '-v') return ctx.session.dash ? { error: `${op}: unexpected operator` } : getVar(ctx.session, operand) !== undefined;
  // Where the session is: a node's host files, else the workstation's or the container's (layer and mounts).
  const abs = resolvePath(ctx.session, operand);
  const node = ctx.session.container ? undefined : currentNode(ctx.state, ctx.session);
  const read = node ? undefined : readFile(ctx, 'test', abs);
  const text = node ? node.host.files[abs] : read?.ok ? read.content : undefined;
  const isFile = text !== undefined;
  const isDir = !isFile && isDirectory(ctx.state, ctx.session, abs);
  if (op === '-f') return isFile;
  if (op === '-d') return isDir;
  if (op === '-s') return isFile && text !== '';
  return isFile || isDir; // -e, -r, -w, -x: the player is root on a node
}

function binary(left: string, op: string, right: string, dash: boolean): Outcome {
  if (op === '=' || op === '==') return left === right;
  if (op === '!=') return left !== right;
  // The C locale's order: by code point.
  if (op === '<') return left < right;
  if (op === '>') return left > right;
  const notInteger = (text: string): Outcome => ({ error: dash ? `Illegal number: ${text}` : `${text}: integer expression expected` });
  const a = integer(left);
  if (a === undefined) return notInteger(left);
  const b = integer(right);
  if (b === undefined) return notInteger(right);
  switch (op) {
    case '-eq': return a === b;
    case '-ne': return a !== b;
    case '-lt': return a < b;
    case '-le': return a <= b;
    case '-gt': return a > b;
    default: return a >= b;
  }
}

function integer(text: string): bigint | undefined {
  return /^\s*[-+]?\d+\s*$/.test(text) ? BigInt(text.trim()) : undefined;
}

function run(name: string, ctx: CommandContext, args: string[]): ReturnType<ShellCommand> {
  const result = expression(ctx, args);
  if (typeof result === 'boolean') return { stdout: '', stderr: '', exitCode: result ? 0 : 1 };
  return { stdout: '', stderr: `bash: ${name}: ${result.error}\n`, exitCode: 2 };
}

export const testCommand: ShellCommand = (ctx, argv) => run('test', ctx, argv.slice(1));

export const bracketCommand: ShellCommand = (ctx, argv) => {
  if (argv.at(-1) !== ']') return { stdout: '', stderr: ctx.session.dash ? 'bash: [: missing ]\n' : "bash: [: missing `]'\n", exitCode: 2 };
  return run('[', ctx, argv.slice(1, -1));
};
