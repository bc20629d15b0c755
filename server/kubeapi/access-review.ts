// POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews: what `kubectl auth can-i`
// sends (kubectl pkg/cmd/auth/cani.go RunAccessCheck). The apiserver answers the review with
// its authorizer's decision for the requester (pkg/registry/authorization/
// selfsubjectaccessreview/rest.go: the spec echoed, status.allowed set); RBAC's denial gives
// no reason, so kubectl prints a bare `no`.
import type { Json } from '../shell/kubectl/manifest.js';
import { DISCOVERY_ONLY, type ResourceType } from '../shell/kubectl/resources.js';
import { badRequest, invalid, type ApiResponse } from './status.js';

type JsonObject = { [key: string]: Json };
const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);
const text = (v: Json | undefined): string => (typeof v === 'string' ? v : '');

/** What is asked: a verb on a resource (`pods`, `pods/log`) of a group, maybe named and in a namespace, or on a URL path. */
export type AccessQuestion =
  | { verb: string; group: string; resource: string; name: string; namespace: string | undefined }
  | { verb: string; url: string };

/** The one review kind served (the others stay in discovery only). */
export const ACCESS_REVIEW_TYPE: ResourceType = DISCOVERY_ONLY.find((t) => t.kind === 'SelfSubjectAccessReview')!;

export const isAccessReview = (type: ResourceType): boolean => type === ACCESS_REVIEW_TYPE;

/** The review's answer, the requester's rights given by `decide`. */
export function accessReview(req: { body?: Json }, type: ResourceType, decide: (q: AccessQuestion) => boolean): ApiResponse {
  const body = req.body;
  if (!isObject(body)) return badRequest('the body of the request was in an unknown format - accepted media types include: application/json, application/yaml');
  const spec = isObject(body.spec) ? body.spec : {};
  const resource = spec.resourceAttributes;
  const nonResource = spec.nonResourceAttributes;
  // pkg/apis/authorization/validation ValidateSelfSubjectAccessReviewSpec (a struct value printed as "object").
  if (isObject(resource) && isObject(nonResource)) {
    return invalid(type, '', ['spec.nonResourceAttributes: Invalid value: "object": cannot be specified in combination with resourceAttributes']);
  }
  if (!isObject(resource) && !isObject(nonResource)) {
    return invalid(type, '', ['spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified']);
  }
  // The apiserver decodes the spec into its typed struct: only these fields come back, empty ones left out.
  const fields = (o: JsonObject, names: string[]): JsonObject => Object.fromEntries(names.flatMap((n) => (text(o[n]) === '' ? [] : [[n, text(o[n])]])));
  const echoed: JsonObject = isObject(resource)
    ? { resourceAttributes: fields(resource, ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name']) }
    : { nonResourceAttributes: fields(nonResource as JsonObject, ['path', 'verb']) };
  let question: AccessQuestion;
  if (isObject(resource)) {
    const sub = text(resource.subresource);
    const namespace = text(resource.namespace);
    question = {
      verb: text(resource.verb), group: text(resource.group), resource: sub ? `${text(resource.resource)}/${sub}` : text(resource.resource),
      name: text(resource.name), namespace: namespace === '' ? undefined : namespace,
    };
  } else {
    const attrs = nonResource as JsonObject;
    question = { verb: text(attrs.verb), url: text(attrs.path) };
  }
  return {
    status: 201,
    body: { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec: echoed, status: { allowed: decide(question) } },
  };
}
