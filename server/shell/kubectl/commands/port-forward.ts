// `kubectl port-forward TYPE/NAME [LOCAL:]REMOTE…` and `kubectl proxy`: programs that keep
// serving a port of the workstation's loopback. Typed with `&` they become a job (jobs.ts) and
// `curl localhost:PORT` reaches them (shell/workstation/network.ts); typed alone at a terminal
// they run until Ctrl-C like `get -w` (a stream); in a script the line's end ends them.
// Texts from kubectl v1.29: pkg/cmd/portforward/portforward.go ("TYPE/NAME and list of ports
// are required for port-forward", "unable to forward port because pod is not running. Current
// status=%v", translateServicePortToTargetPort: the pod's port is what "->" shows),
// polymorphichelpers attachablePodForObject (the most active pod of the selector, "cannot attach
// to %T: %v"), client-go tools/portforward ("Forwarding from %s -> %d" for 127.0.0.1 and [::1],
// "Unable to listen on port %d: Listeners failed to create with the following errors: [...]",
// "unable to listen on any of the requested ports: %v"), pkg/cmd/proxy ("Starting to serve on %s").
import type { Pod, Service } from '../../../cluster/types.js';
import { hash32 } from '../../node/common.js';
import { listenerAt } from '../../jobs.js';
import type { CommandResult, Listener } from '../../types.js';
import { fail, ok } from '../../types.js';
import { byActivity } from '../active-pods.js';
import { findResourceType, listObjects, namedObject } from '../resources.js';
import type { KubectlContext, KubectlSubcommand } from '../types.js';

const USAGE_ERROR = "error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples\n";


/** The pod a TYPE/NAME forwards to, and the Service when it names one; or kubectl's error. */
function targetPod(ctx: KubectlContext, arg: string): { pod: Pod; svc?: Service } | { error: string } {
  const named = namedObject(ctx.state, ctx.namespace, arg);
  if ('error' in named) return named;
  const { type, name, obj } = named;
  if (type.kind === 'Pod') return { pod: obj as Pod };
  const goType = type.kind === 'Service' ? '*v1.Service' : `*v1.${type.kind}`;
  let selector: Record<string, string> | undefined;
  if (type.kind === 'Service') {
    selector = (obj as Service).spec.selector;
    if (!selector || Object.keys(selector).length === 0) return { error: `error: cannot attach to ${goType}: invalid service '${name}': Service is defined without a selector\n` };
  } else if (['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].includes(type.kind)) {
    selector = (obj as unknown as { spec: { selector: { matchLabels: Record<string, string> } } }).spec.selector.matchLabels;
  } else return { error: `error: cannot attach to ${goType}: selector for ${goType} not implemented\n` };
  const pods = (listObjects(ctx.state, findResourceType('pods')!, ctx.namespace) as Pod[]).filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels[k] === v));
  const pod = byActivity(pods)[0];
  // GetFirstPod waits for one for --pod-running-timeout (1m), then gives up.
  if (!pod) return { error: 'error: timed out waiting for the condition\n' };
  return { pod, ...(type.kind === 'Service' ? { svc: obj as Service } : {}) };
}

/** A container port of the pod by name. */
const namedPort = (pod: Pod, name: string): number | undefined => pod.spec.containers.flatMap((c) => c.ports).find((p) => p.name === name)?.containerPort;

/** `[LOCAL:]REMOTE` pairs, the remote port translated to the pod's own (a Service's targetPort, a named port). */
function forwardedPorts(ctx: KubectlContext, specs: string[], pod: Pod, svc: Service | undefined): { local: number; remote: number }[] | { error: string } {
  const out: { local: number; remote: number }[] = [];
  for (const spec of specs) {
    const colon = spec.indexOf(':');
    const localText = colon < 0 ? spec : spec.slice(0, colon);
    const remoteText = colon < 0 ? spec : spec.slice(colon + 1);
    let remote: number | undefined;
    if (svc) {
      const port = /^\d+$/.test(remoteText) ? svc.spec.ports.find((p) => p.port === Number(remoteText)) : svc.spec.ports.find((p) => p.name === remoteText);
      if (!port) return { error: `error: Service ${svc.metadata.name} does not have a service port ${remoteText}\n` };
      remote = typeof port.targetPort === 'number' ? port.targetPort : namedPort(pod, port.targetPort);
      if (remote === undefined) return { error: `error: Pod '${pod.metadata.name}' does not have a named port '${port.targetPort}'\n` };
    } else {
      remote = /^\d+$/.test(remoteText) ? Number(remoteText) : namedPort(pod, remoteText);
      if (remote === undefined) return { error: `error: Pod '${pod.metadata.name}' does not have a named port '${remoteText}'\n` };
    }
    if (remote < 1 || remote > 65535) return { error: `error: Error parsing remote port '${remoteText}': strconv.ParseUint: parsing "${remoteText}": value out of range\n` };
    // `:REMOTE` lets the kernel choose a free local port.
    const local = localText === '' ? 32768 + (hash32(`${pod.metadata.uid}:${remote}`) % 28000) : Number(localText);
    if (!Number.isInteger(local) || local < 1 || local > 65535) return { error: `error: Error parsing local port '${localText}': strconv.ParseUint: parsing "${localText}": invalid syntax\n` };
    out.push({ local, remote });
  }
  return out;
}

/** The "Forwarding from" lines for the listen addresses (localhost: 127.0.0.1 and [::1]). */
function forwardingLines(addresses: string[], ports: { local: number; remote: number }[]): string {
  const hosts = addresses.flatMap((a) => (a === 'localhost' ? ['127.0.0.1', '[::1]'] : [a.includes(':') ? `[${a}]` : a]));
  return ports.map((p) => hosts.map((h) => `Forwarding from ${h}:${p.local} -> ${p.remote}\n`).join('')).join('');
}

/**
 * A serving program starts: with `&` a job, at a terminal a stream until Ctrl-C, in a script
 * it ends with the line. While it runs as a stream, it checks that its pod is still there.
 */
function serve(ctx: KubectlContext, listeners: Listener[], started: string): CommandResult {
  if (ctx.detach) ctx.detach(listeners);
  else ctx.follow?.({ kind: 'serve', listeners });
  return ok(started);
}

/** A stream step of a foreground forward: nothing new, or the pod went away. */
function stillServing(ctx: KubectlContext, listeners: Listener[]): CommandResult {
  for (const l of listeners) {
    if (l.kind !== 'forward') continue;
    const pod = ctx.state.pods[`${l.namespace}/${l.pod}`];
    if (!pod || pod.metadata.uid !== l.uid || pod.status.phase !== 'Running') return { stdout: '', stderr: 'error: lost connection to pod\n', exitCode: 1, streamEnded: true };
  }
  return ok('');
}

/** client-go's refusal when a local port is taken (by another job of the session). */
function portsTaken(addresses: string[], ports: { local: number; remote: number }[], taken: number[]): string {
  const hosts = addresses.flatMap((a) => (a === 'localhost' ? [['tcp4', '127.0.0.1'], ['tcp6', '[::1]']] : [[a.includes(':') ? 'tcp6' : 'tcp4', a.includes(':') ? `[${a}]` : a]]));
  let out = '';
  for (const port of taken) {
    const errors = hosts.map(([proto, host]) => `unable to create listener: Error listen ${proto} ${host}:${port}: bind: address already in use`).join(' ');
    out += `Unable to listen on port ${port}: Listeners failed to create with the following errors: [${errors}]\n`;
  }
  if (taken.length === ports.length) out += `error: unable to listen on any of the requested ports: [${ports.map((p) => `{${p.local} ${p.remote}}`).join(' ')}]\n`;
  return out;
}

export const portForwardCommand: KubectlSubcommand = {
  name: 'port-forward',
  short: 'Forward one or more local ports to a pod',
  usage: 'kubectl port-forward TYPE/NAME [options] [LOCAL_PORT:]REMOTE_PORT [...[LOCAL_PORT_N:]REMOTE_PORT_N]',
  completes: 'pods',
  flags: [
    { name: 'address', type: 'stringArray', default: 'localhost', usage: 'Addresses to listen on (comma separated). Only accepts IP addresses or localhost as a value.' },
    { name: 'pod-running-timeout', type: 'string', default: '1m0s', usage: 'The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running' },
  ],
  run: (ctx, args, flags) => {
    if (ctx.resume?.kind === 'serve') return stillServing(ctx, ctx.resume.listeners);
    if (args.length < 2) return fail(USAGE_ERROR);
    const target = targetPod(ctx, args[0]!);
    if ('error' in target) return fail(target.error);
    const ports = forwardedPorts(ctx, args.slice(1), target.pod, target.svc);
    if ('error' in ports) return fail(ports.error);
    const { pod } = target;
    if (pod.status.phase !== 'Running') return fail(`error: unable to forward port because pod is not running. Current status=${pod.status.phase}\n`);
    const addresses = (flags.all('address').length > 0 ? flags.all('address') : ['localhost']).flatMap((a) => a.split(','));
    const taken = ports.filter((p) => listenerAt(ctx.session, p.local)).map((p) => p.local);
    const refusal = taken.length > 0 ? portsTaken(addresses, ports, taken) : '';
    if (taken.length === ports.length) return fail(refusal);
    const open = ports.filter((p) => !taken.includes(p.local));
    const listeners: Listener[] = open.map((p) => ({ port: p.local, kind: 'forward', namespace: pod.metadata.namespace ?? ctx.namespace, pod: pod.metadata.name, uid: pod.metadata.uid, podPort: p.remote }));
    const result = serve(ctx, listeners, forwardingLines(addresses, open));
    return { ...result, stderr: refusal + result.stderr };
  },
};

export const proxyCommand: KubectlSubcommand = {
  name: 'proxy',
  short: 'Run a proxy to the Kubernetes API server',
  usage: 'kubectl proxy [--port=PORT] [--www=static-dir] [--www-prefix=prefix] [--api-prefix=prefix] [options]',
  // It only listens at start; each request then goes to the apiserver (and may fail there).
  offline: true,
  flags: [
    { name: 'port', short: 'p', type: 'int', default: '8001', usage: 'The port on which to run the proxy. Set to 0 to pick a random port.' },
    { name: 'address', type: 'string', default: '127.0.0.1', usage: 'The IP address on which to serve on.' },
    { name: 'accept-hosts', type: 'string', usage: 'Regular expression for hosts that the proxy should accept.' },
  ],
  run: (ctx, _args, flags) => {
    if (ctx.resume?.kind === 'serve') return ok('');
    const wanted = flags.int('port') ?? 8001;
    const port = wanted === 0 ? 32768 + (hash32(`proxy:${ctx.session.history.length}`) % 28000) : wanted;
    const address = flags.string('address') ?? '127.0.0.1';
    if (listenerAt(ctx.session, port)) return fail(`error: listen tcp ${address}:${port}: bind: address already in use\n`);
    return serve(ctx, [{ port, kind: 'proxy' }], `Starting to serve on ${address}:${port}\n`);
  },
};
