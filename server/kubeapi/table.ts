// Server-side printing: the meta.k8s.io/v1 Table the apiserver answers to
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, made by the same printer per kind
// as the in-shell kubectl's tables (shell/kubectl/printers.ts TABLES): its headers are the
// column definitions (the wide ones at priority 1, which kubectl shows only with -o wide),
// its row function the cells. The real kubectl upper-cases the names and lays the cells out.
import type { ClusterState } from '../cluster/types.js';
import { keptBuilt } from '../shell/kubectl/listing.js';
import { metadataJson, toManifest, type Json } from '../shell/kubectl/manifest.js';
import { TABLES, tableHeaders } from '../shell/kubectl/printers.js';
import type { KubeObject, ResourceType } from '../shell/kubectl/resources.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export type IncludeObject = 'None' | 'Object' | 'PartialObjectMetadata';

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion: string; continue?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: { cells: string[]; object?: Json }[];
}

function columnDefinitions(type: ResourceType): TableColumnDefinition[] {
  const printer = TABLES[type.kind]!;
  const column = (header: string, priority: number): TableColumnDefinition => ({
    name: header, type: 'string', format: header === 'NAME' ? 'name' : '', description: '', priority,
  });
  return tableHeaders(printer, true).map((h) => column(h, printer.wideHeaders.includes(h) ? 1 : 0));
}

/**
 * The Table of `objects`. Each row carries what `includeObject` asks for: by default the
 * object's metadata (kubectl reads the namespace and labels from it for -A, -L and
 * --show-labels), the whole object for `Object` (kubectl asks for it with --sort-by).
 */
export function objectTable(state: ClusterState, type: ResourceType, objects: KubeObject[], include: IncludeObject, metadata: Table['metadata']): Table {
  const printer = TABLES[type.kind]!;
  const items = objects.map((obj) => ({ type, obj }));
  // The metadata is kept with the kind's listing until the object is written (listing.ts).
  const partial = include === 'PartialObjectMetadata'
    ? keptBuilt(state, items, 'table-metadata', ({ obj }): Json => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: metadataJson(state, obj.metadata, type.kind) }))
    : [];
  const rows = objects.map((obj, i) => {
    const cells = printer.row(state, obj, true);
    if (include === 'None') return { cells };
    return { cells, object: include === 'Object' ? toManifest(state, type.kind, obj) : partial[i]! };
  });
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: columnDefinitions(type), rows };
}

/** The request asks for a Table: `as=Table;g=meta.k8s.io` in one of its Accept entries. */
export function wantsTable(accept: string): boolean {
  return accept.split(',').some((entry) => {
    const params = entry.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io') && (params.includes('v=v1') || params.includes('v=v1beta1'));
  });
}
