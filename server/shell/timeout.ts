// coreutils `timeout DURATION COMMAND…`: the command runs with simulated time capped at the
// duration; a command still waiting then (sleep, `kubectl get -w`, `rollout status`, watch) is
// stopped and timeout exits 124 (128+9 with -s KILL), as the real one does.
import { durationMs } from './builtins.js';
import type { ShellProgram } from './program.js';

const SIGNALS: Record<string, number> = { TERM: 15, KILL: 9, INT: 2, HUP: 1, QUIT: 3 };

export const timeout: ShellProgram = (ctx, argv, shell) => {
  const args = argv.slice(1);
  let signal = 'TERM';
  let i = 0;
  for (; i < args.length && args[i]!.startsWith('-') && args[i] !== '-'; i++) {
    const a = args[i]!;
    if (a === '-s' || a === '--signal') signal = args[++i] ?? '';
    else if (a.startsWith('--signal=')) signal = a.slice(9);
    else if (a === '-k' || a === '--kill-after') i++;
    else if (a === '--') {
      i++;
      break;
    }
  }
  const [duration, ...command] = args.slice(i);
  if (duration === undefined || command.length === 0) {
    return { stdout: '', stderr: `timeout: missing operand\nTry 'timeout --help' for more information.\n`, exitCode: 125 };
  }
  const limit = durationMs([duration]);
  if (typeof limit !== 'number') return { stdout: '', stderr: `timeout: invalid time interval ‘${duration}’\nTry 'timeout --help' for more information.\n`, exitCode: 125 };
  const sig = SIGNALS[signal.replace(/^SIG/, '').toUpperCase()] ?? (/^\d+$/.test(signal) ? Number(signal) : undefined);
  if (sig === undefined) return { stdout: '', stderr: `timeout: ${signal}: invalid signal\nTry 'timeout --help' for more information.\n`, exitCode: 125 };
  const found = shell.find(ctx, command[0]!, true);
  if (!found) return { stdout: '', stderr: `timeout: failed to run command ‘${command[0]}’: No such file or directory\n`, exitCode: 127 };
  let left = limit;
  let expired = false;
  const passTime = ctx.passTime;
  const capped = passTime && ((ms: number): number => {
    const granted = passTime(Math.min(ms, left));
    left -= granted;
    if (ms > granted && left <= 0) expired = true;
    return granted;
  });
  if (command[0] === 'sleep') {
    // sleep itself would call the cap the line's own bound: the time passes here instead.
    const wanted = durationMs(command.slice(1));
    if (typeof wanted === 'number' && wanted > limit) {
      capped?.(wanted);
      return { stdout: '', stderr: '', exitCode: sig === 9 ? 137 : 124 };
    }
  }
  const result = found({ ...ctx, ...(capped ? { passTime: capped } : {}) }, command, shell);
  return expired ? { ...result, exitCode: sig === 9 ? 137 : 124 } : result;
};
