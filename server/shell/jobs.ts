// Background jobs on the workstation, the way an SRE keeps a port-forward or a proxy open in
// the one terminal they have: `kubectl port-forward svc/web 8080:80 &` prints bash's
// `[1] PID` and goes on serving its loopback port for the rest of the session; `jobs` lists it,
// `kill %1` / `kill $!` / `kill PID` end it with bash's notice (`[1]+  Terminated …`), and a
// forward whose pod went away ends by itself ("error: lost connection to pod", then bash's
// `Exit 1` notice before the next prompt). Formats from bash 5 (jobs.c pretty_print_job: the
// status in a 24-column field; `+` the current job, `-` the previous one) checked with
// `bash -i -c 'sleep 100 & jobs'`. Only programs that keep serving become jobs; any other
// command typed with `&` still runs at once (the line's `$!` is still set).
import type { ClusterState } from '../cluster/types.js';
import type { ShellProgram } from './program.js';
import type { Job, Listener, ShellSession } from './types.js';

/** Most jobs a workstation keeps (each holds a few loopback ports). */
export const MAX_JOBS = 16;

/** A process id for what the line starts, stable under replay: from the line's number and the jobs already there. */
export function nextPid(session: ShellSession): number {
  return 4243 + 11 * ((session.historyBase ?? 0) + session.history.length) + (session.jobs?.length ?? 0);
}

/** Starts a job for a serving program; its number is the lowest free one above the others, as bash numbers them. */
export function startJob(session: ShellSession, argv: string[], listeners: Listener[]): Job {
  const jobs = (session.jobs ??= []);
  const job: Job = { id: Math.max(0, ...jobs.map((j) => j.id)) + 1, pid: nextPid(session), command: argv.join(' '), listeners };
  jobs.push(job);
  return job;
}

/** The job serving a loopback port of the workstation, if any. */
export function listenerAt(session: ShellSession, port: number): Listener | undefined {
  for (const job of session.jobs ?? []) for (const l of job.listeners) if (l.port === port) return l;
  return undefined;
}

const marker = (jobs: Job[], job: Job): string => (job === jobs[jobs.length - 1] ? '+' : job === jobs[jobs.length - 2] ? '-' : ' ');

/** bash's line for a job: `[1]+  Running                 CMD &`. */
function jobLine(jobs: Job[], job: Job, status: string, pid = false): string {
  const running = status === 'Running';
  return `[${job.id}]${marker(jobs, job)}  ${pid ? `${job.pid} ` : ''}${status.padEnd(24)}${job.command}${running ? ' &' : ''}\n`;
}

/** Ends a job: bash's notice, and its ports close. */
function endJob(session: ShellSession, job: Job, status: string): string {
  const jobs = session.jobs ?? [];
  const line = jobLine(jobs, job, status);
  session.jobs = jobs.filter((j) => j !== job);
  if (session.jobs.length === 0) delete session.jobs;
  return line;
}

/**
 * Forwards whose pod is gone or no longer running end (kubectl port-forward returns "lost
 * connection to pod"): what the terminal shows of it before the next prompt.
 */
export function reapJobs(state: ClusterState, session: ShellSession): string {
  let out = '';
  for (const job of [...(session.jobs ?? [])]) {
    const lost = job.listeners.some((l) => {
      if (l.kind !== 'forward') return false;
      const pod = state.pods[`${l.namespace}/${l.pod}`];
      return !pod || pod.metadata.uid !== l.uid || pod.status.phase !== 'Running';
    });
    if (lost) out += `error: lost connection to pod\n${endJob(session, job, 'Exit 1')}`;
  }
  return out;
}

/** `jobs [-l|-p]`. */
export const jobs: ShellProgram = (ctx, argv) => {
  const list = ctx.session.jobs ?? [];
  const opts = argv.slice(1).join('');
  if (opts.includes('p')) return { stdout: list.map((j) => `${j.pid}\n`).join(''), stderr: '', exitCode: 0 };
  return { stdout: list.map((j) => jobLine(list, j, 'Running', opts.includes('l'))).join(''), stderr: '', exitCode: 0 };
};

const SIGNALS: Record<string, string> = { HUP: 'Hangup', INT: 'Interrupt', KILL: 'Killed', TERM: 'Terminated', '1': 'Hangup', '2': 'Interrupt', '9': 'Killed', '15': 'Terminated' };
const KILL_USAGE = 'kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n';

/** bash's `kill [-SIGNAL | -s SIGNAL] %JOB | PID…`: ends the workstation's jobs; other processes are not the player's. */
export const kill: ShellProgram = (ctx, argv) => {
  const args = argv.slice(1);
  let signal = 'TERM';
  if (args[0] === '-s' || args[0] === '-n') {
    signal = (args[1] ?? '').toUpperCase().replace(/^SIG/, '');
    args.splice(0, 2);
  } else if (args[0]?.startsWith('-') && args[0] !== '-') signal = args.shift()!.slice(1).toUpperCase().replace(/^SIG/, '');
  const status = SIGNALS[signal];
  if (status === undefined) return { stdout: '', stderr: `bash: kill: ${signal}: invalid signal specification\n`, exitCode: 1 };
  if (args.length === 0) return { stdout: '', stderr: KILL_USAGE, exitCode: 2 };
  let stderr = '';
  let exitCode = 0;
  for (const target of args) {
    const list = ctx.session.jobs ?? [];
    const job = target.startsWith('%')
      ? (target === '%' || target === '%+' || target === '%%' ? list[list.length - 1] : target === '%-' ? list[list.length - 2] : list.find((j) => `%${j.id}` === target))
      : list.find((j) => String(j.pid) === target);
    if (job) {
      stderr += endJob(ctx.session, job, status);
      continue;
    }
    exitCode = 1;
    if (target.startsWith('%')) stderr += `bash: kill: ${target}: no such job\n`;
    else if (/^\d+$/.test(target)) stderr += `bash: kill: (${target}) - ${Number(target) < 1000 ? 'Operation not permitted' : 'No such process'}\n`;
    else stderr += `bash: kill: ${target}: arguments must be process or job IDs\n`;
  }
  return { stdout: '', stderr, exitCode };
};
