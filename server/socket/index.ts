// Attaches socket.io to the fastify server. Payloads above maxHttpBufferSize close the
// connection (engine.io's hard cap); below it, handlers.ts answers `too_large` for any
// message over LIMITS.maxMessageBytes and keeps the connection.
import { Server } from 'socket.io';
import type { Server as HttpServer } from 'node:http';
import { LIMITS } from '../protocol/index.js';
import { attachHandlers, type SocketDeps } from './handlers.js';
import { broadcast, broadcastStorage, letGo, letGoPiped } from './broadcast.js';
import { Presence } from './presence.js';
import type { RoomRunner } from '../rooms/runner.js';
import type { RoomEvent } from '../protocol/index.js';
import type { OriginCheck } from '../http/origin.js';

export interface GameSockets {
  io: Server;
  /** `origin`: a socket id that already has its own command's output (its ack) and is skipped for it, unless `late`. */
  broadcast(runner: RoomRunner, events: readonly RoomEvent[], origin?: string, answer?: () => void, late?: boolean): void;
  /**
   * For shutdown: refuses new connections and closes every open one, so the HTTP server
   * can close at once. socket.io must not close the HTTP server itself (fastify does).
   */
  stop(): void;
  /** Saving stopped working for the room (it waits and retries) or works again. */
  storage(runner: RoomRunner, available: boolean): void;
  /** Another process serves the room now: close its connections here (they resume there). */
  letGo(runner: RoomRunner): void;
  /** Shutting down: close the connections piped to other processes (they resume elsewhere). */
  letGoPiped(): void;
}

export function createGameSockets(server: HttpServer, deps: SocketDeps, originAllowed: OriginCheck): GameSockets {
  let stopped = false;
  const io = new Server(server, {
    maxHttpBufferSize: LIMITS.maxMessageBytes * 8,
    serveClient: false,
    // No CORS headers: the client is served by this server. The handshake (polling and
    // WebSocket alike) is refused for other sites' pages (see http/origin.ts).
    cors: { origin: false },
    allowRequest: (request, callback) => {
      const allowed = !stopped && originAllowed(request);
      callback(allowed ? null : stopped ? 'shutting down' : 'origin not allowed', allowed);
    },
  });
  attachHandlers(io, deps, new Presence());
  return {
    io,
    broadcast: (runner, events, origin, answer, late) => broadcast(io, runner, events, (error, context) => deps.log.error({ err: error }, context), origin, answer, late),
    stop: () => {
      stopped = true;
      io.disconnectSockets(true);
      io.engine.close();
    },
    storage: (runner, available) => broadcastStorage(io, runner, available),
    letGo: (runner) => letGo(io, runner),
    letGoPiped: () => letGoPiped(io),
  };
}
