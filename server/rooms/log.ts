// Room events ⇄ stored event rows. The row keeps seq, type and simTime in columns and the
// rest of the event as its JSON payload; the participant column links who it concerns.
import { RoomEvent } from '../protocol/index.js';
import type { DraftEvent } from '../protocol/index.js';
import type { EventRecord, JsonObject, NewEvent } from '../db/room-store.js';

export function toStored(event: DraftEvent): NewEvent {
  const { type, simTime, ...payload } = event;
  return { type, simTime, participantId: participantOf(event), payload: payload as JsonObject };
}

export function fromStored(record: EventRecord): RoomEvent {
  return RoomEvent.parse({ ...record.payload, seq: record.seq, type: record.type, simTime: record.simTime });
}

function participantOf(event: DraftEvent): string | null {
  if ('participantId' in event && event.participantId !== undefined) return event.participantId;
  if ('by' in event && event.by !== 'system') return event.by;
  return null;
}
