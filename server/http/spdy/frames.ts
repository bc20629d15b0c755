// SPDY/3.1 framing, as kubectl's client speaks it (k8s.io/apimachinery pkg/util/httpstream/spdy
// over moby/spdystream spdy/{types,read,write}.go; SPDY Protocol Draft 3.1): an 8-byte frame
// header, then the payload. A control frame: bit 1, version 3, type, flags, 24-bit length; a data
// frame: bit 0, 31-bit stream id, flags, 24-bit length. Header blocks (SYN_STREAM, SYN_REPLY,
// HEADERS) are one zlib stream per direction of the connection, primed with SPDY's dictionary and
// sync-flushed after each block.
//
// Reading, each block is inflated on its own as raw deflate with the last 32 KiB of what the
// stream produced so far as its dictionary: across a sync flush a deflate stream carries nothing
// but that window (Huffman tables are per block), so this is the shared context without keeping
// an asynchronous zlib stream in step with the frames. Writing, blocks are zlib *stored* blocks:
// valid deflate for any reader, no compressor state at all (our blocks are a few dozen bytes).
// Every size is bounded: a frame's length, a block's inflated size (a zlib bomb stops at the
// bound), the number and size of headers.
import { constants, inflateRawSync } from 'node:zlib';
import { SPDY_DICTIONARY } from './dictionary.js';

export const SPDY_VERSION = 3;
export const FrameType = { SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9 } as const;
/** RST_STREAM status codes (spdy/types.go RstStreamStatus). */
export const RstStatus = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, STREAM_IN_USE: 8, STREAM_ALREADY_CLOSED: 9, FRAME_TOO_LARGE: 11 } as const;
/** GOAWAY status codes. */
export const GoAwayStatus = { OK: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2 } as const;
export const FLAG_FIN = 0x01;

const HEADER_BYTES = 8;
const WINDOW_BYTES = 32 * 1024;
/** Most headers in a block, and the longest name and value (kubectl sends three or four short ones). */
const MAX_HEADERS = 64;
const MAX_NAME_BYTES = 256;
const MAX_VALUE_BYTES = 8192;

/** The peer broke the protocol: the connection ends (GOAWAY PROTOCOL_ERROR). */
export class SpdyProtocolError extends Error {}

export type Frame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'control'; type: number; flags: number; payload: Buffer };

/**
 * Cuts the byte stream into frames. Chunks are kept as they come and joined once a frame is
 * whole, so a frame trickled in byte by byte costs its length, not its length squared.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** The frames `chunk` completes, in order; throws SpdyProtocolError on a frame past the bound or of another version. */
  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    while (this.buffered >= HEADER_BYTES) {
      const head = this.peek(HEADER_BYTES);
      const length = head.readUIntBE(5, 3);
      if (length > this.maxFrameBytes) throw new SpdyProtocolError(`a frame of ${length} bytes is over the ${this.maxFrameBytes}-byte bound`);
      const control = (head[0]! & 0x80) !== 0;
      if (control && (head.readUInt16BE(0) & 0x7fff) !== SPDY_VERSION) throw new SpdyProtocolError(`SPDY version ${head.readUInt16BE(0) & 0x7fff} is not 3`);
      if (this.buffered < HEADER_BYTES + length) break;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      const payload = Buffer.from(all.subarray(HEADER_BYTES, HEADER_BYTES + length));
      const rest = all.subarray(HEADER_BYTES + length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      frames.push(control
        ? { kind: 'control', type: head.readUInt16BE(2), flags: head[4]!, payload }
        : { kind: 'data', streamId: head.readUInt32BE(0) & 0x7fffffff, flags: head[4]!, data: payload });
    }
    return frames;
  }

  private peek(bytes: number): Buffer {
    if (this.chunks[0]!.length >= bytes) return this.chunks[0]!;
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }
}

/** Reads the payload of a control frame, checking its length first: a short payload is a protocol error, never a RangeError. */
function needs(payload: Buffer, bytes: number, what: string, exact = false): void {
  if (exact ? payload.length !== bytes : payload.length < bytes) throw new SpdyProtocolError(`${what} frame of ${payload.length} bytes`);
}

export const streamIdOf = (payload: Buffer, what: string): number => {
  needs(payload, 4, what);
  return payload.readUInt32BE(0) & 0x7fffffff;
};

export function parseSynStream(payload: Buffer): { streamId: number; block: Buffer } {
  needs(payload, 10, 'SYN_STREAM');
  return { streamId: payload.readUInt32BE(0) & 0x7fffffff, block: payload.subarray(10) };
}

/** SYN_REPLY and HEADERS: a stream id and a header block. */
export const parseHeadersFrame = (payload: Buffer, what: string): { streamId: number; block: Buffer } => ({ streamId: streamIdOf(payload, what), block: payload.subarray(4) });

export function parseRstStream(payload: Buffer): { streamId: number; status: number } {
  needs(payload, 8, 'RST_STREAM', true);
  return { streamId: payload.readUInt32BE(0) & 0x7fffffff, status: payload.readUInt32BE(4) };
}

export function parsePing(payload: Buffer): number {
  needs(payload, 4, 'PING', true);
  return payload.readUInt32BE(0);
}

/** SETTINGS: a count, then 8 bytes per entry; nothing in them changes what this server does. */
export function checkSettings(payload: Buffer): void {
  needs(payload, 4, 'SETTINGS');
  if (payload.length !== 4 + 8 * payload.readUInt32BE(0)) throw new SpdyProtocolError('a SETTINGS frame whose length does not match its entries');
}

/** GOAWAY (8 bytes) and WINDOW_UPDATE (8 bytes). */
export const checkLength = (payload: Buffer, bytes: number, what: string): void => needs(payload, bytes, what, true);

/** Adler-32 (RFC 1950), for the dictionary id a zlib header names. */
export function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const DICTIONARY_ID = adler32(SPDY_DICTIONARY);

/** The receiving side of a connection's header compression: one per connection. */
export class HeaderInflater {
  private window: Buffer = SPDY_DICTIONARY;
  private started = false;

  constructor(private readonly maxInflatedBytes: number) {}

  /** The header block's name → first value (names are lower case on the wire); throws SpdyProtocolError. */
  headers(block: Buffer): Map<string, string> {
    return parseHeaderBlock(this.inflate(block));
  }

  inflate(block: Buffer): Buffer {
    let raw = block;
    if (!this.started) {
      // The zlib header: deflate, a valid check, and SPDY's dictionary named by its Adler-32.
      if (block.length < 6) throw new SpdyProtocolError('the first header block is shorter than a zlib header');
      const [cmf, flg] = [block[0]!, block[1]!];
      if ((cmf & 0x0f) !== 8 || (cmf >> 4) > 7 || ((cmf << 8) | flg) % 31 !== 0) throw new SpdyProtocolError('the header block is not a zlib stream');
      if ((flg & 0x20) !== 0) {
        if (block.readUInt32BE(2) !== DICTIONARY_ID) throw new SpdyProtocolError('the header block names a dictionary other than SPDY/3\'s');
        raw = block.subarray(6);
      } else raw = block.subarray(2);
      this.started = true;
    }
    let out: Buffer;
    try {
      out = inflateRawSync(raw, { dictionary: this.window, finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: this.maxInflatedBytes });
    } catch (error) {
      throw new SpdyProtocolError(`a header block does not inflate within ${this.maxInflatedBytes} bytes (${(error as Error).message})`);
    }
    const joined = Buffer.concat([this.window, out]);
    this.window = joined.length > WINDOW_BYTES ? Buffer.from(joined.subarray(joined.length - WINDOW_BYTES)) : joined;
    return out;
  }
}

/** An inflated header block: a count, then length-prefixed names and values (values of one name joined by NUL). */
export function parseHeaderBlock(data: Buffer): Map<string, string> {
  let at = 0;
  const u32 = (): number => {
    if (at + 4 > data.length) throw new SpdyProtocolError('a header block ends inside a length');
    const n = data.readUInt32BE(at);
    at += 4;
    return n;
  };
  const bytes = (n: number, max: number, what: string): string => {
    if (n > max) throw new SpdyProtocolError(`a header ${what} of ${n} bytes is over the ${max}-byte bound`);
    if (at + n > data.length) throw new SpdyProtocolError(`a header block ends inside a ${what}`);
    const text = data.toString('latin1', at, at + n);
    at += n;
    return text;
  };
  const count = u32();
  if (count > MAX_HEADERS) throw new SpdyProtocolError(`a header block of ${count} headers is over the ${MAX_HEADERS} bound`);
  const headers = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const name = bytes(u32(), MAX_NAME_BYTES, 'name');
    const value = bytes(u32(), MAX_VALUE_BYTES, 'value');
    // spdy/read.go parseHeaderValueBlock: names are lower case and each comes once.
    if (name === '' || name !== name.toLowerCase()) throw new SpdyProtocolError(`the header name ${JSON.stringify(name)} is empty or not lower case`);
    if (headers.has(name)) throw new SpdyProtocolError(`the header ${name} comes twice`);
    headers.set(name, value.split('\0')[0]!);
  }
  if (at !== data.length) throw new SpdyProtocolError('a header block has bytes after its last header');
  return headers;
}

const SYNC_FLUSH = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

/** The sending side of a connection's header compression: zlib stored blocks (see the top). */
export class HeaderDeflater {
  private started = false;

  deflate(headers: ReadonlyMap<string, string>): Buffer {
    const parts: Buffer[] = [u32(headers.size)];
    for (const [name, value] of headers) {
      const n = Buffer.from(name.toLowerCase(), 'latin1');
      const v = Buffer.from(value, 'latin1');
      parts.push(u32(n.length), n, u32(v.length), v);
    }
    const block = Buffer.concat(parts);
    const out: Buffer[] = [];
    if (!this.started) {
      out.push(Buffer.from([0x78, 0x01])); // deflate, 32 KiB window, no preset dictionary needed by stored data
      this.started = true;
    }
    for (let at = 0; at < block.length; at += 0xffff) {
      const piece = block.subarray(at, at + 0xffff);
      const head = Buffer.alloc(5); // byte 0: not final, stored; then LEN and its complement
      head.writeUInt16LE(piece.length, 1);
      head.writeUInt16LE(~piece.length & 0xffff, 3);
      out.push(head, piece);
    }
    // The sync flush's empty stored block: a reader hands the data over when it meets it (Go's
    // flate dataBlock reads on past a stored block with data, and would wait for the next frame).
    out.push(SYNC_FLUSH);
    return Buffer.concat(out);
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head[4] = flags;
  head.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([head, payload]);
}

export function dataFrame(streamId: number, data: Buffer, fin: boolean): Buffer {
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head[4] = fin ? FLAG_FIN : 0;
  head.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([head, data]);
}

export const synReplyFrame = (streamId: number, block: Buffer, fin: boolean): Buffer => controlFrame(FrameType.SYN_REPLY, fin ? FLAG_FIN : 0, Buffer.concat([u32(streamId), block]));
export const rstStreamFrame = (streamId: number, status: number): Buffer => controlFrame(FrameType.RST_STREAM, 0, Buffer.concat([u32(streamId), u32(status)]));
export const pingFrame = (id: number): Buffer => controlFrame(FrameType.PING, 0, u32(id));
export const goAwayFrame = (lastGoodStreamId: number, status: number): Buffer => controlFrame(FrameType.GOAWAY, 0, Buffer.concat([u32(lastGoodStreamId), u32(status)]));

/** A SYN_STREAM as a client sends it (the tests' hostile client; the server never opens streams). */
export const synStreamFrame = (streamId: number, block: Buffer, fin = false): Buffer =>
  controlFrame(FrameType.SYN_STREAM, fin ? FLAG_FIN : 0, Buffer.concat([u32(streamId), u32(0), Buffer.from([0, 0]), block]));
