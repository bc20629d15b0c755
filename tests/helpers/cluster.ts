// Several real server processes on one PostgreSQL and Redis (REDIS_URL), and a client that
// behaves as the browser's (client/src/net/connection.ts): after any disconnect it connects
// again, to whichever process the "balancer" (pick) names, and resumes with its token and
// the last sequence it applied; a resume answered `unavailable` is tried again.
import { Redis } from 'ioredis';
import pg from 'pg';
import { io as connectClient, type Socket } from 'socket.io-client';
import { startServerProcess, type ServerProcess } from './process.js';

export const REDIS_URL = process.env.KUBEDRILL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * `count` connections to the test Redis, each ready before it is handed out, as the server
 * opens its own (fleet/index.ts): one that subscribes while still connecting fails ioredis'
 * ready check ("Connection in subscriber mode").
 */
export async function connectedRedis(count: number): Promise<Redis[]> {
  const clients = Array.from({ length: count }, () => new Redis(REDIS_URL, { lazyConnect: true }));
  await Promise.all(clients.map((client) => client.connect()));
  return clients;
}

export interface Node extends ServerProcess {
  /** Resolves once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
  alive(): boolean;
}

export async function startNode(databaseUrl: string, env: Record<string, string> = {}): Promise<Node> {
  const started = await startServerProcess(process.execPath, ['bin/kubedrill.js', 'serve'], {
    DATABASE_URL: databaseUrl, REDIS_URL, LOG_LEVEL: process.env.KUBEDRILL_CLUSTER_LOG ?? 'warn', ...env,
  }, 240_000); // a start transpiles TypeScript: slow on a busy 2-core machine
  let exited = false;
  void started.exited.then(() => (exited = true));
  return {
    ...started,
    alive: () => !exited,
    kill: async (signal) => {
      if (!exited) started.child.kill(signal);
      await started.exited;
    },
  };
}

/** The URL of the process that holds the room's lease now (undefined: none, or expired). */
export async function ownerOf(databaseUrl: string, roomId: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ ownerUrl: string }>(
      `SELECT "ownerUrl" FROM "RoomLease" WHERE "roomId" = $1 AND "expiresAt" > (clock_timestamp() AT TIME ZONE 'UTC')`, [roomId]);
    return rows[0]?.ownerUrl;
  } finally {
    await client.end();
  }
}

export type Ack = Record<string, unknown> & { ok: boolean; error?: { code: string; message: string } };
export type ViewEvent = Record<string, unknown> & { seq: number; type: string };

/**
 * Sends a message and calls `onAck` the moment its answer is read, in order with the events
 * around it. Node's ws hands over every frame of a TCP read in one go, so an answer awaited
 * through a promise would be seen after the events that followed it (a browser gives each
 * WebSocket message its own task, so there the order holds anyway).
 */
function send(socket: Socket, name: string, payload: unknown, onAck: (ack: Ack) => void = () => undefined): Promise<Ack> {
  return new Promise((resolve, reject) => {
    socket.timeout(10_000).emit(name, payload, (error: Error | null, ack: Ack) => {
      if (error) return reject(error);
      onAck(ack);
      resolve(ack);
    });
  });
}

export class ResumingClient {
  /** Events applied, in order, each once (as the browser applies them). */
  readonly events: ViewEvent[] = [];
  lastSeq = 0;
  token: string | undefined;
  resumes = 0;
  /** Resumes refused with anything but `unavailable` (the browser would tell its player the room is lost). */
  readonly refusals: string[] = [];
  /** URLs this client was connected to, in order. */
  readonly visited: string[] = [];
  /** What happened to the connection, when (performance.now()): read to explain a slow failover. */
  readonly trace: { at: number; what: string }[] = [];
  private socket!: Socket;
  private joined = false;
  private closed = false;
  private ready!: Promise<void>;

  constructor(private readonly pick: () => string) {
    this.open();
  }

  private note(what: string): void {
    this.trace.push({ at: performance.now(), what });
  }

  private open(): void {
    const url = this.pick();
    this.visited.push(url);
    this.note(`open ${url}`);
    // socket.io's own connect timeout (20 s), as the browser's: a busy process may take seconds to accept.
    const socket = connectClient(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    this.socket = socket;
    this.ready = new Promise<void>((resolve) => {
      socket.once('connect', () => {
        this.note('connect');
        if (!this.joined) return resolve();
        void this.resume().then(resolve);
      });
    });
    socket.on('room:event', (...events: ViewEvent[]) => {
      for (const event of events) this.deliver(event);
    });
    const again = (): void => {
      if (this.closed || socket !== this.socket) return;
      setTimeout(() => this.open(), 100 + Math.random() * 200);
    };
    socket.once('connect_error', (error) => {
      this.note(`connect_error ${error.message}`);
      again();
    });
    socket.once('disconnect', (reason) => {
      this.note(`disconnect ${reason}`);
      again();
    });
  }

  /** An event the client learnt from an ack (its own command), applied like a broadcast one. */
  applied(event: ViewEvent): void {
    this.deliver(event);
  }

  private deliver(event: ViewEvent): void {
    if (event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.events.push(event);
  }

  private async resume(): Promise<void> {
    // One connection's resume: once it is lost, the next connection resumes by itself (a retry
    // sent on that one as well would be a second resume there, refused as a conflict).
    const socket = this.socket;
    for (;;) {
      if (this.closed || socket !== this.socket || !socket.connected) return;
      let ack: Ack;
      this.note('resume sent');
      try {
        ack = await send(socket, 'room:resume', { token: this.token, lastSeq: this.lastSeq }, (answer) => {
          if (answer.ok) for (const event of answer.events as ViewEvent[]) this.deliver(event);
        });
      } catch (error) {
        this.note(`resume lost: ${(error as Error).message}`);
        return; // disconnected meanwhile: the next connection resumes
      }
      this.note(`resume ${ack.ok ? 'ok' : ack.error?.code}`);
      if (ack.ok) {
        this.resumes++;
        return;
      }
      if (ack.error?.code !== 'unavailable') this.refusals.push(JSON.stringify(ack.error));
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  async join(payload: Record<string, unknown>): Promise<Ack> {
    await this.ready;
    return send(this.socket, 'room:join', payload, (ack) => {
      if (!ack.ok) return;
      this.token = (ack.token as string | undefined) ?? (payload.token as string | undefined);
      this.lastSeq = (ack.view as { seq: number }).seq;
      this.joined = true;
    });
  }

  /**
   * One message, sent once the client is connected and resumed (as the browser's socket
   * buffers it until it is back); a lost connection answers { ok: false } (never retried:
   * the caller decides). Never sent on a connection already lost: socket.io would keep it
   * in that dead socket's buffer until the ack timeout (10 s, the "second mode" of failover
   * times this harness once measured). `onAck` runs as the answer is read (see `send`).
   */
  async call(name: string, payload: unknown = {}, onAck?: (ack: Ack) => void): Promise<Ack> {
    if (!(await this.settled(10_000))) {
      this.note(`${name}: not connected for 10 s`);
      return { ok: false, error: { code: 'disconnected', message: 'not connected' } };
    }
    const sent = performance.now();
    try {
      const ack = await send(this.socket, name, payload, onAck);
      if (!ack.ok) this.note(`${name}: ${ack.error?.code} after ${Math.round(performance.now() - sent)} ms`);
      return ack;
    } catch (error) {
      this.note(`${name}: ${(error as Error).message} after ${Math.round(performance.now() - sent)} ms`);
      return { ok: false, error: { code: 'disconnected', message: 'no answer' } };
    }
  }

  /** Waits (up to `timeoutMs`) for a live connection whose resume is done; false if it did not come. */
  async settled(timeoutMs = Infinity): Promise<boolean> {
    for (const deadline = performance.now() + timeoutMs; performance.now() < deadline && !this.closed; ) {
      const ready = this.ready;
      if (await Promise.race([ready.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 50))])) {
        if (ready === this.ready && this.socket.connected) return true;
        await new Promise((r) => setTimeout(r, 20)); // lost since: wait for the next connection
      }
    }
    return false;
  }

  close(): void {
    this.closed = true;
    this.socket.close();
  }
}
