// What a container runs as its own process (a pod's command and args, `kubectl run … --
// CMD`), for cluster/processes.ts: its output, when each line was written, and how long it
// runs. Programs that wait are what keep debug pods up: `sleep 3600`, `sleep infinity`,
// `tail -f /dev/null`, an image's own server binary (`nginx -g 'daemon off;'`). In an image
// with a shell, any other command and every `sh -c SCRIPT` runs through the shell inside the
// container (its builtins, text tools and the image's programs, as `kubectl exec -it … sh`
// has them) on the process's own clock: its sleeps pass simulated time for the process only,
// and each line is written at the process time it was printed (the shell's `sleep` marks the
// output with the clock, session.processClock), shown once the cluster's clock reaches it.
// A script is followed for at most an hour of its time and a quarter of a typed line's steps:
// a loop still going then runs on, silent, until the container is stopped.
import type { ProcessResult } from '../../cluster/processes.js';
import type { ClusterState, Pod, ProcessResume } from '../../cluster/types.js';
import type { ShellSession } from '../types.js';
import { LineBudget, MAX_STEPS_PER_LINE } from '../budget.js';
import { durationMs } from '../builtins.js';
import type { runScript } from '../index.js';
import { shellEntry, shellLoaded } from '../entry.js';
import { newSession } from '../session.js';
import { attachedShell, imageHas, imageOf, runProgram } from './index.js';

/** The longest stretch of a container's script that is followed (simulated ms). */
export const SCRIPT_HORIZON_MS = 60 * 60_000;
/** Steps one container's script may take when it starts (a quarter of a typed line's: some ten network calls). */
const STEPS_PER_SCRIPT = MAX_STEPS_PER_LINE / 4;
/**
 * The steps all scripts starting may take: at most a typed line's at once, refilled at half a
 * line's per simulated minute. A Job of many busy pods, or a typed `sleep 300` that runs five
 * minutes of ticks in one turn, must not stall the room (or others); past it, a start waits.
 */
const SCRIPT_STEPS_MAX = MAX_STEPS_PER_LINE;
const SCRIPT_STEPS_PER_MINUTE = MAX_STEPS_PER_LINE / 2;

function scriptSteps(state: ClusterState): { at: number; steps: number } {
  const left = state.processSteps ?? { at: state.now, steps: SCRIPT_STEPS_MAX };
  const refilled = Math.min(SCRIPT_STEPS_MAX, left.steps + ((state.now - left.at) * SCRIPT_STEPS_PER_MINUTE) / 60_000);
  state.processSteps = { at: state.now, steps: refilled };
  return state.processSteps;
}

const endless = (): Exclude<ProcessResult, { missing: string } | { deferred: true }> => ({ stdout: '', stderr: '', exitCode: 0, runMs: 'endless' });
const programName = (word: string): string => word.replace(/^.*\//, '');
const quote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;

/**
 * The program is the image's own server, which serves until stopped: its name is the image's
 * (nginx in nginx, httpd), or that name with `-server` or `d` (redis-server, mysqld). Clients
 * shipped beside it (redis-cli, mysqladmin) run and end like any command.
 */
function serves(image: string, program: string): boolean {
  const repository = programName(image.replace(/[@:][^/]*$/, ''));
  const name = programName(program);
  return repository.length > 1 && (name === repository || name === `${repository}-server` || name === `${repository}d`);
}

export function runAsProcess(state: ClusterState, pod: Pod, container: string, argv: string[], resume?: ProcessResume): ProcessResult {
  const name = programName(argv[0] ?? '');
  const hasShell = imageHas(pod, container, 'sh');
  if (hasShell && name === 'sleep') {
    if (argv[1] === 'infinity' || argv[1] === 'inf') return endless();
    const ms = durationMs(argv.slice(1));
    if (typeof ms !== 'number' || argv.length < 2) return { stdout: '', stderr: `sleep: invalid number '${argv[1] ?? ''}'\n`, exitCode: 1 };
    return { stdout: '', stderr: '', exitCode: 0, runMs: ms };
  }
  if (hasShell && name === 'tail' && argv.some((a) => /^-[a-zA-Z]*[fF]/.test(a))) return endless();
  // A shell reading stdin that stays open (`stdin: true`, `kubectl run -i … -- sh`) waits for what attach sends it.
  if (attachedShell(pod, container) !== undefined) return endless();
  if (hasShell && (name === 'sh' || name === 'bash') && argv[1] === '-c' && argv[2] !== undefined) return script(state, pod, container, argv[2], name, resume);
  const ran = runProgram(state, pod, container, argv);
  if (!('missing' in ran)) {
    const { elapsedMs, ...result } = ran.result;
    return { ...result, ...(elapsedMs ? { runMs: elapsedMs } : {}) };
  }
  if (serves(imageOf(pod, container), name)) return endless();
  // Another command of a shell image (date, printenv, seq, …): the shell finds it or says it cannot.
  if (hasShell && argv.length > 0) {
    const found = script(state, pod, container, commandLine(argv), 'sh', resume);
    if ('deferred' in found || found.exitCode !== 127) return found;
  }
  return ran;
}

/**
 * `text` run by the container's shell: its builtins, text tools and the image's programs; in
 * `base`, a paused script's session, when it goes on. Also the session it left (plain data).
 */
export function inContainerShell(
  state: ClusterState, pod: Pod, container: string, text: string, shell: 'sh' | 'bash', options: Parameters<typeof runScript>[3],
  processClock?: { startedAt: number; elapsed: number }, base?: ProcessResume['session'],
): ReturnType<typeof runScript> & { session: ProcessResume['session'] } {
  const fresh = { ...newSession(state), script: true as const, root: true, cwd: '/' };
  const session: ShellSession = { ...(base as ShellSession | undefined ?? fresh), container: { namespace: pod.metadata.namespace ?? 'default', pod: pod.metadata.name, container, shell }, ...(processClock ? { processClock } : {}) };
  const ran = shellEntry().runScript(state, session, text, options);
  const { processClock: _clock, container: _where, ...kept } = session;
  return { ...ran, session: kept as ProcessResume['session'] };
}

/** `argv` as the container's shell would read it from a command line. */
export const commandLine = (argv: string[]): string => argv.map(quote).join(' ');

/** How much of a followed loop's time one slice covers (then it pauses before its next iteration). */
const SLICE_MS = 5 * 60_000;
/** The most a paused script's session may hold (as JSON): past it, the loop runs on silent. */
const MAX_RESUME_CHARS = 64 * 1024;

/**
 * A script run inside the container on the process's clock (see above). A script ending in a
 * loop is followed a slice at a time: it pauses before an iteration once SLICE_MS of its time
 * passed (or its steps would not cover two more), and `resume` goes on from there with the
 * session it left. A slice that moves its clock no further (a busy loop) ends the following.
 */
function script(state: ClusterState, pod: Pod, container: string, text: string, shell: 'sh' | 'bash', resume?: ProcessResume): Exclude<ProcessResult, { missing: string }> {
  if (!shellLoaded()) return endless();
  const left = scriptSteps(state);
  if (left.steps < STEPS_PER_SCRIPT) return { deferred: true };
  const budget = new LineBudget(STEPS_PER_SCRIPT);
  const since = resume?.elapsedMs ?? 0;
  const startedAt = resume?.startedAt ?? state.now;
  const clock = { startedAt, elapsed: since };
  // Steps spent when the clock reached the horizon (a long sleep, `sleep infinity`): only those are charged.
  let spent: number | undefined;
  const ran = inContainerShell(state, pod, container, text, shell, {
    budget,
    sleepAllowanceMs: SCRIPT_HORIZON_MS,
    pause: () => clock.elapsed >= since + SLICE_MS,
    from: resume?.from ?? 0,
    advance: (ms) => {
      clock.elapsed += ms;
      // Followed far enough: the script stops here, as if out of steps (it goes on for good).
      if (clock.elapsed - since >= SCRIPT_HORIZON_MS) {
        spent ??= budget.steps;
        budget.spend(budget.remaining + 1);
      }
    },
  }, clock, resume?.session);
  left.steps = Math.max(0, left.steps - (spent ?? budget.steps));
  // Nested past the JS stack (an eval bomb): where that happens depends on the caller's stack,
  // so nothing of it is kept — the process runs on, silent, the same live and in a replay.
  if (ran.tooDeep) return endless();
  // Out of steps or commands (a loop, or followed to the horizon): the process is still running, it did not fail.
  const stopped = ran.stoppedForWork === true;
  let output = ran.output;
  if (stopped) output = output.replace(/bash: ((\S+: )?CPU time limit exceeded \(a line may do \d+ steps of work\)|more than \d+ commands in one line): stopped\n$/, '');
  const { text: written, lineMs } = timedLines(output, since, clock.elapsed);
  // Paused having moved on: kept as plain data, if small enough.
  const saved = ran.pausedAt !== undefined && clock.elapsed > since ? JSON.stringify(ran.session) : undefined;
  const resumable = saved && saved.length <= MAX_RESUME_CHARS ? { startedAt, elapsedMs: clock.elapsed, from: ran.pausedAt!, session: JSON.parse(saved) as ProcessResume['session'] } : undefined;
  const runs = stopped || ran.pausedAt !== undefined;
  return { stdout: written, stderr: '', exitCode: runs ? 0 : ran.exitCode, runMs: runs ? 'endless' : clock.elapsed, lineMs, ...(resumable ? { resume: resumable } : {}) };
}

/** The output without the clock marks, and when each of its lines was written (the mark before its end), within [from, to]. */
function timedLines(output: string, from: number, to: number): { text: string; lineMs: number[] } {
  const lineMs: number[] = [];
  let text = '';
  let now = from;
  const parts = output.split('\u0000');
  parts.forEach((part, i) => {
    // Odd parts are the marks' clock values.
    if (i % 2 === 1) {
      // A script can print NULs too: only a forward step within the time followed is a clock.
      const at = Number(part);
      if (Number.isInteger(at) && at >= now && at <= to) now = at;
      return;
    }
    for (const ch of part) if (ch === '\n') lineMs.push(now);
    text += part;
  });
  if (text !== '' && !text.endsWith('\n')) lineMs.push(now);
  return { text, lineMs };
}
