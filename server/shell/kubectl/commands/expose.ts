// `kubectl expose TYPE NAME` and `kubectl create service clusterip|nodeport|loadbalancer NAME`:
// a Service built the way kubectl builds it (expose.go createService, create_service.go), then
// read back through the apiserver's checks (from-manifest.ts) and created.
import { createObject, writeRefused } from '../../../cluster/api.js';
import type { ContainerSpec, LabelSelector, Service } from '../../../cluster/types.js';
import type { KubeObject } from '../resources.js';
import type { CommandResult } from '../../types.js';
import { fail, ok } from '../../types.js';
import { objectFromManifest } from '../from-manifest.js';
import type { JsonObject } from '../manifest-fields.js';
import type { FlagSpec, KubectlContext, KubectlSubcommand, ParsedFlags } from '../types.js';
import { allocate, problemText } from './apply.js';
import { apiFail, resolveOne } from './write-util.js';
import { GENERATOR_FLAGS, generated } from './generated.js';

type PortJson = { name?: string; port: number; protocol: string; targetPort: number | string; nodePort?: number };

/** Builds the Service from its manifest with the apiserver's checks, allocates its IPs and creates it. */
function createService(ctx: KubectlContext, manifest: JsonObject, name: string, verb: string): CommandResult {
  const built = objectFromManifest(ctx.state, 'Service', manifest, ctx.namespace, undefined);
  if (!built.ok) return fail(problemText('Service', name, built.problem, (m) => m));
  const refused = writeRefused(ctx.state);
  if (refused) return apiFail(refused);
  allocate(ctx.state, built.obj);
  const r = createObject(ctx.state, 'Service', built.obj);
  return r.ok ? ok(`service/${name} ${verb}\n`) : apiFail(r.error);
}

/** polymorphichelpers.MapBasedSelectorForObjectFn: the pods the exposed object selects, as a map. */
function selectorOf(kind: string, obj: KubeObject): Record<string, string> | string {
  if (kind === 'Pod') {
    const labels = obj.metadata.labels ?? {};
    return Object.keys(labels).length === 0 ? 'the pod has no labels and cannot be exposed' : labels;
  }
  if (kind === 'Service') {
    const selector = (obj as Service).spec.selector ?? {};
    return Object.keys(selector).length === 0 ? 'the service has no pod selector set' : selector;
  }
  const selector = (obj as { spec: { selector: LabelSelector } }).spec.selector;
  if (selector.matchExpressions?.length) return `couldn't convert expressions - "${JSON.stringify(selector.matchExpressions)}" to map-based selector format`;
  return selector.matchLabels;
}

/** PortsForObjectFn and MultiProtocolsForObjectFn: container ports (or a Service's ports) and their protocols. */
function portsOf(kind: string, obj: KubeObject): { port: number; protocol: string }[] {
  if (kind === 'Service') return (obj as Service).spec.ports.map((p) => ({ port: p.port, protocol: p.protocol }));
  const containers: ContainerSpec[] = kind === 'Pod'
    ? (obj as { spec: { containers: ContainerSpec[] } }).spec.containers
    : (obj as { spec: { template: { spec: { containers: ContainerSpec[] } } } }).spec.template.spec.containers;
  return containers.flatMap((c) => c.ports.map((p) => ({ port: p.containerPort, protocol: p.protocol ?? 'TCP' })));
}

const EXPOSABLE: Record<string, true> = { Pod: true, Service: true, Deployment: true, ReplicaSet: true, ReplicationController: true };

export const exposeCommand: KubectlSubcommand = {
  name: 'expose',
  short: 'Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service',
  usage: 'kubectl expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type] [options]',
  completes: 'resources',
  flags: [
    { name: 'port', type: 'string', usage: 'The port that the service should serve on. Copied from the resource being exposed, if unspecified' },
    { name: 'protocol', type: 'string', usage: 'The network protocol for the service to be created. Default is \'TCP\'.' },
    { name: 'target-port', type: 'string', usage: 'Name or number for the port on the container that the service should direct traffic to. Optional.' },
    { name: 'name', type: 'string', usage: 'The name for the newly created object.' },
    { name: 'type', type: 'string', usage: 'Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName. Default is \'ClusterIP\'.' },
    { name: 'selector', type: 'string', usage: 'A label selector to use for this service. Only equality-based selector requirements are supported. If empty (the default) infer the selector from the replication controller or replica set.)' },
    { name: 'labels', short: 'l', type: 'string', usage: 'Labels to apply to the service created by this call.' },
    { name: 'cluster-ip', type: 'string', usage: 'ClusterIP to be assigned to the service. Leave empty to auto-allocate, or set to \'None\' to create a headless service.' },
    { name: 'session-affinity', type: 'string', usage: 'If non-empty, set the session affinity for the service to this; legal values: \'None\', \'ClientIP\'' },
    { name: 'dry-run', type: 'string', default: 'none', usage: 'Must be "none", "server", or "client".' },
    ...GENERATOR_FLAGS,
  ],
  run: (ctx, args, flags) => generated(ctx, flags, (c) => expose(c, args, flags)),
};

function expose(ctx: KubectlContext, args: string[], flags: ParsedFlags): CommandResult {
  if (args.length === 0) return fail('error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   \'-f rsrc.yaml\'\n   \'--filename=rsrc.json\'\n   \'<resource> <name>\'\n   \'<resource>\'\n');
  const found = resolveOne(ctx, args);
  if (!found.ok) return fail(found.error);
  const { type, obj } = found.target;
  if (!EXPOSABLE[type.kind]) return fail(`error: cannot expose a ${type.kind}${type.group ? `.${type.group}` : ''}\n`);
  let selector: Record<string, string> | string;
  if (flags.has('selector')) selector = parseLabels(flags.string('selector') ?? '');
  else {
    const derived = selectorOf(type.kind, obj);
    selector = typeof derived === 'string' ? `couldn't retrieve selectors via --selector flag or introspection: ${derived}` : derived;
  }
  if (typeof selector === 'string') return fail(`error: ${selector}\n`);
  const headless = flags.string('cluster-ip') === 'None';
  const derived = portsOf(type.kind, obj);
  const given = flags.string('port');
  const ports = given !== undefined && given !== '' ? [given] : derived.map((p) => String(p.port));
  if (ports.length === 0 && !headless) return fail('error: couldn\'t find port via --port flag or introspection\n');
  const protocolOf = (port: string): string => flags.string('protocol') || derived.find((p) => String(p.port) === port)?.protocol || 'TCP';
  const servicePorts: PortJson[] = [];
  for (const [i, text] of ports.entries()) {
    if (!/^[+-]?\d+$/.test(text)) return fail(`error: strconv.Atoi: parsing "${text}": invalid syntax\n`);
    const port = Number(text);
    const targetText = flags.string('target-port');
    const targetPort = targetText ? (/^\d+$/.test(targetText) ? Number(targetText) : targetText) : port;
    servicePorts.push({ ...(ports.length > 1 ? { name: `port-${i + 1}` } : {}), port, protocol: protocolOf(text), targetPort });
  }
  const labels = flags.has('labels') ? parseLabels(flags.string('labels') ?? '') : obj.metadata.labels ?? {};
  if (typeof labels === 'string') return fail(`error: ${labels}\n`);
  const affinity = flags.string('session-affinity');
  if (affinity && affinity !== 'None' && affinity !== 'ClientIP') return fail(`error: unknown session affinity: ${affinity}\n`);
  const name = (flags.string('name') || found.target.name).slice(0, 63);
  const spec: JsonObject = { selector, ports: servicePorts };
  if (flags.string('type')) spec.type = flags.string('type')!;
  if (affinity) spec.sessionAffinity = affinity;
  if (flags.string('cluster-ip')) spec.clusterIP = flags.string('cluster-ip')!;
  const metadata: JsonObject = { name, namespace: ctx.namespace };
  if (Object.keys(labels).length > 0) metadata.labels = labels;
  return createService(ctx, { apiVersion: 'v1', kind: 'Service', metadata, spec }, name, 'exposed');
}

/** expose.go parseLabels: `k=v,k2=v2`. */
function parseLabels(spec: string): Record<string, string> | string {
  if (spec === '') return 'no label spec passed';
  const out: Record<string, string> = {};
  for (const pair of spec.split(',')) {
    const parts = pair.split('=');
    if (parts.length !== 2) return `unexpected label spec: ${pair}`;
    if (parts[0] === '') return 'unexpected empty label key';
    out[parts[0]!] = parts[1]!;
  }
  return out;
}

const SERVICE_TYPES: Record<string, string> = { clusterip: 'ClusterIP', nodeport: 'NodePort', loadbalancer: 'LoadBalancer' };

export const CREATE_SERVICE_FLAGS: FlagSpec[] = [
  { name: 'tcp', type: 'stringArray', usage: 'Port pairs can be specified as \'<port>:<targetPort>\'.' },
  { name: 'clusterip', type: 'string', usage: 'Assign your own ClusterIP or set to \'None\' for a \'headless\' service (no loadbalancing).' },
  { name: 'node-port', type: 'int', default: '0', usage: 'Port used to expose the service on each node in a cluster.' },
];

/** `kubectl create service TYPE NAME --tcp=PORT[:TARGET]` (create_service.go): selector and labels app=NAME. */
export function createServiceCommand(ctx: KubectlContext, args: string[], flags: ParsedFlags): CommandResult {
  const [kind, name] = args;
  const type = SERVICE_TYPES[kind ?? ''];
  if (!type) {
    return fail(kind === undefined
      ? 'error: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\n'
      : `error: unknown command "${kind}" for "kubectl create service"\nRun 'kubectl create service --help' for usage.\n`);
  }
  if (name === undefined) return fail(`error: exactly one NAME is required, got 0\nSee 'kubectl create service ${kind} -h' for help and examples\n`);
  const clusterIP = flags.string('clusterip');
  const tcp = flags.all('tcp').flatMap((t) => t.split(','));
  if (tcp.length === 0 && clusterIP !== 'None') return fail('error: at least one tcp port specifier must be provided\n');
  const nodePort = flags.int('node-port') ?? 0;
  const ports: PortJson[] = [];
  for (const pair of tcp) {
    const [portText = '', targetText = portText, extra] = pair.split(':');
    if (extra !== undefined || !/^\d+$/.test(portText)) return fail(`error: strconv.Atoi: parsing "${portText}": invalid syntax\n`);
    const targetPort = /^\d+$/.test(targetText) ? Number(targetText) : targetText;
    ports.push({ name: pair.replace(/:/g, '-'), port: Number(portText), protocol: 'TCP', targetPort, ...(nodePort > 0 ? { nodePort } : {}) });
  }
  const spec: JsonObject = { type, selector: { app: name }, ports };
  if (clusterIP) spec.clusterIP = clusterIP;
  return createService(ctx, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ctx.namespace, labels: { app: name } }, spec }, name, 'created');
}
