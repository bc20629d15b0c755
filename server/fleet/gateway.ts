// Any process accepts any client. A connection that joins or resumes a room another
// process owns is piped there: this process opens its own socket.io connection to the
// owner for it and relays messages both ways, so the owner runs the unchanged handlers
// (seats, views, per-viewer filtering, broadcast) for it as for any of its own sockets.
// The owner's broadcasts reach each viewer once, already filtered, over its pipe: no
// cross-process fan-out of every broadcast to every process (socket.io's Redis adapter).
//
// The pipe is a plain client connection: the owner trusts it with nothing more than the
// browser behind it. The client's address travels in X-Forwarded-For (believed by the
// owner only with KUBEDRILL_TRUST_PROXY ≥ 1, as behind the load balancer).
import { connect as connectTcp } from 'node:net';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { failure, type AckError, type ClientMessage } from '../protocol/index.js';
import type { LeaseOwner } from '../db/leases-repo.js';
import type { RoomStore } from '../db/room-store.js';
import { isStorageUnavailable } from '../db/unavailable.js';
import type { RoomRegistry } from '../rooms/registry.js';
import { hashToken } from '../rooms/tokens.js';
import type { Ownership } from './ownership.js';

/** Longest a relayed message waits for the owner's answer (the browser waits 10 s). */
const RELAY_TIMEOUT_MS = 8_000;
/** Longest opening a pipe may take before the owner counts as unreachable. */
const CONNECT_TIMEOUT_MS = 1_000;
const GONE = 'the server running this room went away; reconnecting';

export class Pipe {
  private constructor(private readonly socket: ClientSocket) {}

  /** Connects to the owner at `url`; rejects when it cannot be reached. */
  static open(url: string, forwardedFor: string): Promise<Pipe> {
    const socket = connect(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: CONNECT_TIMEOUT_MS,
      extraHeaders: { 'x-forwarded-for': forwardedFor },
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(new Pipe(socket)));
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
  }

  /**
   * Passes on the owner's answer, or `unavailable` when it does not come (the owner died or
   * let go). Called back synchronously as the answer is read, between the events before and
   * after it (see `relay`), never later through a promise.
   */
  request(name: string, payload: unknown, answer: (reply: unknown) => void): void {
    this.socket.timeout(RELAY_TIMEOUT_MS).emit(name, payload, (error: Error | null, reply: unknown) => answer(error ? failure('unavailable', GONE) : reply));
  }

  /** Every message the owner sends this connection (room events, overview, storage, admission). */
  relay(send: (event: string, ...args: unknown[]) => void): void {
    this.socket.onAny(send);
  }

  /** The owner closed the pipe or went away. */
  onClose(closed: () => void): void {
    this.socket.on('disconnect', closed);
  }

  close(): void {
    this.socket.close();
  }

  /** Closed without telling `onClose` or `relay` (the connection behind it stays and may go elsewhere). */
  abandon(): void {
    this.socket.off('disconnect');
    this.socket.offAny();
    this.socket.close();
  }
}

/**
 * True when nothing listens at `url` (the connection is refused): the process that was
 * there is dead. A live process accepts connections even when it is cut off from the
 * database or overloaded (a full backlog drops, it does not refuse); a host that is down
 * or unreachable times out instead, and then the lease has to run out.
 */
function refused(url: string): Promise<boolean> {
  const { hostname, port, protocol } = new URL(url);
  return new Promise((resolve) => {
    const socket = connectTcp({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) || (protocol === 'https:' ? 443 : 80) });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(false));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
  });
}

export interface Gateway {
  /**
   * Where a join or resume goes: undefined = here (this process owns the room, or there is
   * no such room and the local handler says so); a Pipe to the owner; or an error.
   */
  route(payload: ClientMessage<'room:join'> | ClientMessage<'room:resume'>, clientAddress: string): Promise<Pipe | AckError | undefined>;
  /**
   * Reaches the process that owns `roomId` with `open` (a pipe, a connection to its
   * Kubernetes API, a forwarded request): undefined = this process holds the room now (it
   * claimed it if nobody did) or there is no such room; else what `open` gave, or an error.
   * `open` rejects when the owner cannot be reached; it is tried again while the owner may
   * be alive, and a dead owner's lease is ended (then the room is claimed here).
   */
  reach<T>(roomId: string, open: (owner: LeaseOwner) => Promise<T>): Promise<T | AckError | undefined>;
}

export function createGateway(store: RoomStore, registry: RoomRegistry, ownership: Ownership): Gateway {
  const roomOf = async (payload: ClientMessage<'room:join'> | ClientMessage<'room:resume'>): Promise<string | undefined> => {
    if ('token' in payload) return (await store.findParticipantByTokenHash(hashToken(payload.token)))?.roomId;
    return (await store.findRoomByCode(payload.code))?.id;
  };
  const reach = async <T>(roomId: string, open: (owner: LeaseOwner) => Promise<T>): Promise<T | AckError | undefined> => {
    // An owner that died still holds its lease until it runs out (or, when nothing listens
    // where it was, until this process ends it): wait that long for it, then claim.
    const deadline = performance.now() + ownership.timing.leaseMs + 2_000;
    for (;;) {
      if (registry.inMemory(roomId) && ownership.holds(roomId)) return undefined;
      const owner = await ownership.claim(roomId);
      if (!owner) return undefined;
      if (owner.ownerUrl === '') return failure('unavailable', 'this server is shutting down; reconnect');
      try {
        return await open(owner);
      } catch {
        if (performance.now() > deadline) return failure('unavailable', GONE);
        if (await refused(owner.ownerUrl)) {
          await ownership.expireOf(roomId, owner.owner);
          continue;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(250, owner.remainingMs + 10)));
      }
    }
  };
  return {
    reach,
    async route(payload, clientAddress) {
      try {
        const roomId = await roomOf(payload);
        if (roomId === undefined) return undefined;
        return await reach(roomId, (owner) => Pipe.open(owner.ownerUrl, clientAddress));
      } catch (error) {
        // A database outage is worth waiting for: the browser retries an unavailable resume,
        // but takes any other answer (it was `internal`) as the room lost for good.
        if (!isStorageUnavailable(error)) throw error;
        return failure('unavailable', 'the database is unavailable; try again shortly');
      }
    },
  };
}
