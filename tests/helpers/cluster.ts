// Several real server processes on one PostgreSQL and Redis (REDIS_URL), and a client that
// behaves as the browser's (client/src/net/connection.ts): after any disconnect it connects
// again, to whichever process the "balancer" (pick) names, and resumes with its token and
// the last sequence it applied; a resume answered `unavailable` is tried again.
import pg from 'pg';
import { io as connectClient, type Socket } from 'socket.io-client';
import { startServerProcess, type ServerProcess } from './process.js';

export const REDIS_URL = process.env.KUBEDRILL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

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

type Ack = Record<string, unknown> & { ok: boolean; error?: { code: string; message: string } };
export type ViewEvent = Record<string, unknown> & { seq: number; type: string };

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
  private socket!: Socket;
  private joined = false;
  private closed = false;
  private ready!: Promise<void>;

  constructor(private readonly pick: () => string) {
    this.open();
  }

  private open(): void {
    const url = this.pick();
    this.visited.push(url);
    const socket = connectClient(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 2000 });
    this.socket = socket;
    this.ready = new Promise<void>((resolve) => {
      socket.once('connect', () => {
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
    socket.once('connect_error', again);
    socket.once('disconnect', again);
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
    for (;;) {
      if (this.closed) return;
      const socket = this.socket;
      let ack: Ack;
      try {
        ack = (await socket.timeout(10_000).emitWithAck('room:resume', { token: this.token, lastSeq: this.lastSeq })) as Ack;
      } catch {
        return; // disconnected meanwhile: the next connection resumes
      }
      if (ack.ok) {
        this.resumes++;
        for (const event of ack.events as ViewEvent[]) this.deliver(event);
        return;
      }
      if (ack.error?.code !== 'unavailable') this.refusals.push(JSON.stringify(ack.error));
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  async join(payload: Record<string, unknown>): Promise<Ack> {
    await this.ready;
    const ack = (await this.socket.timeout(10_000).emitWithAck('room:join', payload)) as Ack;
    if (ack.ok) {
      this.token = (ack.token as string | undefined) ?? (payload.token as string | undefined);
      this.lastSeq = (ack.view as { seq: number }).seq;
      this.joined = true;
    }
    return ack;
  }

  /** One message on the current connection; a lost connection answers { ok: false } (never retried: the caller decides). */
  async call(name: string, payload: unknown = {}): Promise<Ack> {
    const waited = await Promise.race([this.ready.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 10_000))]);
    if (!waited) return { ok: false, error: { code: 'disconnected', message: 'not connected' } };
    try {
      return (await this.socket.timeout(10_000).emitWithAck(name, payload)) as Ack;
    } catch {
      return { ok: false, error: { code: 'disconnected', message: 'no answer' } };
    }
  }

  /** Waits for the connection and its resume. */
  async settled(): Promise<void> {
    for (;;) {
      const ready = this.ready;
      await ready;
      if (ready === this.ready && this.socket.connected) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  close(): void {
    this.closed = true;
    this.socket.close();
  }
}
