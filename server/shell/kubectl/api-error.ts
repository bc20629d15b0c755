// How kubectl prints an error the apiserver (or the connection to it) returned, and the
// evidence such an error is.
import type { FactSink } from '../../cluster/facts.js';
import type { ApiError } from '../../cluster/types.js';

/**
 * Shows an error a condition of the world produced (cluster/api.ts answering; a refused client
 * certificate; the metrics API down) as the `api` fact of its own message, never of the line
 * printed: that line may echo a name the player chose, and so could any text matching it.
 */
export function tagApiError(sink: FactSink | undefined, message: string): void {
  const partial = { source: 'api', field: 'error' } as const;
  if (sink?.wants(partial)) sink.add({ fact: { ...partial, value: message }, text: message });
}

/** `Error from server (NotFound): …` with the newline; status 0 = connection failed. */
export function apiErrorText(error: ApiError): string {
  if (error.status === 0) return `${error.message}\n`;
  if (error.reason === 'InternalError') return `Error from server: ${error.message}\n`;
  return `Error from server (${error.reason}): ${error.message}\n`;
}
