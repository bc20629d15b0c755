// Variants: the room's seed picks one of a scenario's variants (seed modulo their count,
// so consecutive seeds give different variants), whose params were substituted for
// `{{name}}` when the file was loaded. Items limited to other variants are dropped here.
import type { Scenario, Solution } from './schema.js';

export type ParamValues = Record<string, string | number | boolean>;

const WHOLE = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;
const INLINE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export interface SubstitutionError {
  path: (string | number)[];
  message: string;
}

/**
 * Replace `{{name}}` placeholders in every string of a parsed YAML value. A string that is
 * only a placeholder takes the param's type (so `replicas: "{{replicas}}"` becomes a number).
 */
export function substitute(value: unknown, params: ParamValues, errors: SubstitutionError[], path: (string | number)[] = []): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) {
      const v = params[whole[1]!];
      if (v === undefined) errors.push({ path, message: `unknown param "{{${whole[1]}}}"` });
      return v ?? value;
    }
    return value.replace(INLINE, (m, name: string) => {
      const v = params[name];
      if (v === undefined) {
        errors.push({ path, message: `unknown param "{{${name}}}"` });
        return m;
      }
      return String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, params, errors, [...path, i]));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === 'variants' && path.length === 0 ? v : substitute(v, params, errors, [...path, k]);
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

/** The reference solution of a variant's scenario (load checks there is one). */
export function solutionOf(s: Scenario): Solution {
  return s.solutions[0]!;
}

/** The variant index a seed selects: seed modulo the number of variants. */
export function variantIndex(seed: number, count: number): number {
  return ((Math.trunc(seed) % count) + count) % count;
}

/** A loaded scenario file: one fully validated Scenario per variant. */
export interface LoadedScenario {
  file: string;
  id: string;
  title: string;
  difficulty: Scenario['difficulty'];
  timeLimitSec: number;
  variants: { id: string; scenario: Scenario }[];
}

export interface Instance {
  scenario: Scenario;
  variantId: string;
  seed: number;
}

/** The scenario a room plays for this seed (params applied, other variants' items dropped). */
export function instantiate(loaded: LoadedScenario, seed: number): Instance {
  const v = loaded.variants[variantIndex(seed, loaded.variants.length)]!;
  return { scenario: v.scenario, variantId: v.id, seed };
}
