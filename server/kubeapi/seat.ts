// A seat's request in a game room: what a room runs for each Kubernetes API request a
// participant's kubeconfig sends. Pure like handler.ts: RBAC first (a player has the scenario's
// kubeconfig user, limited when the cluster spec names one; hosts and spectators only read),
// then the handler, then what the answer showed of the world (facts, for scoring, as the
// shell's kubectl tags its output) and one readable line for the host's console.
import type { Fact, FactInterest, PartialFact } from '../cluster/facts.js';
import { answering, apiUnavailable } from '../cluster/api.js';
import type { ApiError, ClusterEvent, ClusterState } from '../cluster/types.js';
import { allowed, kubeconfigSubject } from '../shell/kubectl/commands/auth.js';
import { forbiddenMessage } from '../shell/kubectl/authorize.js';
import { tagEvents, tagObjects } from '../shell/kubectl/facts.js';
import type { Json } from '../shell/kubectl/manifest.js';
import type { Selected } from '../shell/kubectl/query.js';
import { getObject } from '../shell/kubectl/resources.js';
import { distinctFacts, MAX_REVEALS_PER_LINE, RevealCollector } from '../shell/reveals.js';
import { tagApiError } from '../shell/kubectl/api-error.js';
import { handleApiRequest, isWatch, logResponse, resolveTarget, startLogFollow, startWatch, type ApiRequest, type Target } from './handler.js';
import type { LogFollow } from './logs.js';
import { accessReview, isAccessReview } from './access-review.js';
import { isExecTarget, runExec } from './exec.js';
import { detailsOf, statusResponse, type ApiResponse } from './status.js';
import type { WatchCursor, WatchEvent } from './watch.js';

/** Who sends the request: a player acts as the cluster's kubeconfig user; a host or spectator only reads. */
export interface SeatAccess {
  readOnly: boolean;
  /** The name a read-only seat is refused under (`kubedrill:spectator`). */
  user: string;
}

export interface SeatAnswer {
  response: ApiResponse;
  /** The facts the answer gave the seat (only those `interest` keeps). */
  observed: Fact[];
  /** `GET pods -n kube-system (200, 14 items)`: the host's console line. */
  summary: string;
  /** A watch that opened: its cursor and first events (the edge streams the rest). */
  watch?: { cursor: WatchCursor; events: WatchEvent[] };
  /** A followed log that opened: where it goes on (the edge streams the rest). */
  follow?: LogFollow;
}

/** The resource a path names, or undefined for discovery, /version, OpenAPI and unknown paths (answered without a room event). */
export const targetOf = (path: string): Target | undefined => {
  const segments = path.split('/').filter((s) => s !== '');
  return segments[0] === 'api' || segments[0] === 'apis' ? resolveTarget(segments) : undefined;
};

/** The RBAC verb of a request (k8s.io/apiserver pkg/endpoints/request/requestinfo.go). */
export function verbOf(req: ApiRequest, target: Target): string {
  switch (req.method) {
    case 'GET': return isWatch(req) ? 'watch' : target.name === undefined ? 'list' : 'get';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return target.name === undefined ? 'deletecollection' : 'delete';
  }
}

const READ_VERBS = new Set(['get', 'list', 'watch']);

/** The Forbidden Status for a request this seat may not make, or undefined. */
export function seatForbidden(state: ClusterState, req: ApiRequest, target: Target, access: SeatAccess): ApiResponse | undefined {
  const verb = verbOf(req, target);
  const namespace = target.type.namespaced ? target.namespace : undefined;
  const refuse = (user: string): ApiResponse => statusResponse(403, 'Forbidden',
    forbiddenMessage(user, verb, target.type, target.subresource, target.name, namespace),
    detailsOf(target.type, target.name ?? ''));
  // Every authenticated user may ask what it may do (the system:basic-user ClusterRole).
  if (access.readOnly) return READ_VERBS.has(verb) || isAccessReview(target.type) ? undefined : refuse(access.user);
  const who = kubeconfigSubject(state);
  const resource = target.subresource ? `${target.type.plural}/${target.subresource}` : target.type.plural;
  return allowed(state, who, verb, { group: target.type.group, resource, name: target.name ?? '' }, namespace) ? undefined : refuse(who.name);
}

/** Serves one resource request of a seat: RBAC, the handler (or a watch's start), what it showed, its console line. */
export function serveSeatRequest(state: ClusterState, req: ApiRequest, target: Target, access: SeatAccess, interest: FactInterest | undefined): SeatAnswer {
  const refused = seatForbidden(state, req, target, access);
  if (refused) return { response: refused, observed: [], summary: summarize(req, target, refused) };
  // A read-only seat may read everything and nothing else (the handler answers for the kubeconfig's user).
  if (access.readOnly && isAccessReview(target.type) && req.method === 'POST' && !apiUnavailable(state)) {
    const response = accessReview(req, target.type, (q) => READ_VERBS.has(q.verb));
    return { response, observed: [], summary: summarize(req, target, response) };
  }
  if (isWatch(req)) {
    const opened = startWatch(state, req);
    if (!opened.ok) return { response: opened.response, observed: [], summary: summarize(req, target, opened.response) };
    const response: ApiResponse = { status: 200, body: { events: opened.events } };
    return { response, observed: observe(state, target, response, interest, []), summary: summarize(req, target, response), watch: { cursor: opened.cursor, events: opened.events } };
  }
  if (isExecTarget(target)) {
    const ran = req.method === 'POST' ? runExec(state, target, req.body, interest) : { response: handleApiRequest(state, req), observed: [] };
    return { response: ran.response, observed: ran.observed, summary: summarize(req, target, ran.response) };
  }
  const { value: { log, response }, errors } = answering(state, () => {
    const log = startLogFollow(state, req);
    return { log, response: log ? logResponse(log.text) : handleApiRequest(state, req) };
  });
  return { response, observed: observe(state, target, response, interest, errors), summary: summarize(req, target, response), ...(log ? { follow: log.follow } : {}) };
}

/** The facts a watch's later events showed (as its first batch's: the objects they carry, tagged against their text). */
export function observeWatch(state: ClusterState, target: Target, events: WatchEvent[], interest: FactInterest | undefined): Fact[] {
  return events.length === 0 ? [] : observe(state, target, { status: 200, body: { events } }, interest, []);
}

type JsonObject = { [key: string]: Json };
const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The objects an answer carries, as metadata: a list's items, a Table's rows, a watch's events, or the object itself. */
function returnedMetadata(body: unknown): JsonObject[] {
  if (!isObject(body)) return [];
  const rows = Array.isArray(body.rows) ? body.rows.map((r) => (isObject(r) ? r.object : undefined)) : undefined;
  const events = Array.isArray(body.events) ? body.events.map((e) => (isObject(e) ? e.object : undefined)) : undefined;
  const items = rows ?? events ?? (Array.isArray(body.items) ? body.items : [body]);
  const out: JsonObject[] = [];
  for (const item of items) {
    if (!isObject(item)) continue;
    // A watch of Tables sends each event's object as a one-row Table.
    if (item.kind === 'Table') out.push(...returnedMetadata(item));
    else if (isObject(item.metadata)) out.push(item.metadata);
  }
  return out;
}

/** Every scalar of a JSON value as a line: the text the client received, unescaped. */
function textOf(value: unknown, out: string[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) for (const v of value) textOf(v, out);
  else if (typeof value === 'object') for (const v of Object.values(value)) textOf(v, out);
  else out.push(String(value));
}

/**
 * The facts an answer showed: the returned objects' fields and, for a listing of events, their
 * messages (tagged as kubectl tags what it prints), and the errors a condition of the world made
 * the apiserver answer (`errors`, api.ts answering) as kubectl's are: an error that only echoes
 * the request (NotFound of a name the player chose) is no evidence.
 * Everything the answer carries reached the client, so a fact is shown when its text is anywhere in it.
 */
function observe(state: ClusterState, target: Target, response: ApiResponse, interest: FactInterest | undefined, errors: readonly ApiError[]): Fact[] {
  if (!interest || response.status === 0) return [];
  const sink = new RevealCollector(interest, { left: MAX_REVEALS_PER_LINE });
  if (response.status >= 400) {
    for (const e of errors) tagApiError(sink, e.message);
  } else {
    const { type } = target;
    const probe: PartialFact = type.kind === 'Event' ? { source: 'event' } : { source: 'object', kind: type.kind };
    if (!sink.wants(probe)) return [];
    const lines: string[] = [];
    textOf(response.body, lines);
    const text = lines.join('\n');
    const found = returnedMetadata(response.body).flatMap((m): Selected[] => {
      const obj = getObject(state, type, typeof m.namespace === 'string' ? m.namespace : '', typeof m.name === 'string' ? m.name : '');
      return obj ? [{ type, obj }] : [];
    });
    if (type.kind === 'Event') tagEvents(sink, found.map((s) => s.obj as ClusterEvent), text);
    // Lists come in listing order (namespace, then name): the rows evidence names are found by binary search.
    else tagObjects({ state, facts: sink }, found, text, 'structured', true);
  }
  return distinctFacts(sink.reveals);
}

/** `GET pods -n kube-system (200, 14 items)`, `DELETE deployments/web -n shop (200)`, `WATCH pods -A (200)`. */
export function summarize(req: ApiRequest, target: Target, response: ApiResponse): string {
  const { type, namespace, name, subresource } = target;
  const resource = type.group ? `${type.plural}.${type.group}` : type.plural;
  const what = [resource, name, subresource].filter((p) => p !== undefined).join('/');
  const where = type.namespaced ? (namespace === undefined ? ' -A' : ` -n ${namespace}`) : '';
  const selectors = ['labelSelector', 'fieldSelector'].flatMap((k) => (req.query[k] ? [` ${k === 'labelSelector' ? '-l' : '--field-selector'} ${req.query[k]}`] : [])).join('');
  const body = isObject(response.body) ? response.body : {};
  const count = Array.isArray(body.items) ? body.items.length : Array.isArray(body.rows) ? body.rows.length : Array.isArray(body.events) ? body.events.length : undefined;
  const status = response.status === 0 ? 'connection refused' : String(response.status);
  const detail = response.status >= 400 && typeof body.reason === 'string' && body.reason !== '' ? `, ${body.reason}` : count !== undefined ? `, ${count} item${count === 1 ? '' : 's'}` : '';
  if (target.subresource === 'portforward' && isObject(req.body)) {
    // `PORTFORWARD pods/web-1 -n shop :80 GET / (200)`; the forward's opening names no port.
    const port = typeof req.body.port === 'number' ? ` :${req.body.port}` : '';
    const line = typeof req.body.request === 'string' ? ` ${req.body.request.split('\r\n', 1)[0]!.replace(/ HTTP\/1\.[01]$/, '').slice(0, 200)}` : '';
    // A connection's answer: the pod's HTTP status, `refused` (nothing listens) or `closed` (no HTTP answer).
    const answer = port === '' || typeof body.data !== 'string' ? undefined : typeof body.error === 'string' ? 'refused' : /^HTTP\/1\.1 (\d{3})/.exec(body.data)?.[1] ?? 'closed';
    return `PORTFORWARD ${what}${where}${port}${line} (${answer ?? status + detail})`;
  }
  if (isExecTarget(target) && isObject(req.body) && Array.isArray(req.body.command)) {
    // `EXEC pods/web-1 -n shop -- cat /etc/resolv.conf (exit 0)`; a shell's typed line is its stdin.
    const typed = typeof req.body.stdin === 'string' ? ` <<< ${JSON.stringify(req.body.stdin.slice(0, 200))}` : '';
    const ran = response.status === 200 && typeof body.exitCode === 'number' ? `exit ${body.exitCode}` : status + detail;
    return `${target.subresource === 'attach' ? 'ATTACH' : 'EXEC'} ${what}${where} -- ${req.body.command.join(' ').slice(0, 200)}${typed} (${ran})`;
  }
  const verb = isWatch(req) ? 'WATCH' : req.method;
  return `${verb} ${what}${where}${selectors} (${status}${detail})`;
}
