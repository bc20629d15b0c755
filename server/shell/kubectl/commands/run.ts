// `kubectl run NAME --image=IMAGE [-- COMMAND ARGS…]`: one pod. A pod given a command runs it
// as its container's process (cluster/processes.ts): the output becomes the container's log and
// its exit status the container's (so `--restart=Never` pods end Completed or Error, as one-off
// debug pods do; `--restart=Always` ones go into CrashLoopBackOff).
// With -i/--attach (and --rm) kubectl waits for the pod, prints its output, deletes it and
// exits with the container's status, as `kubectl run --rm -i … -- nslookup x` does for real.
// With -it and a shell (or no command), the terminal moves into the container's shell.
import { createObject, deleteObject, getObject, objectKey } from '../../../cluster/api.js';
import { anyContainerStatus } from '../../../cluster/ephemeral.js';
import { podFromTemplate } from '../../../cluster/objects.js';
import { attachedShell, attachWithStdin, openShell, type ShellOpening } from '../../exec/index.js';
import type { CommandResult } from '../../types.js';
import { fail, ok } from '../../types.js';
import type { KubectlContext, KubectlSubcommand, ParsedFlags } from '../types.js';
import { watchFor } from '../watching.js';
import { simpleTemplate } from './create.js';
import { apiFail } from './write-util.js';
import { problemText } from './apply.js';
import { GENERATOR_FLAGS, generated } from './generated.js';
import { jsonPatch, mergePatch, strategicMerge } from './patch.js';
import { objectFromManifest } from '../from-manifest.js';
import { toManifest, type Json } from '../manifest.js';
import type { Pod } from '../../../cluster/types.js';

/** Waits for the pod's container to finish, prints its log (or what the attach showed: `shown`), deletes the pod with --rm. */
function attach(ctx: KubectlContext, name: string, remove: boolean, shown?: string): CommandResult {
  const key = objectKey(ctx.namespace, name);
  const finished = () => getObject(ctx.state, 'Pod', key)?.status.containerStatuses[0]?.state.kind === 'terminated';
  if (!finished() && !watchFor(ctx.passTime, finished)) {
    return fail('error: timed out waiting for the condition\n');
  }
  const pod = getObject(ctx.state, 'Pod', key)!;
  const status = pod.status.containerStatuses[0]!;
  const state = status.state.kind === 'terminated' ? status.state : undefined;
  let stdout = shown ?? status.logs.map((l) => `${l.text}\n`).join('');
  let stderr = '';
  if (remove) {
    const r = deleteObject(ctx.state, 'Pod', key, { force: true });
    if (r.ok) stdout += `pod "${name}" deleted\n`;
  }
  const exitCode = state?.exitCode ?? 0;
  if (exitCode !== 0) stderr += `pod ${ctx.namespace}/${name} terminated (${state?.reason ?? 'Error'})\n`;
  return { stdout, stderr, exitCode };
}

/**
 * `--overrides`: the generated pod's manifest patched as kubectl's generate.Overrider does
 * (merge by default, or strategic/json), then read back with the apiserver's checks.
 */
function withOverrides(ctx: KubectlContext, pod: Pod, text: string, type: string): Pod | string {
  if (text === '') return pod;
  if (!['json', 'merge', 'strategic'].includes(type)) return `error: invalid override type: ${type}\n`;
  let patch: Json;
  try {
    patch = JSON.parse(text) as Json;
  } catch {
    return 'error: Invalid JSON Patch\n';
  }
  const manifest = toManifest(ctx.state, 'Pod', pod);
  let patched: Json;
  if (type === 'json') {
    const r = jsonPatch(manifest, patch);
    if (!r.ok) return `error: ${r.error}\n`;
    patched = r.doc;
  } else {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return 'error: Invalid JSON Patch\n';
    patched = type === 'merge' ? mergePatch(manifest, patch) : strategicMerge(manifest, patch);
  }
  if (patched === null || typeof patched !== 'object' || Array.isArray(patched)) return 'error: Invalid JSON Patch\n';
  const built = objectFromManifest(ctx.state, 'Pod', patched, ctx.namespace, undefined, 'Ignore');
  if (!built.ok) return problemText('Pod', pod.metadata.name, built.problem, (m) => m);
  return built.obj;
}

/**
 * `kubectl run -it`, `kubectl debug node/X -it`: waits for the pod to run (kubectl's
 * --pod-running-timeout, 1 minute), then the terminal is in its shell (exec/index.ts openShell).
 */
export function attachShell(ctx: KubectlContext, name: string, shell: string, opening: ShellOpening, container?: string): CommandResult {
  const key = objectKey(ctx.namespace, name);
  const which = (pod: Pod): string => container ?? pod.spec.containers[0]!.name;
  const running = () => {
    const pod = getObject(ctx.state, 'Pod', key);
    return pod !== undefined && anyContainerStatus(pod, which(pod))?.state.kind === 'running';
  };
  if (!running() && !watchFor(ctx.passTime, running)) return fail(`error: timed out waiting for the condition\n`);
  const pod = getObject(ctx.state, 'Pod', key)!;
  const opened = openShell(ctx, pod, which(pod), shell, opening);
  if (!opened || opened.exitCode !== 0) return opened ?? ok('');
  return { ...opened, stderr: "If you don't see a command prompt, try pressing enter.\n" };
}

/**
 * `… | kubectl run -i NAME … -- sh`: once the pod runs, the piped text is its shell's stdin
 * (attach.go's messages first); the shell ends at the text's end, and so does the container
 * (stdin open once). Then as any attached run: --rm deletes the pod, its status is the exit code.
 */
function attachPiped(ctx: KubectlContext, name: string, flags: ParsedFlags): CommandResult {
  const key = objectKey(ctx.namespace, name);
  const running = () => {
    const pod = getObject(ctx.state, 'Pod', key);
    return pod !== undefined && anyContainerStatus(pod, pod.spec.containers[0]!.name)?.state.kind === 'running';
  };
  if (!running() && !watchFor(ctx.passTime, running)) return attach(ctx, name, flags.bool('rm'));
  const pod = getObject(ctx.state, 'Pod', key)!;
  const container = pod.spec.containers[0]!.name;
  const shell = attachedShell(pod, container);
  if (shell === undefined) return attach(ctx, name, flags.bool('rm'));
  const said = `${flags.bool('tty') ? 'Unable to use a TTY - input is not a terminal or the right kind of file\n' : ''}If you don't see a command prompt, try pressing enter.\n`;
  const ran = attachWithStdin(ctx, pod, container, shell);
  const ended = attach(ctx, name, flags.bool('rm'), ran.stdout);
  return { ...ended, stderr: ran.stderr + ended.stderr, stderrFirst: said };
}

export const runCommand: KubectlSubcommand = {
  name: 'run',
  short: 'Run a particular image on the cluster',
  usage: 'kubectl run NAME --image=image [--env="key=value"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...] [options]',
  flags: [
    { name: 'image', type: 'string', usage: 'The image for the container to run.' },
    { name: 'restart', type: 'string', default: 'Always', usage: 'The restart policy for this Pod.  Legal values [Always, OnFailure, Never].' },
    { name: 'port', type: 'int', default: '-1', usage: 'The port that this container exposes.' },
    { name: 'labels', short: 'l', type: 'string', usage: 'Comma separated labels to apply to the pod. Will override previous values.' },
    { name: 'command', type: 'bool', usage: 'If true and extra arguments are present, use them as the \'command\' field in the container.' },
    { name: 'rm', type: 'bool', usage: 'If true, delete the pod after it exits.' },
    { name: 'stdin', short: 'i', type: 'bool', usage: 'Keep stdin open on the container in the pod.' },
    { name: 'tty', short: 't', type: 'bool', usage: 'Allocate a TTY for the container in the pod.' },
    { name: 'attach', type: 'bool', usage: 'If true, wait for the Pod to start running, and then attach to the Pod as if \'kubectl attach ...\' were called.' },
    { name: 'dry-run', type: 'string', default: 'none', usage: 'Must be "none", "server", or "client".' },
    { name: 'overrides', type: 'string', usage: 'An inline JSON override for the generated object. If this is non-empty, it is used to override the generated object. Requires that the object supply a valid apiVersion field.' },
    ...GENERATOR_FLAGS,
    { name: 'override-type', type: 'string', default: 'merge', usage: 'The method used to override the generated object: json, merge, or strategic.' },
  ],
  run: (ctx, args, flags) => generated(ctx, flags, (c) => runPod(c, args, flags)),
};

function runPod(ctx: KubectlContext, args: string[], flags: ParsedFlags): CommandResult {
  const name = args[0];
  if (name === undefined) return fail('error: NAME is required for run\nSee \'kubectl run -h\' for help and examples\n');
  const image = flags.string('image');
  if (!image) return fail('error: required flag(s) "image" not set\n');
  const restart = flags.string('restart') ?? 'Always';
  if (!['Always', 'OnFailure', 'Never'].includes(restart)) return fail(`error: invalid restart policy: ${restart}\n`);
  const command = args.slice(1);
  // `-it … [-- sh]`: the container's shell becomes the terminal's (busybox and most small images start sh).
  const interactiveShell = flags.bool('stdin') && flags.bool('tty') && (command.length === 0 || (command.length === 1 && /^(\/bin\/)?(ba)?sh$/.test(command[0]!)));
  const attached = flags.bool('stdin') || flags.bool('attach');
  // run.go: a dry run has no pod to attach to.
  if ((attached || flags.bool('tty')) && (flags.string('dry-run') ?? 'none') !== 'none') {
    return fail("error: --dry-run can't be used with attached containers options (--attach, --stdin, or --tty)\nSee 'kubectl run -h' for help and examples\n");
  }
  if (flags.bool('rm') && !attached) return fail('error: --rm should only be used for attached containers\n');
  // kubectl's getLabels: `run=NAME` only when --labels is not given.
  const labels: Record<string, string> = flags.has('labels') ? {} : { run: name };
  for (const pair of (flags.string('labels') ?? '').split(',').filter((p) => p !== '')) {
    const [k = '', v = ''] = pair.split('=');
    labels[k] = v;
  }
  const port = flags.int('port') ?? -1;
  const template = simpleTemplate(name, image, labels, { ...(port > 0 ? { port } : {}), [flags.bool('command') ? 'command' : 'args']: command, restart: restart as 'Always' });
  const generated = podFromTemplate(ctx.state, template, ctx.namespace, name);
  // run.go: -i keeps the container's stdin open for its first attach (stdinOnce), -t allocates it a TTY; --overrides come after.
  const main = generated.spec.containers[0]!;
  if (flags.bool('stdin')) Object.assign(main, { stdin: true, stdinOnce: true });
  if (flags.bool('tty')) main.tty = true;
  const pod = withOverrides(ctx, generated, flags.string('overrides') ?? '', flags.string('override-type') ?? 'merge');
  if (typeof pod === 'string') return fail(pod);
  // The container runs its command each time it starts (cluster/processes.ts).
  if (command.length > 0 && !interactiveShell) pod.behavior[pod.spec.containers[0]!.name] = { role: 'process' };
  const r = createObject(ctx.state, 'Pod', pod);
  if (!r.ok) return apiFail(r.error);
  if (flags.bool('stdin') && !ctx.stdinIsTerminal) return attachPiped(ctx, name, flags);
  if (interactiveShell) return attachShell(ctx, name, command[0] ?? 'sh', { attached: flags.bool('rm') ? 'remove' : 'keep' });
  return attached ? attach(ctx, name, flags.bool('rm')) : ok(`pod/${name} created\n`);
}
