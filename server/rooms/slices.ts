// Long folds (a rebuild from an old log, a replay's overview timeline) run in slices of a
// few milliseconds, letting the event loop serve other rooms between them.

/** Engine time one slice may take before the event loop gets a turn. */
export const SLICE_MS = 10;

/** Calls `each` on every item in order, yielding to the event loop whenever a slice is used up. */
export async function inSlices<T>(items: Iterable<T>, each: (item: T) => void): Promise<void> {
  let sliceStart = performance.now();
  for (const item of items) {
    each(item);
    if (performance.now() - sliceStart >= SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}
