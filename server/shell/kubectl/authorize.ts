// RBAC on kubectl's requests when the kubeconfig's user is not the admin (cluster spec
// `user`): each subcommand's API requests (verb, resource, subresource, name), as kubectl
// sends them, are asked of the cluster's Roles and bindings (commands/auth.ts `allowed`), and
// the first refused one ends the command with the apiserver's Forbidden message
// (k8s.io/apiserver pkg/endpoints/handlers/responsewriters/errors.go forbiddenMessage).
// Requests kubectl builds from manifests (apply, create -f) are not checked yet.
import type { ClusterState } from '../../cluster/types.js';
import { allowed, kubeconfigSubject } from './commands/auth.js';
import { findResourceType, type ResourceType } from './resources.js';
import type { ParsedFlags } from './types.js';

interface Request {
  verb: string;
  type: Pick<ResourceType, 'plural' | 'group' | 'namespaced'>;
  sub?: string;
  name?: string;
}

const POD = findResourceType('pods')!;
const NODE = findResourceType('nodes')!;
const METRICS = { pods: { plural: 'pods', group: 'metrics.k8s.io', namespaced: true }, nodes: { plural: 'nodes', group: 'metrics.k8s.io', namespaced: false } };

/** `TYPE[,TYPE] [NAME…]` or `TYPE/NAME…` → the objects named (types kubectl does not know are left to the command). */
function targets(args: string[]): { type: ResourceType; name?: string }[] {
  if (args.length === 0) return [];
  if (args[0]!.includes('/')) {
    return args.flatMap((a) => {
      const [t, name] = a.split('/', 2) as [string, string];
      const type = findResourceType(t);
      return type ? [{ type, name }] : [];
    });
  }
  const names = args.slice(1);
  return args[0]!.split(',').flatMap((t) => {
    const type = findResourceType(t);
    if (!type) return [];
    return names.length > 0 ? names.map((name) => ({ type, name })) : [{ type }];
  });
}

/** A pod named by `NAME` or `pod/NAME` (logs, exec). */
function podTarget(arg: string | undefined): { type: ResourceType; name?: string } | undefined {
  if (arg === undefined) return undefined;
  return arg.includes('/') ? targets([arg])[0] : { type: POD, name: arg };
}

function requestsOf(command: string, args: string[]): Request[] {
  const read = (name: string | undefined) => (name === undefined ? 'list' : 'get');
  const getThenPatch = (ts: { type: ResourceType; name?: string }[], sub?: string): Request[] =>
    ts.flatMap((t) => [{ verb: 'get', ...t }, { verb: 'patch', ...t, ...(sub ? { sub } : {}) }]);
  switch (command) {
    case 'get':
    case 'describe':
      return targets(args).map((t) => ({ verb: read(t.name), ...t }));
    case 'delete':
      return targets(args).map((t) => ({ verb: t.name === undefined ? 'list' : 'delete', ...t }));
    case 'edit':
    case 'patch':
    case 'label':
    case 'annotate':
      return getThenPatch(targets(args).filter((t) => t.name !== undefined));
    case 'scale':
      return getThenPatch(targets(args).filter((t) => t.name !== undefined), 'scale');
    case 'rollout': {
      const [action, ...rest] = args;
      const ts = targets(rest);
      return action === 'status' || action === 'history' ? ts.map((t) => ({ verb: 'get', ...t })) : getThenPatch(ts);
    }
    case 'cordon':
    case 'uncordon':
    case 'drain':
      return getThenPatch(args.map((name) => ({ type: NODE, name })));
    case 'taint':
      return getThenPatch(targets(args));
    case 'logs': {
      const t = podTarget(args[0]);
      return t ? [t.type === POD ? { verb: 'get', ...t, sub: 'log' } : { verb: 'get', ...t }] : [];
    }
    case 'exec': {
      const t = podTarget(args[0]);
      return t ? [t.type === POD ? { verb: 'create', ...t, sub: 'exec' } : { verb: 'get', ...t }] : [];
    }
    case 'top': {
      const what = args[0] ?? '';
      if (['pod', 'pods', 'po'].includes(what)) return [{ verb: 'list', type: METRICS.pods }];
      return ['node', 'nodes', 'no'].includes(what) ? [{ verb: 'list', type: METRICS.nodes }] : [];
    }
    case 'run':
      return [{ verb: 'create', type: POD }];
    default:
      return [];
  }
}

/** The Forbidden error for the first request the kubeconfig's user may not make, or undefined. */
export function forbidden(state: ClusterState, command: string, args: string[], namespace: string | undefined, flags: ParsedFlags): string | undefined {
  if (!state.kubeconfigUser) return undefined;
  const who = kubeconfigSubject(state);
  const as = flags.string('as');
  if (as !== undefined) {
    // Impersonation is a request of its own; what the impersonated user may do is not checked further.
    if (allowed(state, who, 'impersonate', { group: '', resource: 'users', name: as }, undefined)) return undefined;
    return `Error from server (Forbidden): users "${as}" is forbidden: User "${who.name}" cannot impersonate resource "users" in API group "" at the cluster scope\n`;
  }
  for (const r of requestsOf(command, args)) {
    const ns = r.type.namespaced ? namespace : undefined;
    const resource = r.sub ? `${r.type.plural}/${r.sub}` : r.type.plural;
    if (allowed(state, who, r.verb, { group: r.type.group, resource, name: r.name ?? '' }, ns)) continue;
    return `Error from server (Forbidden): ${forbiddenMessage(who.name, r.verb, r.type, r.sub, r.name, ns)}\n`;
  }
  return undefined;
}

/** The apiserver's Forbidden message (forbiddenMessage in responsewriters/errors.go), without kubectl's prefix. */
export function forbiddenMessage(user: string, verb: string, type: Request['type'], sub: string | undefined, name: string | undefined, namespace: string | undefined): string {
  const resource = sub ? `${type.plural}/${sub}` : type.plural;
  const shown = type.group ? `${type.plural}.${type.group}` : type.plural;
  const scope = namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
  return `${name ? `${shown} "${name}"` : shown} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${type.group}" ${scope}`;
}
