// OpenAPI v3 documents, only as far as kubectl reads them today: for each kind, the PATCH
// operation with its `x-kubernetes-group-version-kind` and the `fieldValidation` query
// parameter. kubectl apply/create (v1.29, --validate=strict by default) asks the v3 document
// whether the server validates fields itself (cli-runtime resource/query_param_verifier_v3.go
// supportsQueryParamV3); without it, kubectl falls back to client-side validation over the v2
// schema and fails "failed to download openapi". No schemas yet: `kubectl explain` through the
// API is not served. /openapi/v2 is the same operations in one Swagger 2.0 document.
import { versionOf } from '../shell/kubectl/discovery.js';
import { RESOURCE_TYPES, type ResourceType } from '../shell/kubectl/resources.js';

/** `api/v1`, `apis/apps/v1`: the document names the index lists. */
const documentName = (t: ResourceType): string => (t.group ? `apis/${t.group}/${versionOf(t)}` : 'api/v1');

/** The documents' content changes only with the build; kubectl caches them by this hash. */
const HASH = 'kubedrill-v1-29-4-1';

/** /openapi/v3: where each group version's document is. */
export function openApiIndex(): Record<string, unknown> {
  const names = [...new Set(RESOURCE_TYPES.map(documentName))].sort();
  return { paths: Object.fromEntries(names.map((n) => [n, { serverRelativeURL: `/openapi/v3/${n}?hash=${HASH}` }])) };
}

/** The kind's PATCH operation: query parameters as OpenAPI v3 (`schema`) or Swagger 2.0 (`type`) writes them. */
function patchOperation(name: string, t: ResourceType, v2: boolean): [string, Record<string, unknown>] {
  const scope = t.namespaced ? 'namespaces/{namespace}/' : '';
  const param = (p: string, type: string) => (v2 ? { uniqueItems: true, type, name: p, in: 'query' } : { name: p, in: 'query', schema: { type } });
  return [`/${name}/${scope}${t.plural}/{name}`, {
    patch: {
      operationId: `patch${t.kind}`,
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': { group: t.group, version: versionOf(t), kind: t.kind },
      parameters: [param('dryRun', 'string'), param('fieldManager', 'string'), param('fieldValidation', 'string'), param('force', 'boolean')],
      responses: {},
    },
  }];
}

const documentTypes = (name: string): ResourceType[] => RESOURCE_TYPES.filter((t) => documentName(t) === name && t.kind !== 'ComponentStatus');

/** /openapi/v3/NAME: the group version's document, or undefined. */
export function openApiDocument(name: string): Record<string, unknown> | undefined {
  const types = documentTypes(name);
  if (types.length === 0) return undefined;
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.29.4' }, paths: Object.fromEntries(types.map((t) => patchOperation(name, t, false))) };
}

/**
 * /openapi/v2: the whole API in one Swagger 2.0 document. The apiserver's holds every
 * definition (some 3.5 MB); this one the same operations as the v3 documents and no
 * definitions, so it stays small.
 */
export function openApiV2(): Record<string, unknown> {
  const names = [...new Set(RESOURCE_TYPES.map(documentName))].sort();
  const paths = Object.fromEntries(names.flatMap((name) => documentTypes(name).map((t) => patchOperation(name, t, true))));
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.29.4' }, paths, definitions: {} };
}
