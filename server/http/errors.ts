// Error codes → HTTP statuses, and the one error body every route sends.
import type { FastifyReply } from 'fastify';
import type { AckError, ErrorCode } from '../protocol/index.js';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  forbidden: 403,
  not_found: 404,
  room_ended: 409,
  rate_limited: 429,
  too_large: 413,
  conflict: 409,
  internal: 500,
};

export function sendError(reply: FastifyReply, error: AckError) {
  return reply.code(STATUS[error.error.code]).send({ error: error.error });
}

/** The bearer token of a request, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}
