// The server side of one SPDY/3.1 connection, as kubelet's spdystream server answers kubectl:
// the client opens every stream (odd ids, increasing); each is accepted with an empty SYN_REPLY
// or refused with RST_STREAM (k8s.io/apimachinery httpstream/spdy connection.go newSpdyStream);
// PINGs are echoed (kubectl pings every 5 s), SETTINGS and WINDOW_UPDATE read and ignored
// (spdystream keeps no flow-control window either), GOAWAY ends the connection. A stream is
// closed on our side by an empty DATA frame with FIN, as spdystream's Stream.Close.
//
// Hostile input ends the connection with GOAWAY PROTOCOL_ERROR (a malformed frame or header
// block, a frame or block past its bound, a stream id not above the last, a SYN_REPLY to a server
// that opened nothing) or resets one stream (too many open, data after its FIN); nothing is
// buffered beyond a frame, and a connection carries at most MAX_INBOUND_BYTES. Control frames
// that open nothing (PING, HEADERS, SETTINGS, WINDOW_UPDATE, unknown ones) draw on a small
// allowance (kubectl sends a PING every 5 s): a flood of them ends the connection, and each
// HEADERS block (inflated like a stream's) also counts among the connection's streams.
import type { Duplex } from 'node:stream';
import { TokenBucket } from '../../socket/rate-limit.js';
import {
  checkLength, checkSettings, dataFrame, FLAG_FIN, FrameReader, FrameType, goAwayFrame, GoAwayStatus, HeaderDeflater, HeaderInflater, parseHeadersFrame,
  parsePing, parseRstStream, parseSynStream, pingFrame, RstStatus, rstStreamFrame, SpdyProtocolError, synReplyFrame, type Frame,
} from './frames.js';

export interface SpdyLimits {
  /** Streams open at once; more are refused (RST_STREAM REFUSED_STREAM). */
  maxOpenStreams: number;
  /** Streams over the connection's life; past it the connection ends. */
  maxStreams: number;
  /** Largest frame (kubectl writes 32 KiB reads as one DATA frame). */
  maxFrameBytes: number;
  /** Largest inflated header block. */
  maxHeaderBytes: number;
  /** All bytes the client may send over the connection's life. */
  maxInboundBytes: number;
  /** Bytes written and not yet taken by the client (a client that sends PINGs and never reads): past it the connection drops. */
  maxUnreadBytes: number;
  /** Control frames that open no stream (PING, HEADERS, SETTINGS…): so many a second on average, in bursts of `burst`. */
  controlFrames: { perSecond: number; burst: number };
}

export const DEFAULT_LIMITS: SpdyLimits = { maxOpenStreams: 16, maxStreams: 512, maxFrameBytes: 64 * 1024, maxHeaderBytes: 16 * 1024, maxInboundBytes: 64 * 1024 * 1024, maxUnreadBytes: 8 * 1024 * 1024, controlFrames: { perSecond: 1, burst: 32 } };

/** Largest DATA frame this side writes. */
const MAX_DATA_OUT = 32 * 1024;

/** One stream the client opened. */
export class SpdyStream {
  /** The client's bytes, its FIN, a reset (by either side, or the connection's end). */
  onData: (data: Buffer) => void = () => undefined;
  onEnd: () => void = () => undefined;
  onReset: () => void = () => undefined;
  localClosed = false;
  remoteClosed = false;
  reset = false;

  constructor(private readonly conn: SpdyConnection, readonly id: number, readonly headers: ReadonlyMap<string, string>) {}

  write(data: Buffer | string): void {
    if (this.localClosed || this.reset) return;
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let at = 0; at < bytes.length; at += MAX_DATA_OUT) this.conn.send(dataFrame(this.id, bytes.subarray(at, at + MAX_DATA_OUT), false));
  }

  /** Our side is done (FIN). */
  end(): void {
    if (this.localClosed || this.reset) return;
    this.localClosed = true;
    this.conn.send(dataFrame(this.id, Buffer.alloc(0), true));
    this.conn.settle(this);
  }

  /** Both sides are done at once (RST_STREAM). */
  cancel(status: number = RstStatus.CANCEL): void {
    if (this.reset) return;
    this.conn.send(rstStreamFrame(this.id, status));
    this.conn.dropStream(this);
  }
}

export interface SpdyHandlers {
  /** A stream the client opened: true accepts it (SYN_REPLY), false refuses it (RST_STREAM). */
  stream(stream: SpdyStream): boolean;
  /** The connection ended (either side, or an error); called once. */
  closed(): void;
}

export class SpdyConnection {
  private readonly reader: FrameReader;
  private readonly inflater: HeaderInflater;
  private readonly deflater = new HeaderDeflater();
  private readonly streams = new Map<number, SpdyStream>();
  private lastStreamId = 0;
  private opened = 0;
  private inbound = 0;
  private readonly control: TokenBucket;
  private ended = false;

  constructor(private readonly socket: Duplex, private readonly handlers: SpdyHandlers, private readonly limits: SpdyLimits = DEFAULT_LIMITS) {
    this.reader = new FrameReader(limits.maxFrameBytes);
    this.inflater = new HeaderInflater(limits.maxHeaderBytes);
    this.control = new TokenBucket(limits.controlFrames.perSecond, limits.controlFrames.burst);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('close', () => this.finish());
    socket.on('error', () => this.finish());
  }

  /** Bytes the client sent that were already read with the upgrade request. */
  start(head: Buffer): void {
    if (head.length > 0) this.received(head);
  }

  get closed(): boolean {
    return this.ended;
  }

  send(frame: Buffer): void {
    if (this.ended || !this.socket.writable) return;
    this.socket.write(frame);
    if (this.socket.writableLength > this.limits.maxUnreadBytes) {
      this.socket.destroy();
      this.finish();
    }
  }

  /** Ends the connection: GOAWAY with `status`, then the socket closes once written. */
  goAway(status: number = GoAwayStatus.OK): void {
    if (this.ended) return;
    this.send(goAwayFrame(this.lastStreamId, status));
    this.socket.end();
    // A client that never reads cannot hold the socket open.
    setTimeout(() => this.socket.destroy(), 2000).unref();
    this.finish();
  }

  /** Forgets a stream once both sides are done. */
  settle(stream: SpdyStream): void {
    if (stream.localClosed && stream.remoteClosed) this.streams.delete(stream.id);
  }

  dropStream(stream: SpdyStream): void {
    if (stream.reset) return;
    stream.reset = true;
    this.streams.delete(stream.id);
    stream.onReset();
  }

  private received(chunk: Buffer): void {
    if (this.ended) return;
    this.inbound += chunk.length;
    try {
      if (this.inbound > this.limits.maxInboundBytes) throw new SpdyProtocolError(`the connection carried more than ${this.limits.maxInboundBytes} bytes`);
      for (const frame of this.reader.push(chunk)) {
        if (this.ended) return;
        this.handle(frame);
      }
    } catch (error) {
      if (!(error instanceof SpdyProtocolError)) throw error;
      this.goAway(GoAwayStatus.PROTOCOL_ERROR);
    }
  }

  private handle(frame: Frame): void {
    if (frame.kind === 'data') return this.data(frame.streamId, frame.data, (frame.flags & FLAG_FIN) !== 0);
    const opensOrEnds = frame.type === FrameType.SYN_STREAM || frame.type === FrameType.RST_STREAM || frame.type === FrameType.GOAWAY;
    if (!opensOrEnds && !this.control.take()) throw new SpdyProtocolError('too many control frames');
    switch (frame.type) {
      case FrameType.SYN_STREAM: return this.synStream(frame.payload, (frame.flags & FLAG_FIN) !== 0);
      case FrameType.SYN_REPLY: throw new SpdyProtocolError('a SYN_REPLY to a server that opened no stream');
      case FrameType.HEADERS: {
        // Read to keep the header compression in step; more headers change nothing here.
        const { block } = parseHeadersFrame(frame.payload, 'HEADERS');
        if (++this.opened > this.limits.maxStreams) throw new SpdyProtocolError(`more than ${this.limits.maxStreams} header blocks on one connection`);
        this.inflater.headers(block);
        return;
      }
      case FrameType.RST_STREAM: {
        const { streamId } = parseRstStream(frame.payload);
        const stream = this.streams.get(streamId);
        if (stream) this.dropStream(stream);
        return;
      }
      case FrameType.PING: return this.send(pingFrame(parsePing(frame.payload)));
      case FrameType.SETTINGS: return checkSettings(frame.payload);
      case FrameType.WINDOW_UPDATE: return checkLength(frame.payload, 8, 'WINDOW_UPDATE');
      case FrameType.GOAWAY: {
        checkLength(frame.payload, 8, 'GOAWAY');
        this.socket.end();
        return this.finish();
      }
      default: return; // SPDY/3: an unknown control frame is ignored
    }
  }

  private synStream(payload: Buffer, fin: boolean): void {
    const { streamId, block } = parseSynStream(payload);
    // Inflated before any check: the compression context moves on with every block.
    const headers = this.inflater.headers(block);
    if (streamId === 0 || streamId % 2 === 0) throw new SpdyProtocolError(`stream id ${streamId} is not one a client opens`);
    if (streamId <= this.lastStreamId) throw new SpdyProtocolError(`stream id ${streamId} is not above the last one, ${this.lastStreamId}`);
    this.lastStreamId = streamId;
    if (++this.opened > this.limits.maxStreams) throw new SpdyProtocolError(`more than ${this.limits.maxStreams} streams on one connection`);
    if (this.streams.size >= this.limits.maxOpenStreams) return this.send(rstStreamFrame(streamId, RstStatus.REFUSED_STREAM));
    const stream = new SpdyStream(this, streamId, headers);
    this.streams.set(streamId, stream);
    if (!this.handlers.stream(stream)) {
      stream.cancel();
      return;
    }
    this.send(synReplyFrame(streamId, this.deflater.deflate(new Map()), false));
    if (fin) this.remoteEnd(stream);
  }

  private data(streamId: number, data: Buffer, fin: boolean): void {
    const stream = this.streams.get(streamId);
    // A stream reset or never opened: spdystream drops its frames too.
    if (!stream) return;
    if (stream.remoteClosed) return stream.cancel(RstStatus.STREAM_ALREADY_CLOSED);
    if (data.length > 0) stream.onData(data);
    if (fin) this.remoteEnd(stream);
  }

  private remoteEnd(stream: SpdyStream): void {
    stream.remoteClosed = true;
    stream.onEnd();
    this.settle(stream);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    for (const stream of [...this.streams.values()]) this.dropStream(stream);
    this.handlers.closed();
  }
}
