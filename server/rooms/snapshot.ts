// A room's state as bytes, so a rebuild replays only the events after it. The state is
// plain data (cluster, shell sessions, terminals…); V8's serializer copies it exactly the
// way structuredClone does (undefined, -0, shared references), which is the copy the
// engine already guarantees to behave like the original (tested: snapshot + tail of the
// log gives the same room as a replay of the whole log). Caches the engine keeps beside
// a state (WeakMaps keyed by it) are not copied and are rebuilt on use.
//
// The bytes are deflated (fast level): a room's state is mostly repetitive text (terminal
// outputs, object names), so the row is several times smaller to write and to read back.
// The runner deflates in libuv's thread pool (deflateRoom): only the serialisation, which
// must see the state between two inputs, runs on the event loop.
//
// A snapshot is a cache of the log, never the truth: one that does not decode (another
// format, a corrupt row) is ignored and the room is replayed from its first event.
import { deserialize, serialize } from 'node:v8';
import { promisify } from 'node:util';
import { constants, deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { RoomState } from './state.js';

/** Bumped when RoomState's shape changes incompatibly: older snapshots are then ignored. */
export const SNAPSHOT_FORMAT = 5;

interface Envelope {
  format: number;
  state: RoomState;
}

const DEFLATE = { level: constants.Z_BEST_SPEED };
const deflateAsync = promisify(deflateRaw);

export function encodeRoom(state: RoomState): Uint8Array {
  return deflateRawSync(serializeRoom(state), DEFLATE);
}

/** The state serialised, not yet deflated (its length is what the room weighs in memory, roughly). */
export function serializeRoom(state: RoomState): Buffer {
  const envelope: Envelope = { format: SNAPSHOT_FORMAT, state };
  return serialize(envelope);
}

/** The snapshot's bytes from serializeRoom's, deflated in the thread pool (off the event loop). */
export function deflateRoom(raw: Buffer): Promise<Uint8Array> {
  return deflateAsync(raw, DEFLATE);
}

/** The room in `bytes`, or undefined when they are not a snapshot of room `roomId` at `seq` in this format. */
export function decodeRoom(bytes: Uint8Array, roomId: string, seq: number): RoomState | undefined {
  let envelope: Partial<Envelope> | undefined;
  try {
    envelope = deserialize(inflateRawSync(bytes)) as Partial<Envelope>;
  } catch {
    return undefined;
  }
  const state = envelope?.state;
  if (envelope?.format !== SNAPSHOT_FORMAT || !state || state.id !== roomId || state.seq !== seq) return undefined;
  return state;
}
