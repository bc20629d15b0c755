// coreutils `timeout [OPTION] DURATION COMMAND…`: the command runs with simulated time capped
// at the duration (0: no cap); a command still waiting then (sleep, `kubectl get -w`, `rollout
// status`, watch) is stopped and timeout exits 124, or 128+N with --preserve-status or -s KILL
// (which takes timeout down with its process group), as coreutils 9.1 does; -v says so.
import { durationMs } from './builtins.js';
import type { ShellProgram } from './program.js';

const SIGNALS: Record<string, number> = { TERM: 15, KILL: 9, INT: 2, HUP: 1, QUIT: 3 };

const USAGE = "Try 'timeout --help' for more information.\n";
const usage = (text: string): { stdout: string; stderr: string; exitCode: number } => ({ stdout: '', stderr: `${text}\n${USAGE}`, exitCode: 125 });

export const timeout: ShellProgram = (ctx, argv, shell) => {
  const args = argv.slice(1);
  let signal = 'TERM';
  let preserve = false;
  let verbose = false;
  let i = 0;
  // getopt_long with "+k:s:v" (--preserve-status and --foreground are long only): options stop at the first operand.
  for (; i < args.length && args[i]!.startsWith('-') && args[i] !== '-'; i++) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (a.startsWith('--')) {
      const [name, value] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      const needs = name === '--signal' || name === '--kill-after';
      const arg = needs ? value ?? args[++i] : undefined;
      if (needs && arg === undefined) return usage(`timeout: option '${name}' requires an argument`);
      if (name === '--signal') signal = arg!;
      else if (name === '--preserve-status') preserve = true;
      else if (name === '--verbose') verbose = true;
      else if (name !== '--kill-after' && name !== '--foreground') return usage(`timeout: unrecognized option '${a}'`);
      continue;
    }
    for (let k = 1; k < a.length; k++) {
      const f = a[k]!;
      if (f === 's' || f === 'k') {
        const arg = k + 1 < a.length ? a.slice(k + 1) : args[++i];
        if (arg === undefined) return usage(`timeout: option requires an argument -- '${f}'`);
        if (f === 's') signal = arg;
        break;
      }
      if (f === 'v') verbose = true;
      else return usage(`timeout: invalid option -- '${f}'`);
    }
  }
  const [duration, ...command] = args.slice(i);
  // usage (EXIT_CANCELED) with no message: coreutils 9.1 prints only the hint.
  if (duration === undefined || command.length === 0) return { stdout: '', stderr: USAGE, exitCode: 125 };
  const limit = durationMs([duration]);
  if (typeof limit !== 'number') return usage(`timeout: invalid time interval ‘${duration}’`);
  const sig = SIGNALS[signal.replace(/^SIG/, '').toUpperCase()] ?? (/^\d+$/.test(signal) ? Number(signal) : undefined);
  if (sig === undefined) return usage(`timeout: ${signal}: invalid signal`);
  const found = shell.find(ctx, command[0]!, true);
  if (!found) return { stdout: '', stderr: `timeout: failed to run command ‘${command[0]}’: No such file or directory\n`, exitCode: 127 };
  // A duration of 0 disables the timeout (coreutils: "A duration of 0 disables the associated timeout").
  if (limit === 0) return found(ctx, command, shell);
  let left = limit;
  let expired = false;
  const passTime = ctx.passTime;
  const capped = passTime && ((ms: number): number => {
    const granted = passTime(Math.min(ms, left));
    left -= granted;
    if (ms > granted && left <= 0) expired = true;
    return granted;
  });
  // What timeout says and exits with once the time is up: 124, or with --preserve-status the
  // command's death by the signal (128+N); KILL takes timeout itself down with its group (137).
  const stopped = (): { stderr: string; exitCode: number } => ({
    stderr: verbose ? `timeout: sending signal ${Object.keys(SIGNALS).find((k) => SIGNALS[k] === sig) ?? sig} to command ‘${command[0]}’\n` : '',
    exitCode: preserve || sig === 9 ? 128 + sig : 124,
  });
  if (command[0] === 'sleep') {
    // sleep itself would call the cap the line's own bound: the time passes here instead.
    const wanted = durationMs(command.slice(1));
    if (typeof wanted === 'number' && wanted > limit) {
      capped?.(wanted);
      return { stdout: '', ...stopped() };
    }
  }
  const result = found({ ...ctx, ...(capped ? { passTime: capped } : {}) }, command, shell);
  if (!expired) return result;
  const end = stopped();
  return { ...result, stderr: `${result.stderr}${end.stderr}`, exitCode: end.exitCode };
};
