// Error codes → HTTP statuses, the one error body every route sends, and the app's error
// handler: request problems answer 4xx with what was wrong (zod issues for a body that does
// not match its schema); anything else answers a bare 500 and is logged. No answer carries
// a stack trace, a file path or a database message.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { AckError, ErrorCode, HttpError } from '../protocol/index.js';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  forbidden: 403,
  not_found: 404,
  room_ended: 409,
  rate_limited: 429,
  too_large: 413,
  conflict: 409,
  room_broken: 410,
  internal: 500,
  unavailable: 503,
};

export function sendError(reply: FastifyReply, error: AckError) {
  return reply.code(STATUS[error.error.code]).send({ error: error.error });
}

/** The error code of a 4xx status fastify or one of its plugins answered with. */
function codeOf(status: number): ErrorCode {
  if (status === 413) return 'too_large';
  if (status === 429) return 'rate_limited';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  return 'bad_request';
}

export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((issue) => ({ path: issue.instancePath || '/', message: issue.message ?? 'invalid' }));
    const part = error.validationContext ?? 'request';
    const body: HttpError = { error: { code: 'bad_request', message: `invalid ${part}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues } };
    return reply.code(400).send(body);
  }
  const status = error.statusCode ?? 500;
  // fastify's own 4xx errors (bad JSON, body too large, unsupported type) say only what was wrong with the request.
  if (status >= 400 && status < 500) return reply.code(status).send({ error: { code: codeOf(status), message: error.message } } satisfies HttpError);
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } } satisfies HttpError);
}

/** The bearer token of a request, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}
