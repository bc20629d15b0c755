// The game server's Kubernetes API (room-kube-api.ts) on an HTTPS listener of its own, and
// the kubeconfig a seat downloads for it (`POST /api/kubeconfig` with the seat's token).
//
// Why a port of its own, with TLS: kubectl sends a bearer token only over TLS, and the game
// server itself is usually plain HTTP behind a proxy that terminates TLS with a certificate
// the player's kubectl would have to trust anyway. So this listener makes a self-signed
// certificate at start (one per server process); every kubeconfig carries it as the cluster's
// certificate authority, with `tls-server-name` naming the certificate's own name, so it
// verifies whichever address the player reaches the server by.
//
// Several processes (server/fleet): they serve one certificate (KUBEDRILL_KUBE_API_CERT/KEY)
// behind one address (KUBEDRILL_KUBE_API_URL, a balancer passing TLS through), so a kubeconfig
// works whichever process its connection lands on; a request for a room another process owns
// is forwarded there (room-kube-api.ts `roomsForward`), and so is a download.
import type { AddressInfo } from 'node:net';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { kubeconfigFor } from '../cli/api-command.js';
import { HttpError, failure } from '../protocol/index.js';
import { hashToken, newToken } from '../rooms/tokens.js';
import { bearerToken, sendError } from './errors.js';
import { buildKubeApi, selfSignedCert, type ServingCert } from './kube-api.js';
import { FORWARDED_HEADER } from './kube-api-forward.js';
import { roomsBackend, roomsForward } from './room-kube-api.js';

export interface KubeApiServing {
  /** Port of the HTTPS listener (0: any free one). */
  port: number;
  /** Address it listens on. */
  host: string;
  /** The URL kubeconfigs name (default `https://<the host the browser used>:<port>`). */
  publicUrl?: string;
  /** The certificate and key to serve (default: a self-signed one made at start); several processes share one. */
  tls?: ServingCert;
}

/** The name in the listener's certificate that kubeconfigs check it against (`tls-server-name`). */
export const KUBE_API_SERVER_NAME = 'kubedrill-apiserver';

/** Limits per seat (whichever of its kubeconfigs sends): requests a minute (each is a room event), open watches, body size. */
export const SEAT_REQUESTS_PER_MINUTE = 300;
export const SEAT_WATCHES = 4;
/** Streams the process holds for all rooms: 128 rooms' worth of seats at the per-seat cap, so a few rooms cannot take them all. */
export const ROOMS_WATCHES = 512;
/** A seat's request body (its manifest) is logged with the request: 512 KiB, far above any manifest a drill needs. */
export const SEAT_BODY_BYTES = 512 * 1024;

/** Longest a download forwarded to the room's owner may take. */
const DOWNLOAD_TIMEOUT_MS = 8_000;
/** What a forwarded download's answer carries on (its own connection headers stay on its hop). */
const PASSED_HEADERS = ['content-type', 'content-disposition', 'cache-control'];

/** The kubeconfig from the owner's own route, for the client at `clientAddress`; rejects when the owner cannot be reached. */
function downloadFrom(ownerUrl: string, token: string, clientAddress: string): Promise<Response> {
  return fetch(new URL('/api/kubeconfig', ownerUrl), {
    method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
    headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': clientAddress, [FORWARDED_HEADER]: '1' },
  });
}

export const kubeApiPlugin = fp<KubeApiServing>(
  async (app: FastifyInstance, options) => {
    const { registry, gateway } = app.game;
    const tls = options.tls ?? await selfSignedCert([KUBE_API_SERVER_NAME]);
    const forward = gateway ? { forward: roomsForward(registry, { gateway, ca: tls.cert, serverName: KUBE_API_SERVER_NAME }) } : {};
    const kubeApi = buildKubeApi({
      backend: roomsBackend(registry), tls, bodyLimit: SEAT_BODY_BYTES, perSessionPerMinute: SEAT_REQUESTS_PER_MINUTE, watchesPerSession: SEAT_WATCHES, maxWatches: ROOMS_WATCHES, ...forward,
    });
    let port = options.port;
    app.addHook('onListen', async () => {
      await kubeApi.listen({ host: options.host, port: options.port });
      port = (kubeApi.server.address() as AddressInfo).port;
      app.log.info(`Kubernetes API of the rooms at https://${options.host}:${port}/rooms/ROOM_ID`);
    });
    app.addHook('preClose', async () => {
      await kubeApi.close();
    });

    app.withTypeProvider<ZodTypeProvider>().post('/api/kubeconfig', {
      schema: {
        summary: 'A kubeconfig for the seat of the bearer token (its own tools on the room\'s Kubernetes API); a new one replaces the last',
        tags: ['rooms'], response: { 200: z.string(), 403: HttpError, 404: HttpError, 409: HttpError, 503: HttpError },
      },
    }, async (request, reply) => {
      const token = bearerToken(request.headers.authorization);
      if (!token) return sendError(reply, failure('forbidden', 'send the participant token as "Authorization: Bearer <token>"'));
      // Another process owns the seat's room: the download is its (it logs the token), passed on as it answers.
      // A store that cannot be read leaves it to the local path, which says so.
      if (gateway && request.headers[FORWARDED_HEADER] === undefined) {
        const roomId = await app.db.store.findParticipantByTokenHash(hashToken(token)).then((p) => p?.roomId, () => undefined);
        const passed = roomId === undefined ? undefined : await gateway.reach(roomId, (owner) => downloadFrom(owner.ownerUrl, token, request.ip)).catch(() => undefined);
        if (passed && !(passed instanceof Response)) return sendError(reply, passed);
        if (passed) {
          for (const name of PASSED_HEADERS) if (passed.headers.has(name)) reply.header(name, passed.headers.get(name));
          // Sent as the owner wrote it (a string with its content type set is not serialised again).
          return reply.code(passed.status as 200).send(await passed.text());
        }
      }
      const joined = await registry.findByToken(token);
      if (!('runner' in joined)) return sendError(reply, joined);
      if (joined.placement.kind !== 'seat') return sendError(reply, failure('forbidden', 'the host has not let you in yet'));
      const { participant } = joined.placement;
      const secret = newToken();
      const issued = await joined.runner.act({ participantId: participant.id, role: participant.role }, { type: 'api-token', tokenHash: hashToken(secret) });
      if (!issued.ok) return sendError(reply, issued);
      const base = options.publicUrl ?? `https://${request.hostname.replace(/:\d+$/, '')}:${port}`;
      const { room } = joined.runner;
      return reply
        .header('content-type', 'application/yaml; charset=utf-8')
        .header('content-disposition', `attachment; filename="kubedrill-${room.code}.kubeconfig"`)
        .header('cache-control', 'no-store')
        .send(kubeconfigFor(`${base}/rooms/${room.id}`, secret, tls.cert, KUBE_API_SERVER_NAME));
    });
  },
  { name: 'kubedrill-kube-api', fastify: '5.x' },
);
