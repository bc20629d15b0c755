// Tests that play one given case: variant number `n` (in file order, or a named one) under option `n` of
// every dressing dimension (wrapping), which keeps the names each variant had before the
// dressing was drawn independently (the option lists start in the old variants' order).
import { pinInstance, type Instance, type LoadedScenario } from '../../server/scenarios/variant.js';

export function pinnedCase(loaded: LoadedScenario, n: number, variant = loaded.variants[n % loaded.variants.length]!.id): Instance {
  return pinInstance(loaded, variant, Object.fromEntries(loaded.dressing.map((d) => [d.name, n])));
}
