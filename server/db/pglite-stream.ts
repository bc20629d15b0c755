// A `pg` connection to a PGlite in this process, with no socket: `pg` writes the Postgres
// wire protocol into this stream, which hands each complete frontend message to PGlite's
// protocol executor and streams the backend's bytes back. Nothing listens, so no other
// process can connect (a TCP port or a Unix socket would be an open door to anyone on the
// machine able to reach it: PGlite accepts any password).
//
// Framing follows the protocol: a startup-phase message (SSLRequest, StartupMessage) is
// `int32 length` + body; every later message is `byte type` + `int32 length` + body.
import { Duplex } from 'node:stream';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST_CODE = 80877103;
const PROTOCOL_3 = 196608;
/** Terminate ('X'): the connection's goodbye. PGlite's one backend outlives connections, so it is not passed on. */
const TERMINATE = 0x58;

export class PGliteStream extends Duplex {
  private pending = Buffer.alloc(0);
  /** Messages run one after another, in the order pg wrote them. */
  private queue: Promise<void> = Promise.resolve();
  private startup = true;

  constructor(private readonly db: PGlite) {
    super();
  }

  // The net.Socket surface pg's Connection uses.
  connect(): this {
    queueMicrotask(() => this.emit('connect'));
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (let message = this.nextMessage(); message; message = this.nextMessage()) {
      const bytes = message;
      if (!this.startup && bytes[0] === TERMINATE) continue;
      this.queue = this.queue.then(() => this.execute(bytes));
    }
    this.queue.then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.queue.then(async () => {
      // A connection that goes away mid-transaction must not leave PGlite's one backend in it.
      if (!this.db.closed && this.db.isInTransaction()) await this.db.exec('ROLLBACK');
      this.push(null);
      callback();
    }, callback);
  }

  private nextMessage(): Buffer | undefined {
    const buffer = this.pending;
    let length: number;
    if (this.startup) {
      if (buffer.length < 8) return undefined;
      length = buffer.readInt32BE(0);
      const code = buffer.readInt32BE(4);
      if (code === SSL_REQUEST_CODE) {
        // No TLS in-process: answer "N" and let pg carry on in the clear.
        this.pending = buffer.subarray(length);
        this.push(Buffer.from('N'));
        return this.nextMessage();
      }
      if (code === PROTOCOL_3) this.startup = false;
    } else {
      if (buffer.length < 5) return undefined;
      length = 1 + buffer.readInt32BE(1);
    }
    if (buffer.length < length) return undefined;
    this.pending = buffer.subarray(length);
    return buffer.subarray(0, length);
  }

  private async execute(message: Buffer): Promise<void> {
    await this.db.runExclusive(() =>
      this.db.execProtocolRawStream(new Uint8Array(message), {
        onRawData: (data) => {
          if (data.length > 0) this.push(Buffer.from(data));
        },
      }),
    );
  }
}
