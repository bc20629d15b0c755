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
// A snapshot leaves out what the log already holds word for word: a terminal entry's output
// when it is the output its command event logged (not trimmed, nothing streamed after it).
// Those outputs were most of a room's bytes (a terminal keeps up to a million characters), and
// every snapshot serialised and deflated them again; a rebuild reads them back from their
// events instead (fillLoggedOutputs). Serialising a busy room went from 3.4 to 1.5 ms and
// deflating it from 8.5 to ~2.5 ms (4 players × 100 `kubectl get pods -A`).
//
// A snapshot is a cache of the log, never the truth: one that does not decode (another
// format, a corrupt row) is ignored and the room is replayed from its first event.
import { deserialize, serialize } from 'node:v8';
import { promisify } from 'node:util';
import { constants, deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { EventRecord } from '../db/room-store.js';
import { oneByte } from '../one-byte.js';
import type { RoomState, Terminal } from './state.js';

/** Bumped when RoomState's shape changes incompatibly: older snapshots are then ignored. */
export const SNAPSHOT_FORMAT = 6;

/** Shorter outputs stay in the snapshot: reading them back would cost more than they weigh. */
const LOGGED_OUTPUT_MIN_CHARS = 256;

interface Envelope {
  format: number;
  state: RoomState;
  /** Per terminal, the entries whose output was left to the log (and is '' here): [index, characters]. */
  logged: Record<string, [number, number][]>;
}

export interface SerializedRoom {
  raw: Buffer;
  /** Output characters left to the log: in memory, not in `raw`. */
  loggedChars: number;
}

/** A snapshot's room, some of whose outputs are still to be read from their events (`logged`: seq → which entry). */
export interface DecodedRoom {
  state: RoomState;
  logged: Map<number, { participantId: string; index: number; chars: number }>;
}

const DEFLATE = { level: constants.Z_BEST_SPEED };
const deflateAsync = promisify(deflateRaw);

export function encodeRoom(state: RoomState): Uint8Array {
  return deflateRawSync(serializeRoom(state).raw, DEFLATE);
}

/** The state serialised, not yet deflated (its length plus loggedChars is what the room weighs in memory, roughly). */
export function serializeRoom(state: RoomState): SerializedRoom {
  let loggedChars = 0;
  const logged: Envelope['logged'] = {};
  const terminals: Record<string, Terminal> = {};
  // A replay whose output differed from the logged one keeps its own (reducer.ts): the log
  // does not hold it, and reading the logged one back would restore another room.
  const diverged = new Set(state.divergences);
  for (const [participantId, terminal] of Object.entries(state.terminals)) {
    let entries = terminal.entries;
    const indexes: [number, number][] = [];
    // Entries below trimmedUpTo hold the trim's notice (or an output shorter than it).
    for (let i = terminal.trimmedUpTo; i < entries.length; i++) {
      const entry = entries[i]!;
      if (entry.streamed || entry.output.length < LOGGED_OUTPUT_MIN_CHARS || diverged.has(entry.seq)) continue;
      if (entries === terminal.entries) entries = entries.slice();
      entries[i] = { ...entry, output: '' };
      indexes.push([i, entry.output.length]);
      loggedChars += entry.output.length;
    }
    terminals[participantId] = indexes.length > 0 ? { ...terminal, entries } : terminal;
    if (indexes.length > 0) logged[participantId] = indexes;
  }
  const envelope: Envelope = { format: SNAPSHOT_FORMAT, state: { ...state, terminals }, logged };
  return { raw: serialize(envelope), loggedChars };
}

/** The snapshot's bytes from serializeRoom's, deflated in the thread pool (off the event loop). */
export function deflateRoom(raw: Buffer): Promise<Uint8Array> {
  return deflateAsync(raw, DEFLATE);
}

/** The room in `bytes`, or undefined when they are not a snapshot of room `roomId` at `seq` in this format. */
export function decodeRoom(bytes: Uint8Array, roomId: string, seq: number): DecodedRoom | undefined {
  let envelope: Partial<Envelope> | undefined;
  try {
    envelope = deserialize(inflateRawSync(bytes)) as Partial<Envelope>;
  } catch {
    return undefined;
  }
  const state = envelope?.state;
  if (envelope?.format !== SNAPSHOT_FORMAT || !state || state.id !== roomId || state.seq !== seq || !envelope.logged) return undefined;
  const logged: DecodedRoom['logged'] = new Map();
  for (const [participantId, indexes] of Object.entries(envelope.logged)) {
    const entries = state.terminals[participantId]?.entries;
    for (const [index, chars] of indexes) {
      const entry = entries?.[index];
      if (!entry || entry.seq > seq) return undefined;
      logged.set(entry.seq, { participantId, index, chars });
    }
  }
  return { state, logged };
}

/** Characters of outputs one read of the log brings back (a page of events, as forEachPage reads). */
const LOGGED_PAGE_CHARS = 4_000_000;
const LOGGED_PAGE_EVENTS = 1_000;

/** The sequence numbers to read, in order, a page at most LOGGED_PAGE_EVENTS events and LOGGED_PAGE_CHARS (or one event). */
function loggedPages(room: DecodedRoom): number[][] {
  const pages: number[][] = [];
  let page: number[] = [];
  let chars = 0;
  for (const seq of [...room.logged.keys()].sort((a, b) => a - b)) {
    const size = room.logged.get(seq)!.chars;
    if (page.length > 0 && (page.length === LOGGED_PAGE_EVENTS || chars + size > LOGGED_PAGE_CHARS)) {
      pages.push(page);
      page = [];
      chars = 0;
    }
    page.push(seq);
    chars += size;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

/**
 * Puts back the outputs a snapshot left to the log, read from their command events a page at a
 * time. False when one is missing or is not the command its entry recorded (a log that does not
 * match: the snapshot cannot be used).
 */
export async function readLoggedOutputs(room: DecodedRoom, read: (seqs: number[]) => Promise<readonly EventRecord[]>): Promise<boolean> {
  for (const page of loggedPages(room)) {
    const records = await read(page);
    if (records.length !== page.length) return false;
    for (const record of records) {
      const where = room.logged.get(record.seq);
      if (!where) return false;
      const entry = room.state.terminals[where.participantId]!.entries[where.index]!;
      const { output, line } = record.payload as { output?: unknown; line?: unknown };
      if (record.type !== 'command' || record.participantId !== where.participantId || line !== entry.line || typeof output !== 'string' || output.length !== where.chars) return false;
      entry.output = oneByte(output);
    }
  }
  return true;
}
