// Containers whose command the simulation runs (a pod's, a workload's or a Job's container with
// a command its image's model does not replace, `kubectl run … -- CMD`): at each start the
// program runs, its output becomes the container's log and its exit status the container's. A
// script whose last command is a loop is followed in slices (`ProcessResume`, kept in the
// container's status): the kubelet's sync runs the next one as the clock nears what was followed. Which programs an image has and what they print (nslookup, curl, …) is the
// shell's knowledge (server/shell/exec), so the shell registers the runner here when it loads
// and the cluster stays free of it. The runner is pure: a replay runs the same programs.
import type { ClusterState, Pod, ProcessResume } from './types.js';

export type ProcessResult =
  | {
      stdout: string;
      stderr: string;
      exitCode: number;
      /** How long it runs before it exits (simulated ms; absent: a moment), or `endless`: until it is stopped (`sleep infinity`, a server, a loop). */
      runMs?: number | 'endless';
      /** When each line of its output was written, ms after the start (absent: all at once). */
      lineMs?: number[];
      /** Followed this far, still running: where the next slice goes on. */
      resume?: ProcessResume;
    }
  | { missing: string }
  /** Not started now: the scripts starting in this tick took its share of work; it starts in a later one. */
  | { deferred: true };
export type ProcessRunner = (state: ClusterState, pod: Pod, container: string, argv: string[], resume?: ProcessResume) => ProcessResult;

let runner: ProcessRunner | undefined;

export function registerProcessRunner(r: ProcessRunner): void {
  runner = r;
}

/**
 * What the container's process does when it starts now: its log lines (ms after the start)
 * and how it exits (`afterMs` undefined: it runs until stopped).
 */
export type ProcessStart = { lines: { afterMs: number; text: string }[]; exitCode: number; afterMs: number | undefined; startError?: string; resume?: ProcessResume } | { deferred: true };

/** The container's process starting now, or with `resume` its next slice (the times still from its start). */
export function runProcess(state: ClusterState, pod: Pod, container: string, resume?: ProcessResume): ProcessStart {
  const spec = pod.spec.containers.find((c) => c.name === container);
  const argv = [...(spec?.command ?? []), ...(spec?.args ?? [])];
  const ran = runner && argv.length > 0 ? runner(state, pod, container, argv, resume) : { stdout: '', stderr: '', exitCode: 0 };
  // A program the image lacks: the runtime cannot start the container (StartError, exit 128,
  // runc's message in the state; the container wrote nothing).
  if ('deferred' in ran) return ran;
  if ('missing' in ran) {
    const startError = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${ran.missing}": executable file not found in $PATH: unknown`;
    return { lines: [], exitCode: 128, afterMs: 0, startError };
  }
  // A container's log is kept with the pod: a process printing megabytes keeps its first 64 KiB.
  const texts = `${ran.stdout}${ran.stderr}`.slice(0, MAX_PROCESS_LOG_CHARS).split('\n');
  if (texts.at(-1) === '') texts.pop();
  const lines = texts.map((text, i) => ({ afterMs: ran.lineMs?.[i] ?? 0, text }));
  const afterMs = ran.runMs === 'endless' ? undefined : Math.max(PROCESS_RUN_MS, ran.runMs ?? 0);
  return { lines, exitCode: ran.exitCode, afterMs, ...(ran.resume ? { resume: ran.resume } : {}) };
}

/** Most characters of a process's output kept as its log (a followed loop's oldest lines go first, as a rotated log's). */
export const MAX_PROCESS_LOG_CHARS = 64 * 1024;

/** How long a process that does its work at once runs before it exits (simulated ms). */
const PROCESS_RUN_MS = 1000;
