// Every room's Kubernetes API, per seat: the backend of the game server's kube API listener
// (kube-api-plugin.ts). A request names its room in the path (`/rooms/ROOM_ID/api/v1/pods`,
// the kubeconfig's server URL ends with `/rooms/ROOM_ID`) and its seat by the bearer token,
// whose sha256 the room's log holds (`api.token`). A request for a resource is a room action
// (`api`) queued on the room's runner like a typed line: served by the room's owner, logged,
// replayed, observed for scoring. Discovery documents (/api, /apis, /version, OpenAPI) show
// nothing of the world and are answered from the room's cluster without an event.
//
// Only rooms in this process's memory are served. With several processes (server/fleet), a
// request for a room this process does not hold goes where the room is (`roomsForward`):
// piped to the owner's kube API, or, when no live process owns it, claimed and served here.
import type { AckError } from '../protocol/index.js';
import { apiUnavailable } from '../cluster/api.js';
import { factKey } from '../cluster/facts.js';
import { handleApiRequest, type ApiRequest } from '../kubeapi/handler.js';
import { logStep } from '../kubeapi/logs.js';
import { targetOf, type SeatAnswer } from '../kubeapi/seat.js';
import { pathNotFound, statusResponse, type ApiResponse } from '../kubeapi/status.js';
import { watchStep } from '../kubeapi/watch.js';
import type { Actor } from '../rooms/decide.js';
import type { RoomRegistry } from '../rooms/registry.js';
import type { RoomRunner } from '../rooms/runner.js';
import { hashToken } from '../rooms/tokens.js';
import type { IncomingMessage } from 'node:http';
import type { Gateway } from '../fleet/gateway.js';
import { clientAddress } from './client-address.js';
import { bearerToken } from './errors.js';
import { decodeURIComponentSafe, type KubeApiBackend, type KubeApiSession } from './kube-api.js';
import { connectKubeApi, FORWARDED_HEADER, type Forward } from './kube-api-forward.js';

const ROOM_PATH = /^\/rooms\/([A-Za-z0-9-]{1,64})(\/.*)?$/;

const notHere = (): ApiResponse => statusResponse(503, 'ServiceUnavailable', 'this room is not served here: it ended, or another server process serves it (try again, or download a new kubeconfig)');
const unauthorized = (): ApiResponse => statusResponse(401, 'Unauthorized', 'Unauthorized');

/** A room's refusal as the Status kubectl prints (`Error from server (ServiceUnavailable): the room is paused`). */
export function refusalStatus(error: AckError): ApiResponse {
  const { code, message } = error.error;
  switch (code) {
    case 'forbidden': return statusResponse(403, 'Forbidden', message);
    case 'not_found': return pathNotFound();
    case 'rate_limited': return statusResponse(429, 'TooManyRequests', message);
    case 'too_large': return statusResponse(413, 'RequestEntityTooLarge', message);
    case 'room_ended': return unauthorized();
    case 'conflict':
    case 'unavailable': return statusResponse(503, 'ServiceUnavailable', message);
    default: return statusResponse(400, 'BadRequest', message);
  }
}

export function roomsBackend(registry: RoomRegistry): KubeApiBackend {
  return {
    open: async (token, fullPath) => {
      const match = ROOM_PATH.exec(fullPath);
      if (!match || token === undefined) return unauthorized();
      const runner = registry.inMemory(match[1]!);
      if (!runner) return notHere();
      const hash = hashToken(token);
      const participantId = Object.hasOwn(runner.room.apiTokens, hash) ? runner.room.apiTokens[hash]! : undefined;
      const participant = participantId === undefined ? undefined : runner.room.participants[participantId];
      if (!participant) return unauthorized();
      return { session: seatSession(registry, runner, hash, { participantId: participant.id, role: participant.role }), path: match[2] ?? '/' };
    },
  };
}

export interface ForwardOptions {
  gateway: Gateway;
  /** The certificate every process's kube API serves (the hop verifies the owner with it), and its name. */
  ca: string;
  serverName: string;
}

/**
 * Balancers pass the kube API's TLS through (mode tcp) and add no X-Forwarded-For: the peer is
 * the client, and no header's address is believed (a client could write any address there).
 */
const KUBE_API_PROXY_HOPS = 0;

/**
 * Where a request for a room goes when several processes serve rooms: here when the room is
 * in memory (or the request names none, or no token: refused here without a store read);
 * else to the process the room's lease names (only there: never an address from the
 * request); a room nobody owns any more (its owner died) is claimed and rebuilt here. A
 * forwarded request is not forwarded again: the process it reached serves it or refuses.
 */
export function roomsForward(registry: RoomRegistry, options: ForwardOptions): (req: IncomingMessage) => Promise<Forward | ApiResponse | undefined> {
  return async (req) => {
    const match = ROOM_PATH.exec(decodeURIComponentSafe((req.url ?? '/').split('?', 1)[0]!));
    if (!match || bearerToken(req.headers.authorization) === undefined) return undefined;
    const roomId = match[1]!;
    if (registry.inMemory(roomId)) return undefined;
    // Before any lease work: an ended room has no tokens left (room.ended drops them), so a
    // request for one is refused without claiming or rebuilding it (one indexed read).
    // (A store that cannot be read leaves it to the lookup below, which answers that.)
    const record = await registry.store.getRoom(roomId).catch(() => undefined);
    if (record === null || record?.status === 'ended') return unauthorized();
    const lastHop = req.headers[FORWARDED_HEADER] !== undefined;
    const reached = await options.gateway.reach(roomId, async (owner) => {
      if (lastHop) return notHere();
      if (owner.kubeApiUrl === '') return statusResponse(503, 'ServiceUnavailable', 'the server process running this room serves no Kubernetes API');
      return { connection: await connectKubeApi(owner.kubeApiUrl, options.ca, options.serverName), forwardedFor: clientAddress(req, KUBE_API_PROXY_HOPS) };
    });
    if (reached === undefined) {
      // This process holds the room now: rebuilt here, then served like any of its rooms (or refused, if it cannot be).
      await registry.get(roomId);
      return undefined;
    }
    return 'ok' in reached ? refusalStatus(reached) : reached;
  };
}

function seatSession(registry: RoomRegistry, runner: RoomRunner, hash: string, actor: Actor): KubeApiSession {
  /** A stream goes on while the token opens this seat, the room is served here and not ended, and the apiserver answers. */
  const live = (): boolean => registry.inMemory(runner.room.id) === runner && runner.room.apiTokens[hash] === actor.participantId
    && runner.room.status !== 'ended' && !apiUnavailable(runner.room.cluster);
  /** The request acted on the room (logged, observed): the seat's answer, or the refusal. */
  const act = async (request: ApiRequest): Promise<SeatAnswer | ApiResponse> => {
    const result = await runner.act(actor, { type: 'api', request });
    if (!result.ok) return refusalStatus(result);
    return result.api ?? pathNotFound();
  };
  return {
    // The seat, not its token: a new kubeconfig does not reset the request rate or the watch cap.
    key: `${runner.room.id}/${actor.participantId}`,
    live,
    serve: async (request) => {
      if (!targetOf(request.path)) return runner.exclusive(() => handleApiRequest(runner.room.cluster, request));
      const answer = await act(request);
      return 'response' in answer ? answer.response : answer;
    },
    // A watch and a followed log open as a request (logged, observed); each later step reads the room's cluster in its turn.
    watch: async (request) => {
      const answer = await act(request);
      if (!('response' in answer)) return answer;
      const opened = answer.watch;
      if (!opened) return answer.response;
      // What later events show is logged for scoring (api-observed), each fact once per watch.
      const shown = new Set<string>();
      const line = answer.summary.replace(/ \([^)]*\)$/, ' (later events)');
      return {
        events: opened.events,
        step: async () => {
          const stepped = await runner.exclusive(() => {
            if (!live()) return undefined;
            const events = watchStep(runner.room.cluster, opened.cursor);
            const fresh = (runner.runtime.watchObserved?.(runner.room.cluster, opened.cursor.target, events) ?? []).filter((f) => !shown.has(factKey(f)));
            return { events, fresh };
          });
          if (stepped && stepped.fresh.length > 0) {
            for (const fact of stepped.fresh) shown.add(factKey(fact));
            await runner.act(actor, { type: 'api-observed', line, observed: stepped.fresh });
          }
          return stepped?.events;
        },
      };
    },
    followLog: async (request) => {
      const answer = await act(request);
      if (!('response' in answer)) return answer;
      const { follow } = answer;
      if (!follow) return answer.response;
      return { text: String(answer.response.body), step: () => runner.exclusive(() => (live() ? logStep(runner.room.cluster, follow) : undefined)) };
    },
  };
}
