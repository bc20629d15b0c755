// What one connection has queued and not yet handed to the OS. A client that stops reading
// (its process paused, or a link slower than its room) leaves every message sent to it in
// the server's memory: engine.io's writeBuffer holds the packets while the transport is busy,
// and the WebSocket (ws) holds the frame it is writing (its bufferedAmount: the TCP socket's
// unwritten bytes) until the peer reads, or until its ping times out (45 s, however much came
// meanwhile). Measured: 30 paused host sockets of a room printing 60 outputs of 256 KiB held
// 22 MB more heap and buffers (401 MB counted per socket: broadcasts share their text) until
// then. Over `limit`, the connection is cut: nothing more is queued for it and what it held
// is dropped; the client resumes from its last seq when it reads again, as after any disconnect.
import type { Socket } from 'socket.io';

/** The parts of engine.io's socket and transports read here (typed loosely by engine.io itself). */
interface Packet {
  data?: unknown;
}
interface Transport {
  name: string;
  writable: boolean;
  /** The ws WebSocket of the websocket transport. */
  socket?: { bufferedAmount?: number; terminate?: () => void };
  /** Emitted when it may send again (after its write's callback, or a new poll): engine.io flushes on it first. */
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}
interface Conn {
  transport: Transport;
  readyState: string;
  on(event: 'packetCreate', listener: (packet: Packet) => void): unknown;
  on(event: 'flush' | 'close', listener: () => void): unknown;
  on(event: 'upgrade', listener: (transport: Transport) => void): unknown;
  off(event: 'upgrade', listener: (transport: Transport) => void): unknown;
  close(discard?: boolean): unknown;
}

/** Characters of a string, bytes of a buffer: O(1) (a string's UTF-8 may be longer; outputs are mostly ASCII). */
function sizeOf(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

export class Backlog {
  /** Bytes of the packets in engine.io's writeBuffer (counted as they are queued, reset as it is flushed). */
  private queued = 0;
  private cut = false;
  /** The packet being queued is a resume's answer (see `answering`). */
  private answer = false;
  /** Bytes over the limit allowed while a resume's answer is unsent: its size. */
  private allowance = 0;

  constructor(
    private readonly socket: Socket,
    private readonly limit: number,
    private readonly onCut: (bytes: number) => void,
  ) {
    const conn = this.conn;
    // Every packet is checked as it is queued (acks, broadcasts, resumes, piped events): a
    // broadcast is encoded once for everyone, so nothing is stringified again here.
    conn.on('packetCreate', (packet) => {
      if (this.cut) return;
      const size = sizeOf(packet.data);
      // Nothing unsent: an earlier answer has left, its allowance with it.
      if (this.allowance > 0 && this.bytes() === 0) this.allowance = 0;
      if (this.answer) this.allowance = size;
      this.queued += size;
      const bytes = this.bytes();
      if (bytes > this.limit + this.allowance) this.cutOff(bytes);
    });
    conn.on('flush', () => {
      this.queued = 0;
    });
  }

  private get conn(): Conn {
    return this.socket.conn as unknown as Conn;
  }

  /**
   * Sends a resume's answer (`send` queues it): it may take the connection over its limit by
   * its own size until it has left. The answer of a resume from 0 holds what the room's
   * terminals keep (up to 1 MB each; 10 MB for a game day of 6 players printing 256 KiB
   * outputs): a limit it crossed would cut the client, which would resume and be cut again.
   * How many answers one address may leave unread is the resume gate's (handlers.ts).
   */
  answering(send: () => void): void {
    this.answer = true;
    try {
      send();
    } finally {
      this.answer = false;
    }
  }

  /** Bytes queued for this connection and not yet written to the OS. */
  bytes(): number {
    const { transport } = this.conn;
    // Polling: what a poll answered went to its HTTP response (one payload); the rest waits here.
    return this.queued + (transport.name === 'websocket' ? (transport.socket?.bufferedAmount ?? 0) : 0);
  }

  /** Whether the connection is cut or gone (cut now if over its limit): sending it more is wasted. */
  over(): boolean {
    if (!this.cut && !this.socket.disconnected) {
      const bytes = this.bytes();
      if (bytes > this.limit + this.allowance) this.cutOff(bytes);
    }
    return this.cut || this.socket.disconnected;
  }

  /**
   * Resolves once everything queued has been written to the OS (the transport is ready again
   * with nothing left to flush; for polling, once the client asked for more), or the
   * connection is gone. Past `withinMs`, a connection that still holds some is cut: a client
   * that stays connected (it answers pings) without reading would hold its caller for good.
   * So is one that reads too slowly to take it in that time (it resumes again).
   */
  sent(withinMs = Infinity): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(withinMs) ? setTimeout(() => {
        if (!this.cut && !this.socket.disconnected && this.bytes() > 0) this.cutOff(this.bytes());
        done();
      }, withinMs) : undefined;
      timer?.unref();
      const conn = this.conn;
      let transport = conn.transport;
      const check = (): void => {
        if (this.cut || this.socket.disconnected || (this.bytes() === 0 && conn.transport.writable)) done();
      };
      const onUpgrade = (next: Transport): void => {
        transport.off('ready', check);
        transport = next;
        transport.on('ready', check);
        check();
      };
      const done = (): void => {
        clearTimeout(timer);
        transport.off('ready', check);
        conn.off('upgrade', onUpgrade);
        this.socket.off('disconnect', done);
        resolve();
      };
      transport.on('ready', check);
      conn.on('upgrade', onUpgrade);
      this.socket.on('disconnect', done);
      check();
    });
  }

  private cutOff(bytes: number): void {
    this.cut = true;
    this.onCut(bytes);
    // After the current emit (a broadcast may be going through its sockets): the packet being
    // queued is dropped with the rest when the connection closes.
    process.nextTick(() => {
      const conn = this.conn;
      // An orderly close waits for the queue to drain (engine.io) or for the peer's close
      // frame (ws, 30 s): neither comes from a client that does not read. Dropped now.
      if (conn.transport.name === 'websocket') conn.transport.socket?.terminate?.();
      if (conn.readyState !== 'closed') conn.close(true);
    });
  }
}
