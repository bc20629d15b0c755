// Finding the objects a command line names: resource arguments, namespace / -A, `-l` and
// `--field-selector`, with kubectl's errors. Shared by get, describe and the write commands.
import type { FlagSpec, KubectlContext, ParsedFlags } from './types.js';
import { getObject, listObjects, notFoundError, resolveResourceArgs, type KubeObject, type ResourceType } from './resources.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, unsupportedField } from './selectors.js';

export interface Selected {
  type: ResourceType;
  obj: KubeObject;
}

export interface QueryResult {
  /** Objects found, grouped by request order. */
  items: Selected[];
  /** Error lines for names not found (`Error from server (NotFound): …`), printed after the output. */
  errors: string;
  /** Every request named its objects (`get pod x`), vs listing (`get pods`). */
  byName: boolean;
  /** The requested types, in order (for `No resources found`). */
  types: ResourceType[];
}

/** Label / field selector flags every listing command declares. */
export const SELECTOR_FLAGS: FlagSpec[] = [
  { name: 'selector', short: 'l', type: 'string', usage: 'Selector (label query) to filter on, supports \'=\', \'==\', \'!=\', \'in\', \'notin\'.' },
  { name: 'field-selector', type: 'string', usage: 'Selector (field query) to filter on, supports \'=\', \'==\', and \'!=\'.' },
];

/** The namespace a listing reads: undefined = all namespaces (-A). */
export function listNamespace(ctx: KubectlContext): string | undefined {
  return ctx.allNamespaces ? undefined : ctx.namespace;
}

export function queryObjects(ctx: KubectlContext, args: string[], flags: ParsedFlags): { ok: true; result: QueryResult } | { ok: false; error: string } {
  const resolved = resolveResourceArgs(args, ctx.state.stored);
  if (!resolved.ok) return resolved;
  const labelSelector = flags.string('selector') ?? '';
  const fieldSelector = flags.string('field-selector') ?? '';
  const byName = resolved.requests.every((r) => r.names.length > 0);
  if (byName && (labelSelector !== '' || flags.bool('all'))) {
    return { ok: false, error: 'error: selectors and the all flag cannot be used when passing resource/name arguments\n' };
  }
  if (byName && ctx.allNamespaces) {
    return { ok: false, error: 'error: a resource cannot be retrieved by name across all namespaces\n' };
  }
  const labels = parseLabelSelector(labelSelector);
  if (!labels.ok) return labels;
  const fields = parseFieldSelector(fieldSelector);
  if (!fields.ok) return fields;

  const items: Selected[] = [];
  let errors = '';
  for (const { type, names } of resolved.requests) {
    const unsupported = unsupportedField(type, fields.requirements, labelSelector, fieldSelector);
    if (unsupported) return { ok: false, error: unsupported };
    if (names.length > 0) {
      for (const name of names) {
        const obj = getObject(ctx.state, type, ctx.namespace, name);
        if (obj) items.push({ type, obj });
        else errors += notFoundError(type, name);
      }
      continue;
    }
    const filtered = labels.requirements.length > 0 || fields.requirements.length > 0;
    for (const obj of listObjects(ctx.state, type, listNamespace(ctx))) {
      if (!filtered || (matchesLabels(labels.requirements, obj.metadata.labels) && matchesFields(type, fields.requirements, obj))) {
        items.push({ type, obj });
      }
    }
  }
  return { ok: true, result: { items, errors, byName, types: resolved.requests.map((r) => r.type) } };
}

/** `No resources found in default namespace.` / `No resources found` (stderr of a listing). */
export function noResourcesFound(ctx: KubectlContext, types: ResourceType[]): string {
  const namespaced = types.some((t) => t.namespaced);
  return namespaced && !ctx.allNamespaces ? `No resources found in ${ctx.namespace} namespace.\n` : 'No resources found\n';
}
