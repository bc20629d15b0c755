// `kubectl debug` as kubectl v1.29 does it (pkg/cmd/debug/debug.go):
// - `node/NODE [-it] --image=IMAGE`: a pod on that node in its host namespaces with the node's
//   root filesystem at /host (generateNodeDebugPod, "legacy" profile);
// - `POD --image=IMAGE [-it] [--target=C] [-c NAME]`: an ephemeral container added through the
//   pod's ephemeralcontainers subresource (debugByEphemeralContainer; cluster/ephemeral.ts),
//   named `debugger-xxxxx` unless -c says; --target puts it in that container's process
//   namespace, so a distroless container (CoreDNS, etcd) can be looked at with busybox's tools;
// - `POD --copy-to=NAME --image=IMAGE`: a copy of the pod, unlabelled so no controller adopts it,
//   with the debug container added (debugByCopy, generatePodCopyWithDebugContainer).
// With -it the terminal moves into the debug container's shell (exec/index.ts openShell).
import { createObject } from '../../../cluster/api.js';
import { addEphemeralContainer } from '../../../cluster/ephemeral.js';
import { podFromTemplate } from '../../../cluster/objects.js';
import { randomSuffix } from '../../../cluster/rng.js';
import type { Pod } from '../../../cluster/types.js';
import type { CommandResult } from '../../types.js';
import { fail, ok } from '../../types.js';
import { findResourceType, getObject, notFoundError, unknownTypeError } from '../resources.js';
import type { KubectlContext, KubectlSubcommand, ParsedFlags } from '../types.js';
import { simpleTemplate } from './create.js';
import { attachShell } from './run.js';
import { apiFail } from './write-util.js';

/** Prints what kubectl printed before attaching, then the attached shell's own lines. */
function attached(ctx: KubectlContext, flags: ParsedFlags, said: string, pod: string, container: string, shell: string, hostNode?: string): CommandResult {
  if (!(flags.bool('stdin') && flags.bool('tty'))) return ok(said);
  const opened = attachShell(ctx, pod, shell, hostNode === undefined ? { attached: 'keep' } : { hostNode }, container);
  const quiet = flags.bool('quiet');
  return { ...opened, stdout: said + opened.stdout, stderr: quiet && opened.exitCode === 0 ? '' : opened.stderr };
}

function debugNode(ctx: KubectlContext, nodeName: string, image: string, command: string[], flags: ParsedFlags): CommandResult {
  if (!ctx.state.nodes[nodeName]) return fail(`Error from server (NotFound): nodes "${nodeName}" not found\n`);
  const name = `node-debugger-${nodeName}-${randomSuffix(ctx.state.rng, 5)}`;
  const template = simpleTemplate('debugger', image, {}, { args: command, restart: 'Never' });
  template.behavior = { debugger: {} };
  const pod = podFromTemplate(ctx.state, template, ctx.namespace, name);
  Object.assign(pod.spec, { nodeName, hostNetwork: true, tolerations: [{ operator: 'Exists' }] });
  const r = createObject(ctx.state, 'Pod', pod);
  if (!r.ok) return apiFail(r.error);
  const said = flags.bool('quiet') ? '' : `Creating debugging pod ${name} with container debugger on node ${nodeName}.\n`;
  return attached(ctx, flags, said, name, 'debugger', command[0] ?? 'sh', nodeName);
}

/** computeDebugContainerName: -c, else `debugger-` and a suffix no container of the pod has. */
function debugContainerName(ctx: KubectlContext, pod: Pod, flags: ParsedFlags): { name: string; said: string } {
  const given = flags.string('container');
  if (given) return { name: given, said: '' };
  const taken = new Set([...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])].map((c) => c.name));
  let name = '';
  while (name === '' || taken.has(name)) name = `debugger-${randomSuffix(ctx.state.rng, 5)}`;
  return { name, said: flags.bool('quiet') ? '' : `Defaulting debug container name to ${name}.\n` };
}

function debugPod(ctx: KubectlContext, pod: Pod, image: string, command: string[], flags: ParsedFlags, said: string): CommandResult {
  const { name, said: named } = debugContainerName(ctx, pod, flags);
  said += named;
  const target = flags.string('target');
  const index = pod.spec.ephemeralContainers?.length ?? 0;
  // The apiserver's validation of the ephemeralcontainers update (ValidatePodEphemeralContainersUpdate).
  const invalid = (field: string, detail: string) => ({ stdout: said, stderr: `The Pod "${pod.metadata.name}" is invalid: spec.ephemeralContainers[${index}].${field}: ${detail}\n`, exitCode: 1 });
  if ([...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])].some((c) => c.name === name)) return invalid('name', `Duplicate value: "${name}"`);
  if (target !== undefined && !pod.spec.containers.some((c) => c.name === target)) return invalid('targetContainerName', `Not found: "${target}"`);
  const container = simpleTemplate(name, image, {}, { command }).spec.containers[0]!;
  const r = addEphemeralContainer(ctx.state, pod, {
    ...container,
    ...(target !== undefined ? { targetContainerName: target } : {}),
    ...(flags.bool('stdin') ? { stdin: true } : {}),
    ...(flags.bool('tty') ? { tty: true } : {}),
  });
  // kubectl prints an Invalid status as `The <message>`, as for its own checks above.
  if (!r.ok) return r.error.reason === 'Invalid' ? { stdout: said, stderr: `The ${r.error.message}\n`, exitCode: 1 } : { ...apiFail(r.error), stdout: said };
  return attached(ctx, flags, said, pod.metadata.name, name, command[0] ?? 'sh');
}

function debugByCopy(ctx: KubectlContext, pod: Pod, copyTo: string, image: string, command: string[], flags: ParsedFlags): CommandResult {
  const { name, said } = debugContainerName(ctx, pod, flags);
  const template = { metadata: { labels: {}, annotations: { ...pod.metadata.annotations } }, spec: structuredClone(pod.spec), behavior: structuredClone(pod.behavior) };
  delete template.spec.nodeName;
  delete template.spec.ephemeralContainers;
  const debug = simpleTemplate(name, image, {}, { command });
  template.spec.containers.push(debug.spec.containers[0]!);
  Object.assign(template.behavior, debug.behavior);
  const copy = podFromTemplate(ctx.state, template, ctx.namespace, copyTo);
  const r = createObject(ctx.state, 'Pod', copy);
  if (!r.ok) return { ...apiFail(r.error), stdout: said };
  return attached(ctx, flags, said, copyTo, name, command[0] ?? 'sh');
}

export const debugCommand: KubectlSubcommand = {
  name: 'debug',
  short: 'Create debugging sessions for troubleshooting workloads and nodes',
  usage: 'kubectl debug (POD | TYPE[[.VERSION].GROUP]/NAME) [ -- COMMAND [args...] ]',
  completes: 'pods',
  flags: [
    { name: 'image', type: 'string', usage: 'Container image to use for debug container.' },
    { name: 'stdin', short: 'i', type: 'bool', usage: 'Keep stdin open on the container(s) in the pod, even if nothing is attached.' },
    { name: 'tty', short: 't', type: 'bool', usage: 'Allocate a TTY for the debugging container.' },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'If true, suppress informational messages.' },
    { name: 'container', short: 'c', type: 'string', usage: 'Container name to use for debug container.' },
    { name: 'target', type: 'string', usage: 'When using an ephemeral container, target processes in this container name.' },
    { name: 'copy-to', type: 'string', usage: 'Create a copy of the target Pod with this name.' },
    { name: 'profile', type: 'string', default: 'legacy', usage: 'Options are "legacy", "general", "baseline", "netadmin", "restricted" or "sysadmin".' },
  ],
  run: (ctx, args, flags) => {
    const image = flags.string('image');
    const copyTo = flags.string('copy-to');
    // DebugOptions.Validate, in its order.
    if (copyTo === undefined && !image) return fail('error: you must specify --image when not using --copy-to.\n');
    if (copyTo !== undefined && !image) return fail('error: you must specify --image, --set-image or command arguments.\n');
    const target = args[0];
    if (target === undefined) return fail('error: NAME or filename is required for debug\n');
    let said = '';
    if (flags.string('target') !== undefined) {
      if (copyTo !== undefined) return fail('error: --target is incompatible with --copy-to. Use --share-processes instead.\n');
      if (!flags.bool('quiet')) said += `Targeting container "${flags.string('target')}". If you don't see processes from this container it may be because the container runtime doesn't support this feature.\n`;
    }
    if (flags.bool('tty') && !flags.bool('stdin')) return { stdout: said, stderr: 'error: -i/--stdin is required for containers with -t/--tty=true\n', exitCode: 1 };
    const command = args.slice(1);
    const slash = target.indexOf('/');
    const type = findResourceType(slash < 0 ? 'pods' : target.slice(0, slash));
    const name = slash < 0 ? target : target.slice(slash + 1);
    if (!type) return fail(unknownTypeError(target.slice(0, slash)));
    if (type.kind === 'Node') return debugNode(ctx, name, image!, command, flags);
    if (type.kind !== 'Pod') return fail(`error: "${type.group ? '' : '/'}${type.apiVersion}, Kind=${type.kind}" not supported by debug\n`);
    const pod = getObject(ctx.state, type, ctx.namespace, name) as Pod | undefined;
    if (!pod) return { stdout: said, stderr: notFoundError(type, name), exitCode: 1 };
    if (copyTo !== undefined) return debugByCopy(ctx, pod, copyTo, image!, command, flags);
    return debugPod(ctx, pod, image!, command, flags, said);
  },
};
