// OpenAPI v3 documents, only as far as kubectl reads them today: for each kind, the PATCH
// operation with its `x-kubernetes-group-version-kind` and the `fieldValidation` query
// parameter. kubectl apply/create (v1.29, --validate=strict by default) asks the v3 document
// whether the server validates fields itself (cli-runtime resource/query_param_verifier_v3.go
// supportsQueryParamV3); without it, kubectl falls back to client-side validation over the v2
// schema and fails "failed to download openapi". No schemas yet: `kubectl explain` through the
// API is not served.
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

/** /openapi/v3/NAME: the group version's document, or undefined. */
export function openApiDocument(name: string): Record<string, unknown> | undefined {
  const types = RESOURCE_TYPES.filter((t) => documentName(t) === name && t.kind !== 'ComponentStatus');
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const t of types) {
    const scope = t.namespaced ? 'namespaces/{namespace}/' : '';
    paths[`/${name}/${scope}${t.plural}/{name}`] = {
      patch: {
        operationId: `patch${t.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: t.group, version: versionOf(t), kind: t.kind },
        parameters: [
          { name: 'dryRun', in: 'query', schema: { type: 'string' } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string' } },
          { name: 'fieldValidation', in: 'query', schema: { type: 'string' } },
          { name: 'force', in: 'query', schema: { type: 'boolean' } },
        ],
        responses: {},
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.29.4' }, paths };
}
