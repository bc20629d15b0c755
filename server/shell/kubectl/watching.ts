// Commands that wait (`rollout status`, `get -w`) let simulated time pass in steps while they
// watch, as far as the line's allowance goes (ctx.passTime, see `sleep`); a line cannot be
// interrupted, so a bound ends them where a real terminal would need Ctrl-C.

import { parseDuration } from '../../cluster/quantity.js';
import type { ParsedFlags } from './types.js';

/**
 * --request-timeout as client-go reads it (clientcmd ParseTimeout: a whole number is seconds,
 * else a Go duration; 0 is none): how long a request, a watch included, may last, in ms; or
 * the error kubectl prints for a value it cannot read.
 */
export function requestTimeout(flags: ParsedFlags): { ms: number } | { error: string } {
  const text = flags.string('request-timeout') ?? '0';
  // strconv.ParseInt reads whole seconds up to int64's; time.ParseDuration knows no days.
  const ms = /^\d+$/.test(text) ? (BigInt(text) < 2n ** 63n ? Number(text) * 1000 : null) : text.includes('d') ? null : parseDuration(text);
  if (ms === null) return { error: 'error: Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a unit of time (i.e. 1s | 2m | 3h)\n' };
  return { ms };
}

/** Simulated time between two looks. */
export const WATCH_STEP_MS = 1000;
/** Most simulated time one watching command lets pass. */
export const MAX_WATCH_MS = 60_000;

/**
 * Calls `look` after each step of simulated time until it returns true (done) or time may
 * not pass any more; returns whether `look` said done.
 */
export function watchFor(passTime: ((ms: number) => number) | undefined, look: () => boolean, maxMs = MAX_WATCH_MS): boolean {
  if (!passTime) return false;
  for (let waited = 0; waited < maxMs; waited += WATCH_STEP_MS) {
    if (passTime(WATCH_STEP_MS) < WATCH_STEP_MS) return false;
    if (look()) return true;
  }
  return false;
}
