// core/v1 Events, aggregated like client-go's event recorder: the same object, reason,
// message and source only bump count and lastTimestamp. Events expire after an hour.
// Each write goes through etcd; when etcd refuses writes the event is silently lost.
import { commitWrite, EVENT_SIZE, writeRefused } from './api.js';
import type { ClusterEvent, ClusterState, ObjectMeta } from './types.js';

export type InvolvedObject = ClusterEvent['involvedObject'];

export const EVENT_TTL_MS = 3_600_000;
/** Hard cap so a noisy incident cannot grow the state without bound. */
const MAX_EVENTS = 5_000;

/** Reference to an object for an event: `refOf('Pod', pod, 'spec.containers{app}')`. */
export function refOf(kind: string, obj: { metadata: ObjectMeta }, fieldPath?: string): InvolvedObject {
  const ref: InvolvedObject = { kind, name: obj.metadata.name, uid: obj.metadata.uid };
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  if (fieldPath) ref.fieldPath = fieldPath;
  return ref;
}

// Lookup from aggregation key to event, per events array (rebuilt when the array is replaced
// or the state was cloned; only a cache).
const aggregation = new WeakMap<ClusterEvent[], Map<string, ClusterEvent>>();

function aggregationKey(involved: InvolvedObject, type: string, reason: string, message: string, component: string, host?: string): string {
  return [involved.uid, involved.fieldPath ?? '', type, reason, message, component, host ?? ''].join('\u0000');
}

function lookup(events: ClusterEvent[]): Map<string, ClusterEvent> {
  let map = aggregation.get(events);
  if (!map) {
    map = new Map();
    for (const e of events) map.set(aggregationKey(e.involvedObject, e.type, e.reason, e.message, e.source.component, e.source.host), e);
    aggregation.set(events, map);
  }
  return map;
}

export function recordEvent(
  state: ClusterState,
  involved: InvolvedObject,
  type: ClusterEvent['type'],
  reason: string,
  message: string,
  component: string,
  host?: string,
): void {
  if (writeRefused(state)) return;
  const map = lookup(state.events);
  const key = aggregationKey(involved, type, reason, message, component, host);
  const existing = map.get(key);
  const revision = commitWrite(state, EVENT_SIZE);
  if (existing && state.now - existing.lastTimestamp < EVENT_TTL_MS) {
    existing.count++;
    existing.lastTimestamp = state.now;
    existing.metadata.resourceVersion = revision;
    return;
  }
  // Real event names are "<object>.<unix nanos in hex>".
  const nanos = BigInt(state.epoch + state.now) * 1_000_000n + BigInt(state.events.length % 1000);
  const event: ClusterEvent = {
    metadata: {
      name: `${involved.name}.${nanos.toString(16)}`,
      namespace: involved.namespace ?? 'default',
      uid: '',
      labels: {},
      annotations: {},
      creationTimestamp: state.now,
      resourceVersion: revision,
      generation: 0,
      ownerReferences: [],
    },
    involvedObject: { ...involved },
    reason,
    message,
    type,
    source: host ? { component, host } : { component },
    count: 1,
    firstTimestamp: state.now,
    lastTimestamp: state.now,
  };
  state.events.push(event);
  map.set(key, event);
  if (state.events.length > MAX_EVENTS) expireEvents(state, true);
}

/** Drop events not seen for an hour (and the oldest ones past the cap). */
export function expireEvents(state: ClusterState, overCap = false): void {
  const cutoff = state.now - EVENT_TTL_MS;
  let kept = state.events.filter((e) => e.lastTimestamp > cutoff);
  if (overCap && kept.length > MAX_EVENTS) kept = kept.slice(kept.length - MAX_EVENTS * 0.9);
  if (kept.length !== state.events.length) state.events = kept;
}

/** Events about one object, oldest first (for `kubectl describe`). */
export function eventsFor(state: ClusterState, uid: string): ClusterEvent[] {
  return state.events.filter((e) => e.involvedObject.uid === uid);
}
