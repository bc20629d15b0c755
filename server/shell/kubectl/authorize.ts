// RBAC on kubectl's requests when the kubeconfig's user is not the admin (cluster spec
// `user`): each subcommand's API requests (verb, resource, subresource, name), as kubectl
// sends them, are asked of the cluster's Roles and bindings (commands/auth.ts `allowed`), and
// the first refused one ends the command with the apiserver's Forbidden message
// (k8s.io/apiserver pkg/endpoints/handlers/responsewriters/errors.go forbiddenMessage).
// Requests kubectl builds from manifests (apply, create -f, replace -f) are asked per object by
// commands/apply.ts through `refusal`, where kubectl wraps the message with the file's name.
import type { ApiError, ClusterState } from '../../cluster/types.js';
import { allowed, kubeconfigSubject } from './commands/auth.js';
import { findResourceType, type ResourceType } from './resources.js';
import type { ParsedFlags } from './types.js';

interface Request {
  verb: string;
  type: Pick<ResourceType, 'plural' | 'group' | 'namespaced'>;
  sub?: string;
  name?: string;
  /** kubectl prints the Forbidden message inside its own (`error: failed to create job: …`). */
  wrap?: string;
  /** The request's own namespace (`kubectl cp ns/pod:path`), else the command's. */
  namespace?: string;
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

/**
 * `kubectl create GENERATOR NAME`: the one POST it sends, and how the generator wraps the
 * error (pkg/cmd/create/create_*.go: `return err`, or `fmt.Errorf("failed to create …: %v")`,
 * which kubectl then prints as `error: …`).
 */
const CREATE_GENERATORS: Record<string, { plural: string; wrap?: string }> = {
  namespace: { plural: 'namespaces' }, ns: { plural: 'namespaces' },
  role: { plural: 'roles' }, clusterrole: { plural: 'clusterroles' },
  configmap: { plural: 'configmaps', wrap: 'failed to create configmap: ' }, cm: { plural: 'configmaps', wrap: 'failed to create configmap: ' },
  deployment: { plural: 'deployments', wrap: 'failed to create deployment: ' }, deploy: { plural: 'deployments', wrap: 'failed to create deployment: ' },
  secret: { plural: 'secrets', wrap: 'failed to create secret ' },
  serviceaccount: { plural: 'serviceaccounts', wrap: 'failed to create serviceaccount: ' }, sa: { plural: 'serviceaccounts', wrap: 'failed to create serviceaccount: ' },
  rolebinding: { plural: 'rolebindings', wrap: 'failed to create rolebinding: ' },
  clusterrolebinding: { plural: 'clusterrolebindings', wrap: 'failed to create clusterrolebinding: ' },
  quota: { plural: 'resourcequotas', wrap: 'failed to create quota: ' }, resourcequota: { plural: 'resourcequotas', wrap: 'failed to create quota: ' },
  poddisruptionbudget: { plural: 'poddisruptionbudgets', wrap: 'failed to create poddisruptionbudgets: ' }, pdb: { plural: 'poddisruptionbudgets', wrap: 'failed to create poddisruptionbudgets: ' },
  job: { plural: 'jobs', wrap: 'failed to create job: ' },
  cronjob: { plural: 'cronjobs', wrap: 'failed to create cronjob: ' }, cj: { plural: 'cronjobs', wrap: 'failed to create cronjob: ' },
  ingress: { plural: 'ingresses', wrap: 'failed to create ingress: ' }, ing: { plural: 'ingresses', wrap: 'failed to create ingress: ' },
  priorityclass: { plural: 'priorityclasses', wrap: 'failed to create priorityclass: ' }, pc: { plural: 'priorityclasses', wrap: 'failed to create priorityclass: ' },
};

/** create_service.go names the service type (corev1.ServiceType) in its wrapping. */
const SERVICE_TYPES: Record<string, string> = { clusterip: 'ClusterIP', nodeport: 'NodePort', loadbalancer: 'LoadBalancer', externalname: 'ExternalName' };

function createRequests(args: string[]): Request[] {
  const [what, sub, name] = args;
  if (what === 'service' || what === 'svc') {
    const type = SERVICE_TYPES[sub ?? ''];
    return type ? [{ verb: 'create', type: findResourceType('services')!, wrap: `failed to create ${type} service: ` }] : [];
  }
  if (what === 'token') return sub === undefined ? [] : [{ verb: 'create', type: findResourceType('serviceaccounts')!, sub: 'token', name: sub, wrap: 'failed to create token: ' }];
  const generator = what === undefined ? undefined : CREATE_GENERATORS[what];
  if (!generator || sub === undefined) return [];
  return [{ verb: 'create', type: findResourceType(generator.plural)!, ...(generator.wrap ? { wrap: generator.wrap } : {}) }];
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
    case 'cp': {
      // The exec of tar in the pod that `[namespace/]pod:path` names (cp.go extractFileSpec).
      const remote = args.find((a) => a.indexOf(':') > 0);
      if (remote === undefined) return [];
      const pieces = remote.slice(0, remote.indexOf(':')).split('/');
      const name = pieces.at(-1)!;
      const namespace = pieces.length === 2 ? { namespace: pieces[0]! } : {};
      return [{ verb: 'get', type: POD, name, ...namespace }, { verb: 'create', type: POD, sub: 'exec', name, ...namespace }];
    }
    case 'create':
      return createRequests(args);
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
  // A client-side dry run sends nothing but the reads.
  const client = flags.string('dry-run') === 'client';
  for (const r of requestsOf(command, args)) {
    if (client && r.verb !== 'get' && r.verb !== 'list') continue;
    const message = refusal(state, r.verb, r.type, r.name, r.type.namespaced ? r.namespace ?? namespace : undefined, r.sub);
    if (message === undefined) continue;
    return r.wrap ? `error: ${r.wrap}${message}\n` : `Error from server (Forbidden): ${message}\n`;
  }
  return undefined;
}

/** The apiserver's Forbidden message (forbiddenMessage in responsewriters/errors.go), without kubectl's prefix. */
export function forbiddenMessage(user: string, verb: string, type: Pick<ResourceType, 'plural' | 'group'>, sub: string | undefined, name: string | undefined, namespace: string | undefined): string {
  const resource = sub ? `${type.plural}/${sub}` : type.plural;
  const shown = type.group ? `${type.plural}.${type.group}` : type.plural;
  const scope = namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
  return `${name ? `${shown} "${name}"` : shown} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${type.group}" ${scope}`;
}

export const forbiddenError = (message: string): ApiError => ({ status: 403, reason: 'Forbidden', message });

/**
 * The apiserver's Forbidden message when the kubeconfig's user may not make this request
 * (`deployments.apps "web" is forbidden: User "jane" cannot patch resource …`), else undefined.
 * The name is the request URL's: a create (POST to the collection) names none.
 */
export function refusal(state: ClusterState, verb: string, type: Pick<ResourceType, 'plural' | 'group'>, name: string | undefined, namespace: string | undefined, sub?: string): string | undefined {
  if (!state.kubeconfigUser) return undefined;
  const who = kubeconfigSubject(state);
  const resource = sub ? `${type.plural}/${sub}` : type.plural;
  if (allowed(state, who, verb, { group: type.group, resource, name: name ?? '' }, namespace)) return undefined;
  return forbiddenMessage(who.name, verb, type, sub, name, namespace);
}
