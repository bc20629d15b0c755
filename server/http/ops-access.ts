// Who may read the operator routes (/metrics, /docs): everyone, nobody (the route is not
// served at all), or holders of KUBEDRILL_OPS_TOKEN as `Authorization: Bearer <token>`.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OpsAccess } from '../config.js';
import { failure } from '../protocol/index.js';
import { bearerToken, sendError } from './errors.js';

export interface OpsRouteAccess {
  access: OpsAccess;
  token?: string | undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** An onRequest hook refusing requests without the ops token (for `token` access). */
export function requireOpsToken(expected: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const given = bearerToken(request.headers.authorization);
    if (given === undefined || !sameSecret(given, expected)) return sendError(reply, failure('forbidden', 'send the operator token as "Authorization: Bearer <token>"'));
  };
}
