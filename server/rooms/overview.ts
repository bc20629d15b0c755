// The cluster overview hosts and spectators see beside the terminals: nodes, pods counted
// by the STATUS word `kubectl get pods` would print, and the latest events. Pure: the same
// cluster gives the same overview (and the same JSON text, so a change is a text change).
import type { ClusterState } from '../cluster/types.js';
import type { ClusterOverview, OverviewMessage, RoomEvent } from '../protocol/index.js';
import { eventObject, nodeRoles, nodeStatus, podStatusReason } from '../shell/kubectl/printers.js';
import { createRoomState, reduceRoom } from './reducer.js';
import type { ScenarioRuntime } from './runtime.js';
import type { RoomState } from './state.js';
import { inSlices } from './slices.js';

/** How many of the latest cluster events the overview keeps. */
export const OVERVIEW_EVENTS = 10;

export function clusterOverview(cluster: ClusterState): ClusterOverview {
  const nodes = Object.values(cluster.nodes)
    .map((node) => ({ name: node.metadata.name, status: nodeStatus(node), roles: nodeRoles(node) }))
    .sort((a, b) => compare(a.name, b.name));

  const counts = new Map<string, number>();
  for (const pod of Object.values(cluster.pods)) {
    const status = podStatusReason(pod);
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  const pods = Object.fromEntries([...counts].sort(([a, x], [b, y]) => y - x || compare(a, b)));

  // Stable sort: events seen at the same moment keep the order the cluster recorded them in.
  const events = [...cluster.events]
    .sort((a, b) => a.lastTimestamp - b.lastTimestamp)
    .slice(-OVERVIEW_EVENTS)
    .map((ev) => ({ type: ev.type, reason: ev.reason, object: eventObject(ev), message: ev.message, count: ev.count, lastSeen: ev.lastTimestamp }));

  return { nodes, pods, events };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The overview through a whole log (replays): replays the events through the engine and
 * records the overview after the first event and after every event that changed it, in
 * slices that let other rooms run. Empty for runtimes without an overview.
 */
export async function overviewTimeline(runtime: ScenarioRuntime, roomId: string, log: readonly RoomEvent[]): Promise<OverviewMessage[]> {
  const fold = new OverviewFold(runtime, roomId);
  await fold.push(log);
  return fold.timeline;
}

/** overviewTimeline fed a page of the log at a time, so the log need not be held whole. */
export class OverviewFold {
  readonly timeline: OverviewMessage[] = [];
  private room: RoomState | undefined;
  private last = '';
  /** Nothing to record: no overview, or a log that does not start with the room. */
  private off: boolean;

  constructor(private readonly runtime: ScenarioRuntime, private readonly roomId: string) {
    this.off = !runtime.overview;
  }

  push(events: readonly RoomEvent[]): Promise<void> {
    return inSlices(events, (event) => {
      if (this.off) return;
      if (!this.room) {
        if (event.type !== 'room.created') return void (this.off = true);
        this.room = createRoomState(this.runtime, this.roomId, event);
      } else {
        reduceRoom(this.room, event, this.runtime);
        if (!CHANGES_CLUSTER.has(event.type)) return;
      }
      this.record(this.room);
    });
  }

  private record(room: RoomState): void {
    const current = this.runtime.overview!(room.cluster);
    const text = JSON.stringify(current);
    if (text !== this.last) this.timeline.push({ seq: room.seq, overview: current });
    this.last = text;
  }
}

/** Events after which the cluster may look different (the others leave it as it was). */
export const CHANGES_CLUSTER: ReadonlySet<RoomEvent['type']> = new Set(['command', 'tick', 'fault.injected']);
