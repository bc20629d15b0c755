// The resource types kubectl knows (names, short names, kind, scope), how typed arguments
// (`pods`, `po/x`, `pods,svc`, `deploy.apps/web`) resolve to them, and lookups in the state.
import { getObject as getStored, type Kind } from '../../cluster/api.js';
import { kindServed, STORED_KINDS, storedApiVersion, storedKindInfo } from '../../cluster/stored-kinds.js';
import type {
  ClusterEvent, ClusterState, ConfigMap, DaemonSet, Deployment, Endpoints, Namespace, Node, Pod,
  ReplicaSet, Service, StoredObject,
} from '../../cluster/types.js';
import { namespaceRange, sortedObjects } from './listing.js';

/** Any API object the state holds. */
export type KubeObject = Pod | Node | Namespace | Deployment | ReplicaSet | DaemonSet | Service | Endpoints | ConfigMap | ClusterEvent | StoredObject;

export interface ResourceType {
  plural: string;
  singular: string;
  shortNames: string[];
  kind: string;
  /** '' for the core group. */
  group: string;
  apiVersion: string;
  namespaced: boolean;
  /** The verbs discovery lists, when not the usual ones (verbsOf). */
  verbs?: string[];
}

export const RESOURCE_TYPES: ResourceType[] = [
  { plural: 'configmaps', singular: 'configmap', shortNames: ['cm'], kind: 'ConfigMap', group: '', apiVersion: 'v1', namespaced: true },
  { plural: 'endpoints', singular: 'endpoints', shortNames: ['ep'], kind: 'Endpoints', group: '', apiVersion: 'v1', namespaced: true },
  { plural: 'events', singular: 'event', shortNames: ['ev'], kind: 'Event', group: '', apiVersion: 'v1', namespaced: true },
  { plural: 'namespaces', singular: 'namespace', shortNames: ['ns'], kind: 'Namespace', group: '', apiVersion: 'v1', namespaced: false },
  { plural: 'nodes', singular: 'node', shortNames: ['no'], kind: 'Node', group: '', apiVersion: 'v1', namespaced: false },
  { plural: 'pods', singular: 'pod', shortNames: ['po'], kind: 'Pod', group: '', apiVersion: 'v1', namespaced: true },
  { plural: 'services', singular: 'service', shortNames: ['svc'], kind: 'Service', group: '', apiVersion: 'v1', namespaced: true },
  { plural: 'daemonsets', singular: 'daemonset', shortNames: ['ds'], kind: 'DaemonSet', group: 'apps', apiVersion: 'apps/v1', namespaced: true },
  { plural: 'deployments', singular: 'deployment', shortNames: ['deploy'], kind: 'Deployment', group: 'apps', apiVersion: 'apps/v1', namespaced: true },
  { plural: 'replicasets', singular: 'replicaset', shortNames: ['rs'], kind: 'ReplicaSet', group: 'apps', apiVersion: 'apps/v1', namespaced: true },
  ...STORED_KINDS.map((k) => ({
    plural: k.plural, singular: k.singular, shortNames: [...k.shortNames], kind: k.kind, group: k.group, apiVersion: storedApiVersion(k), namespaced: k.namespaced,
  })),
];

/** What `kubectl get all` expands to, in kubectl's order. */
export const ALL_CATEGORY = ['pods', 'replicationcontrollers', 'services', 'daemonsets', 'deployments', 'replicasets', 'statefulsets', 'horizontalpodautoscalers', 'cronjobs', 'jobs'];

const CREATE_ONLY = ['create'];

/**
 * Resources the apiserver v1.29 lists that the simulation keeps no objects of (the review
 * APIs, flow control, events.k8s.io's view of events, autoscaling/v1's of
 * HPAs): in discovery only, so every group version /apis names has its real resource list
 * (kubectl's discovery cache skips, and api-resources reports, a group version listed empty).
 */
export const DISCOVERY_ONLY: ResourceType[] = [
  { plural: 'selfsubjectreviews', singular: 'selfsubjectreview', shortNames: [], kind: 'SelfSubjectReview', group: 'authentication.k8s.io', apiVersion: 'authentication.k8s.io/v1', namespaced: false, verbs: CREATE_ONLY },
  { plural: 'tokenreviews', singular: 'tokenreview', shortNames: [], kind: 'TokenReview', group: 'authentication.k8s.io', apiVersion: 'authentication.k8s.io/v1', namespaced: false, verbs: CREATE_ONLY },
  { plural: 'localsubjectaccessreviews', singular: 'localsubjectaccessreview', shortNames: [], kind: 'LocalSubjectAccessReview', group: 'authorization.k8s.io', apiVersion: 'authorization.k8s.io/v1', namespaced: true, verbs: CREATE_ONLY },
  { plural: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview', shortNames: [], kind: 'SelfSubjectAccessReview', group: 'authorization.k8s.io', apiVersion: 'authorization.k8s.io/v1', namespaced: false, verbs: CREATE_ONLY },
  { plural: 'selfsubjectrulesreviews', singular: 'selfsubjectrulesreview', shortNames: [], kind: 'SelfSubjectRulesReview', group: 'authorization.k8s.io', apiVersion: 'authorization.k8s.io/v1', namespaced: false, verbs: CREATE_ONLY },
  { plural: 'subjectaccessreviews', singular: 'subjectaccessreview', shortNames: [], kind: 'SubjectAccessReview', group: 'authorization.k8s.io', apiVersion: 'authorization.k8s.io/v1', namespaced: false, verbs: CREATE_ONLY },
  { plural: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', shortNames: ['hpa'], kind: 'HorizontalPodAutoscaler', group: 'autoscaling', apiVersion: 'autoscaling/v1', namespaced: true },
  { plural: 'events', singular: 'event', shortNames: ['ev'], kind: 'Event', group: 'events.k8s.io', apiVersion: 'events.k8s.io/v1', namespaced: true },
  ...['v1', 'v1beta3'].flatMap((v): ResourceType[] => [
    { plural: 'flowschemas', singular: 'flowschema', shortNames: [], kind: 'FlowSchema', group: 'flowcontrol.apiserver.k8s.io', apiVersion: `flowcontrol.apiserver.k8s.io/${v}`, namespaced: false },
    { plural: 'prioritylevelconfigurations', singular: 'prioritylevelconfiguration', shortNames: [], kind: 'PriorityLevelConfiguration', group: 'flowcontrol.apiserver.k8s.io', apiVersion: `flowcontrol.apiserver.k8s.io/${v}`, namespaced: false },
  ]),
];

/** The verbs the apiserver lists for a resource (discovery, `api-resources -o wide`). */
export function verbsOf(t: ResourceType): string[] {
  if (t.verbs) return t.verbs;
  if (t.kind === 'ComponentStatus') return ['get', 'list'];
  const all = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
  return t.kind === 'Namespace' ? all.filter((v) => v !== 'deletecollection') : all;
}

const API_EXTENSIONS = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'CustomResourceDefinition', 'APIService'];

/** The categories discovery lists for a resource (`all`, `api-extensions`). */
export function categoriesOf(t: ResourceType): string[] {
  if (t.group === 'metrics.k8s.io') return [];
  if (ALL_CATEGORY.includes(t.plural)) return ['all'];
  return API_EXTENSIONS.includes(t.kind) ? ['api-extensions'] : [];
}

/** The types each name (plural, singular, lower-case kind, short name) is typed for, in RESOURCE_TYPES's order. */
const TYPES_BY_NAME = new Map<string, ResourceType[]>();
for (const t of RESOURCE_TYPES) {
  for (const name of new Set([t.plural, t.singular, t.kind.toLowerCase(), ...t.shortNames])) {
    const types = TYPES_BY_NAME.get(name);
    if (types) types.push(t);
    else TYPES_BY_NAME.set(name, [t]);
  }
}

/** Looks a typed resource name up: plural, singular, short name or kind, optionally `.group` / `.version.group`. */
export function findResourceType(typed: string): ResourceType | undefined {
  const lower = typed.toLowerCase();
  const dot = lower.indexOf('.');
  const base = dot < 0 ? lower : lower.slice(0, dot);
  const suffix = dot < 0 ? '' : lower.slice(dot + 1);
  return TYPES_BY_NAME.get(base)?.find((t) => {
    if (suffix === '') return true;
    const version = t.apiVersion.split('/').at(-1)!;
    return suffix === t.group || suffix === version || suffix === `${version}.${t.group}`;
  });
}

export function resourceTypeByKind(kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.kind === kind);
}

/** `pod`, `deployment.apps`: how `-o name` and `get all` prefix names. */
export function qualifiedSingular(type: ResourceType): string {
  return type.group ? `${type.singular}.${type.group}` : type.singular;
}

/** The apiserver's Warning header for a deprecated kind (its text), or undefined. */
export function deprecationOf(type: ResourceType): string | undefined {
  return type.kind === 'ComponentStatus' ? 'v1 ComponentStatus is deprecated in v1.19+' : undefined;
}

/** The apiserver's warnings for deprecated kinds, which kubectl prints to stderr before the output (CommandResult.warnings). */
export function deprecationWarnings(types: ResourceType[]): { stderrFirst?: string } {
  const texts = [...new Set(types.map(deprecationOf).filter((t) => t !== undefined))];
  return texts.length > 0 ? { stderrFirst: texts.map((t) => `Warning: ${t}\n`).join('') } : {};
}

export const unknownTypeError = (typed: string): string => `error: the server doesn't have a resource type "${typed}"\n`;

/** One request parsed from the arguments: a type and optionally the names asked for. */
export interface ResourceRequest {
  type: ResourceType;
  /** Empty = every object of the type. */
  names: string[];
}

export type ResolveResult = { ok: true; requests: ResourceRequest[] } | { ok: false; error: string };

/**
 * Resolves kubectl's resource arguments: `TYPE`, `TYPE NAME…`, `TYPE1,TYPE2`, `TYPE/NAME…`
 * and `all`. Errors are kubectl's messages (with trailing newline).
 */
export function resolveResourceArgs(args: string[], stored?: ClusterState['stored']): ResolveResult {
  // A custom kind is a resource type only while its CustomResourceDefinition is installed.
  const servedType = (typed: string): ResourceType | undefined => {
    const type = findResourceType(typed);
    const info = type && storedKindInfo(type.kind);
    return info && !kindServed(stored, info) ? undefined : type;
  };
  if (args.length === 0) return { ok: false, error: 'error: Required resource not specified.\n' };
  const slashForm = args.filter((a) => a.includes('/'));
  if (slashForm.length > 0) {
    if (slashForm.length !== args.length) {
      return {
        ok: false,
        error: "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'\n",
      };
    }
    const requests: ResourceRequest[] = [];
    for (const arg of args) {
      const slash = arg.indexOf('/');
      const typed = arg.slice(0, slash);
      const name = arg.slice(slash + 1);
      const type = servedType(typed);
      if (!type) return { ok: false, error: unknownTypeError(typed) };
      if (name === '') return { ok: false, error: `error: arguments in resource/name form must have a single resource and name\n` };
      const existing = requests.find((r) => r.type === type);
      if (existing) existing.names.push(name);
      else requests.push({ type, names: [name] });
    }
    return { ok: true, requests };
  }
  const [typesArg, ...names] = args;
  const requests: ResourceRequest[] = [];
  for (const typed of typesArg!.split(',').filter((t) => t !== '')) {
    if (typed.toLowerCase() === 'all') {
      for (const plural of ALL_CATEGORY) requests.push({ type: findResourceType(plural)!, names: [...names] });
      continue;
    }
    const type = servedType(typed);
    if (!type) return { ok: false, error: unknownTypeError(typed) };
    if (!requests.some((r) => r.type === type)) requests.push({ type, names: [...names] });
  }
  return { ok: true, requests };
}

/**
 * Objects of a type, sorted like the apiserver lists them (by namespace, then name).
 * `namespace` undefined = all namespaces; ignored for cluster-scoped types.
 */
export function listObjects(state: ClusterState, type: ResourceType, namespace: string | undefined): KubeObject[] {
  return namespaceRange(sortedObjects(state, type), type.namespaced ? namespace : undefined);
}

/** One object by name, or undefined. */
export function getObject(state: ClusterState, type: ResourceType, namespace: string, name: string): KubeObject | undefined {
  if (type.kind === 'Event') {
    return state.events.find((e) => e.metadata.name === name && e.metadata.namespace === namespace);
  }
  const key = type.namespaced ? `${namespace}/${name}` : name;
  return getStored(state, type.kind as Kind, key);
}

/** The object `NAME` (a pod) or `TYPE/NAME` names in a namespace, or kubectl's error (logs, exec, port-forward). */
export function namedObject(state: ClusterState, namespace: string, arg: string): { type: ResourceType; name: string; obj: KubeObject } | { error: string } {
  const slash = arg.indexOf('/');
  const type = findResourceType(slash < 0 ? 'pods' : arg.slice(0, slash));
  const name = slash < 0 ? arg : arg.slice(slash + 1);
  if (!type) return { error: `error: the server doesn't have a resource type "${arg.slice(0, slash)}"\n` };
  const obj = getObject(state, type, namespace, name);
  return obj ? { type, name, obj } : { error: notFoundError(type, name) };
}

/** `Error from server (NotFound): pods "x" not found` (with the newline). */
export function notFoundError(type: ResourceType, name: string): string {
  const group = type.group ? `.${type.group}` : '';
  return `Error from server (NotFound): ${type.plural}${group} "${name}" not found\n`;
}
