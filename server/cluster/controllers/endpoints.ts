// Endpoints controller: each service with a selector lists the IPs of its matching pods,
// ready ones under addresses and the rest under notReadyAddresses. Recomputed only when
// pods or services were written since the last pass.
import { createObject, keyOf, mutateObject, writeSerial } from '../api.js';
import { matchesSelector, newMeta } from '../objects.js';
import type { ClusterState, EndpointAddress, Endpoints, Pod, Service } from '../types.js';
import { sameJson } from '../json.js';
import { changedSince, isPodReady, isTerminating, type TickContext } from './context.js';


function resolvePort(pod: Pod | undefined, target: number | string): number | undefined {
  if (typeof target === 'number') return target;
  for (const c of pod?.spec.containers ?? []) for (const p of c.ports) if (p.name === target) return p.containerPort;
  return undefined;
}

function address(pod: Pod): EndpointAddress {
  const a: EndpointAddress = { ip: pod.status.podIP!, targetRef: { kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace!, uid: pod.metadata.uid } };
  if (pod.spec.nodeName) a.nodeName = pod.spec.nodeName;
  return a;
}

const byIP = (a: EndpointAddress, b: EndpointAddress) => {
  const x = a.ip.split('.').map(Number);
  const y = b.ip.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
};

export function desiredSubsets(svc: Service, pods: Pod[]): Endpoints['subsets'] {
  const selector = svc.spec.selector!;
  const members = pods.filter((p) => p.status.podIP && !isTerminating(p) && matchesSelector(p.metadata.labels, selector));
  if (members.length === 0) return [];
  const ports = svc.spec.ports.flatMap((sp) => {
    const port = resolvePort(members[0], sp.targetPort);
    if (port === undefined) return [];
    const out: Endpoints['subsets'][number]['ports'][number] = { port, protocol: sp.protocol };
    if (sp.name) out.name = sp.name;
    return [out];
  });
  const addresses = members.filter(isPodReady).map(address).sort(byIP);
  const notReadyAddresses = members.filter((p) => !isPodReady(p)).map(address).sort(byIP);
  return [{ addresses, notReadyAddresses, ports }];
}

/** Pods by "namespace\u0000label=value", so each service only looks at pods carrying its first selector label. */
function indexByLabel(state: ClusterState): Map<string, Pod[]> {
  const index = new Map<string, Pod[]>();
  for (const key in state.pods) {
    const pod = state.pods[key]!;
    const labels = pod.metadata.labels;
    for (const k in labels) {
      const bucket = `${pod.metadata.namespace}\u0000${k}=${labels[k]}`;
      const list = index.get(bucket);
      if (list) list.push(pod);
      else index.set(bucket, [pod]);
    }
  }
  return index;
}

export function endpointsController(ctx: TickContext): void {
  const { state } = ctx;
  if (!changedSince(endpointsController, state, `${writeSerial(state, 'Pod')}/${writeSerial(state, 'Service')}/${writeSerial(state, 'Endpoints')}`)) return;
  const index = indexByLabel(state);
  for (const key in state.services) {
    const svc = state.services[key]!;
    if (!svc.spec.selector) continue; // endpoints of selector-less services are managed by hand
    const first = Object.entries(svc.spec.selector)[0];
    const candidates = first ? index.get(`${svc.metadata.namespace}\u0000${first[0]}=${first[1]}`) ?? [] : [];
    const subsets = desiredSubsets(svc, candidates);
    const existing = state.endpoints[key];
    if (!existing) {
      const ep: Endpoints = { metadata: newMeta(state, svc.metadata.name, svc.metadata.namespace, svc.metadata.labels), subsets };
      createObject(state, 'Endpoints', ep);
    } else if (!sameJson(existing.subsets, subsets)) {
      mutateObject(state, 'Endpoints', keyOf(existing), (ep) => void (ep.subsets = subsets));
    }
  }
}
