// Per-step indexes shared by the controllers, so no controller needs nested scans over
// all pods (the cost of a tick stays linear in pods). The pod index is kept from one step
// to the next while no pod was written (every pod change goes through api.ts), so a
// settled cluster does not re-index its pods every second.
import { writeSerial } from '../api.js';
import type { ClusterState, Pod } from '../types.js';

export interface PodIndex {
  podsByNode: Map<string, Pod[]>;
  podsByOwner: Map<string, Pod[]>;
  /** Pods with no node yet (the scheduler's queue), in creation order; may hold pods bound since. */
  unscheduled: Pod[];
}

export interface TickContext extends PodIndex {
  state: ClusterState;
  /** Length of this step in ms (≤ 1000). */
  dt: number;
}

function push<K>(map: Map<K, Pod[]>, key: K, pod: Pod): void {
  const list = map.get(key);
  if (list) list.push(pod);
  else map.set(key, [pod]);
}

// Only a cache: a cloned state simply builds its own index on its first step.
const cachedIndex = new WeakMap<ClusterState, { serial: number; index: PodIndex }>();

function podIndex(state: ClusterState): PodIndex {
  const serial = writeSerial(state, 'Pod');
  const cached = cachedIndex.get(state);
  if (cached && cached.serial === serial) return cached.index;
  const index: PodIndex = { podsByNode: new Map(), podsByOwner: new Map(), unscheduled: [] };
  for (const key in state.pods) addToIndex(index, state.pods[key]!);
  cachedIndex.set(state, { serial, index });
  return index;
}

function addToIndex(index: PodIndex, pod: Pod): void {
  const owner = pod.metadata.ownerReferences[0];
  if (owner) push(index.podsByOwner, owner.uid, pod);
  if (pod.spec.nodeName) push(index.podsByNode, pod.spec.nodeName, pod);
  else index.unscheduled.push(pod);
}

export function newTickContext(state: ClusterState, dt: number): TickContext {
  return { state, dt, ...podIndex(state) };
}

/** Add a pod a controller just created to the step's indexes. */
export function indexPod(ctx: TickContext, pod: Pod): void {
  addToIndex(ctx, pod);
}

/** Record that the scheduler bound a pod. */
export function indexBinding(ctx: TickContext, pod: Pod): void {
  push(ctx.podsByNode, pod.spec.nodeName!, pod);
}

/**
 * True when one of the kinds a controller watches was written since it last ran on this
 * state (`serial` joins their writeSerial values). Controllers that only react to object
 * changes use it to skip a settled cluster; a cloned state always gets a first full pass.
 */
export function changedSince(controller: object, state: ClusterState, serial: string): boolean {
  let seen = lastRun.get(controller);
  if (!seen) lastRun.set(controller, (seen = new WeakMap()));
  if (seen.get(state) === serial) return false;
  seen.set(state, serial);
  return true;
}
const lastRun = new WeakMap<object, WeakMap<ClusterState, string>>();

export function isTerminating(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp !== undefined;
}

export function isPodReady(pod: Pod): boolean {
  return pod.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Pods that count against a node's capacity. */
export function isActivePod(pod: Pod): boolean {
  return pod.status.phase !== 'Succeeded' && pod.status.phase !== 'Failed';
}
