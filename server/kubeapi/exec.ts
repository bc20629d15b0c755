// `pods/NAME/exec`, pure: what the kubelet's exec gives for a command, as the API's exec
// subresource serves it. The edge (http/kube-api-exec.ts) speaks the streaming protocol; here
// a request is the whole command at once: its argv, container and the stdin the client sent
// (logged with the request, so a room replays it). The command runs through the same programs
// as the shell's `kubectl exec POD -- cmd` (shell/exec), so the output is byte for byte the
// in-shell one; with stdin, a lone shell (`sh`, `bash`) runs each line of it as the container's
// shell does (`kubectl exec -i POD -- sh`), and any other program reads it as its stdin.
//
// The error stream's Status is the kubelet's (pkg/kubelet/cri/streaming/remotecommand/
// httpstream.go writeStatus): Success, or Failure with reason NonZeroExitCode and an
// ExitCode cause, which kubectl turns into its exit status; a command the runtime cannot
// start is an InternalError whose message kubectl prints after `error: `.
import { z } from 'zod';
import { factKey, type Fact, type FactInterest } from '../cluster/facts.js';
import type { ClusterState, Pod } from '../cluster/types.js';
import { CPU_LIMIT_EXIT, cpuLimitMessage, LineBudget, OverBudget } from '../shell/budget.js';
import { containerRunning, execInContainer, imageHas, notFoundMessage, openShell } from '../shell/exec/index.js';
import { shellEntry } from '../shell/entry.js';
import { kubeletDownAt } from '../shell/kubectl/kubelet-proxy.js';
import type { Json } from '../shell/kubectl/manifest.js';
import { distinctFacts, MAX_REVEALS_PER_LINE, RevealCollector } from '../shell/reveals.js';
import { newSession, prompt } from '../shell/session.js';
import type { CommandContext } from '../shell/types.js';
import { badRequest, detailsOf, notFound, statusResponse, type ApiResponse } from './status.js';
import type { Target } from './handler.js';

/** stdin one exec request carries (it is logged with it): a script or a pasted file, not a disk image. */
export const MAX_EXEC_STDIN = 64 * 1024;
/** Words of a command and characters of each (the apiserver reads them from the query, bounded by the URL). */
const MAX_ARGS = 256;
const MAX_ARG_CHARS = 4096;
/** Variables an interactive shell carries from one line to the next (more are dropped, oldest first). */
const MAX_CARRIED_VARS = 64;

/**
 * An exec request as the edge hands it over (and the room logs it): `tty` asks for one line of
 * an interactive shell at a time (the prompt comes back, the shell stays open until `exit`).
 */
export const ExecBody = z.object({
  command: z.array(z.string().max(MAX_ARG_CHARS)).min(1, 'you must specify at least one command for the container').max(MAX_ARGS),
  container: z.string().max(253).optional(),
  stdin: z.string().max(MAX_EXEC_STDIN).optional(),
  tty: z.boolean().optional(),
  /** An interactive shell's state from its last line (ExecRun's), carried into the next: the logged request says it all. */
  cwd: z.string().max(MAX_ARG_CHARS).optional(),
  vars: z.record(z.string().max(256), z.string().max(MAX_ARG_CHARS)).refine((v) => Object.keys(v).length <= MAX_CARRIED_VARS, 'too many variables').optional(),
}).strict();
export type ExecBody = z.infer<typeof ExecBody>;

/** What a command gave: the answer's body (status 200). */
export interface ExecRun {
  stdout: string;
  stderr: string;
  /** Written to stderr before stdout (tar's messages before its archive). */
  stderrFirst?: string;
  exitCode: number;
  /** The runtime could not start the command: the error stream's message (kubectl prints `error: ` and it). */
  failed?: string;
  /** An interactive shell (`tty`) still open after the line: the prompt it prints next, and its state for the next line. */
  prompt?: string;
  cwd?: string;
  vars?: Record<string, string>;
}

/** The exec subresource of a pod: `…/pods/NAME/exec`. */
export const isExecTarget = (target: Target): target is Target & { name: string } =>
  target.subresource === 'exec' && target.name !== undefined && target.type.kind === 'Pod';

const isShell = (word: string): boolean => /^(\/bin\/)?(ba)?sh$/.test(word);

/** Single-quoted for the shell, as `printf %q` would need it. */
const quote = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);

/** Serves an exec request: the run, or the Status refusing it before any stream opens; `observed`: the facts its output showed. */
export function runExec(state: ClusterState, target: Target & { name: string }, rawBody: Json | undefined, interest?: FactInterest): { response: ApiResponse; observed: Fact[] } {
  const parsed = ExecBody.safeParse(rawBody ?? {});
  if (!parsed.success) return { response: badRequest(parsed.error.issues.map((i) => i.message).join('; ')), observed: [] };
  const body = parsed.data;
  const namespace = target.namespace ?? 'default';
  const pod = state.pods[`${namespace}/${target.name}`];
  if (!pod) return { response: notFound(target.type, target.name), observed: [] };
  const names = pod.spec.containers.map((c) => c.name);
  const container = body.container ?? pod.metadata.annotations['kubectl.kubernetes.io/default-container'] ?? names[0]!;
  if (!names.includes(container) && !pod.spec.ephemeralContainers?.some((c) => c.name === container)) {
    return { response: statusResponse(400, 'BadRequest', `container ${container} is not valid for pod ${target.name}`, detailsOf(target.type, target.name)), observed: [] };
  }
  // The apiserver proxies exec to the pod's kubelet: with it stopped, the dial fails (no reason, as kubectl shows it).
  const down = kubeletDownAt(state, pod);
  if (down) return { response: statusResponse(500, '', `error dialing backend: dial tcp ${down}:10250: connect: connection refused`), observed: [] };
  // The kubelet's own answer, not a Status: kubectl prints `unable to upgrade connection: container not found ("c")`.
  if (!containerRunning(pod, container)) return { response: { status: 404, body: `container not found ("${container}")`, contentType: 'text/plain' }, observed: [] };

  const sink = interest ? new RevealCollector(interest, { left: MAX_REVEALS_PER_LINE }) : undefined;
  const ctx: CommandContext = { state, session: newSession(state), env: {}, stdin: '', budget: new LineBudget(), ...(sink ? { facts: sink } : {}) };
  let run: ExecRun;
  let observed: Fact[] = [];
  if (body.stdin === undefined && !body.tty) {
    const ran = overBudgetStops(() => execInContainer(ctx, pod, container, body.command), body.command[0]!);
    run = 'failed' in ran ? { stdout: '', stderr: '', exitCode: 1, failed: ran.failed } : { stdout: ran.stdout, stderr: ran.stderr, ...(ran.stderrFirst ? { stderrFirst: ran.stderrFirst } : {}), exitCode: ran.exitCode };
    if (sink) observed = distinctFacts(sink.reveals);
  } else {
    ({ run, observed } = withStdin(ctx, pod, container, body, interest));
  }
  return { response: { status: 200, body: run as unknown as Json }, observed };
}

/**
 * A program run on its own (no shell's runner around it) that runs out of steps stops as the
 * shell stops it (exit 152): OverBudget must not leave the request (it was a 500 InternalError).
 */
function overBudgetStops<T extends object>(run: () => T, program: string): T | { stdout: string; stderr: string; stderrFirst?: string; exitCode: number } {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof OverBudget)) throw error;
    return { stdout: '', stderr: cpuLimitMessage(program.replace(/^.*\//, '')), exitCode: CPU_LIMIT_EXIT };
  }
}

/**
 * A command that reads stdin, run in a shell of the container: a lone shell runs the lines of
 * stdin one by one (until `exit`), any other program gets stdin piped in. The shell's output
 * is one stream (stdout), as a terminal shows it.
 */
function withStdin(ctx: CommandContext, pod: Pod, container: string, body: ExecBody, interest: FactInterest | undefined): { run: ExecRun; observed: Fact[] } {
  const { state, session } = ctx;
  const [program, ...args] = body.command;
  const shellWord = isShell(program!) && args.length === 0 ? program! : 'sh';
  if (!imageHas(pod, container, shellWord.replace(/^\/bin\//, '')) || (shellWord !== program && !imageHas(pod, container, program!.replace(/^.*\//, '')))) {
    return { run: { stdout: '', stderr: '', exitCode: 1, failed: notFoundMessage(state, program!) }, observed: [] };
  }
  openShell(ctx, pod, container, shellWord);
  if (body.cwd !== undefined) session.cwd = body.cwd;
  if (body.vars !== undefined) session.vars = { ...body.vars };
  const observed: Fact[] = [];
  // One budget for the whole request: a line each of busy loops must not get a fresh ~20 ms apiece.
  const lineOptions = { ...(interest ? { interest } : {}), budget: new LineBudget() };
  if (shellWord !== program || args.length > 0) {
    const ran = shellEntry().runLine(state, session, body.command.map(quote).join(' '), { ...lineOptions, stdin: body.stdin ?? '' });
    return { run: { stdout: ran.output, stderr: '', exitCode: ran.exitCode }, observed: ran.observed ?? [] };
  }
  const lines = (body.stdin ?? '').split('\n');
  if (lines.at(-1) === '') lines.pop();
  let stdout = '';
  for (const line of lines) {
    const ran = shellEntry().runLine(state, session, line, lineOptions);
    stdout += ran.output;
    observed.push(...(ran.observed ?? []));
    if (session.container === undefined) {
      // `exit` left the shell: kubectl says `command terminated…` itself, from the error stream.
      const said = `command terminated with exit code ${ran.exitCode}\n`;
      return { run: { stdout: stdout.endsWith(said) ? stdout.slice(0, -said.length) : stdout, stderr: '', exitCode: ran.exitCode }, observed: once(observed) };
    }
  }
  // Still open: an interactive shell waits for the next line; a shell reading piped stdin ends at its end.
  const shown = once(observed);
  if (body.tty) {
    const vars = Object.fromEntries(Object.entries(session.vars).slice(-MAX_CARRIED_VARS));
    return { run: { stdout, stderr: '', exitCode: 0, prompt: prompt(state, session), ...(session.cwd !== undefined ? { cwd: session.cwd } : {}), vars }, observed: shown };
  }
  return { run: { stdout, stderr: '', exitCode: session.lastExitCode ?? 0 }, observed: shown };
}

/** Each fact once, in the order first shown. */
function once(facts: readonly Fact[]): Fact[] {
  const out = new Map<string, Fact>();
  for (const fact of facts) if (!out.has(factKey(fact))) out.set(factKey(fact), fact);
  return [...out.values()];
}

/** The error stream's Status at the end of a run (the kubelet's writeStatus). */
export function exitStatus(run: ExecRun): Json {
  if (run.failed !== undefined) return { metadata: {}, status: 'Failure', message: run.failed, reason: 'InternalError', code: 500 };
  if (run.exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: command terminated with exit code ${run.exitCode}`,
    reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(run.exitCode) }] },
  };
}
