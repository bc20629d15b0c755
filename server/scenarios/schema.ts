// The scenario file format: one zod schema, the single source of truth. The JSON Schema in
// scenarios/schema.json is generated from it (`kubedrill scenarios schema`). Every object is
// strict: an unknown key is an error, so a typo never silently does nothing.
//
// Variants and dressing: a file lists `variants` (the causes behind its symptom), each with
// `params`, and `dressing` (dimensions of names, topology, noise: lists of options, each a
// set of params). The room's seed draws the variant and each dimension's option
// independently (variant.ts); every `{{name}}` in the file is replaced by the drawn value
// before validation. Items of faults, evidence, remediation, harmful, hints and solutions
// may be limited to some variants with `variants: [ids]`.
import { z } from 'zod';
import { ClusterSpecSchema } from '../cluster/spec.js';
import { FaultActionSchema } from './faults.js';
import { FactSelectorSchema } from './facts.js';
import { PredicateSchema } from './predicates.js';

const Id = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase id (letters, digits, dashes)');
const Text = z.string().min(1);
/** Restricts an item to some variants (by id); absent = every variant. */
const OnlyVariants = z.array(Id).min(1).optional();

const ParamName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'param names are identifiers');
/** A param is any YAML value; a list or mapping may only stand alone (`nodes: '{{nodes}}'`). */
export const ParamValue: z.ZodType<import('./variant.js').ParamValue> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.array(ParamValue), z.record(z.string(), ParamValue)]));
const Params = z.record(ParamName, ParamValue);

export const VariantSchema = z.strictObject({
  id: Id,
  /** Values substituted for `{{name}}` anywhere in the file. */
  params: Params.default({}),
});

/**
 * Dimensions of dressing (names, topology, noise), each a list of options (sets of params);
 * the seed draws one option per dimension, independently of the variant and of each other.
 * Every option must suit every variant: nothing in the dressing may tell the cause.
 */
export const DressingSchema = z.record(ParamName, z.array(Params).min(1)).default({});

export const FaultSchema = z.strictObject({
  id: Id,
  title: Text,
  /** Seconds of simulated time: the fault fires at or after this time (default 0). */
  at: z.number().nonnegative().optional(),
  /**
   * Seconds before the room opened that it happened (a fault at time 0 only): its actions
   * apply at that past time, so the logs, unit states and heartbeats it leaves carry a history.
   */
  ago: z.number().positive().max(86_400).optional(),
  /** Fires only while this holds (checked every simulated second, from `at` on). */
  when: PredicateSchema.optional(),
  /** Not on the timeline: a host (facilitator, interviewer) injects it. */
  optional: z.boolean().default(false),
  /** Fires again every time its condition holds, not just once (e.g. a crash that comes back). */
  repeat: z.boolean().default(false),
  actions: z.array(FaultActionSchema).min(1),
  variants: OnlyVariants,
}).refine((f) => f.ago === undefined || (!f.at && !f.when && !f.optional && !f.repeat), { message: 'ago is for a fault of the start (no at, when, optional or repeat)', path: ['ago'] });

const CauseSchema = z.strictObject({ id: Id, title: Text });

export const EvidenceSchema = z.strictObject({
  id: Id,
  /** What players see in the diagnosis form: where one looks, never what one finds there. */
  label: Text,
  /** The finding itself (answer key). */
  text: Text,
  /** The facts that show it: any one of them observed (shown on the player's terminal) observes the item. */
  facts: z.array(FactSelectorSchema).min(1),
  /**
   * A key fact for this variant's root cause: the root-cause points need at least one key
   * item observed (a cause named without having seen what shows it is a guess).
   */
  key: z.boolean().default(false).meta({ description: "A key fact for the root cause: root-cause points need at least one key item observed." }),
  points: z.number().positive(),
  variants: OnlyVariants,
});

export const RemediationSchema = z.strictObject({
  id: Id,
  text: Text,
  predicate: PredicateSchema,
  points: z.number().positive(),
  /**
   * A "don't break it" check that may hold from the start (e.g. the app keeps serving): it
   * counts without having been seen broken, but only when a real (non-guard) fix was earned.
   * Any other remediation counts only if its predicate was false at some point of the session.
   */
  guard: z.boolean().default(false).meta({
    description: "A \"don't break it\" check that may hold from the start: counts only next to a real fix. Other remediations count only if their predicate was false at some point of the session.",
  }),
  variants: OnlyVariants,
});

/**
 * A harmful state only this scenario knows (e.g. CoreDNS's loop plugin removed while the loop
 * remains). The damage every scenario shares (data, nodes, namespaces, workloads, requests
 * lost) is measured from the world by the scorer (scoring/damage.ts), not listed here.
 */
export const HarmfulSchema = z.strictObject({
  id: Id,
  text: Text,
  /** A state of the cluster at the end that only damage produces. */
  predicate: PredicateSchema,
  penalty: z.number().positive(),
  variants: OnlyVariants,
});

export const HintSchema = z.strictObject({
  id: Id,
  text: Text,
  cost: z.number().nonnegative(),
  /** Solo rooms offer it automatically after this many seconds. */
  afterSec: z.number().nonnegative().optional(),
  variants: OnlyVariants,
});

export const AnswerKeySchema = z.strictObject({
  rootCause: z.strictObject({ id: Id, title: Text, explanation: Text }),
  /** Right component, wrong mechanism: half the root-cause points. */
  partial: z.array(CauseSchema.extend({ why: Text })).default([]),
  /** Plausible wrong causes; one equal to the root cause's id is dropped (variants share the list). */
  distractors: z.array(CauseSchema).min(2),
  evidence: z.array(EvidenceSchema).min(1),
  remediation: z.array(RemediationSchema).min(1),
  harmful: z.array(HarmfulSchema).default([]),
  hints: z.array(HintSchema).default([]),
  /** Prevention worth mentioning in a review (shown to hosts and in the report). */
  prevention: z.array(Text).default([]),
});

/** A step of the reference solution: a command line, or simulated seconds of waiting. */
const SolutionStep = z.union([z.string().min(1), z.strictObject({ wait: z.number().positive() })], {
  error: 'a step is a command line (a string) or { wait: seconds }',
});

/** A reference run: what an expert types, and the diagnosis they submit. One per variant. */
export const SolutionSchema = z.strictObject({
  variants: OnlyVariants,
  steps: z.array(SolutionStep).min(1),
  diagnosis: z.strictObject({ rootCause: Id, secondCause: Id.optional(), text: Text, evidence: z.array(Id) }),
});

/**
 * A second fault a host may stack onto the incident (Klustered-style: two causes at once).
 * It is injected into the same world with its own history and answered with its own key;
 * it must not contradict the main cause (`variants`: the main causes it stacks on).
 */
export const StackSchema = z.strictObject({
  id: Id,
  /** What the host reads about it. */
  title: Text,
  variants: OnlyVariants,
  /** Added to the briefing of a stacked room; the same for every stack of the file (it must not tell which). */
  briefing: Text,
  faults: z.array(FaultSchema).default([]),
  answer: z.strictObject({
    rootCause: z.strictObject({ id: Id, title: Text, explanation: Text }),
    /** Wrong causes offered next to it in every stacked room of the file. */
    distractors: z.array(CauseSchema).default([]),
    evidence: z.array(EvidenceSchema).min(1),
    remediation: z.array(RemediationSchema).min(1),
    harmful: z.array(HarmfulSchema).default([]),
    hints: z.array(HintSchema).default([]),
    prevention: z.array(Text).default([]),
  }),
  /** What an expert adds to the main cause's reference run: steps after it, and the second cause with its evidence. */
  solution: z.strictObject({ steps: z.array(SolutionStep).min(1), rootCause: Id, evidence: z.array(Id) }),
});

/**
 * A stack several incidents share, used by id: `scenarios/stacks/<use>.yaml` beside the
 * scenario file holds the stack but its briefing and variants, which are the incident's own
 * (load.ts resolves it before validation). `params` fill the shared file's own `{{name}}`s
 * (text only); the scenario's params fill the rest, as anywhere in the file.
 */
export const StackRefSchema = z.strictObject({
  use: Id.meta({ description: 'The shared stack: scenarios/stacks/<use>.yaml.' }),
  variants: OnlyVariants,
  /** Added to the briefing of a stacked room; the same for every stack of the file (it must not tell which). */
  briefing: Text,
  params: z.record(ParamName, z.union([z.string(), z.number(), z.boolean()])).default({}),
});

/** A folk remedy that looks plausible and must not fix any cause. */
export const AntiSolutionSchema = z.strictObject({
  name: Text,
  variants: OnlyVariants,
  steps: z.array(SolutionStep).min(1),
});

export const ScenarioSchema = z
  .strictObject({
    /** The editor hint (`$schema: ./schema.json`) some authors put in the file itself. */
    $schema: z.string().optional(),
    id: Id,
    title: Text,
    difficulty: z.enum(['easy', 'medium', 'hard']),
    timeLimitSec: z.number().int().positive(),
    tags: z.array(z.string()).default([]),
    /** The symptom as a user or an alert reports it: never the cause. */
    briefing: Text,
    variants: z.array(VariantSchema).min(1).default([{ id: 'default', params: {} }]),
    dressing: DressingSchema,
    cluster: ClusterSpecSchema,
    faults: z.array(FaultSchema).default([]),
    answer: AnswerKeySchema,
    /** Reference solutions; each variant uses the first one that applies to it. */
    solutions: z.array(SolutionSchema).min(1),
    /** Folk remedies (restart the pods, reboot the node, …): `scenarios check` proves none solves any variant. */
    antiSolutions: z.array(AntiSolutionSchema).default([]),
    /** Second faults a host may stack onto this incident (`variant.ts` forStack). */
    stacks: z.array(StackSchema).default([]),
    /** What a player should budget, shown in the lobby. */
    estimatedMinutes: z.number().int().positive().optional(),
  })
  .meta({ id: 'Scenario', title: 'kubedrill scenario' });

/**
 * The file as authors write it, for editors (scenarios/schema.json): a stack may be used from
 * scenarios/stacks/ by id. The loader resolves those before validating with ScenarioSchema.
 */
const ScenarioFileSchema = ScenarioSchema.extend({ stacks: z.array(z.union([StackSchema, StackRefSchema])).default([]) }).meta({ id: 'Scenario', title: 'kubedrill scenario' });

/** `stacked`: the second fault merged into a stacked room's scenario (forStack); absent in a single-fault one. */
export type Scenario = z.infer<typeof ScenarioSchema> & { stacked?: Stack };
export type Stack = z.infer<typeof StackSchema>;
export type StackRef = z.infer<typeof StackRefSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type Fault = z.infer<typeof FaultSchema>;
export type Evidence = z.infer<typeof EvidenceSchema>;
export type Remediation = z.infer<typeof RemediationSchema>;
export type Harmful = z.infer<typeof HarmfulSchema>;
export type Hint = z.infer<typeof HintSchema>;
export type AnswerKey = z.infer<typeof AnswerKeySchema>;
export type SolutionStepValue = z.infer<typeof SolutionStep>;
export type Solution = z.infer<typeof SolutionSchema>;

/** The JSON Schema editors use (scenarios/schema.json). Params make any value a string, so inputs are described. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ScenarioFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
