// The Kubernetes REST API over a room's cluster state: `(state, request) → response`, pure
// and deterministic (no sockets, no clock), so the HTTP edge (server/cli/api-command.ts) only
// validates and carries bytes, and a room logs each request and replays it (seat.ts). Reads come
// from the same lookups, manifests and printers as the in-shell kubectl; writes go through the
// same builders and write path (objectFromManifest, writeCreate/writeUpdate, api.ts), so the
// apiserver's admission, quotas and the controllers treat them alike.
import { isExecTarget, runExec } from './exec.js';
import { isPortForwardTarget, runPortForward } from './portforward.js';
import { apiserverMetrics, METRICS_CONTENT_TYPE } from './metrics.js';
import { nodeProxy } from './node-proxy.js';
import { apiUnavailable, dryRunUid, type KindMap } from '../cluster/api.js';
import { isStoredKind } from '../cluster/stored-kinds.js';
import { excessMessage, jsonExcess } from '../cluster/json.js';
import { writeStatus as writeStatusOf } from '../cluster/status-writes.js';
import { bindPod } from '../cluster/controllers/scheduler.js';
import { evictPod } from '../cluster/disruption.js';
import { asClient } from '../cluster/managed-fields.js';
import { withManagedFields } from '../shell/kubectl/managed-fields.js';
import type { ClusterState, Deployment, ReplicaSet, StoredObject } from '../cluster/types.js';
import { writeCreate, writeUpdate } from '../shell/kubectl/commands/apply.js';
import { serverSideApply, staleVersion } from '../shell/kubectl/server-side-apply.js';
import { deleteOne, deleteRefusal } from '../shell/kubectl/commands/delete.js';
import { scaleObject, scaleTo } from '../shell/kubectl/commands/scale.js';
import { jsonPatch, mergePatch, strategicMerge, TOO_LARGE } from '../shell/kubectl/commands/patch.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo, versionOf, WITH_STATUS } from '../shell/kubectl/discovery.js';
import { isManifestKind, objectFromManifest, problemMessage, type ManifestKind } from '../shell/kubectl/from-manifest.js';
import { toManifest, type Json } from '../shell/kubectl/manifest.js';
import { deprecationOf, getObject, listObjects, RESOURCE_TYPES, type KubeObject, type ResourceType } from '../shell/kubectl/resources.js';
import { compareStrings, listingChars, MAX_PAGE_CHARS } from '../shell/kubectl/listing.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, unsupportedFieldLabel } from '../shell/kubectl/selectors.js';
import {
  apiErrorResponse, badRequest, detailsOf, invalid, methodNotAllowed, notFound, pathNotFound, statusResponse, type ApiResponse,
} from './status.js';
import { ACCESS_REVIEW_TYPE, accessReview, isAccessReview } from './access-review.js';
import { allowed, kubeconfigSubject } from '../shell/kubectl/commands/auth.js';
import { openApiDocument, openApiIndex, openApiV2 } from './openapi.js';
import { metricsAnswer } from '../shell/kubectl/metrics-api.js';
import { objectTable, wantsTable, type IncludeObject } from './table.js';
import { openWatch } from './watch.js';
import { podLog, type LogFollow } from './logs.js';

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path without the query: `/api/v1/namespaces/default/pods`. */
  path: string;
  query: Record<string, string>;
  accept: string;
  contentType: string;
  /** The body, parsed from JSON (undefined without one). */
  body?: Json;
}

/** Where a resource path points: a type, maybe a namespace, maybe one object. */
export interface Target {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

type JsonObject = { [key: string]: Json };
const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

const MAX_JSON_DEPTH = 1000;

/**
 * Why a body is refused before anything walks it recursively, merges it or logs it: nested
 * deeper than the apiserver's JSON decoder allows (encoding/json stops at 10000 levels; our
 * handlers recurse, and no object nests past 1000), or past the simulation's ceilings on one
 * object (json.ts MAX_OBJECT_ENTRIES, MAX_OBJECT_VALUES), which a real apiserver would store but
 * whose every read would cost this server tens of ms.
 */
export function bodyRefusal(body: Json | undefined): ApiResponse | undefined {
  const excess = body === undefined ? undefined : jsonExcess(body, MAX_JSON_DEPTH);
  if (!excess) return undefined;
  if (excess.kind === 'depth') return badRequest('exceeded max depth');
  return statusResponse(413, 'RequestEntityTooLarge', `Request entity too large: the object ${excessMessage(excess)}`);
}

export function handleApiRequest(state: ClusterState, req: ApiRequest): ApiResponse {
  const segments = req.path.split('/').filter((s) => s !== '');
  // /version answers while etcd does not (like the health endpoints), not while the apiserver itself is down
  // (status 0: no connection); everything else needs the apiserver and etcd.
  // The apiserver writes /version indented (responsewriters.WriteRawJSON), as `get --raw` shows it.
  const down = apiUnavailable(state);
  if (down?.status === 0) return apiErrorResponse(down);
  if (req.path === '/version' && req.method === 'GET') return ok(JSON.stringify(versionInfo(state), null, 2));
  // The apiserver's own metrics need no etcd either.
  if (req.path === '/metrics' && req.method === 'GET') return { status: 200, body: apiserverMetrics(state), contentType: METRICS_CONTENT_TYPE };
  if (down) return apiErrorResponse(down);
  const refused = bodyRefusal(req.body);
  if (refused) return refused;
  // metrics.k8s.io is an aggregated API: the apiserver proxies it to metrics-server.
  if (segments[0] === 'apis' && segments[1] === 'metrics.k8s.io' && segments[2] === 'v1beta1') {
    const answer = metricsAnswer(state, segments.slice(3), req.query);
    if (answer) return req.method === 'GET' ? answer : methodNotAllowed();
  }
  const discovery = discover(state, segments);
  if (discovery) return req.method === 'GET' ? discovery : methodNotAllowed();
  const proxied = req.method === 'GET' ? nodeProxy(state, req.path) : undefined;
  if (proxied) return proxied;
  const target = resolveTarget(segments);
  if (!target) return pathNotFound();
  // A deprecated kind's every answer carries the apiserver's Warning header (kubectl prints it first).
  const deprecated = deprecationOf(target.type);
  const response = resourceRequest(state, req, target);
  return deprecated ? { ...response, warning: deprecated } : response;
}

function resourceRequest(state: ClusterState, req: ApiRequest, target: Target): ApiResponse {
  const { name, type, namespace } = target;
  // `kubectl auth can-i`: answered for the kubeconfig's user (a room's read-only seat is answered in seat.ts).
  if (isAccessReview(type)) {
    if (name !== undefined) return pathNotFound();
    if (req.method !== 'POST') return methodNotAllowed();
    const who = kubeconfigSubject(state);
    return accessReview(req, type, (q) => allowed(state, who, q.verb, 'url' in q ? { url: q.url } : q, 'url' in q ? undefined : q.namespace));
  }
  // A write is recorded under the request's fieldManager (kubectl sends its --field-manager),
  // else the user agent's name, `kubectl` (cluster/managed-fields.ts).
  const manager = req.query.fieldManager ?? 'kubectl';
  if (target.subresource === 'scale' && name !== undefined) return asClient(state, { manager, subresource: 'scale', fields: [['spec', 'replicas']] }, () => scale(state, req, target, name));
  if (target.subresource === 'log' && name !== undefined && target.type.kind === 'Pod') {
    if (req.method !== 'GET') return methodNotAllowed();
    const log = podLog(state, req, target, name);
    return log.ok ? logResponse(log.text) : log.response;
  }
  if (isExecTarget(target)) return req.method === 'POST' ? runExec(state, target, req.body).response : methodNotAllowed();
  if (isPortForwardTarget(target)) return req.method === 'POST' ? runPortForward(state, target, req.body) : methodNotAllowed();
  if (name !== undefined && type.kind === 'Pod' && (target.subresource === 'eviction' || target.subresource === 'binding')) {
    if (req.method !== 'POST') return methodNotAllowed();
    const key = `${namespace}/${name}`;
    return asClient(state, { manager }, () => (target.subresource === 'eviction' ? evict(state, req, type, key, name) : bind(state, req, type, key, name)));
  }
  if (target.subresource === 'status' && name !== undefined && WITH_STATUS.has(type.kind)) {
    if (req.method === 'GET') return get(state, req, target, name);
    if (req.method !== 'PUT' && req.method !== 'PATCH') return methodNotAllowed();
    return asClient(state, { manager, subresource: 'status', fields: [['status']] }, () => writeStatus(state, req, target, name));
  }
  if (target.subresource !== undefined) return pathNotFound();
  if (req.method === 'PATCH' && mediaType(req) === APPLY_PATCH) return applyPatch(state, req, target);
  if (req.method !== 'GET') return asClient(state, { manager }, () => write(state, req, target));
  return name === undefined ? list(state, req, target) : get(state, req, target, name);
}

function write(state: ClusterState, req: ApiRequest, target: Target): ApiResponse {
  const { name } = target;
  switch (req.method) {
    case 'POST': return name === undefined ? create(state, req, target) : methodNotAllowed();
    case 'PUT': return name === undefined ? methodNotAllowed() : update(state, req, target, name);
    case 'PATCH': return name === undefined ? methodNotAllowed() : patch(state, req, target, name);
    case 'DELETE': return name === undefined ? methodNotAllowed() : remove(state, req, target, name);
  }
  return methodNotAllowed();
}

const ok = (body: unknown, status = 200): ApiResponse => ({ status, body });

/** A pod's log as the apiserver sends it (the kubelet's text). */
export const logResponse = (text: string): ApiResponse => ({ status: 200, body: text, contentType: 'text/plain' });

/** An object as the apiserver returns it: with its metadata.managedFields (kubectl hides them unless --show-managed-fields). */
const apiObject = (state: ClusterState, kind: string, obj: KubeObject): Json => withManagedFields(state, kind, obj, toManifest(state, kind, obj));

/** `?watch=true` (or `1`): the request wants a stream of events, not one answer. */
export const isWatch = (req: ApiRequest): boolean => req.method === 'GET' && (req.query.watch === 'true' || req.query.watch === '1');

/** Opens a watch (see watch.ts) on a list path, or the Status that refuses it. */
export function startWatch(state: ClusterState, req: ApiRequest): ReturnType<typeof openWatch> {
  const down = apiUnavailable(state);
  if (down) return { ok: false, response: apiErrorResponse(down) };
  const target = resolveTarget(req.path.split('/').filter((s) => s !== ''));
  if (!target || target.name !== undefined || target.subresource !== undefined) return { ok: false, response: pathNotFound() };
  return openWatch(state, req, target);
}

/** The pod whose log a `follow=true` (or `1`) request follows, or undefined: not one. */
function followedLog(req: ApiRequest): (Target & { name: string }) | undefined {
  if (req.method !== 'GET' || (req.query.follow !== 'true' && req.query.follow !== '1')) return undefined;
  const target = resolveTarget(req.path.split('/').filter((s) => s !== ''));
  return target?.subresource === 'log' && target.name !== undefined && target.type.kind === 'Pod' ? { ...target, name: target.name } : undefined;
}

/** `GET …/pods/NAME/log?follow=true`: the request wants the log so far, then what the container writes. */
export const isLogFollow = (req: ApiRequest): boolean => followedLog(req) !== undefined;

/** A `follow=true` log request: the text so far and the stream to go on with, or the answer as usual (undefined: not one). */
export function startLogFollow(state: ClusterState, req: ApiRequest): { text: string; follow: LogFollow } | undefined {
  const target = followedLog(req);
  if (!target || apiUnavailable(state)) return undefined;
  const log = podLog(state, req, target, target.name);
  return log.ok && log.follow ? { text: log.text, follow: log.follow } : undefined;
}

/** /api, /apis, /apis/GROUP, /api/v1, /apis/GROUP/VERSION, or undefined for other paths. */
function discover(state: ClusterState, segments: string[]): ApiResponse | undefined {
  const [root, a, b, ...rest] = segments;
  if (root === 'api') {
    if (a === undefined) return ok(apiVersions(state));
    if (b === undefined) return a === 'v1' ? ok(apiResourceList(state, 'v1')) : pathNotFound();
    return undefined;
  }
  if (root === 'apis') {
    if (a === undefined) return ok(apiGroupList(state));
    if (b === undefined) {
      const group = apiGroup(state, a);
      return group ? ok(group) : pathNotFound();
    }
    if (rest.length === 0) {
      const list = apiResourceList(state, `${a}/${b}`);
      return list ? ok(list) : pathNotFound();
    }
    return undefined;
  }
  if (root === 'openapi' && a === 'v2' && b === undefined) return ok(openApiV2());
  if (root === 'openapi' && a === 'v3') {
    const document = b === undefined ? openApiIndex() : openApiDocument([b, ...rest].join('/'));
    return document ? ok(document) : pathNotFound();
  }
  return pathNotFound();
}

/** `/api/v1[/namespaces/NS]/RESOURCE[/NAME[/SUBRESOURCE]]` and the same under `/apis/GROUP/VERSION`. */
/** The kinds with objects, and the access review `kubectl auth can-i` creates. */
const SERVED_TYPES = [...RESOURCE_TYPES, ACCESS_REVIEW_TYPE];

export function resolveTarget(segments: string[]): Target | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api') [group, version, rest] = ['', segments[1]!, segments.slice(2)];
  else [group, version, rest] = [segments[1]!, segments[2]!, segments.slice(3)];
  let namespace: string | undefined;
  // `/namespaces/NS/RESOURCE…` is a namespaced path; `/namespaces[/NS]` alone is the Namespace kind itself.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (resource === undefined || extra.length > 0) return undefined;
  const type = SERVED_TYPES.find((t) => t.plural === resource && t.group === group && versionOf(t) === version);
  if (!type) return undefined;
  if (namespace !== undefined && !type.namespaced) return undefined;
  // A namespaced kind's single object needs its namespace in the path.
  if (type.namespaced && name !== undefined && namespace === undefined) return undefined;
  return { type, namespace, name, subresource };
}

function includeObject(req: ApiRequest): IncludeObject {
  const v = req.query.includeObject;
  return v === 'None' || v === 'Object' ? v : 'PartialObjectMetadata';
}

const revision = (state: ClusterState): string => String(state.etcd.revision);

function get(state: ClusterState, req: ApiRequest, { type, namespace }: Target, name: string): ApiResponse {
  const obj = getObject(state, type, namespace ?? '', name);
  if (!obj) return notFound(type, name);
  if (wantsTable(req.accept)) return ok(objectTable(state, type, [obj], includeObject(req), { resourceVersion: revision(state) }));
  return ok(apiObject(state, type.kind, obj));
}

/** A continue token: where the next page starts, tied to the listing it came from. */
interface ContinueToken {
  v: 'kd2';
  /** The namespace and name of the last object sent (the listing's order: namespace, then name). */
  after: [string, string];
}

function decodeContinue(token: string): ContinueToken | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<ContinueToken>;
    const after = parsed.after;
    return parsed.v === 'kd2' && Array.isArray(after) && after.length === 2 && after.every((p) => typeof p === 'string') ? { v: 'kd2', after } : undefined;
  } catch {
    return undefined;
  }
}

const positionOf = (o: KubeObject): [string, string] => [o.metadata.namespace ?? '', o.metadata.name];
/** After the token's object in listing order (compared as a pair: `shop-a/x` comes after `shop/y`). */
const isAfter = (o: KubeObject, [ns, name]: [string, string]): boolean => {
  const [ons, oname] = positionOf(o);
  return compareStrings(ons, ns) > 0 || (ons === ns && compareStrings(oname, name) > 0);
};

function list(state: ClusterState, req: ApiRequest, { type, namespace }: Target): ApiResponse {
  const labels = parseLabelSelector(req.query.labelSelector ?? '');
  if (!labels.ok) return badRequest(labels.error.replace(/^error: /, '').trimEnd());
  const fields = parseFieldSelector(req.query.fieldSelector ?? '');
  if (!fields.ok) return badRequest(fields.error.replace(/^error: /, '').trimEnd());
  const unsupported = unsupportedFieldLabel(type, fields.requirements);
  if (unsupported) return badRequest(unsupported);
  let items = listObjects(state, type, namespace);
  if (labels.requirements.length > 0 || fields.requirements.length > 0) {
    items = items.filter((obj) => matchesLabels(labels.requirements, obj.metadata.labels) && matchesFields(type, fields.requirements, obj));
  }
  // limit/continue: pages in listing order (namespace, then name), resumed after the last key sent.
  const token = req.query.continue;
  if (token !== undefined && token !== '') {
    const parsed = decodeContinue(token);
    if (!parsed) return badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    const from = items.findIndex((o) => isAfter(o, parsed.after));
    items = from < 0 ? [] : items.slice(from);
  }
  const asked = Number(req.query.limit ?? '0');
  const limit = Math.min(Number.isInteger(asked) && asked > 0 ? asked : items.length, pageFitting(state, type, items));
  const metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: revision(state) };
  if (items.length > limit) {
    metadata.continue = Buffer.from(JSON.stringify({ v: 'kd2', after: positionOf(items[limit - 1]!) })).toString('base64url');
    metadata.remainingItemCount = items.length - limit;
    items = items.slice(0, limit);
  }
  if (wantsTable(req.accept)) return ok(objectTable(state, type, items, includeObject(req), metadata));
  return ok({ kind: `${type.kind}List`, apiVersion: type.apiVersion, metadata, items: items.map((o) => apiObject(state, type.kind, o)) });
}

/** How many of `items` one page holds: those within MAX_PAGE_CHARS, at least one. */
function pageFitting(state: ClusterState, type: ResourceType, items: KubeObject[]): number {
  let chars = 0;
  for (let i = 0; i < items.length; i++) {
    chars += listingChars(state, [{ type, obj: items[i]! }], MAX_PAGE_CHARS - chars);
    if (chars > MAX_PAGE_CHARS) return Math.max(1, i);
  }
  return items.length;
}

/** A request's body as an object, or the Status refusing it. */
type Body = { ok: true; body: JsonObject } | { ok: false; response: ApiResponse };

/** The object a write sends, with its kind and apiVersion checked against the path. */
function bodyObject(req: ApiRequest, type: ResourceType): Body {
  const body = req.body;
  if (!isObject(body)) return { ok: false, response: badRequest(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`) };
  const kind = body.kind ?? type.kind;
  const apiVersion = body.apiVersion ?? type.apiVersion;
  if (kind !== type.kind || apiVersion !== type.apiVersion) {
    return { ok: false, response: badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${type.apiVersion})`) };
  }
  return { ok: true, body };
}

function writableKind(type: ResourceType): ManifestKind | undefined {
  return isManifestKind(type.kind) ? type.kind : undefined;
}

/** `?dryRun=All`, or for a DELETE its DeleteOptions body's `dryRun: [All]` (where kubectl delete --dry-run=server puts it). */
const dryRun = (req: ApiRequest): boolean =>
  req.query.dryRun === 'All' || (req.method === 'DELETE' && isObject(req.body) && Array.isArray(req.body.dryRun) && req.body.dryRun.includes('All'));

function fieldValidation(req: ApiRequest): 'Strict' | 'Warn' | 'Ignore' {
  const v = req.query.fieldValidation;
  return v === 'Strict' || v === 'Ignore' ? v : 'Warn';
}

function create(state: ClusterState, req: ApiRequest, { type, namespace }: Target): ApiResponse {
  const kind = writableKind(type);
  if (!kind) return methodNotAllowed();
  const body = bodyObject(req, type);
  if (!body.ok) return body.response;
  const manifest = body.body;
  const meta = isObject(manifest.metadata) ? manifest.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (type.namespaced && typeof meta.namespace === 'string' && meta.namespace !== '' && meta.namespace !== namespace) {
    return badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (type.namespaced && namespace === undefined) return methodNotAllowed();
  if (getObject(state, type, namespace ?? '', name)) {
    return statusResponse(409, 'AlreadyExists', `${resourceLabel(type)} "${name}" already exists`, detailsOf(type, name));
  }
  const built = objectFromManifest(state, kind, manifest, namespace, undefined, fieldValidation(req));
  if (!built.ok) return problemResponse(type, name, built.problem);
  if (dryRun(req)) {
    built.obj.metadata.uid = dryRunUid(state, type.kind, namespace, name);
    return ok(toManifest(state, type.kind, built.obj), 201);
  }
  const r = writeCreate(state, kind, built.obj);
  if (!r.ok) return apiErrorResponse(r.error, detailsOf(type, name));
  return ok(apiObject(state, type.kind, r.value), 201);
}

const resourceLabel = (type: ResourceType): string => (type.group ? `${type.plural}.${type.group}` : type.plural);

function problemResponse(type: ResourceType, name: string, problem: Parameters<typeof problemMessage>[2]): ApiResponse {
  if (problem.reason === 'BadRequest') return badRequest(problemMessage(type.kind, name, problem));
  return invalid(type, name, problem.causes);
}

/** Builds `manifest` over the stored object and writes it (PUT and PATCH alike). */
function writeOver(state: ClusterState, req: ApiRequest, type: ResourceType, stored: KubeObject, manifest: JsonObject): ApiResponse {
  const kind = writableKind(type)!;
  const name = stored.metadata.name;
  const meta = isObject(manifest.metadata) ? manifest.metadata : {};
  if (meta.name !== undefined && meta.name !== name) {
    return badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
  }
  if (type.namespaced && meta.namespace !== undefined && meta.namespace !== stored.metadata.namespace) {
    return badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const stale = staleVersion(type, name, manifest, stored.metadata.resourceVersion);
  if (stale) return apiErrorResponse(stale, detailsOf(type, name));
  const built = objectFromManifest(state, kind, manifest, stored.metadata.namespace, stored as KindMap[ManifestKind], fieldValidation(req));
  if (!built.ok) return problemResponse(type, name, built.problem);
  const w = writeUpdate(state, kind, built.obj, stored as KindMap[ManifestKind], dryRun(req) ? 'server' : 'none');
  if (!w.ok) return apiErrorResponse(w.error, detailsOf(type, name));
  const now = getObject(state, type, stored.metadata.namespace ?? '', name) ?? built.obj;
  return ok(apiObject(state, type.kind, dryRun(req) ? built.obj : now));
}

function update(state: ClusterState, req: ApiRequest, { type, namespace }: Target, name: string): ApiResponse {
  if (!writableKind(type)) return methodNotAllowed();
  const body = bodyObject(req, type);
  if (!body.ok) return body.response;
  const stored = getObject(state, type, namespace ?? '', name);
  if (!stored) return notFound(type, name);
  return writeOver(state, req, type, stored, body.body);
}

const PATCH_TYPES: Record<string, 'json' | 'merge' | 'strategic'> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
};
const APPLY_PATCH = 'application/apply-patch+yaml';

const unsupportedPatch = (): ApiResponse => statusResponse(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${[...Object.keys(PATCH_TYPES), APPLY_PATCH].join(', ')}`, {});

const mediaType = (req: ApiRequest): string => req.contentType.split(';')[0]!.trim();

function patch(state: ClusterState, req: ApiRequest, { type, namespace }: Target, name: string): ApiResponse {
  if (!PATCH_TYPES[mediaType(req)]) return unsupportedPatch();
  if (!writableKind(type)) return methodNotAllowed();
  const stored = getObject(state, type, namespace ?? '', name);
  if (!stored) return notFound(type, name);
  const patched = patchedManifest(req, toManifest(state, type.kind, stored));
  if (!patched.ok) return patched.response;
  if (!isObject(patched.doc)) return badRequest('json: cannot unmarshal into Go value of type map[string]interface {}');
  return writeOver(state, req, type, stored, patched.doc);
}

/** The object after the request's JSON, merge or strategic merge patch, or the refusal. */
function patchedManifest(req: ApiRequest, current: Json): { ok: true; doc: Json } | { ok: false; response: ApiResponse } {
  const patchType = PATCH_TYPES[mediaType(req)];
  if (!patchType) return { ok: false, response: unsupportedPatch() };
  const body = req.body ?? null;
  if (patchType === 'json') {
    const r = jsonPatch(current, body);
    // Its copy ops may grow the object past what a body may hold.
    const grown = r.ok ? bodyRefusal(r.doc) : undefined;
    if (grown) return { ok: false, response: grown };
    if (r.ok) return { ok: true, doc: r.doc };
    if (r.error === TOO_LARGE) return { ok: false, response: statusResponse(500, '', r.error) };
    return { ok: false, response: r.error.startsWith('json:') ? badRequest(r.error) : statusResponse(422, 'Invalid', r.error) };
  }
  if (!isObject(body)) return { ok: false, response: badRequest(`json: cannot unmarshal ${Array.isArray(body) ? 'array' : typeof body} into Go value of type map[string]interface {}`) };
  return { ok: true, doc: patchType === 'merge' ? mergePatch(current, body) : strategicMerge(current, body) };
}

/**
 * PATCH application/apply-patch+yaml: server-side apply (shell/kubectl/server-side-apply.ts),
 * creating the object when it is missing. The fieldManager is required; `force=true` takes
 * conflicting fields from their managers.
 */
function applyPatch(state: ClusterState, req: ApiRequest, target: Target): ApiResponse {
  const { type, namespace, name } = target;
  if (name === undefined) return methodNotAllowed();
  const kind = writableKind(type);
  if (!kind) return methodNotAllowed();
  const manager = req.query.fieldManager;
  if (manager === undefined || manager === '') {
    return statusResponse(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] });
  }
  const force = req.query.force;
  if (force !== undefined && force !== 'true' && force !== 'false') return badRequest(`strconv.ParseBool: parsing ${JSON.stringify(force)}: invalid syntax`);
  const body = bodyObject(req, type);
  if (!body.ok) return body.response;
  const applied = body.body;
  if (applied.metadata !== undefined && !isObject(applied.metadata)) return badRequest(`json: cannot unmarshal ${Array.isArray(applied.metadata) ? 'array' : typeof applied.metadata} into Go struct field Object.metadata of type map[string]interface {}`);
  const meta = isObject(applied.metadata) ? applied.metadata : {};
  if (meta.name !== undefined && meta.name !== name) return badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
  if (type.namespaced && meta.namespace !== undefined && meta.namespace !== namespace) {
    return badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (meta.managedFields !== undefined && meta.managedFields !== null) return invalid(type, name, ['metadata.managedFields: Invalid value: "": must be nil']);
  const r = serverSideApply(state, {
    type, kind, namespace, name, applied, manager, force: force === 'true', dryRun: dryRun(req), validation: fieldValidation(req),
  });
  if (!r.ok) {
    if ('conflict' in r) return statusResponse(409, 'Conflict', r.conflict.message, { causes: r.conflict.causes });
    if ('error' in r && r.error.reason === 'BadRequest') return apiErrorResponse(r.error);
    if ('problem' in r) return problemResponse(type, name, r.problem);
    return apiErrorResponse(r.error, detailsOf(type, name));
  }
  return ok(apiObject(state, type.kind, r.obj), r.created ? 201 : 200);
}

/** A create that answers no object: `Status Success` with the 201 the handler puts in its code. */
const created = (): ApiResponse => ok({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }, 201);

/** The body a subresource's POST takes: an object of `kind` (in one of `apiVersions`) naming the pod, or the refusal. */
function subresourceBody(req: ApiRequest, kind: string, apiVersions: string[], name: string): Body {
  const body = req.body;
  if (!isObject(body)) return { ok: false, response: badRequest(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`) };
  if (body.kind !== undefined && body.kind !== kind) return { ok: false, response: badRequest(`no kind "${String(body.kind)}" is registered for the ${kind} subresource`) };
  if (body.apiVersion !== undefined && !apiVersions.includes(String(body.apiVersion))) return { ok: false, response: badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersions[0]})`) };
  const meta = isObject(body.metadata) ? body.metadata : {};
  if (meta.name !== undefined && meta.name !== name) return { ok: false, response: badRequest(`name in URL does not match name in ${kind} object`) };
  return { ok: true, body };
}

/** POST pods/NAME/eviction (policy/v1 Eviction): delete the pod unless its disruption budget forbids it (cluster/disruption.ts). */
function evict(state: ClusterState, req: ApiRequest, type: ResourceType, key: string, name: string): ApiResponse {
  const body = subresourceBody(req, 'Eviction', ['policy/v1', 'policy/v1beta1'], name);
  if (!body.ok) return body.response;
  const given = body.body.deleteOptions;
  if (given !== undefined && given !== null && !isObject(given)) return badRequest('json: cannot unmarshal into Go struct field Eviction.deleteOptions of type v1.DeleteOptions');
  const options = isObject(given) ? given : {};
  const grace = options.gracePeriodSeconds;
  if (grace !== undefined && (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0)) {
    return invalid({ ...type, kind: 'Eviction', group: 'policy' }, name, [`deleteOptions.gracePeriodSeconds: Invalid value: ${JSON.stringify(grace)}: must be greater than or equal to 0`]);
  }
  if (!getObject(state, type, key.slice(0, key.indexOf('/')), name)) return notFound(type, name);
  if (dryRun(req) || (Array.isArray(options.dryRun) && options.dryRun.includes('All'))) return created();
  const r = evictPod(state, key, typeof grace === 'number' ? { gracePeriodSeconds: grace, ...(grace === 0 ? { force: true } : {}) } : {});
  if (!r.ok) return apiErrorResponse(r.error, r.error.status === 429 ? {} : detailsOf(type, name));
  return created();
}

/** POST pods/NAME/binding (v1 Binding): what a scheduler sends to place a pod on a node. */
function bind(state: ClusterState, req: ApiRequest, type: ResourceType, key: string, name: string): ApiResponse {
  const body = subresourceBody(req, 'Binding', ['v1'], name);
  if (!body.ok) return body.response;
  const target = body.body.target;
  const node = isObject(target) ? target.name : undefined;
  if (!isObject(target) || (target.kind !== undefined && target.kind !== 'Node') || typeof node !== 'string' || node === '') {
    return invalid({ ...type, kind: 'Binding', group: '' }, name, ['target.name: Required value: a binding names the node to place the pod on']);
  }
  if (dryRun(req)) return created();
  const r = bindPod(state, key, node);
  return r.ok ? created() : apiErrorResponse(r.error, detailsOf({ ...type, plural: 'pods/binding' }, name));
}

/**
 * PUT/PATCH …/status: only the status is taken (the spec and metadata sent are ignored, as the
 * apiserver's status strategies do; a main-resource write ignores the status, from-manifest.ts).
 * A kind kept as JSON takes any status; a modelled kind's written status is shown until its
 * kubelet or controller writes its own back (cluster/status-writes.ts: what stays after).
 */
function writeStatus(state: ClusterState, req: ApiRequest, { type, namespace }: Target, name: string): ApiResponse {
  const stored = getObject(state, type, namespace ?? '', name);
  if (!stored) return notFound(type, name);
  const current = toManifest(state, type.kind, stored);
  let next: Json;
  if (req.method === 'PUT') {
    const body = bodyObject(req, type);
    if (!body.ok) return body.response;
    next = body.body;
  } else {
    const patched = patchedManifest(req, current);
    if (!patched.ok) return patched.response;
    next = patched.doc;
  }
  if (!isObject(next)) return badRequest('json: cannot unmarshal into Go value of type map[string]interface {}');
  const stale = staleVersion(type, name, next, stored.metadata.resourceVersion);
  if (stale) return apiErrorResponse(stale, detailsOf(type, name));
  const status = next.status;
  if (JSON.stringify(status ?? null) === JSON.stringify(current.status ?? null)) return ok(apiObject(state, type.kind, stored));
  const kind = type.kind as keyof KindMap;
  if (status !== undefined && !isObject(status)) return invalid(type, name, [`status: Invalid value: ${JSON.stringify(status)}: must be an object`]);
  if (dryRun(req)) return ok(apiObject(state, type.kind, stored));
  const key = type.namespaced ? `${namespace}/${name}` : name;
  const r = writeStatusOf(state, kind, key, status);
  if (!r.ok) return apiErrorResponse(r.error, detailsOf(type, name));
  return ok(apiObject(state, type.kind, r.value as KubeObject));
}

/** autoscaling/v1 Scale of a Deployment, ReplicaSet or StatefulSet: read it, or write spec.replicas (PUT or PATCH). */
function scale(state: ClusterState, req: ApiRequest, { type, namespace }: Target, name: string): ApiResponse {
  if (type.kind !== 'Deployment' && type.kind !== 'ReplicaSet' && type.kind !== 'StatefulSet') return pathNotFound();
  const kind = type.kind;
  const key = `${namespace}/${name}`;
  const stored = getObject(state, type, namespace ?? '', name) as Deployment | ReplicaSet | StoredObject | undefined;
  if (!stored) return notFound(type, name);
  if (req.method === 'PUT' || req.method === 'PATCH') {
    const body = isObject(req.body) ? req.body : {};
    const replicas = isObject(body.spec) ? body.spec.replicas : undefined;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      return invalid({ ...type, kind: 'Scale', group: 'autoscaling' }, name, [`spec.replicas: Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`]);
    }
    if (!dryRun(req)) {
      const r = scaleTo(state, kind, key, replicas);
      if (!r.ok) return apiErrorResponse(r.error, detailsOf(type, name));
    }
  } else if (req.method !== 'GET') {
    return methodNotAllowed();
  }
  return ok(scaleObject(state, kind, getObject(state, type, namespace ?? '', name) as Deployment | ReplicaSet | StoredObject));
}

function remove(state: ClusterState, req: ApiRequest, { type, namespace }: Target, name: string): ApiResponse {
  const kind = type.kind === 'Event' ? undefined : (type.kind as keyof KindMap);
  if (!kind) return methodNotAllowed();
  const stored = getObject(state, type, namespace ?? '', name);
  if (!stored) return notFound(type, name);
  const options = isObject(req.body) ? req.body : {};
  const grace = typeof options.gracePeriodSeconds === 'number' ? options.gracePeriodSeconds : Number(req.query.gracePeriodSeconds ?? NaN);
  const key = type.namespaced ? `${namespace}/${name}` : name;
  if (dryRun(req)) {
    // A dry run is refused as the delete would be (the system namespaces).
    const refused = deleteRefusal(kind, key);
    return refused ? apiErrorResponse(refused, detailsOf(type, name)) : ok(toManifest(state, type.kind, stored));
  }
  const r = deleteOne(state, kind, key, { ...(Number.isInteger(grace) && grace >= 0 ? { gracePeriodSeconds: grace } : {}), ...(grace === 0 ? { force: true } : {}) });
  if (!r.ok) return apiErrorResponse(r.error, detailsOf(type, name));
  // A pod bound to a node is only marked Terminating: the object is still there, as the apiserver answers.
  const after = getObject(state, type, namespace ?? '', name) ?? stored;
  return ok(apiObject(state, type.kind, after));
}
