// The address a request comes from, for per-address limits. Behind `hops` trusted reverse
// proxies it is read from X-Forwarded-For, `hops` entries from the right (what fastify's
// trustProxy does for HTTP); with no trusted proxy the header is ignored, so a client
// cannot pick its own address. IPv6 addresses are grouped by subnet as @fastify/rate-limit does.
import type { IncomingMessage } from 'node:http';
import { normalizeIP } from '@fastify/rate-limit';

export function clientAddress(request: Pick<IncomingMessage, 'headers' | 'socket'>, hops: number): string {
  const forwarded = String(request.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((address) => address.trim())
    .filter((address) => address !== '')
    .reverse();
  const chain = [request.socket.remoteAddress ?? '', ...forwarded];
  return normalizeIP(chain[Math.min(hops, chain.length - 1)]!);
}
