// `kubectl attach (POD | TYPE/NAME | TYPE NAME) [-c CONTAINER] [-i] [-t]`: the output the
// container's main process writes from now on (kubectl v1.29 pkg/cmd/attach/attach.go), as a
// stream at an interactive terminal, else while simulated time passes (bounded), ending when the
// container does. With -i to a container whose process is a shell, the terminal is in it, as
// `kubectl run -it` leaves it (exec/index.ts openShell).
import { anyContainerStatus } from '../../../cluster/ephemeral.js';
import type { LabelSelector, Pod } from '../../../cluster/types.js';
import { attachedShell, attachWithStdin, openShell } from '../../exec/index.js';
import { fail, ok } from '../../types.js';
import { kubeletDownAt } from '../kubelet-proxy.js';
import { byActivity } from '../active-pods.js';
import { findResourceType, listObjects, namedObject } from '../resources.js';
import type { KubectlSubcommand } from '../types.js';
import { watchFor } from '../watching.js';
import { CONTAINER_FLAG, SESSION_FLAGS } from './exec.js';
import { followed, newLogCursor } from './logs.js';

const PROMPT_HINT = "If you don't see a command prompt, try pressing enter.\n";

/** The pod a workload's attach goes to (AttachablePodForObject): the most active of its running pods. */
function attachablePod(namespace: string, kind: string, obj: unknown, pods: Pod[]): Pod | undefined {
  if (kind === 'Pod') return obj as Pod;
  if (!['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job'].includes(kind)) return undefined;
  const selector = (obj as { spec: { selector?: LabelSelector } }).spec.selector?.matchLabels ?? {};
  return byActivity(pods.filter((p) => p.metadata.namespace === namespace && p.status.phase === 'Running' && Object.entries(selector).every(([k, v]) => p.metadata.labels[k] === v)))[0];
}

export const attachCommand: KubectlSubcommand = {
  name: 'attach',
  short: 'Attach to a running container',
  usage: 'kubectl attach (POD | TYPE/NAME) -c CONTAINER [options]',
  completes: 'pods',
  flags: [
    CONTAINER_FLAG,
    ...SESSION_FLAGS,
    { name: 'pod-running-timeout', type: 'string', default: '1m0s', usage: 'The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running' },
  ],
  run: (ctx, args, flags) => {
    if (args.length === 0) return fail('error: at least 1 argument is required for attach\n');
    if (args.length > 2) return fail(`error: expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw ${args.length}: [${args.join(' ')}]\n`);
    const named = namedObject(ctx.state, ctx.namespace, args.length === 2 ? `${args[0]}/${args[1]}` : args[0]!);
    if ('error' in named) return fail(named.error);
    const pods = listObjects(ctx.state, findResourceType('pods')!, ctx.namespace) as Pod[];
    let pod = attachablePod(ctx.namespace, named.type.kind, named.obj, pods);
    if (!pod) return fail(`error: cannot attach to ${named.type.kind}: selector for ${named.type.kind} not implemented\n`);
    const quiet = flags.bool('quiet');

    // A stream resumed at the terminal: what the container wrote since.
    const resume = ctx.resume?.kind === 'logs' ? ctx.resume : undefined;
    // The stream ends with the container's process.
    const ended = (p: Pod, container: string): boolean => anyContainerStatus(p, container)?.state.kind !== 'running';
    if (resume) {
      const more = followed(ctx, pod, resume.container, '', false, resume);
      return ended(pod, resume.container) ? { ...more, streamEnded: true } : more;
    }

    if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return fail(`error: cannot attach a container in a completed pod; current phase is ${pod.status.phase}\n`);
    let stderr = '';
    // podcmd.FindOrDefaultContainerByName: -c among all the pod's containers, else the default one.
    const requested = flags.string('container');
    const all = [...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])];
    let container = requested === undefined ? undefined : all.find((c) => c.name === requested);
    if (requested !== undefined && !container) return fail(`error: cannot attach to the container: container ${requested} not found in pod ${pod.metadata.name}\n`);
    if (!container) {
      const defaulted = pod.metadata.annotations['kubectl.kubernetes.io/default-container'];
      container = pod.spec.containers.find((c) => c.name === defaulted) ?? pod.spec.containers[0]!;
      if (pod.spec.containers.length > 1 && !quiet) stderr += `Defaulted container "${container.name}" out of: ${pod.spec.containers.map((c) => c.name).join(', ')}\n`;
    }
    const name = container.name;
    const allocated = container.tty === true;
    const tty = flags.bool('tty') && allocated;
    // attach.go forces a TTY for a container that has one; SetupTTY drops it when stdin is piped, and says so.
    const piped = flags.bool('stdin') && !ctx.stdinIsTerminal;
    if (flags.bool('tty') && !allocated && !quiet) stderr += `error: Unable to use a TTY - container ${name} did not allocate one\n`;
    else if ((flags.bool('tty') || allocated) && piped && !quiet) stderr += 'Unable to use a TTY - input is not a terminal or the right kind of file\n';
    const down = kubeletDownAt(ctx.state, pod);
    if (down) return fail(`${stderr}Error from server: error dialing backend: dial tcp ${down}:10250: connect: connection refused\n`);
    // attach waits (--pod-running-timeout) for the pod to run; a container that does not run refuses the upgrade.
    const key = `${pod.metadata.namespace ?? ctx.namespace}/${pod.metadata.name}`;
    const podRunning = (): boolean => ctx.state.pods[key]?.status.phase === 'Running';
    if (!podRunning() && !watchFor(ctx.passTime, podRunning, 60_000)) return fail(`${stderr}error: timed out waiting for the condition\n`);
    pod = ctx.state.pods[key]!;
    if (anyContainerStatus(pod, name)?.state.kind !== 'running') return fail(`${stderr}error: unable to upgrade connection: container not found ("${name}")\n`);
    if (!quiet) stderr += PROMPT_HINT;
    // `… | kubectl attach -i POD`: the container's shell reads the piped text (a container without stdin ignores it, as containerd does).
    const reading = piped ? attachedShell(pod, name) : undefined;
    if (reading !== undefined) return { ...attachWithStdin(ctx, pod, name, reading), stderrFirst: stderr };
    // The process is a shell reading the terminal: the terminal is in it until `exit`. Only
    // containers started with a TTY get here (debug's, whose images' default command is sh).
    const process = container.command?.[0] ?? container.args?.[0] ?? 'sh';
    if (flags.bool('stdin') && tty && !piped) {
      const opened = openShell(ctx, pod, name, process);
      if (opened) return { ...opened, stderrFirst: stderr };
    }
    const cursor = newLogCursor(ctx.state, pod, name);
    let stdout = '';
    if (ctx.follow) ctx.follow(cursor);
    else {
      watchFor(ctx.passTime, () => {
        const more = followed(ctx, pod!, name, '', false, cursor);
        stdout += more.stdout;
        return more.streamEnded === true || ended(ctx.state.pods[key] ?? pod!, name);
      });
    }
    // kubectl's notices come before what the container writes.
    return { ...ok(stdout), stderrFirst: stderr };
  },
};
