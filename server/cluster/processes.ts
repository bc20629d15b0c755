// Containers whose command the simulation runs (one-off pods from `kubectl run … -- CMD`): at
// each start the program runs, its output becomes the container's log and its exit status the
// container's. Which programs an image has and what they print (nslookup, curl, …) is the
// shell's knowledge (server/shell/exec), so the shell registers the runner here when it loads
// and the cluster stays free of it. The runner is pure: a replay runs the same programs.
import type { ClusterState, Pod } from './types.js';

/** What a process did; `runsMs`: how long it runs before exiting (`sleep 3600`; Infinity: until stopped). */
export type ProcessResult = { stdout: string; stderr: string; exitCode: number; runsMs?: number } | { missing: string };
export type ProcessRunner = (state: ClusterState, pod: Pod, container: string, argv: string[]) => ProcessResult;

let runner: ProcessRunner | undefined;

export function registerProcessRunner(r: ProcessRunner): void {
  runner = r;
}

/** What the container's process does when it starts now: its log lines and how it exits. */
export function runProcess(state: ClusterState, pod: Pod, container: string): { lines: string[]; exitCode: number; afterMs: number; startError?: string } {
  const spec = pod.spec.containers.find((c) => c.name === container);
  const argv = [...(spec?.command ?? []), ...(spec?.args ?? [])];
  const ran = runner && argv.length > 0 ? runner(state, pod, container, argv) : { stdout: '', stderr: '', exitCode: 0 };
  // A program the image lacks: the runtime cannot start the container (StartError, exit 128,
  // runc's message in the state; the container wrote nothing).
  if ('missing' in ran) {
    const startError = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${ran.missing}": executable file not found in $PATH: unknown`;
    return { lines: [], exitCode: 128, afterMs: 0, startError };
  }
  const lines = `${ran.stdout}${ran.stderr}`.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return { lines, exitCode: ran.exitCode, afterMs: ran.runsMs ?? PROCESS_RUN_MS };
}

/** How long such a process runs before it exits (simulated ms). */
const PROCESS_RUN_MS = 1000;
