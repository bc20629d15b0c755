// `kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [-it] -- COMMAND [args…]`: runs the command in
// the simulated container (server/shell/exec), so DNS and HTTP go through the network model.
// With -it and a shell, the terminal moves into the container (exec/index.ts openShell).
import { kubeletDownAt } from '../kubelet-proxy.js';
import type { LabelSelector, Pod } from '../../../cluster/types.js';
import { openShell, runInContainer } from '../../exec/index.js';
import { fail } from '../../types.js';
import { findResourceType, getObject, listObjects, notFoundError } from '../resources.js';
import type { KubectlSubcommand } from '../types.js';

export const execCommand: KubectlSubcommand = {
  name: 'exec',
  short: 'Execute a command in a container',
  usage: 'kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...] [options]',
  completes: 'pods',
  flags: [
    { name: 'container', short: 'c', type: 'string', usage: 'Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen' },
    { name: 'stdin', short: 'i', type: 'bool', usage: 'Pass stdin to the container' },
    { name: 'tty', short: 't', type: 'bool', usage: 'Stdin is a TTY' },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Only print output from the remote session' },
  ],
  run: (ctx, args, flags) => {
    const dash = flags.argsLenAtDash;
    const target = dash === 0 ? undefined : args[0];
    if (target === undefined) return fail('error: pod, type/name or --filename must be specified\n');
    const command = dash < 0 ? args.slice(1) : args.slice(dash);
    let stderr = '';
    if (dash < 0 && command.length > 0) stderr += 'kubectl exec [POD] [COMMAND] is DEPRECATED and will be removed in a future version. Use kubectl exec [POD] -- [COMMAND] instead.\n';
    if (command.length === 0) return fail('error: you must specify at least one command for the container\n');

    const slash = target.indexOf('/');
    const type = findResourceType(slash < 0 ? 'pods' : target.slice(0, slash));
    const name = slash < 0 ? target : target.slice(slash + 1);
    if (!type) return fail(`error: the server doesn't have a resource type "${target.slice(0, slash)}"\n`);
    const obj = getObject(ctx.state, type, ctx.namespace, name);
    if (!obj) return fail(notFoundError(type, name));
    let pod: Pod | undefined = type.kind === 'Pod' ? (obj as Pod) : undefined;
    if (!pod && ['Deployment', 'ReplicaSet', 'DaemonSet'].includes(type.kind)) {
      const selector = (obj as { spec: { selector: LabelSelector } }).spec.selector.matchLabels;
      pod = (listObjects(ctx.state, findResourceType('pods')!, ctx.namespace) as Pod[])
        .find((p) => p.status.phase === 'Running' && Object.entries(selector).every(([k, v]) => p.metadata.labels[k] === v));
    }
    if (!pod) return fail(`error: cannot attach to ${type.kind}: selector for ${type.kind} not implemented\n`);
    if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return fail(`error: cannot exec into a container in a completed pod; current phase is ${pod.status.phase}\n`);

    const names = pod.spec.containers.map((c) => c.name);
    let container = flags.string('container');
    if (container !== undefined && !names.includes(container)) return fail(`Error from server (BadRequest): container ${container} is not valid for pod ${pod.metadata.name}\n`);
    if (container === undefined) {
      container = pod.metadata.annotations['kubectl.kubernetes.io/default-container'] ?? names[0]!;
      if (names.length > 1 && !flags.bool('quiet')) stderr += `Defaulted container "${container}" out of: ${names.join(', ')}\n`;
    }
    // The apiserver proxies exec to the pod's kubelet: with it stopped, the dial fails.
    const down = kubeletDownAt(ctx.state, pod);
    if (down) return fail(`${stderr}Error from server: error dialing backend: dial tcp ${down}:10250: connect: connection refused\n`);
    // `-it … -- sh`: the terminal's next lines run in the container's shell until `exit`.
    if (command.length === 1 && flags.bool('stdin') && flags.bool('tty')) {
      const opened = openShell(ctx, pod, container, command[0]!);
      if (opened) return { ...opened, stderr: stderr + opened.stderr };
    }
    const result = runInContainer(ctx, pod, container, command);
    return { ...result, stderr: stderr + result.stderr };
  },
};
