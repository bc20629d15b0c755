// procps `watch -n N CMD`: runs CMD, lets N seconds of simulated time pass, runs it again.
// At an interactive terminal it goes on as the room's clock moves, until Ctrl-C (a stream,
// ctx.follow / ctx.resume); elsewhere the frames stop at a bound (MAX_FRAMES, or the line's
// sleep allowance), or with -g / --chgexit when the output changes. Each frame starts with
// watch's title line, as the terminal would show it before clearing.
import { wallClock } from '../cluster/logs.js';
import type { ShellProgram } from './program.js';
import { hostOf } from './session.js';

/** Frames one `watch` prints at most. */
export const MAX_FRAMES = 10;

const USAGE = `
Usage:
 watch [options] command

Options:
  -b, --beep             beep if command has a non-zero exit
  -e, --errexit          exit if command has a non-zero exit
  -g, --chgexit          exit when output from command changes
  -n, --interval <secs>  seconds to wait between updates
  -t, --no-title         turn off header
`;

export const watch: ShellProgram = (ctx, argv, shell) => {
  let interval = 2;
  let title = true;
  let untilChange = false;
  let errexit = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg === '--') {
      i++;
      break;
    }
    const long = /^--(interval)(?:=(.*))?$/.exec(arg);
    const value = long ? (long[2] ?? argv[++i]) : /^-n(.+)$/.exec(arg)?.[1] ?? (arg === '-n' ? argv[++i] : undefined);
    if (long || arg.startsWith('-n')) {
      if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) return { stdout: '', stderr: `watch: failed to parse argument: '${value ?? ''}'\n`, exitCode: 1 };
      interval = Math.max(0.1, Number(value));
    } else if (arg === '-t' || arg === '--no-title') title = false;
    else if (arg === '-g' || arg === '--chgexit') untilChange = true;
    else if (arg === '-e' || arg === '--errexit') errexit = true;
    else if (arg === '-b' || arg === '--beep' || arg === '-d' || arg === '--differences' || arg === '-c' || arg === '--color') continue;
    else return { stdout: '', stderr: `watch: invalid option -- '${arg.replace(/^-+/, '')}'\n${USAGE}`, exitCode: 1 };
  }
  const command = argv.slice(i).join(' ');
  if (command === '') return { stdout: '', stderr: USAGE, exitCode: 1 };
  const frame = (): { text: string; output: string; exitCode: number } => {
    const ran = shell.runLine(ctx.session, command);
    let text = '';
    if (title) {
      const left = `Every ${interval.toFixed(1)}s: ${command}`;
      const right = `${hostOf(ctx.session)}: ${wallClock(ctx.state, ctx.state.now).toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$1 $3 $2 $5 $4')}`;
      text += `${left}${' '.repeat(Math.max(1, 80 - left.length - right.length))}${right}\n\n`;
    }
    text += ran.output.endsWith('\n') || ran.output === '' ? ran.output : `${ran.output}\n`;
    return { text, output: ran.output, exitCode: ran.exitCode };
  };
  // A running stream: a frame once the interval has passed since the last (the room's clock moves in steps).
  if (ctx.resume?.kind === 'watch') {
    if (ctx.state.now - ctx.resume.lastAt < interval * 1000) return { stdout: '', stderr: '', exitCode: 0 };
    ctx.resume.lastAt = ctx.state.now;
    const next = frame();
    if (errexit && next.exitCode !== 0) return { stdout: next.text, stderr: ERREXIT, exitCode: 8, streamEnded: true };
    return { stdout: next.text, stderr: '', exitCode: 0 };
  }
  let stdout = '';
  let previous: string | undefined;
  for (let n = 0; n < MAX_FRAMES; n++) {
    if (n > 0 && (ctx.passTime?.(interval * 1000) ?? 0) < interval * 1000) break;
    const next = frame();
    stdout += next.text;
    if (errexit && next.exitCode !== 0) return { stdout, stderr: ERREXIT, exitCode: 8 };
    if (untilChange && previous !== undefined && next.output !== previous) break;
    previous = next.output;
    if (ctx.follow && !untilChange) {
      ctx.follow({ kind: 'watch', lastAt: ctx.state.now });
      break;
    }
    if (!ctx.passTime) break; // no clock here: one frame is all there is
  }
  return { stdout, stderr: '', exitCode: 0 };
};

const ERREXIT = '\ncommand exit with a non-zero status, press a key to exit\n';
