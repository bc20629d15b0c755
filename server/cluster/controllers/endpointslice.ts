// The EndpointSlice controller (pkg/controller/endpointslice): one slice per Service with a
// selector, named from the Service (generateName "<service>-"), listing what its Endpoints
// list, and kept in step with them; a Service's slices go with it. The apiserver keeps the
// `kubernetes` Service's slice itself. The build lays down the first ones (defaults.ts).
import { createObject, deleteObject, mutateObject, objectKey, writeSerial } from '../api.js';
import { newMeta } from '../objects.js';
import { randomSuffix, sideRng } from '../rng.js';
import type { ClusterState, Endpoints, JsonValue, ObjectMeta, Service, StoredObject } from '../types.js';
import { changedSince, type TickContext } from './context.js';

type Fields = { [key: string]: JsonValue };

const SERVICE_NAME = 'kubernetes.io/service-name';
const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';

/** The slice's labels: the Service's own, plus whose it is and who manages it. */
export function sliceLabels(svc: Service): Record<string, string> {
  if (svc.metadata.namespace === 'default' && svc.metadata.name === 'kubernetes') return { [SERVICE_NAME]: 'kubernetes' };
  return { ...svc.metadata.labels, [MANAGED_BY]: 'endpointslice-controller.k8s.io', [SERVICE_NAME]: svc.metadata.name };
}

/** addressType, endpoints (ready ones, then the others) and ports of the slice mirroring EP. */
export function sliceFields(svc: Service, ep: Endpoints | undefined): Fields {
  const endpoints: JsonValue[] = [];
  for (const subset of ep?.subsets ?? []) {
    for (const [ready, list] of [[true, subset.addresses], [false, subset.notReadyAddresses]] as const) {
      for (const a of list) {
        const e: Fields = { addresses: [a.ip], conditions: { ready, serving: ready, terminating: false } };
        if (a.nodeName) e.nodeName = a.nodeName;
        if (a.targetRef) e.targetRef = { kind: 'Pod', name: a.targetRef.name, namespace: a.targetRef.namespace, uid: a.targetRef.uid };
        endpoints.push(e);
      }
    }
  }
  const ports = (ep?.subsets[0]?.ports ?? svc.spec.ports.map((p) => ({ name: p.name, port: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol })))
    .map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol }));
  return endpoints.length > 0 ? { addressType: 'IPv4', endpoints, ports } : { addressType: 'IPv4', ports };
}

export function sliceOwner(svc: Service): ObjectMeta['ownerReferences'] {
  return [{ kind: 'Service', name: svc.metadata.name, uid: svc.metadata.uid, controller: true }];
}

export function endpointSliceController(ctx: TickContext): void {
  const { state } = ctx;
  const slices = state.stored?.['EndpointSlice'];
  if (!slices) return;
  if (!changedSince(endpointSliceController, state, `${writeSerial(state, 'Endpoints')}/${writeSerial(state, 'Service')}/${writeSerial(state, 'EndpointSlice')}`)) return;
  const byService = new Map<string, StoredObject>();
  for (const [key, slice] of Object.entries(slices)) {
    const owner = slice.metadata.labels[SERVICE_NAME];
    if (slice.metadata.labels[MANAGED_BY] === undefined || owner === undefined) continue;
    const svcKey = objectKey(slice.metadata.namespace, owner);
    const svc = state.services[svcKey];
    if (!svc || !svc.spec.selector || svc.metadata.uid !== slice.metadata.ownerReferences[0]?.uid) deleteObject(state, 'EndpointSlice', key);
    else byService.set(svcKey, slice);
  }
  for (const [key, svc] of Object.entries(state.services)) {
    if (!svc.spec.selector) continue;
    const fields = sliceFields(svc, state.endpoints[key]);
    const slice = byService.get(key);
    if (slice) {
      mutateObject(state, 'EndpointSlice', objectKey(slice.metadata.namespace, slice.metadata.name), (o) => {
        if (JSON.stringify(o.fields) === JSON.stringify(fields)) return false;
        o.fields = fields;
      });
      continue;
    }
    // The name's suffix from a side stream: a new Service does not change the names the cluster gives later.
    const name = `${svc.metadata.name}-${randomSuffix(sideRng(state.rng, `endpointslice/${key}`), 5)}`;
    const m = newMeta(state, name, svc.metadata.namespace, sliceLabels(svc));
    m.ownerReferences = sliceOwner(svc);
    createObject(state, 'EndpointSlice', { kind: 'EndpointSlice', metadata: m, fields }, `${svc.metadata.name}-`);
  }
}
