// Tests that play one given case: variant number `n` (in file order, or a named one) under option `n` of
// every dressing dimension (wrapping), which keeps the names each variant had before the
// dressing was drawn independently (the option lists start in the old variants' order).
import { drawFor, pinInstance, type Instance, type LoadedScenario } from '../../server/scenarios/variant.js';

export function pinnedCase(loaded: LoadedScenario, n: number, variant = loaded.variants[n % loaded.variants.length]!.id): Instance {
  return pinInstance(loaded, variant, Object.fromEntries(loaded.dressing.map((d) => [d.name, n])));
}

/** The first seed that draws this variant and these dressing options (for tests that go through a room's seed). */
export function seedDrawing(loaded: LoadedScenario, variant: string, dressing: Record<string, number> = {}): number {
  for (let seed = 0; seed < 1_000_000; seed++) {
    const d = drawFor(loaded, seed);
    if (loaded.variants[d.variant]!.id === variant && Object.entries(dressing).every(([dim, option]) => d.dressing[dim] === option)) return seed;
  }
  throw new Error(`no seed draws ${loaded.id}/${variant} with ${JSON.stringify(dressing)}`);
}
