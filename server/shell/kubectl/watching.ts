// Commands that wait (`rollout status`, `get -w`) let simulated time pass in steps while they
// watch, as far as the line's allowance goes (ctx.passTime, see `sleep`); a line cannot be
// interrupted, so a bound ends them where a real terminal would need Ctrl-C.

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
