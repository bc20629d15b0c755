// `kubectl debug node/NODE [-it] --image=IMAGE`: a pod on that node in its host namespaces with
// the node's root filesystem at /host (kubectl v1.29 pkg/cmd/debug/debug.go, generateNodeDebugPod,
// "legacy" profile); with -it the terminal moves into its shell (exec/index.ts openShell), where
// `chroot /host` is a root shell on the node. Debugging a pod (ephemeral containers) is not built.
import { createObject } from '../../../cluster/api.js';
import { podFromTemplate } from '../../../cluster/objects.js';
import { randomSuffix } from '../../../cluster/rng.js';
import { fail, ok } from '../../types.js';
import type { KubectlSubcommand } from '../types.js';
import { simpleTemplate } from './create.js';
import { attachShell } from './run.js';
import { apiFail } from './write-util.js';

export const debugCommand: KubectlSubcommand = {
  name: 'debug',
  short: 'Create debugging sessions for troubleshooting workloads and nodes',
  usage: 'kubectl debug (POD | TYPE[[.VERSION].GROUP]/NAME) [ -- COMMAND [args...] ]',
  flags: [
    { name: 'image', type: 'string', usage: 'Container image to use for debug container.' },
    { name: 'stdin', short: 'i', type: 'bool', usage: 'Keep stdin open on the container(s) in the pod, even if nothing is attached.' },
    { name: 'tty', short: 't', type: 'bool', usage: 'Allocate a TTY for the debugging container.' },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'If true, suppress informational messages.' },
    { name: 'profile', type: 'string', default: 'legacy', usage: 'Options are "legacy", "general", "baseline", "netadmin", "restricted" or "sysadmin".' },
  ],
  run: (ctx, args, flags) => {
    const target = args[0];
    if (target === undefined) return fail('error: NAME is required for debug\n');
    if (!target.startsWith('node/') && !target.startsWith('nodes/')) {
      return fail('error: only node debugging (kubectl debug node/NAME) is available here; use kubectl exec POD -- COMMAND for a pod\n');
    }
    const nodeName = target.slice(target.indexOf('/') + 1);
    if (!ctx.state.nodes[nodeName]) return fail(`Error from server (NotFound): nodes "${nodeName}" not found\n`);
    const image = flags.string('image');
    if (!image) return fail('error: --image is required when debugging a node\n');
    const name = `node-debugger-${nodeName}-${randomSuffix(ctx.state.rng, 5)}`;
    const command = args.slice(1);
    const template = simpleTemplate('debugger', image, {}, { args: command, restart: 'Never' });
    template.behavior = { debugger: {} };
    const pod = podFromTemplate(ctx.state, template, ctx.namespace, name);
    Object.assign(pod.spec, { nodeName, hostNetwork: true, tolerations: [{ operator: 'Exists' }] });
    const r = createObject(ctx.state, 'Pod', pod);
    if (!r.ok) return apiFail(r.error);
    const quiet = flags.bool('quiet');
    const created = quiet ? '' : `Creating debugging pod ${name} with container debugger on node ${nodeName}.\n`;
    if (!(flags.bool('stdin') && flags.bool('tty'))) return ok(created);
    const attached = attachShell(ctx, name, command[0] ?? 'sh', { hostNode: nodeName });
    return { ...attached, stdout: created + attached.stdout, stderr: quiet && attached.exitCode === 0 ? '' : attached.stderr };
  },
};
