// How kubectl prints an error the apiserver (or the connection to it) returned.
import type { ApiError } from '../../cluster/types.js';

/** `Error from server (NotFound): …` with the newline; status 0 = connection failed. */
export function apiErrorText(error: ApiError): string {
  if (error.status === 0) return `${error.message}\n`;
  if (error.reason === 'InternalError') return `Error from server: ${error.message}\n`;
  return `Error from server (${error.reason}): ${error.message}\n`;
}
