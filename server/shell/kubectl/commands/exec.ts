// `kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [-it] -- COMMAND [args…]`: runs the command in
// the simulated container (server/shell/exec), so DNS and HTTP go through the network model.
// With -it and a shell, the terminal moves into the container (exec/index.ts openShell).
import { kubeletDownAt } from '../kubelet-proxy.js';
import type { LabelSelector, Pod } from '../../../cluster/types.js';
import { openShell, runInContainer, runWithStdin } from '../../exec/index.js';
import { fail } from '../../types.js';
import { findResourceType, listObjects, namedObject } from '../resources.js';
import type { FlagSpec, KubectlSubcommand } from '../types.js';

/** -c of the commands that exec in a pod (exec, cp; kubectl's AddContainerVarFlags). */
export const CONTAINER_FLAG: FlagSpec = { name: 'container', short: 'c', type: 'string', usage: 'Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen' };

/**
 * The container an exec request (exec, cp) runs in: `-c`, else the default-container annotation
 * or the first one, with kubectl's `Defaulted container` notice when the pod has several.
 */
export function execContainer(pod: Pod, requested: string | undefined, quiet: boolean): { container: string; notice: string } | { error: string } {
  if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return { error: `error: cannot exec into a container in a completed pod; current phase is ${pod.status.phase}\n` };
  const names = pod.spec.containers.map((c) => c.name);
  if (requested !== undefined) {
    return names.includes(requested) || pod.spec.ephemeralContainers?.some((c) => c.name === requested) ? { container: requested, notice: '' } : { error: `Error from server (BadRequest): container ${requested} is not valid for pod ${pod.metadata.name}\n` };
  }
  const container = pod.metadata.annotations['kubectl.kubernetes.io/default-container'] ?? names[0]!;
  return { container, notice: names.length > 1 && !quiet ? `Defaulted container "${container}" out of: ${names.join(', ')}\n` : '' };
}

/** The flags exec and attach share for the session with the container (kubectl's StreamOptions). */
export const SESSION_FLAGS: FlagSpec[] = [
  { name: 'stdin', short: 'i', type: 'bool', usage: 'Pass stdin to the container' },
  { name: 'tty', short: 't', type: 'bool', usage: 'Stdin is a TTY' },
  { name: 'quiet', short: 'q', type: 'bool', usage: 'Only print output from the remote session' },
];

export const execCommand: KubectlSubcommand = {
  name: 'exec',
  short: 'Execute a command in a container',
  usage: 'kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...] [options]',
  completes: 'pods',
  flags: [CONTAINER_FLAG, ...SESSION_FLAGS],
  run: (ctx, args, flags) => {
    const dash = flags.argsLenAtDash;
    const target = dash === 0 ? undefined : args[0];
    if (target === undefined) return fail('error: pod, type/name or --filename must be specified\n');
    const command = dash < 0 ? args.slice(1) : args.slice(dash);
    let stderr = '';
    if (dash < 0 && command.length > 0) stderr += 'kubectl exec [POD] [COMMAND] is DEPRECATED and will be removed in a future version. Use kubectl exec [POD] -- [COMMAND] instead.\n';
    if (command.length === 0) return fail('error: you must specify at least one command for the container\n');

    const named = namedObject(ctx.state, ctx.namespace, target);
    if ('error' in named) return fail(named.error);
    const { type, obj } = named;
    let pod: Pod | undefined = type.kind === 'Pod' ? (obj as Pod) : undefined;
    if (!pod && ['Deployment', 'ReplicaSet', 'DaemonSet'].includes(type.kind)) {
      const selector = (obj as { spec: { selector: LabelSelector } }).spec.selector.matchLabels;
      pod = (listObjects(ctx.state, findResourceType('pods')!, ctx.namespace) as Pod[])
        .find((p) => p.status.phase === 'Running' && Object.entries(selector).every(([k, v]) => p.metadata.labels[k] === v));
    }
    if (!pod) return fail(`error: cannot attach to ${type.kind}: selector for ${type.kind} not implemented\n`);
    const picked = execContainer(pod, flags.string('container'), flags.bool('quiet'));
    if ('error' in picked) return fail(picked.error);
    const { container } = picked;
    stderr += picked.notice;
    // The apiserver proxies exec to the pod's kubelet: with it stopped, the dial fails.
    const down = kubeletDownAt(ctx.state, pod);
    if (down) return fail(`${stderr}Error from server: error dialing backend: dial tcp ${down}:10250: connect: connection refused\n`);
    // `… | kubectl exec -i POD -- CMD`: the piped text is the command's stdin (without -i kubectl does not send it).
    if (flags.bool('stdin') && !ctx.stdinIsTerminal) {
      // exec.go SetupTTY: -t with stdin that is not a terminal goes on without one.
      if (flags.bool('tty') && !flags.bool('quiet')) stderr += 'Unable to use a TTY - input is not a terminal or the right kind of file\n';
      const result = runWithStdin(ctx, pod, container, command);
      return { ...result, stderrFirst: stderr };
    }
    // `-it … -- sh`: the terminal's next lines run in the container's shell until `exit`.
    if (command.length === 1 && flags.bool('stdin') && flags.bool('tty')) {
      const opened = openShell(ctx, pod, container, command[0]!);
      if (opened) return { ...opened, stderr: stderr + opened.stderr };
    }
    const result = runInContainer(ctx, pod, container, command);
    return { ...result, stderr: stderr + result.stderr };
  },
};
