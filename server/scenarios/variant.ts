// Variants and dressing. A scenario file lists `variants` — the causes behind its one
// symptom — and `dressing` — dimensions of names, topology and noise, each a list of
// options. The room's seed draws the cause and every dressing dimension independently
// (draw()), so knowing the names tells nothing about the cause, and one seed's session
// says little about another's. The chosen variant's params and each chosen option's params
// are substituted for `{{name}}` everywhere in the file before validation. Items of faults,
// evidence, remediation, harmful, hints and solutions may be limited to some variants with
// `variants: [ids]`; they are dropped here for the others.
import type { Scenario, Solution, Stack } from './schema.js';

export type ParamValue = string | number | boolean | ParamValue[] | { [key: string]: ParamValue };
export type ParamValues = Record<string, ParamValue>;

const WHOLE = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;
const INLINE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
/** Top-level keys whose text is params, not scenario: never substituted. */
const UNSUBSTITUTED = new Set(['variants', 'dressing']);

export interface SubstitutionError {
  path: (string | number)[];
  message: string;
}

/**
 * Replace `{{name}}` placeholders in every string of a parsed YAML value. A string that is
 * only a placeholder takes the param's type (so `replicas: "{{replicas}}"` becomes a number);
 * such an item of a list whose param is itself a list is spliced in (`nodes: [a, '{{more}}']`).
 */
export function substitute(value: unknown, params: ParamValues, errors: SubstitutionError[], path: (string | number)[] = [], leaveUnknown = false): unknown {
  // leaveUnknown: a shared stack's own params are filled first, the scenario's later (load.ts).
  const unknown = (name: string) => {
    if (!leaveUnknown) errors.push({ path, message: `unknown param "{{${name}}}"` });
  };
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) {
      const v = params[whole[1]!];
      if (v === undefined) unknown(whole[1]!);
      return v === undefined ? value : structuredClone(v);
    }
    return value.replace(INLINE, (m, name: string) => {
      const v = params[name];
      if (v === undefined) {
        unknown(name);
        return m;
      }
      if (typeof v === 'object') {
        errors.push({ path, message: `param "{{${name}}}" is a list or mapping: it can only stand alone, not inside text` });
        return m;
      }
      return String(v);
    });
  }
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => {
      const whole = typeof v === 'string' ? WHOLE.exec(v) : null;
      const spliced = whole ? params[whole[1]!] : undefined;
      if (Array.isArray(spliced)) return structuredClone(spliced);
      return [substitute(v, params, errors, [...path, i], leaveUnknown)];
    });
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (UNSUBSTITUTED.has(k) && path.length === 0) {
        out[k] = v;
        continue;
      }
      // A key may hold params too (`'ghcr.io/acme/{{app}}:2.4.0': …` under cluster images); it stays text.
      const sub = k.includes('{{') ? substitute(k, params, errors, [...path, k], leaveUnknown) : k;
      if (typeof sub !== 'string') errors.push({ path: [...path, k], message: 'a key takes text only, not a list or mapping param' });
      const key = typeof sub === 'string' ? sub : k;
      out[key] = substitute(v, params, errors, [...path, k], leaveUnknown);
    }
    return out;
  }
  return value;
}

const applies = (item: { variants?: string[] | undefined }, variantId: string) => !item.variants || item.variants.includes(variantId);

/** The scenario as one variant sees it: other variants' items removed, the root cause not offered twice. */
export function forVariant(s: Scenario, variantId: string): Scenario {
  const a = s.answer;
  return {
    ...s,
    faults: s.faults.filter((f) => applies(f, variantId)),
    solutions: s.solutions.filter((x) => applies(x, variantId)).slice(0, 1),
    antiSolutions: s.antiSolutions.filter((x) => applies(x, variantId)),
    answer: {
      ...a,
      distractors: a.distractors.filter((d) => d.id !== a.rootCause.id && !a.partial.some((p) => p.id === d.id)),
      evidence: a.evidence.filter((e) => applies(e, variantId)),
      remediation: a.remediation.filter((r) => applies(r, variantId)),
      harmful: a.harmful.filter((h) => applies(h, variantId)),
      hints: a.hints.filter((h) => applies(h, variantId)),
    },
  };
}

/** The stacks a variant's scenario may take (load checks there is one per variant when the file declares any). */
export function stacksFor(s: Scenario, variantId: string): Stack[] {
  return s.stacks.filter((x) => applies(x, variantId));
}

/**
 * A variant's scenario with a second fault stacked on it: both faults in one world, both
 * answer keys (the second's items after the first's), and one reference run that finds
 * both. The diagnosis form offers every stack's causes, so the causes say nothing of which
 * stack was drawn.
 */
export function forStack(s: Scenario, stack: Stack): Scenario {
  const a = s.answer;
  const b = stack.answer;
  const main = solutionOf(s);
  const mine = new Set([a.rootCause.id, b.rootCause.id, ...a.partial.map((p) => p.id), ...a.distractors.map((d) => d.id)]);
  const offered = new Map(s.stacks.flatMap((x) => [x.answer.rootCause, ...x.answer.distractors]).filter((c) => !mine.has(c.id)).map((c) => [c.id, { id: c.id, title: c.title }]));
  return {
    ...s,
    briefing: `${s.briefing.trimEnd()}\n\n${stack.briefing}`,
    faults: [...s.faults, ...stack.faults],
    solutions: [{
      steps: [...main.steps, ...stack.solution.steps],
      diagnosis: { ...main.diagnosis, secondCause: stack.solution.rootCause, evidence: [...main.diagnosis.evidence, ...stack.solution.evidence] },
    }],
    answer: {
      ...a,
      distractors: [...a.distractors, ...offered.values()],
      evidence: [...a.evidence, ...b.evidence],
      remediation: [...a.remediation, ...b.remediation],
      harmful: [...a.harmful, ...b.harmful],
      hints: [...a.hints, ...b.hints],
      prevention: [...a.prevention, ...b.prevention],
    },
    stacked: stack,
  };
}

/** The reference solution of a variant's scenario (load checks there is one). */
export function solutionOf(s: Scenario): Solution {
  return s.solutions[0]!;
}

/** FNV-1a of a label, so each draw of a seed gets its own stream. */
function labelHash(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** splitmix32's finaliser over (seed, label): a well-spread 32-bit value, independent per label. */
export function seedHash(seed: number, label: string): number {
  let z = (Math.trunc(seed) ^ Math.imul(labelHash(label), 0x9e3779b9)) >>> 0;
  z = (z + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  z = (z ^ (z >>> 16)) >>> 0;
  // The high half of the seed counts too (seeds are up to 2^53).
  const high = Math.floor(Math.trunc(seed) / 2 ** 32) >>> 0;
  return high === 0 ? z : seedHash(z, `${label}#${high}`);
}

/** An index in [0, count) drawn from the seed for one purpose (`label`): the draws are independent. */
export function draw(seed: number, label: string, count: number): number {
  return seedHash(seed, label) % count;
}

/** What a seed draws: the variant (cause) and one option per dressing dimension. */
export interface Draw {
  variant: number;
  dressing: Record<string, number>;
}

export interface DressingDimension {
  name: string;
  options: ParamValues[];
}

/** A loaded scenario file: its variants and dressing, validated; instances are built on demand. */
export interface LoadedScenario {
  file: string;
  /** scenarioHash of the file's text. */
  hash: string;
  id: string;
  title: string;
  difficulty: Scenario['difficulty'];
  timeLimitSec: number;
  /** Each variant with the first option of every dressing dimension (labels, listings). */
  variants: { id: string; scenario: Scenario }[];
  dressing: DressingDimension[];
  /** Builds the scenario of a variant under a choice of dressing options (validated at load). */
  build: (variant: number, dressing: Record<string, number>) => Scenario;
}

export interface Instance {
  scenario: Scenario;
  variantId: string;
  /** The stacked second fault's id, in a stacked room. */
  stackId?: string;
  seed: number;
  /** The option each dressing dimension drew (by dimension name). */
  dressing: Record<string, number>;
}

/** What a seed draws for this file. */
export function drawFor(loaded: Pick<LoadedScenario, 'variants' | 'dressing'>, seed: number): Draw {
  const dressing: Record<string, number> = {};
  for (const d of loaded.dressing) dressing[d.name] = draw(seed, `dressing:${d.name}`, d.options.length);
  return { variant: draw(seed, 'variant', loaded.variants.length), dressing };
}

/**
 * The scenario a room plays for this seed (cause and dressing drawn, other variants' items
 * dropped); `stacked`: with a second fault drawn among the variant's stacks (none declared: none).
 */
export function instantiate(loaded: LoadedScenario, seed: number, stacked = false): Instance {
  const d = drawFor(loaded, seed);
  const variantId = loaded.variants[d.variant]!.id;
  const instance: Instance = { scenario: loaded.build(d.variant, d.dressing), variantId, seed, dressing: d.dressing };
  const stacks = stacked ? stacksFor(instance.scenario, variantId) : [];
  return stacks.length === 0 ? instance : withStack(instance, stacks[draw(seed, 'stack', stacks.length)]!);
}

function withStack(instance: Instance, stack: Stack): Instance {
  return { ...instance, scenario: forStack(instance.scenario, stack), stackId: stack.id };
}

/** The `nth` smallest seed ≥ 0 that draws this variant (for checks and tests that need a given cause). */
export function seedForVariant(loaded: LoadedScenario, variantId: string, nth = 0): number {
  const index = loaded.variants.findIndex((v) => v.id === variantId);
  if (index < 0) throw new Error(`no variant "${variantId}" in ${loaded.id}`);
  let found = 0;
  for (let seed = 0; ; seed++) if (draw(seed, 'variant', loaded.variants.length) === index && found++ === nth) return seed;
}

/**
 * A given variant under given dressing options (default: every dimension's first), with a
 * seed that draws that variant: what checks and tests use to play one case on purpose.
 */
export function pinInstance(loaded: LoadedScenario, variantId: string, choice: Record<string, number> = {}, stackId?: string): Instance {
  const index = loaded.variants.findIndex((v) => v.id === variantId);
  if (index < 0) throw new Error(`no variant "${variantId}" in ${loaded.id}`);
  const dressing = Object.fromEntries(loaded.dressing.map((d) => [d.name, (choice[d.name] ?? 0) % d.options.length]));
  const instance: Instance = { scenario: loaded.build(index, dressing), variantId, seed: seedForVariant(loaded, variantId), dressing };
  if (stackId === undefined) return instance;
  const stack = stacksFor(instance.scenario, variantId).find((x) => x.id === stackId);
  if (!stack) throw new Error(`no stack "${stackId}" on variant "${variantId}" of ${loaded.id}`);
  return withStack(instance, stack);
}
