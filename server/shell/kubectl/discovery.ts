// The apiserver's discovery documents, built from the one table of resource types
// (resources.ts): /version, /api, /apis and each group version's APIResourceList. The shell's
// `get --raw` and `api-resources` read them, and so does the REST API (server/kubeapi/), so
// the real kubectl discovers exactly what the in-shell one prints.
import { SERVED_GROUP_VERSIONS } from '../../cluster/defaults.js';
import { kindServed, STORED_KINDS, storedApiVersion } from '../../cluster/stored-kinds.js';
import type { ClusterState } from '../../cluster/types.js';
import { METRICS_GROUP_VERSION, metricsRegistered } from './metrics-api.js';
import { categoriesOf, DISCOVERY_ONLY, RESOURCE_TYPES, verbsOf, type ResourceType } from './resources.js';

/** `version` of a type's apiVersion (`apps/v1` → `v1`). */
export const versionOf = (type: ResourceType): string => type.apiVersion.split('/').at(-1)!;

/** /version: the control plane's kube-apiserver build. */
export function versionInfo(state: ClusterState): Record<string, string> {
  const node = state.nodes[state.etcd.nodeName];
  const git = node?.status.nodeInfo.kubeletVersion ?? 'v1.29.4';
  const [major = '1', minor = '29'] = git.replace(/^v/, '').split('.');
  return {
    major, minor, gitVersion: git, gitCommit: '55019c83b0fd51ef4ced8c29eec2c4847f896e74', gitTreeState: 'clean', buildDate: '2024-04-16T15:07:10Z',
    goVersion: 'go1.21.9', compiler: 'gc', platform: 'linux/amd64',
  };
}

/** /api: the core group's versions and where the apiserver is reached. */
export function apiVersions(state: ClusterState): Record<string, unknown> {
  const host = state.controlPlane.apiserver.endpoint.replace(/^https:\/\//, '');
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] };
}

/**
 * The group versions the apiserver serves: its own, those of custom kinds whose
 * CustomResourceDefinition is installed, and metrics.k8s.io while its APIService is registered
 * (kube-aggregator lists it, lowest priority last, even while metrics-server does not answer).
 */
export function servedGroupVersions(state: ClusterState): string[] {
  const custom = STORED_KINDS.filter((k) => k.crd && kindServed(state.stored, k)).map(storedApiVersion);
  return [...new Set([...SERVED_GROUP_VERSIONS, ...custom, ...(metricsRegistered(state) ? [METRICS_GROUP_VERSION] : [])])];
}

/**
 * Each named group with its versions, the preferred one first: the version our resource
 * types are served at (autoscaling/v2 before v1, as the apiserver prefers), then the others.
 */
function groupVersions(served: readonly string[] = SERVED_GROUP_VERSIONS): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const gv of served) {
    if (!gv.includes('/')) continue;
    const [group, version] = gv.split('/') as [string, string];
    groups.set(group, [...(groups.get(group) ?? []), version]);
  }
  for (const [group, versions] of groups) {
    const preferred = RESOURCE_TYPES.find((t) => t.group === group);
    if (preferred) groups.set(group, [versionOf(preferred), ...versions.filter((v) => v !== versionOf(preferred))]);
  }
  return groups;
}

/** /apis: the named groups. */
export function apiGroupList(state: ClusterState): Record<string, unknown> {
  return {
    kind: 'APIGroupList', apiVersion: 'v1',
    groups: [...groupVersions(servedGroupVersions(state))].map(([name, versions]) => ({
      name, versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    })),
  };
}

/** /apis/GROUP: one group, or undefined. */
export function apiGroup(state: ClusterState, group: string): Record<string, unknown> | undefined {
  const versions = groupVersions(servedGroupVersions(state)).get(group);
  if (!versions) return undefined;
  return {
    kind: 'APIGroup', apiVersion: 'v1', name: group,
    versions: versions.map((version) => ({ groupVersion: `${group}/${version}`, version })),
    preferredVersion: { groupVersion: `${group}/${versions[0]}`, version: versions[0] },
  };
}

/** Kinds with a scale subresource. */
const SCALABLE = new Set(['Deployment', 'ReplicaSet', 'StatefulSet']);

/** Kinds with a status subresource (their controllers and kubelets write it apart from the spec). */
export const WITH_STATUS = new Set([
  'Pod', 'Node', 'Namespace', 'Service', 'PersistentVolume', 'PersistentVolumeClaim', 'ResourceQuota', 'Deployment', 'ReplicaSet',
  'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Ingress',
]);

/** A subresource as discovery lists it. */
const subresource = (t: ResourceType, sub: string, kind: string, verbs: string[], gv?: { group: string; version: string }): Record<string, unknown> => ({
  name: `${t.plural}/${sub}`, singularName: '', namespaced: t.namespaced, ...(gv ?? {}), kind, verbs,
});

/** The resource types served at a group version (`v1`, `apps/v1`), those only discovery lists included. */
export function typesAt(groupVersion: string): ResourceType[] {
  return [...RESOURCE_TYPES, ...DISCOVERY_ONLY].filter((t) => t.apiVersion === groupVersion);
}

/** The group version a type is listed at is its group's preferred one (api-resources shows only those). */
export const isPreferred = (t: ResourceType): boolean => !t.group || groupVersions().get(t.group)?.[0] === versionOf(t);

/** /api/v1, /apis/GROUP/VERSION: the resources of a served group version, or undefined. */
export function apiResourceList(state: ClusterState, groupVersion: string): Record<string, unknown> | undefined {
  if (!servedGroupVersions(state).includes(groupVersion)) return undefined;
  return {
    kind: 'APIResourceList', ...(groupVersion.includes('/') ? { apiVersion: 'v1' } : {}), groupVersion,
    resources: typesAt(groupVersion).flatMap((t) => [
      {
        name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: verbsOf(t),
        ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
        ...(categoriesOf(t).length > 0 ? { categories: categoriesOf(t) } : {}),
      },
      // kubectl drain finds eviction here (drain.CheckEvictionSupport), a scheduler binding.
      ...(t.kind === 'Pod' ? [subresource(t, 'binding', 'Binding', ['create']), subresource(t, 'eviction', 'Eviction', ['create'], { group: 'policy', version: 'v1' })] : []),
      // client-go's scale client finds the subresource here (scale/util.go discoveryScaleResolver).
      ...(SCALABLE.has(t.kind) ? [subresource(t, 'scale', 'Scale', ['get', 'patch', 'update'], { group: 'autoscaling', version: 'v1' })] : []),
      ...(WITH_STATUS.has(t.kind) ? [subresource(t, 'status', t.kind, ['get', 'patch', 'update'])] : []),
    ]),
  };
}
