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
import type { Fact, FactInterest } from '../cluster/facts.js';
import type { ClusterState, Pod } from '../cluster/types.js';
import { CPU_LIMIT_EXIT, cpuLimitMessage, LineBudget, OverBudget } from '../shell/budget.js';
import { attachedShell, containerRunning, execInContainer, execWithStdin, stdinClosed } from '../shell/exec/index.js';
import { kubeletDownAt } from '../shell/kubectl/kubelet-proxy.js';
import type { Json } from '../shell/kubectl/manifest.js';
import { distinctFacts, MAX_REVEALS_PER_LINE, RevealCollector } from '../shell/reveals.js';
import { newSession, prompt } from '../shell/session.js';
import type { CommandContext, ShellSession } from '../shell/types.js';
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
  /** `attach -i`: the command is the container's own shell (attachedShell); its stdin's end ends that process when it is open only once. */
  attach: z.literal(true).optional(),
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

/** What the edge reads of a pod (its GET, in the room's turn) to attach to a container's process. */
const AttachedContainer = z.object({ name: z.string(), command: z.array(z.string()).optional(), args: z.array(z.string()).optional(), stdin: z.boolean().optional() });
const AttachedPod = z.object({
  metadata: z.object({ annotations: z.record(z.string(), z.string()).optional() }),
  spec: z.object({ containers: z.array(AttachedContainer).min(1), ephemeralContainers: z.array(AttachedContainer).optional() }),
});

/**
 * `attach -i` to a pod (its JSON as the API served it): the exec that talks to the container's
 * own shell (it reads stdin: `stdin: true`, a lone shell as its command), or undefined when the
 * container's process reads no stdin (the attach then shows its output and drops what is sent, as containerd does).
 */
export function attachExec(podJson: Json | undefined, requested: string | undefined): ExecBody | undefined {
  const parsed = AttachedPod.safeParse(podJson);
  if (!parsed.success) return undefined;
  const { metadata, spec } = parsed.data;
  const name = requested ?? metadata.annotations?.['kubectl.kubernetes.io/default-container'] ?? spec.containers[0]!.name;
  const container = [...spec.containers, ...(spec.ephemeralContainers ?? [])].find((c) => c.name === name);
  const argv = [...(container?.command ?? []), ...(container?.args ?? [])];
  const shell = argv[0] ?? 'sh';
  if (container?.stdin !== true || argv.length > 1 || !isShell(shell)) return undefined;
  return { command: [shell], container: name, attach: true };
}

/** The exec subresource of a pod, `…/pods/NAME/exec`, or its attach (`…/attach`, whose body says `attach`: RBAC checks `create pods/attach`). */
export const isExecTarget = (target: Target): target is Target & { name: string } =>
  (target.subresource === 'exec' || target.subresource === 'attach') && target.name !== undefined && target.type.kind === 'Pod';

const isShell = (word: string): boolean => /^(\/bin\/)?(ba)?sh$/.test(word);

/** Serves an exec request: the run, or the Status refusing it before any stream opens; `observed`: the facts its output showed. */
export function runExec(state: ClusterState, target: Target & { name: string }, rawBody: Json | undefined, interest?: FactInterest): { response: ApiResponse; observed: Fact[] } {
  const parsed = ExecBody.safeParse(rawBody ?? {});
  if (!parsed.success) return { response: badRequest(parsed.error.issues.map((i) => i.message).join('; ')), observed: [] };
  const body = parsed.data;
  if ((target.subresource === 'attach') !== (body.attach === true)) return { response: badRequest(body.attach ? 'attach goes to …/attach' : 'an attach body says attach: true'), observed: [] };
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

  // Attached to the container's own shell: it must still be one that reads stdin (the pod may have changed since the edge read it).
  if (body.attach && attachedShell(pod, container) === undefined) {
    return { response: statusResponse(400, 'BadRequest', `container ${container} of pod ${target.name} reads no stdin to attach to`), observed: [] };
  }
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

/** A command that reads stdin (shell/exec execWithStdin); `tty`: an interactive shell still open gives its prompt and state. */
function withStdin(ctx: CommandContext, pod: Pod, container: string, body: ExecBody, interest: FactInterest | undefined): { run: ExecRun; observed: Fact[] } {
  const ran = execWithStdin(ctx.state, pod, container, body.command, body.stdin ?? '', {
    ...(interest ? { interest } : {}), budget: new LineBudget(), ...(body.cwd !== undefined ? { cwd: body.cwd } : {}), ...(body.vars ? { vars: body.vars } : {}),
  });
  if (ran.failed !== undefined) return { run: { stdout: '', stderr: '', exitCode: 1, failed: ran.failed }, observed: [] };
  const { session } = ran;
  if (body.attach) {
    // The shell read stdin to its end (or exited): the process ends if its stdin was open once. Attach reports no exit status.
    if (!body.tty || session.container === undefined) stdinClosed(ctx.state, pod, container, ran.exitCode);
    if (body.tty && session.container !== undefined) return { run: { stdout: ran.stdout, stderr: '', exitCode: 0, ...carried(ctx.state, session) }, observed: ran.observed };
    return { run: { stdout: ran.stdout, stderr: '', exitCode: 0 }, observed: ran.observed };
  }
  // Still open: an interactive shell waits for the next line; a shell reading piped stdin ends at its end.
  if (body.tty && session.container !== undefined && isShell(body.command[0]!) && body.command.length === 1) {
    return { run: { stdout: ran.stdout, stderr: '', exitCode: 0, ...carried(ctx.state, session) }, observed: ran.observed };
  }
  return { run: { stdout: ran.stdout, stderr: '', exitCode: ran.exitCode }, observed: ran.observed };
}

/** An interactive shell still open: the prompt it prints next and its state for the next line. */
function carried(state: ClusterState, session: ShellSession): Pick<ExecRun, 'prompt' | 'cwd' | 'vars'> {
  const vars = Object.fromEntries(Object.entries(session.vars).slice(-MAX_CARRIED_VARS));
  return { prompt: prompt(state, session), ...(session.cwd !== undefined ? { cwd: session.cwd } : {}), vars };
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
