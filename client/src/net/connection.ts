// One socket.io connection to one room. It joins (code + name, or a token), remembers the
// last event sequence it applied, and after any reconnect resumes with `room:resume`
// (token + last seq) so missed events are applied exactly once, in order.
import { io, type Socket } from 'socket.io-client';
import type { AdmissionMessage, ClientMessage, ClientMessageName, JoinAck, OverviewMessage, ResumeAck, StorageMessage, ViewerEvent } from '../../../server/protocol/index.js';

export type ConnectionStatus = 'connecting' | 'online' | 'offline';

export type AckResult<T> = ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };

export interface ConnectionHandlers {
  /** Every room event after the view the join returned, each exactly once, in order. */
  onEvent(event: ViewerEvent): void;
  /** Hosts and spectators: the cluster overview changed. */
  onOverview(message: OverviewMessage): void;
  onStatus(status: ConnectionStatus): void;
  /** The server cannot save the room's events (it waits and retries), or can again. */
  onStorage(message: StorageMessage): void;
  /** A resume could not happen (the token is gone): the view must start over. */
  onLost(message: string): void;
}

const ACK_TIMEOUT_MS = 10_000;

/** 100–400 ms: a retry after the server let go (a deploy, a failover), spread over the clients. */
const soon = (): number => 100 + Math.random() * 300;

export class RoomConnection {
  private readonly socket: Socket;
  private token: string | undefined;
  private lastSeq = 0;
  private joined = false;
  /** Waiting for the host to let this identity in: a reconnect re-joins the wait. */
  private waiting = false;
  private settleWait: ((ack: AckResult<JoinAck>) => void) | undefined;

  constructor(private readonly handlers: ConnectionHandlers) {
    this.socket = io({ transports: ['websocket'], reconnectionDelay: 300, reconnectionDelayMax: 3000 });
    this.socket.on('connect', () => {
      if (this.joined) void this.resume();
      else if (this.waiting) void this.rejoinWait().then(() => handlers.onStatus('online'));
      else handlers.onStatus('online');
    });
    this.socket.on('room:admission', (message: AdmissionMessage) => {
      if (!this.waiting) return;
      if (!message.admitted) return this.settle({ ok: false, error: { code: 'forbidden', message: 'the host did not let you in' } });
      void this.rejoinWait();
    });
    this.socket.on('disconnect', (reason) => {
      handlers.onStatus('offline');
      // A server shutting down (or handing the room over) disconnects everyone; socket.io does
      // not retry that by itself. Soon, since the room goes on elsewhere in well under a second,
      // and spread out, so a process's players do not all land on the others at once.
      if (reason === 'io server disconnect') setTimeout(() => this.socket.connect(), soon());
    });
    this.socket.io.on('reconnect_attempt', () => handlers.onStatus('connecting'));
    // One message per commit: its events are the arguments, in order.
    this.socket.on('room:event', (...events: ViewerEvent[]) => events.forEach((event) => this.deliver(event)));
    this.socket.on('room:overview', (message: OverviewMessage) => handlers.onOverview(message));
    this.socket.on('room:storage', (message: StorageMessage) => handlers.onStorage(message));
    handlers.onStatus('connecting');
  }

  /** First join by code, or a re-join with a saved token. Resolves with the room view. */
  async join(payload: ClientMessage<'room:join'>): Promise<AckResult<JoinAck>> {
    await this.connected();
    const ack = await this.call<JoinAck>('room:join', payload);
    if (!ack.ok) return ack;
    this.token = ack.token ?? ('token' in payload ? payload.token : undefined);
    if ('waiting' in ack) {
      this.waiting = true;
    } else {
      this.lastSeq = ack.view.seq;
      this.joined = true;
    }
    return ack;
  }

  /** After a join that must wait: resolves with the seat's join answer once the host lets it in, or the refusal. */
  admission(): Promise<AckResult<JoinAck>> {
    return new Promise((resolve) => {
      this.settleWait = resolve;
    });
  }

  /**
   * Joins again with the token: seated (admitted, maybe while this socket was away), refused,
   * or still waiting (the wait continues on this connection).
   */
  private async rejoinWait(): Promise<void> {
    if (!this.token) return;
    const ack = await this.join({ token: this.token });
    if (!ack.ok || !('waiting' in ack)) this.settle(ack);
  }

  private settle(ack: AckResult<JoinAck>): void {
    this.waiting = false;
    this.settleWait?.(ack);
    this.settleWait = undefined;
  }

  get participantToken(): string | undefined {
    return this.token;
  }

  async call<T extends object = object>(name: ClientMessageName, payload: object = {}): Promise<AckResult<T>> {
    try {
      return (await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(name, payload)) as AckResult<T>;
    } catch {
      return { ok: false, error: { code: 'internal', message: this.socket.connected ? 'the server did not answer' : 'not connected' } };
    }
  }

  close(): void {
    this.socket.close();
  }

  private connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }

  private deliver(event: ViewerEvent): void {
    if (event.seq <= this.lastSeq) return; // already applied (a resume overlapped a broadcast)
    this.lastSeq = event.seq;
    this.handlers.onEvent(event);
  }

  private async resume(): Promise<void> {
    if (!this.token) return;
    const connection = this.socket.id;
    const current = (): boolean => this.socket.connected && this.socket.id === connection;
    const ack = await this.call<ResumeAck>('room:resume', { token: this.token, lastSeq: this.lastSeq });
    // The connection went while the answer was out: the next one resumes by itself (a retry
    // here would race that resume, and the loser's `conflict` would end the room for this tab).
    if (!current()) return;
    // The room is moving between server processes (failover, deploy): try again shortly.
    if (!ack.ok && ack.error.code === 'unavailable') {
      setTimeout(() => {
        if (current()) void this.resume();
      }, soon());
      return;
    }
    if (!ack.ok) {
      this.handlers.onLost(ack.error.message);
      return;
    }
    for (const event of ack.events) this.deliver(event);
    if (ack.view.overview) this.handlers.onOverview({ seq: ack.view.seq, overview: ack.view.overview });
    this.handlers.onStatus('online');
  }
}
