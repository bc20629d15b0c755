// Room events ⇄ stored event rows. The row keeps seq, type and simTime in columns and the
// rest of the event as its JSON payload; the participant column links who it concerns.
import { RoomEvent } from '../protocol/index.js';
import type { DraftEvent } from '../protocol/index.js';
import type { EventRecord, JsonObject, NewEvent, RoomStore } from '../db/room-store.js';

export function toStored(event: DraftEvent): NewEvent {
  const { type, simTime, ...payload } = event;
  return { type, simTime, participantId: participantOf(event), payload: payload as JsonObject };
}

export function fromStored(record: EventRecord): RoomEvent {
  return RoomEvent.parse({ ...record.payload, seq: record.seq, type: record.type, simTime: record.simTime });
}

/** Events one read of a log takes: a command's event may carry 256 KiB of output. */
export const LOG_PAGE_EVENTS = 16;

/**
 * Hands a room's events after `after` (up to `upTo`) to `visit`, oldest first, a page at a
 * time: a log keeps every output whole, and read at once it was all held (200 lines of
 * 256 KiB: 52 MB per read). Each page is let go once visited.
 */
export async function forEachPage(
  store: Pick<RoomStore, 'listEvents'>, roomId: string, after: number, upTo: number, visit: (events: RoomEvent[]) => void | Promise<void>,
): Promise<void> {
  while (after < upTo) {
    const page = await store.listEvents(roomId, after, LOG_PAGE_EVENTS);
    if (page.length === 0) return;
    await visit(page.filter((r) => r.seq <= upTo).map(fromStored));
    after = page.at(-1)!.seq;
  }
}

function participantOf(event: DraftEvent): string | null {
  if ('participantId' in event && event.participantId !== undefined) return event.participantId;
  if ('by' in event && event.by !== 'system') return event.by;
  return null;
}
