// kubectl describe for PriorityClass, StorageClass, CSINode and EndpointSlice (kubectl v1.29
// pkg/describe/describe.go describePriorityClass, describeStorageClass, describeCSINode,
// describeEndpointSliceV1): short describers of their own, each ending with the events.
import type { ClusterState, JsonValue, StoredObject } from '../../../cluster/types.js';
import { jsonObject } from '../../../cluster/json.js';
import { rfc1123z } from '../age.js';
import { describeWriter, writeAnnotations, writeEvents, writeLabels, type DescribeWriter } from './writer.js';

const text = (v: JsonValue | undefined, fallback = ''): string => (v === undefined || v === null ? fallback : typeof v === 'string' ? v : String(v));
const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);

/** labels.FormatLabels: `k=v,k2=v2` in key order, `<none>` when empty. */
function formatLabels(m: JsonValue | undefined): string {
  const entries = Object.entries(jsonObject(m)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${text(v)}`).join(',');
}

export function describePriorityClass(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  w.write(0, `Name:\t${o.metadata.name}\n`);
  w.write(0, `Value:\t${text(o.fields.value, '0')}\n`);
  w.write(0, `GlobalDefault:\t${o.fields.globalDefault === true}\n`);
  w.write(0, `PreemptionPolicy:\t${text(o.fields.preemptionPolicy, 'PreemptLowerPriority')}\n`);
  w.write(0, `Description:\t${text(o.fields.description)}\n`);
  w.write(0, `Annotations:\t${formatLabels(o.metadata.annotations)}\n`);
  writeEvents(w, state, o.metadata.uid);
  return w.done();
}

/** storageutil.IsDefaultAnnotationText: the GA or the beta default-class annotation. */
function isDefaultClass(annotations: Record<string, string>): string {
  const yes = annotations['storageclass.kubernetes.io/is-default-class'] === 'true' || annotations['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
  return yes ? 'Yes' : 'No';
}

/** describe.go printAllowedTopologies with printTopologySelectorTermsMultilineWithIndent. */
function writeAllowedTopologies(w: DescribeWriter, terms: JsonValue[]): void {
  w.write(0, `AllowedTopologies:\t${terms.length === 0 ? '<none>' : ''}\n`);
  terms.forEach((term, i) => {
    const reqs = list(jsonObject(term).matchLabelExpressions).map(jsonObject);
    w.write(1, `Term ${i}:\t`);
    if (reqs.length === 0) w.write(0, '<none>\n');
    reqs.forEach((req, j) => {
      if (j !== 0) w.write(1, '\t');
      const values = list(req.values).map((v) => text(v));
      w.write(0, `${text(req.key)} in${values.length > 0 ? ` [${values.join(', ')}]` : ''}\n`);
    });
  });
}

export function describeStorageClass(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  const f = o.fields;
  w.write(0, `Name:\t${o.metadata.name}\n`);
  w.write(0, `IsDefaultClass:\t${isDefaultClass(o.metadata.annotations)}\n`);
  w.write(0, `Annotations:\t${formatLabels(o.metadata.annotations)}\n`);
  w.write(0, `Provisioner:\t${text(f.provisioner)}\n`);
  w.write(0, `Parameters:\t${formatLabels(f.parameters)}\n`);
  w.write(0, `AllowVolumeExpansion:\t${typeof f.allowVolumeExpansion === 'boolean' ? (f.allowVolumeExpansion ? 'True' : 'False') : '<unset>'}\n`);
  const options = list(f.mountOptions);
  w.write(0, options.length === 0 ? 'MountOptions:\t<none>\n' : 'MountOptions:\n');
  for (const option of options) w.write(1, `${text(option)}\n`);
  if (f.reclaimPolicy !== undefined) w.write(0, `ReclaimPolicy:\t${text(f.reclaimPolicy)}\n`);
  if (f.volumeBindingMode !== undefined) w.write(0, `VolumeBindingMode:\t${text(f.volumeBindingMode)}\n`);
  if (Array.isArray(f.allowedTopologies)) writeAllowedTopologies(w, f.allowedTopologies);
  writeEvents(w, state, o.metadata.uid);
  return w.done();
}

export function describeCSINode(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  w.write(0, `Name:\t${o.metadata.name}\n`);
  writeLabels(w, 0, 'Labels', o.metadata.labels);
  writeAnnotations(w, 0, o.metadata.annotations);
  w.write(0, `CreationTimestamp:\t${rfc1123z(state, o.metadata.creationTimestamp)}\n`);
  w.write(0, 'Spec:\n');
  const drivers = jsonObject(o.fields.spec).drivers;
  // A null list is Go's nil slice: no Drivers heading.
  if (Array.isArray(drivers)) {
    w.write(1, 'Drivers:\n');
    for (const d of drivers.map(jsonObject)) {
      w.write(2, `${text(d.name)}:\n`);
      w.write(3, `Node ID:\t${text(d.nodeID)}\n`);
      const count = jsonObject(d.allocatable).count;
      if (typeof count === 'number') {
        w.write(3, 'Allocatables:\n');
        w.write(4, `Count:\t${count}\n`);
      }
      if (Array.isArray(d.topologyKeys)) w.write(3, `Topology Keys:\t[${d.topologyKeys.map((k) => text(k)).join(' ')}]\n`);
    }
  }
  writeEvents(w, state, o.metadata.uid);
  return w.done();
}

export function describeEndpointSlice(state: ClusterState, o: StoredObject): string {
  const w = describeWriter();
  const f = o.fields;
  w.write(0, `Name:\t${o.metadata.name}\n`);
  w.write(0, `Namespace:\t${o.metadata.namespace ?? ''}\n`);
  writeLabels(w, 0, 'Labels', o.metadata.labels);
  writeAnnotations(w, 0, o.metadata.annotations);
  w.write(0, `AddressType:\t${text(f.addressType)}\n`);
  const ports = list(f.ports).map(jsonObject);
  if (ports.length === 0) w.write(0, 'Ports: <unset>\n');
  else {
    w.write(0, 'Ports:\n');
    w.write(1, 'Name\tPort\tProtocol\n');
    w.write(1, '----\t----\t--------\n');
    for (const p of ports) w.write(1, `${text(p.name) || '<unset>'}\t${text(p.port, '<unset>')}\t${text(p.protocol)}\n`);
  }
  const endpoints = list(f.endpoints).map(jsonObject);
  if (endpoints.length === 0) w.write(0, 'Endpoints: <none>\n');
  else w.write(0, 'Endpoints:\n');
  for (const e of endpoints) {
    w.write(1, `- Addresses:\t${list(e.addresses).map((a) => text(a)).join(', ') || '<none>'}\n`);
    w.write(2, 'Conditions:\n');
    const ready = jsonObject(e.conditions).ready;
    w.write(3, `Ready:\t${typeof ready === 'boolean' ? String(ready) : '<unset>'}\n`);
    w.write(2, `Hostname:\t${text(e.hostname, '<unset>')}\n`);
    if (e.targetRef !== undefined && e.targetRef !== null) {
      const ref = jsonObject(e.targetRef);
      w.write(2, `TargetRef:\t${text(ref.kind)}/${text(ref.name)}\n`);
    }
    w.write(2, `NodeName:\t${text(e.nodeName, '<unset>')}\n`);
    w.write(2, `Zone:\t${text(e.zone, '<unset>')}\n`);
  }
  writeEvents(w, state, o.metadata.uid);
  return w.done();
}
