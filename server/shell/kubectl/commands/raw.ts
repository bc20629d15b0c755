// `kubectl get --raw PATH`: the apiserver's health endpoints (/healthz, /livez, /readyz, with
// ?verbose), /version, /api and /apis, answered from the simulated control plane. A failing
// check prints as the apiserver words it ("[-]etcd failed: reason withheld").
import { apiUnavailable, NOSPACE_MESSAGE } from '../../../cluster/api.js';
import type { ApiError, ClusterState } from '../../../cluster/types.js';
import { handleApiRequest } from '../../../kubeapi/handler.js';
import type { CommandResult } from '../../types.js';
import { fail, ok } from '../../types.js';
import { apiErrorText } from '../api-error.js';
import { apiGroupList, apiVersions, versionInfo } from '../discovery.js';
import { METRICS_503, metricsAnswer } from '../metrics-api.js';

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

/**
 * What /healthz, /livez or /readyz answers (k8s.io/apiserver pkg/server/healthz): "ok", or
 * with ?verbose each check and "<name> check passed"; a failing check makes the whole list
 * the body of a 500, ending "<name> check failed" (http.Error adds the newline).
 */
export function healthAnswer(state: ClusterState, endpoint: 'healthz' | 'livez' | 'readyz', verbose: boolean): { ok: boolean; body: string } {
  const results = checks(state, endpoint);
  const lines = results.map(([name, ok]) => (ok ? `[+]${name} ok` : `[-]${name} failed: reason withheld`)).join('\n');
  if (results.every(([, ok]) => ok)) return { ok: true, body: verbose ? `${lines}\n${endpoint} check passed\n` : 'ok' };
  return { ok: false, body: `${lines}\n${endpoint} check failed\n` };
}

/**
 * One check on its own (`/readyz/etcd`, `/livez/ping`): "ok", or a 500 whose body is
 * "internal server error: " and the check's error (healthz adaptCheckToHandler); undefined
 * for a check the endpoint does not run (its mux answers 404).
 */
export function singleCheckAnswer(state: ClusterState, endpoint: 'healthz' | 'livez' | 'readyz', name: string): { ok: boolean; body: string } | undefined {
  const check = checks(state, endpoint).find(([n]) => n === name);
  if (!check) return undefined;
  return check[1] ? { ok: true, body: 'ok' } : { ok: false, body: `internal server error: ${NOSPACE_MESSAGE}\n` };
}

function health(state: ClusterState, endpoint: 'healthz' | 'livez' | 'readyz', verbose: boolean): CommandResult {
  const answer = healthAnswer(state, endpoint, verbose);
  if (answer.ok) return ok(answer.body);
  return fail(`Error from server (InternalError): an error on the server ("${answer.body.trimEnd().replace(/\n/g, '\\n')}") has prevented the request from succeeding\n`);
}

export function getRaw(state: ClusterState, url: string): CommandResult {
  if (!url.startsWith('/')) return fail(`error: ${url} must be an absolute path\n`.replace('error: ', 'error: --raw must be a path; '));
  const down = apiUnavailable(state);
  if (down && down.status === 0) return fail(apiErrorText(down));
  const [path, query = ''] = url.split('?', 2) as [string, string | undefined];
  const verbose = query.split('&').includes('verbose') || query.split('&').includes('verbose=true');
  const trimmed = path.replace(/\/+$/, '') || '/';
  if (trimmed === '/healthz' || trimmed === '/livez' || trimmed === '/readyz') return health(state, trimmed.slice(1) as 'healthz' | 'livez' | 'readyz', verbose);
  const single = /^\/(healthz|livez|readyz)\/(.+)$/.exec(trimmed);
  const one = single ? singleCheckAnswer(state, single[1] as 'healthz' | 'livez' | 'readyz', single[2]!) : undefined;
  if (one) return one.ok ? ok(one.body) : fail(`Error from server (InternalError): an error on the server ("${one.body.trimEnd()}") has prevented the request from succeeding\n`);
  if (trimmed === '/version') return ok(JSON.stringify(versionInfo(state), null, 2));
  if (down) return fail(apiErrorText(down));
  if (trimmed === '/api') {
    return ok(JSON.stringify(apiVersions(state)));
  }
  if (trimmed === '/apis') return ok(JSON.stringify(apiGroupList(state)));
  const metrics = trimmed.startsWith('/apis/metrics.k8s.io/v1beta1') ? metricsAnswer(state, trimmed.split('/').filter((s) => s !== '').slice(3), Object.fromEntries(new URLSearchParams(query))) : undefined;
  if (metrics?.status === 503) return fail(`Error from server (ServiceUnavailable): ${METRICS_503}\n`);
  if (metrics?.status === 200) return ok(JSON.stringify(metrics.body));
  if (metrics) {
    const status = metrics.body as { reason: 'NotFound' | 'BadRequest'; message: string };
    return fail(apiErrorText({ status: metrics.status, reason: status.reason, message: status.message }));
  }
  // Anything else is the REST API's answer (/metrics, /api/v1/nodes, …), printed as it comes:
  // an object as the apiserver's JSON encoder writes it (compact, then a newline).
  const res = handleApiRequest(state, { method: 'GET', path: trimmed, query: queryParams(query), accept: 'application/json', contentType: '' });
  if (res.status >= 200 && res.status < 300) return ok(typeof res.body === 'string' ? res.body : `${JSON.stringify(res.body)}\n`);
  const status = res.body as { reason?: string; message?: string };
  return fail(apiErrorText({ status: res.status, reason: status.reason ?? 'InternalError', message: status.message ?? 'the server could not find the requested resource' } as ApiError));
}

/** A URL query as the apiserver reads it (`a=1&b`), decoded. */
export function queryParams(query: string): Record<string, string> {
  return Object.fromEntries(query.split('&').filter((q) => q !== '').map((q) => {
    const eq = q.indexOf('=');
    return eq < 0 ? [decodeURIComponent(q), ''] : [decodeURIComponent(q.slice(0, eq)), decodeURIComponent(q.slice(eq + 1).replace(/\+/g, ' '))];
  }));
}
