// Evidence names facts of the world, not command patterns (cluster/facts.ts). A selector
// picks the facts an evidence item stands for; any one of them observed makes the item
// observed, whatever command showed it. Plain string comparisons only (equals, a prefix,
// a substring): no pattern an author writes ever runs over player text.
import { z } from 'zod';
import { FACT_SOURCES, type Fact, type FactInterest, type PartialFact } from '../cluster/facts.js';

const Name = z.string().min(1);

export const FactSelectorSchema = z
  .strictObject({
    source: z.enum(FACT_SOURCES).meta({ description: 'Where the fact lives: object, event, log, etcd, host, nat, api, dns, traffic (see docs/ARCHITECTURE.md).' }),
    node: Name.optional(),
    kind: Name.optional().meta({ description: 'API kind of the object (Node, Pod, Service, ConfigMap…), or of an event\'s involved object.' }),
    namespace: Name.optional(),
    name: Name.optional(),
    namePrefix: Name.optional().meta({ description: 'The name starts with this (pods: `coredns-`).' }),
    field: Name.optional().meta({ description: 'A field path (spec.taints, metadata.labels.pool, data.Corefile), an event reason, a container, or a host part (disk, unit, file, journal).' }),
    equals: z.string().optional().meta({ description: 'The value shown is exactly this.' }),
    contains: Name.optional().meta({ description: 'The value shown contains this text.' }),
  })
  .refine((s) => !(s.name !== undefined && s.namePrefix !== undefined), { message: 'give name or namePrefix, not both' })
  .meta({ id: 'FactSelector' });

export type FactSelector = z.infer<typeof FactSelectorSchema>;

/** Does this fact satisfy the selector? Every attribute given must hold. */
export function matchesFact(s: FactSelector, f: Fact): boolean {
  return (
    s.source === f.source &&
    (s.node === undefined || s.node === f.node) &&
    (s.kind === undefined || s.kind === f.kind) &&
    (s.namespace === undefined || s.namespace === f.namespace) &&
    (s.name === undefined || s.name === f.name) &&
    (s.namePrefix === undefined || (f.name ?? '').startsWith(s.namePrefix)) &&
    (s.field === undefined || s.field === f.field) &&
    (s.equals === undefined || s.equals === f.value) &&
    (s.contains === undefined || f.value.includes(s.contains))
  );
}

/** Could a fact with the attributes known so far still match the selector? */
function mayMatch(s: FactSelector, f: PartialFact): boolean {
  return (
    s.source === f.source &&
    (s.node === undefined || f.node === undefined || s.node === f.node) &&
    (s.kind === undefined || f.kind === undefined || s.kind === f.kind) &&
    (s.namespace === undefined || f.namespace === undefined || s.namespace === f.namespace) &&
    (s.name === undefined || f.name === undefined || s.name === f.name) &&
    (s.namePrefix === undefined || f.name === undefined || f.name.startsWith(s.namePrefix)) &&
    (s.field === undefined || f.field === undefined || s.field === f.field)
  );
}

/**
 * The facts tools should tag for these selectors: tools skip building every other one.
 * Selectors are indexed by source and kind, so a tool asking about each of 15,000 listed
 * pods compares against the few selectors that can name a pod, not against all of them.
 */
export function factInterest(selectors: readonly FactSelector[]): FactInterest {
  // Per source, or source + kind: the selectors that may name such a fact (kindless ones name any kind).
  const lists = new Map<string, readonly FactSelector[]>();
  const candidates = (f: PartialFact): readonly FactSelector[] => {
    const key = f.kind === undefined ? f.source : `${f.source}\u0000${f.kind}`;
    let list = lists.get(key);
    if (!list) {
      list = selectors.filter((s) => s.source === f.source && (f.kind === undefined || s.kind === undefined || s.kind === f.kind));
      // Bounded: one list per source and per kind a tool asked about (kinds are a closed set).
      if (lists.size < 1000) lists.set(key, list);
    }
    return list;
  };
  return {
    wants: (partial) => candidates(partial).some((s) => mayMatch(s, partial)),
    fields: (partial) => {
      const matching = candidates(partial).filter((s) => mayMatch(s, partial));
      return matching.some((s) => s.field === undefined) ? undefined : [...new Set(matching.map((s) => s.field!))];
    },
    scopes: (partial) => {
      const matching = candidates(partial).filter((s) => mayMatch(s, partial));
      if (matching.some((s) => s.namespace === undefined)) return undefined;
      return matching.map((s) => ({ namespace: s.namespace!, ...(s.name !== undefined ? { name: s.name } : {}), ...(s.namePrefix !== undefined ? { namePrefix: s.namePrefix } : {}) }));
    },
    keeps: (fact) => candidates(fact).some((s) => matchesFact(s, fact)),
  };
}
