// The game server's Kubernetes API (room-kube-api.ts) on an HTTPS listener of its own, and
// the kubeconfig a seat downloads for it (`POST /api/kubeconfig` with the seat's token).
//
// Why a port of its own, with TLS: kubectl sends a bearer token only over TLS, and the game
// server itself is usually plain HTTP behind a proxy that terminates TLS with a certificate
// the player's kubectl would have to trust anyway. So this listener makes a self-signed
// certificate at start (one per server process); every kubeconfig carries it as the cluster's
// certificate authority, with `tls-server-name` naming the certificate's own name, so it
// verifies whichever address the player reaches the server by. The kubeconfig names this
// process's listener: a process that stops serving the room refuses cleanly (a new download).
import type { AddressInfo } from 'node:net';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { kubeconfigFor } from '../cli/api-command.js';
import { HttpError, failure } from '../protocol/index.js';
import { hashToken, newToken } from '../rooms/tokens.js';
import { bearerToken, sendError } from './errors.js';
import { buildKubeApi, selfSignedCert } from './kube-api.js';
import { roomsBackend } from './room-kube-api.js';

export interface KubeApiServing {
  /** Port of the HTTPS listener (0: any free one). */
  port: number;
  /** Address it listens on. */
  host: string;
  /** The URL kubeconfigs name (default `https://<the host the browser used>:<port>`). */
  publicUrl?: string;
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

export const kubeApiPlugin = fp<KubeApiServing>(
  async (app: FastifyInstance, options) => {
    const { registry } = app.game;
    const tls = await selfSignedCert([KUBE_API_SERVER_NAME]);
    const kubeApi = buildKubeApi({
      backend: roomsBackend(registry), tls, bodyLimit: SEAT_BODY_BYTES, perSessionPerMinute: SEAT_REQUESTS_PER_MINUTE, watchesPerSession: SEAT_WATCHES, maxWatches: ROOMS_WATCHES,
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
