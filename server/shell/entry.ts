// The shell's entry points for modules that the shell's own modules import: a container's
// process (exec/process.ts) and the REST API's exec (kubeapi/exec.ts, reached from kubectl's
// `get --raw` and the node's curl). Importing shell/index.ts there closes an import cycle
// (shell → kubectl → kubeapi → shell), in which the build's bundle leaves kubectl's command
// tables undefined; shell/index.ts registers its functions here as it loads instead.
import type { runLine, runScript } from './index.js';

interface ShellEntry {
  runLine: typeof runLine;
  runScript: typeof runScript;
}

let entry: ShellEntry | undefined;

export function registerShell(functions: ShellEntry): void {
  entry = functions;
}

/** The shell's functions (shell/index.ts has loaded by the time anything runs a line). */
export function shellEntry(): ShellEntry {
  if (!entry) throw new Error('the shell has not loaded');
  return entry;
}

/** Whether the shell has loaded: a cluster ticking without it (a test of the cluster alone) runs no scripts. */
export const shellLoaded = (): boolean => entry !== undefined;
