// Which web pages may drive this server. A browser sends `Origin` on every cross-site
// request that could change something or read an answer (fetch/XHR, POST, WebSocket), so:
// - no Origin: not a browser acting for another site (curl, a same-origin page load) → allowed;
// - Origin in KUBEDRILL_ALLOWED_ORIGINS → allowed;
// - Origin naming the host the request was sent to (the page this server served) → allowed,
//   if that host is an IP address or `localhost`: a DNS name could be an attacker's, rebound
//   to this machine (DNS rebinding), so a server reached by name lists that name;
// - anything else (another site, `null` from a sandbox or file://) → refused.
// Checked for every HTTP request (onRequest) and for socket.io's handshake (polling and WebSocket).
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';
import { failure } from '../protocol/index.js';
import { sendError } from './errors.js';

export type OriginCheck = (request: Pick<IncomingMessage, 'headers'>) => boolean;

declare module 'fastify' {
  interface FastifyInstance {
    originAllowed: OriginCheck;
  }
}

function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

export function originCheck(allowedOrigins: readonly string[]): OriginCheck {
  const allowed = new Set(allowedOrigins.map((origin) => new URL(origin).origin));
  return ({ headers }) => {
    const origin = headers.origin;
    if (origin === undefined) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (allowed.has(url.origin)) return true;
    const hostname = hostnameOf(url.host);
    return url.host === headers.host && hostname !== undefined && (hostname === 'localhost' || isIP(hostname) !== 0);
  };
}

export const originPlugin = fp<{ allowedOrigins: readonly string[] }>(
  async (app, options) => {
    const check = originCheck(options.allowedOrigins);
    app.decorate('originAllowed', check);
    app.addHook('onRequest', async (request, reply) => {
      if (!check(request.raw)) return sendError(reply, failure('forbidden', 'requests from this origin are not allowed'));
    });
  },
  { name: 'kubedrill-origin', fastify: '5.x' },
);
