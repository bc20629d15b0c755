// The one enum of error codes every ack and HTTP error carries, and the ack envelope.
// Expected failures are values: the server answers `{ ok: false, error }`, never throws.
import { z } from 'zod';

export const ERROR_CODES = [
  'bad_request',
  'forbidden',
  'not_found',
  'room_ended',
  'rate_limited',
  'too_large',
  'conflict',
  /** The room's log could not be rebuilt: the room is closed for good. */
  'room_broken',
  'internal',
  /**
   * Try again later: the server is at a limit it keeps (e.g. open rooms), or saving is
   * unavailable (the database is down) and the room waits and retries.
   */
  'unavailable',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({ code: ErrorCode, message: z.string() });
export type ErrorBody = z.infer<typeof ErrorBody>;

export const AckError = z.object({ ok: z.literal(false), error: ErrorBody });
export type AckError = z.infer<typeof AckError>;

/** `{ ok: true, ...data } | { ok: false, error }` — what every socket ack looks like. */
export type Ack<T extends object = object> = ({ ok: true } & T) | AckError;

export function ackSchema<T extends z.ZodRawShape>(shape: T) {
  return z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), ...shape }), AckError]);
}

export const failure = (code: ErrorCode, message: string): AckError => ({ ok: false, error: { code, message } });
