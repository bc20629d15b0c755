// The keys the apiserver keeps in etcd (`/registry/pods/default/web-…`), derived from the
// cluster state, as `etcdctl get / --prefix --keys-only` lists them (byte order).
import { STORED_KINDS } from '../../cluster/stored-kinds.js';
import type { ClusterState } from '../../cluster/types.js';
import type { KubeObject } from '../kubectl/resources.js';

/** Where the apiserver stores a kind when the path is not its plural. */
const REGISTRY_PREFIX: Record<string, string> = {
  APIService: 'apiregistration.k8s.io/apiservices', CustomResourceDefinition: 'apiextensions.k8s.io/customresourcedefinitions',
  Ingress: 'ingress', ReplicationController: 'controllers',
};

export interface RegistryKey {
  key: string;
  createRevision: number;
  modRevision: number;
  version: number;
  object?: { kind: string; obj: KubeObject };
  /** Plain values (etcd's own keys, leases) when there is no object to show. */
  value?: string;
}

export function registryKeys(state: ClusterState): RegistryKey[] {
  const keys: RegistryKey[] = [];
  const add = (key: string, kind: string, obj: KubeObject): void => {
    const rv = obj.metadata.resourceVersion;
    keys.push({ key, createRevision: Math.max(2, rv - 37 * (obj.metadata.generation || 1)), modRevision: rv, version: Math.max(1, obj.metadata.generation), object: { kind, obj } });
  };
  const nsName = (o: KubeObject): string => `${o.metadata.namespace}/${o.metadata.name}`;
  for (const o of Object.values(state.pods)) add(`/registry/pods/${nsName(o)}`, 'Pod', o);
  for (const o of Object.values(state.deployments)) add(`/registry/deployments/${nsName(o)}`, 'Deployment', o);
  for (const o of Object.values(state.replicasets)) add(`/registry/replicasets/${nsName(o)}`, 'ReplicaSet', o);
  for (const o of Object.values(state.daemonsets)) add(`/registry/daemonsets/${nsName(o)}`, 'DaemonSet', o);
  for (const o of Object.values(state.services)) add(`/registry/services/specs/${nsName(o)}`, 'Service', o);
  for (const o of Object.values(state.endpoints)) add(`/registry/services/endpoints/${nsName(o)}`, 'Endpoints', o);
  for (const o of Object.values(state.configmaps)) add(`/registry/configmaps/${nsName(o)}`, 'ConfigMap', o);
  for (const o of Object.values(state.nodes)) add(`/registry/minions/${o.metadata.name}`, 'Node', o);
  for (const o of Object.values(state.namespaces)) add(`/registry/namespaces/${o.metadata.name}`, 'Namespace', o);
  for (const o of state.events) add(`/registry/events/${nsName(o)}`, 'Event', o);
  const plain = (key: string, value: string, rev: number): void => {
    keys.push({ key, createRevision: rev, modRevision: rev, version: 1, value });
  };
  const rev = state.etcd.revision;
  for (const k of STORED_KINDS) {
    if (k.kind === 'ComponentStatus') continue; // computed on each read, never stored
    const prefix = `/registry/${REGISTRY_PREFIX[k.kind] ?? k.plural}/`;
    for (const [key, o] of Object.entries(state.stored?.[k.kind] ?? {})) {
      add(prefix + key, k.kind, o);
      // Heartbeat leases are rewritten every 10 s: the newest revisions belong to them.
      if (k.kind === 'Lease') keys.at(-1)!.modRevision = rev;
    }
  }
  plain('/registry/ranges/serviceips', '', 2);
  plain('/registry/ranges/servicenodeports', '', 2);
  plain('compact_rev_key', String(state.etcd.compactedRevision), state.etcd.compactedRevision);
  return keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
