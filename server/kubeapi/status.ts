// meta/v1 Status objects as the apiserver writes them for failures
// (k8s.io/apimachinery pkg/api/errors/errors.go: NewNotFound, NewAlreadyExists, NewInvalid…),
// so the real kubectl prints what it prints against a real cluster: `Error from server
// (NotFound): pods "x" not found`, `The Deployment "web" is invalid: …` from the causes.
import type { ApiError } from '../cluster/types.js';
import type { ResourceType } from '../shell/kubectl/resources.js';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/**
 * An answer of the API: an HTTP status and a JSON body (a string is sent as it is: the bytes
 * the apiserver writes, e.g. its indented /version); `status` 0 = the connection drops (the
 * apiserver is down).
 */
export interface ApiResponse {
  status: number;
  body: unknown;
  /** The body's media type when not JSON (a pod's log is text/plain). */
  contentType?: string;
  /** A Warning header's text (a deprecated kind), sent as `299 - "text"`. */
  warning?: string;
}

export function statusResponse(code: number, reason: string, message: string, details?: StatusDetails): ApiResponse {
  const body: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, ...(reason ? { reason } : {}), ...(details ? { details } : {}), code };
  return { status: code, body };
}

/** The details the apiserver names an object by: its name, the resource's group and plural. */
export function detailsOf(type: ResourceType, name: string): StatusDetails {
  return { name, ...(type.group ? { group: type.group } : {}), kind: type.plural };
}

/**
 * A failure of the cluster's write path (api.ts) as a Status. An etcd failure carries no
 * reason (kubectl prints `Error from server: etcdserver: …`); status 0 is a refused connection.
 */
export function apiErrorResponse(error: ApiError, details?: StatusDetails): ApiResponse {
  if (error.status === 0) return { status: 0, body: null };
  const withCauses = error.causes ? { ...details, causes: error.causes.map((c) => ({ reason: c.reason, message: c.message, ...(c.field !== undefined ? { field: c.field } : {}) })) } : details;
  return statusResponse(error.status, error.reason === 'InternalError' ? '' : error.reason, error.message, withCauses);
}

export const notFound = (type: ResourceType, name: string): ApiResponse => {
  const resource = type.group ? `${type.plural}.${type.group}` : type.plural;
  return statusResponse(404, 'NotFound', `${resource} "${name}" not found`, detailsOf(type, name));
};

/** The apiserver's answer for a path it serves nothing at. */
export const pathNotFound = (): ApiResponse => statusResponse(404, 'NotFound', 'the server could not find the requested resource', {});

export const badRequest = (message: string): ApiResponse => statusResponse(400, 'BadRequest', message);

export const methodNotAllowed = (): ApiResponse => statusResponse(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});

/**
 * `The Deployment "web" is invalid: spec.replicas: Invalid value: …`: each cause is
 * `field: message` (kubectl puts the message together again from the causes).
 */
export function invalid(type: ResourceType, name: string, causes: string[]): ApiResponse {
  const parsed = causes.map((c): StatusCause => {
    const colon = c.indexOf(': ');
    const field = colon < 0 ? '' : c.slice(0, colon);
    const message = colon < 0 ? c : c.slice(colon + 2);
    return { reason: causeReason(message), message, field };
  });
  const prefix = `${type.kind} "${name}" is invalid: `;
  const message = causes.length === 1 ? `${prefix}${causes[0]}` : `${prefix}[${causes.join(', ')}]`;
  return statusResponse(422, 'Invalid', message, { name, ...(type.group ? { group: type.group } : {}), kind: type.kind, causes: parsed });
}

/** k8s.io/apimachinery pkg/util/validation/field/errors.go: the cause type from the message's start. */
function causeReason(message: string): string {
  if (message.startsWith('Required value')) return 'FieldValueRequired';
  if (message.startsWith('Unsupported value')) return 'FieldValueNotSupported';
  if (message.startsWith('Duplicate value')) return 'FieldValueDuplicate';
  if (message.startsWith('Forbidden')) return 'FieldValueForbidden';
  if (message.startsWith('Too long')) return 'FieldValueTooLong';
  return 'FieldValueInvalid';
}
