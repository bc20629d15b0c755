// SPDY/3.1 framing (server/http/spdy/): header blocks as kubectl's Go client compresses them (one
// zlib stream per direction, SPDY's dictionary, a sync flush after each block: moby/spdystream
// spdy/write.go), ours readable by a zlib reader, frames cut at any byte, and hostile input
// (over-long frames, zlib bombs, malformed blocks, reused stream ids, too many streams) ending the
// connection with GOAWAY or resetting one stream, never an exception. The frame parser is fuzzed.
import { Duplex } from 'node:stream';
import { constants, createDeflate, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, SpdyConnection, type SpdyStream } from '../../server/http/spdy/connection.js';
import { SPDY_DICTIONARY } from '../../server/http/spdy/dictionary.js';
import {
  adler32, dataFrame, FrameReader, FrameType, GoAwayStatus, HeaderDeflater, HeaderInflater, parseHeaderBlock, pingFrame, RstStatus, SpdyProtocolError, synStreamFrame,
} from '../../server/http/spdy/frames.js';

/** An uncompressed header block. */
function block(headers: [string, string][]): Buffer {
  const u32 = (n: number): Buffer => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
  return Buffer.concat([u32(headers.length), ...headers.flatMap(([k, v]) => [u32(Buffer.byteLength(k)), Buffer.from(k), u32(Buffer.byteLength(v)), Buffer.from(v)])]);
}

/** A client's header compressor: zlib with SPDY's dictionary, sync-flushed after each block (as Go's spdy Framer). */
class ClientCompressor {
  private readonly deflate = createDeflate({ dictionary: SPDY_DICTIONARY });
  private readonly out: Buffer[] = [];

  constructor() {
    this.deflate.on('data', (chunk: Buffer) => this.out.push(chunk));
  }

  compress(data: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      this.deflate.write(data);
      this.deflate.flush(constants.Z_SYNC_FLUSH, () => resolve(Buffer.concat(this.out.splice(0))));
    });
  }
}

/** A connection over an in-memory socket: what the server wrote, the streams it accepted, whether it ended. */
function harness(accept: (s: SpdyStream) => boolean = () => true) {
  const written: Buffer[] = [];
  const streams: SpdyStream[] = [];
  let closed = 0;
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      written.push(chunk);
      done();
    },
  });
  const connection = new SpdyConnection(socket, {
    stream: (s) => {
      streams.push(s);
      return accept(s);
    },
    closed: () => void closed++,
  });
  const frames = (): { type: number | 'data'; streamId?: number; status?: number }[] => new FrameReader(1 << 24).push(Buffer.concat(written)).map((f) => (f.kind === 'data'
    ? { type: 'data' as const, streamId: f.streamId }
    : { type: f.type, ...(f.type === FrameType.GOAWAY || f.type === FrameType.RST_STREAM ? { streamId: f.payload.readUInt32BE(0), status: f.payload.readUInt32BE(4) } : {}) }));
  return { socket, connection, streams, frames, send: (b: Buffer) => socket.emit('data', b), closed: () => closed };
}

const goAway = (status: number) => expect.objectContaining({ type: FrameType.GOAWAY, status });

describe('SPDY header compression', () => {
  it('reads blocks a zlib stream with the dictionary compressed one after another (the shared context)', async () => {
    const client = new ClientCompressor();
    const inflater = new HeaderInflater(16 * 1024);
    const blocks = [
      [['streamtype', 'error'], ['port', '80'], ['requestid', '0']],
      [['streamtype', 'data'], ['port', '80'], ['requestid', '0']],
      [['streamtype', 'error'], ['port', '80'], ['requestid', '1']],
    ] as [string, string][][];
    for (const headers of blocks) {
      const compressed = await client.compress(block(headers));
      expect(Object.fromEntries(inflater.headers(compressed))).toEqual(Object.fromEntries(headers));
    }
  });

  it('the first block names SPDY/3\'s dictionary by its Adler-32 (zlib FDICT)', async () => {
    const first = await new ClientCompressor().compress(block([['a', 'b']]));
    expect(first[1]! & 0x20).toBe(0x20);
    expect(first.readUInt32BE(2)).toBe(adler32(SPDY_DICTIONARY));
  });

  it('writes blocks any zlib reader reads, each ending in a sync flush', () => {
    const deflater = new HeaderDeflater();
    const one = deflater.deflate(new Map());
    const two = deflater.deflate(new Map([['status', '200']]));
    expect(one.subarray(-5)).toEqual(Buffer.from([0, 0, 0, 0xff, 0xff]));
    const inflated = inflateSync(Buffer.concat([one, two]), { finishFlush: constants.Z_SYNC_FLUSH });
    expect(inflated).toEqual(Buffer.concat([block([]), block([['status', '200']])]));
  });

  it('a zlib bomb stops at the inflated bound, as a protocol error', async () => {
    const bomb = await new ClientCompressor().compress(Buffer.alloc(8 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(16 * 1024);
    expect(() => new HeaderInflater(16 * 1024).headers(bomb)).toThrow(SpdyProtocolError);
  });

  it.each<[string, Buffer]>([
    ['too many headers', Buffer.from([0, 0, 1, 0])],
    ['a length past the block', Buffer.from([0, 0, 0, 1, 0, 0, 0, 9, 0x61])],
    ['an upper-case name', block([['Port', '80']])],
    ['a name twice', block([['port', '80'], ['port', '81']])],
    ['bytes after the last header', Buffer.concat([block([['a', 'b']]), Buffer.from([0])])],
    ['an oversized value', block([['a', 'x'.repeat(9000)]])],
  ])('a header block with %s is a protocol error', (_what, data) => {
    expect(() => parseHeaderBlock(data)).toThrow(SpdyProtocolError);
  });

  it('a first block that is not SPDY\'s zlib stream is a protocol error', () => {
    expect(() => new HeaderInflater(1024).headers(Buffer.from('not zlib at all'))).toThrow(SpdyProtocolError);
    const otherDictionary = Buffer.from([0x78, 0xbb, 0, 0, 0, 1, 0, 0]);
    expect(() => new HeaderInflater(1024).headers(otherDictionary)).toThrow(/dictionary other than/);
  });
});

describe('SPDY frames', () => {
  it('cuts the same frames out of a stream however it is split, a byte at a time included', () => {
    const stream = Buffer.concat([pingFrame(1), dataFrame(3, Buffer.from('hello'), false), dataFrame(3, Buffer.alloc(0), true), pingFrame(7)]);
    const whole = new FrameReader(1024).push(stream);
    expect(whole).toHaveLength(4);
    for (const size of [1, 2, 3, 7, 13]) {
      const reader = new FrameReader(1024);
      const frames = [];
      for (let at = 0; at < stream.length; at += size) frames.push(...reader.push(stream.subarray(at, at + size)));
      expect(frames).toEqual(whole);
    }
  });

  it('a frame over the bound is refused from its header, before its payload is buffered', () => {
    const head = dataFrame(1, Buffer.alloc(0), false);
    head.writeUIntBE(DEFAULT_LIMITS.maxFrameBytes + 1, 5, 3);
    expect(() => new FrameReader(DEFAULT_LIMITS.maxFrameBytes).push(head)).toThrow(SpdyProtocolError);
  });

  it('a control frame of another SPDY version is refused', () => {
    const ping = pingFrame(1);
    ping.writeUInt16BE(0x8002, 0);
    expect(() => new FrameReader(1024).push(ping)).toThrow(/version 2/);
  });
});

describe('a SPDY connection under hostile input', () => {
  const syn = async (client: ClientCompressor, id: number, headers: [string, string][]): Promise<Buffer> => synStreamFrame(id, await client.compress(block(headers)));

  it('accepts streams with an empty SYN_REPLY, echoes PINGs, ignores SETTINGS, and ends on GOAWAY', async () => {
    const h = harness();
    const client = new ClientCompressor();
    h.send(await syn(client, 1, [['streamtype', 'error']]));
    h.send(pingFrame(5));
    h.send(Buffer.from([0x80, 3, 0, 4, 0, 0, 0, 4, 0, 0, 0, 0]));
    expect(h.streams.map((s) => Object.fromEntries(s.headers))).toEqual([{ streamtype: 'error' }]);
    expect(h.frames()).toEqual([{ type: FrameType.SYN_REPLY }, { type: FrameType.PING }]);
    h.send(Buffer.from([0x80, 3, 0, 7, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0]));
    expect(h.closed()).toBe(1);
  });

  it('a reused (or lower) stream id ends the connection with GOAWAY PROTOCOL_ERROR', async () => {
    const h = harness();
    const client = new ClientCompressor();
    h.send(await syn(client, 3, [['streamtype', 'error']]));
    h.send(await syn(client, 3, [['streamtype', 'data']]));
    expect(h.frames().at(-1)).toEqual(goAway(GoAwayStatus.PROTOCOL_ERROR));
    expect(h.closed()).toBe(1);
    expect(h.streams).toHaveLength(1);
  });

  it('streams past the open bound are refused (RST_STREAM REFUSED_STREAM), past the lifetime bound the connection ends', async () => {
    const h = harness();
    const client = new ClientCompressor();
    for (let i = 0; i <= DEFAULT_LIMITS.maxOpenStreams; i++) h.send(await syn(client, 2 * i + 1, [['streamtype', 'data']]));
    expect(h.frames().at(-1)).toEqual({ type: FrameType.RST_STREAM, streamId: 2 * DEFAULT_LIMITS.maxOpenStreams + 1, status: RstStatus.REFUSED_STREAM });
    expect(h.closed()).toBe(0);
    // Closing them (FIN both ways) frees the slots; the total over the connection's life stays bounded.
    for (const s of h.streams) {
      s.end();
      h.send(dataFrame(s.id, Buffer.alloc(0), true));
    }
    let id = 2 * DEFAULT_LIMITS.maxOpenStreams + 3;
    while (h.closed() === 0 && id < 4 * DEFAULT_LIMITS.maxStreams) {
      h.send(await syn(client, id, [['streamtype', 'data']]));
      for (const s of h.streams.filter((x) => !x.localClosed && !x.reset)) {
        s.end();
        h.send(dataFrame(s.id, Buffer.alloc(0), true));
      }
      id += 2;
    }
    expect(h.frames().at(-1)).toEqual(goAway(GoAwayStatus.PROTOCOL_ERROR));
    expect(h.streams.length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxStreams);
  });

  it('a refused stream is reset (CANCEL); data after a stream\'s FIN resets it (STREAM_ALREADY_CLOSED)', async () => {
    const h = harness((s) => s.headers.get('streamtype') === 'ok');
    const client = new ClientCompressor();
    h.send(await syn(client, 1, [['streamtype', 'nope']]));
    expect(h.frames()).toEqual([{ type: FrameType.RST_STREAM, streamId: 1, status: RstStatus.CANCEL }]);
    h.send(await syn(client, 3, [['streamtype', 'ok']]));
    h.send(dataFrame(3, Buffer.from('x'), true));
    h.send(dataFrame(3, Buffer.from('y'), false));
    expect(h.frames().at(-1)).toEqual({ type: FrameType.RST_STREAM, streamId: 3, status: RstStatus.STREAM_ALREADY_CLOSED });
  });

  it.each<[string, Buffer]>([
    ['a SYN_STREAM too short for its fields', Buffer.from([0x80, 3, 0, 1, 0, 0, 0, 2, 0, 0])],
    ['a PING of the wrong length', Buffer.from([0x80, 3, 0, 6, 0, 0, 0, 2, 0, 0])],
    ['a SETTINGS whose count lies', Buffer.from([0x80, 3, 0, 4, 0, 0, 0, 4, 0, 0, 0, 9])],
    ['a SYN_REPLY to the server', Buffer.from([0x80, 3, 0, 2, 0, 0, 0, 4, 0, 0, 0, 1])],
    ['an even (server) stream id', synStreamFrame(2, Buffer.from([0x78, 0x01]))],
    ['a header block that is not zlib', synStreamFrame(1, Buffer.from('garbage!'))],
  ])('%s ends the connection with GOAWAY PROTOCOL_ERROR, no stream opened', (_what, frame) => {
    const h = harness();
    h.send(frame);
    expect(h.frames().at(-1)).toEqual(goAway(GoAwayStatus.PROTOCOL_ERROR));
    expect(h.streams).toEqual([]);
    expect(h.closed()).toBe(1);
  });

  it('a zlib bomb in a SYN_STREAM ends the connection without inflating it', async () => {
    const h = harness();
    h.send(synStreamFrame(1, await new ClientCompressor().compress(Buffer.alloc(32 * 1024 * 1024))));
    expect(h.frames().at(-1)).toEqual(goAway(GoAwayStatus.PROTOCOL_ERROR));
    expect(h.streams).toEqual([]);
  });

  it('a client that sends and never reads is dropped once what waits for it passes the bound', () => {
    let closed = 0;
    const socket = new Duplex({ read() {}, write() {} }); // never drains
    const connection = new SpdyConnection(socket, { stream: () => true, closed: () => void closed++ }, { ...DEFAULT_LIMITS, maxUnreadBytes: 1200, controlFrames: { perSecond: 1, burst: 1000 } });
    for (let i = 1; i <= 200 && !connection.closed; i++) socket.emit('data', pingFrame(i));
    expect(closed).toBe(1);
    expect(socket.destroyed).toBe(true);
  });

  it('a flood of control frames that open nothing (PINGs, HEADERS) ends the connection; kubectl\'s PING every 5 s never does', async () => {
    for (const flood of [(i: number) => pingFrame(i), () => Buffer.from([0x80, 3, 0, 8, 0, 0, 0, 4, 0, 0, 0, 1])]) {
      const h = harness();
      const client = new ClientCompressor();
      h.send(await syn(client, 1, [['streamtype', 'error']]));
      for (let i = 1; i <= 100 && !h.connection.closed; i++) h.send(flood(i));
      expect(h.frames().at(-1)).toEqual(goAway(GoAwayStatus.PROTOCOL_ERROR));
      expect(h.closed()).toBe(1);
    }
    // A burst well past kubectl's (one PING every 5 s, a second's worth of allowance each) is echoed.
    const h = harness();
    for (let i = 1; i <= 30; i++) h.send(pingFrame(i));
    expect(h.frames()).toHaveLength(30);
    expect(h.connection.closed).toBe(false);
  });

  it('fuzz: mutated and random byte streams never throw, open only well-formed streams, and close at most once', async () => {
    const client = new ClientCompressor();
    const valid = Buffer.concat([
      await syn(client, 1, [['streamtype', 'error']]), await syn(client, 3, [['streamtype', 'stdout']]),
      dataFrame(3, Buffer.from('hi'), false), pingFrame(1), dataFrame(1, Buffer.alloc(0), true),
      Buffer.from([0x80, 3, 0, 9, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 1]),
    ]);
    let seed = 20261203;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let round = 0; round < 3000; round++) {
      const h = harness();
      const bytes = round % 4 === 0 ? Buffer.from(Array.from({ length: random(200) }, () => random(256))) : Buffer.from(valid);
      if (round % 4 !== 0) for (let i = 0, n = 1 + random(6); i < n; i++) bytes[random(bytes.length)] = random(256);
      for (let at = 0; at < bytes.length;) {
        const size = 1 + random(40);
        expect(() => h.send(bytes.subarray(at, at + size))).not.toThrow();
        at += size;
      }
      expect(h.closed()).toBeLessThanOrEqual(1);
      for (const s of h.streams) expect(s.id % 2).toBe(1);
    }
  });
});
