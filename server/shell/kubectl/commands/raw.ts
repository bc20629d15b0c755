// `kubectl get --raw PATH`: the apiserver's health endpoints (/healthz, /livez, /readyz, with
// ?verbose), /version, /api and /apis, answered from the simulated control plane. A failing
// check prints as the apiserver words it ("[-]etcd failed: reason withheld").
import { apiUnavailable } from '../../../cluster/api.js';
import { SERVED_GROUP_VERSIONS } from '../../../cluster/defaults.js';
import type { ClusterState } from '../../../cluster/types.js';
import type { CommandResult } from '../../types.js';
import { fail, ok } from '../../types.js';
import { apiErrorText } from '../api-error.js';

const HOOKS = [
  'start-apiserver-admission-initializer', 'generic-apiserver-start-informers', 'priority-and-fairness-config-consumer', 'priority-and-fairness-filter',
  'storage-object-count-tracker-hook', 'start-apiextensions-informers', 'start-apiextensions-controllers', 'crd-informer-synced',
  'start-service-ip-repair-controllers', 'rbac/bootstrap-roles', 'scheduling/bootstrap-system-priority-classes', 'priority-and-fairness-config-producer',
  'start-system-namespaces-controller', 'bootstrap-controller', 'start-cluster-authentication-info-controller', 'start-kube-apiserver-identity-lease-controller',
  'start-deprecated-kube-apiserver-identity-lease-garbage-collector', 'start-kube-apiserver-identity-lease-garbage-collector', 'start-legacy-token-tracking-controller',
  'aggregator-reload-proxy-client-cert', 'start-kube-aggregator-informers', 'apiservice-registration-controller', 'apiservice-status-available-controller',
  'kube-apiserver-autoregistration',
];

/** The checks an endpoint runs, in the apiserver's order, with whether each passes. */
function checks(state: ClusterState, endpoint: 'healthz' | 'livez' | 'readyz'): [string, boolean][] {
  const etcdOk = state.etcd.healthy && !state.etcd.alarms.some((a) => a.alarm === 'NOSPACE');
  const list: [string, boolean][] = [['ping', true], ['log', true], ['etcd', etcdOk]];
  if (endpoint === 'readyz') list.push(['etcd-readiness', etcdOk], ['informer-sync', true]);
  list.push(...HOOKS.map((h): [string, boolean] => [`poststarthook/${h}`, true]), ['autoregister-completion', true]);
  list.push(['poststarthook/apiservice-openapi-controller', true], ['poststarthook/apiservice-openapiv3-controller', true], ['poststarthook/apiservice-discovery-controller', true]);
  if (endpoint === 'readyz') list.push(['shutdown', true]);
  return list;
}

function health(state: ClusterState, endpoint: 'healthz' | 'livez' | 'readyz', verbose: boolean): CommandResult {
  const results = checks(state, endpoint);
  const passed = results.every(([, ok]) => ok);
  const lines = results.map(([name, ok]) => (ok ? `[+]${name} ok` : `[-]${name} failed: reason withheld`)).join('\n');
  if (passed) return ok(verbose ? `${lines}\n${endpoint} check passed\n` : 'ok');
  const body = `${lines}\n${endpoint} check failed`;
  return fail(`Error from server (InternalError): an error on the server ("${body.replace(/\n/g, '\\n')}") has prevented the request from succeeding\n`);
}

function version(state: ClusterState): string {
  const node = state.nodes[state.etcd.nodeName];
  const git = node?.status.nodeInfo.kubeletVersion ?? 'v1.29.4';
  const [major, minor] = git.replace(/^v/, '').split('.');
  return JSON.stringify({
    major, minor, gitVersion: git, gitCommit: '55019c83b0fd51ef4ced8c29eec2c4847f896e74', gitTreeState: 'clean', buildDate: '2024-04-16T15:07:10Z',
    goVersion: 'go1.21.9', compiler: 'gc', platform: 'linux/amd64',
  }, null, 2);
}

function apiGroups(): string {
  const groups = new Map<string, string[]>();
  for (const gv of SERVED_GROUP_VERSIONS) {
    if (!gv.includes('/')) continue;
    const [group, v] = gv.split('/') as [string, string];
    groups.set(group, [...(groups.get(group) ?? []), v]);
  }
  return JSON.stringify({
    kind: 'APIGroupList', apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => ({
      name, versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    })),
  });
}

export function getRaw(state: ClusterState, url: string): CommandResult {
  if (!url.startsWith('/')) return fail(`error: ${url} must be an absolute path\n`.replace('error: ', 'error: --raw must be a path; '));
  const down = apiUnavailable(state);
  if (down && down.status === 0) return fail(apiErrorText(down));
  const [path, query = ''] = url.split('?', 2) as [string, string | undefined];
  const verbose = query.split('&').includes('verbose') || query.split('&').includes('verbose=true');
  const trimmed = path.replace(/\/+$/, '') || '/';
  if (trimmed === '/healthz' || trimmed === '/livez' || trimmed === '/readyz') return health(state, trimmed.slice(1) as 'healthz' | 'livez' | 'readyz', verbose);
  if (trimmed === '/version') return ok(version(state));
  if (down) return fail(apiErrorText(down));
  if (trimmed === '/api') {
    const host = state.controlPlane.apiserver.endpoint.replace(/^https:\/\//, '');
    return ok(JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] }));
  }
  if (trimmed === '/apis') return ok(apiGroups());
  return fail('Error from server (NotFound): the server could not find the requested resource\n');
}
