// Which facts of the world a line showed (cluster/facts.ts). Tools add reveals to the
// FactSink of their context; the runner keeps them next to the text they came with, hands
// them on through pipes, and at the end keeps the facts whose text is still in what the
// terminal printed. Only facts some evidence selects are kept at all, so the work is
// bounded by the scenario, not by the size of the output.
import { factKey, type Fact, type FactInterest, type FactScope, type FactSink, type PartialFact, type Reveal } from '../cluster/facts.js';

/**
 * At most this many distinct reveals are kept per command, and per line (a loop of 1000
 * commands): the work of checking them at the end of the line and of scoring stays bounded.
 */
const MAX_REVEALS_PER_COMMAND = 500;
export const MAX_REVEALS_PER_LINE = 2000;

/** What a line may still tag (shared by its commands). */
export interface RevealBudget {
  left: number;
}

/** A command's sink: reveals of facts the interest keeps, each (fact, text) once. */
export class RevealCollector implements FactSink {
  readonly reveals: Reveal[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly interest: FactInterest, private readonly budget: RevealBudget) {}

  wants(partial: PartialFact): boolean {
    return this.interest.wants(partial);
  }

  fields(partial: PartialFact): readonly string[] | undefined {
    return this.interest.fields(partial);
  }

  scopes(partial: PartialFact): readonly FactScope[] | undefined {
    return this.interest.scopes(partial);
  }

  add(reveal: Reveal): void {
    if (reveal.text === '' || this.reveals.length >= MAX_REVEALS_PER_COMMAND || this.budget.left <= 0 || !this.interest.keeps(reveal.fact)) return;
    const key = `${factKey(reveal.fact)}\u0001${reveal.text}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.reveals.push(reveal);
    this.budget.left--;
  }
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);

/**
 * Is `token` shown in `text` as a whole (not inside a longer word: "Cluster" is not shown by
 * "ClusterIP")? Linear: indexOf only.
 */
export function shows(text: string, token: string): boolean {
  const edgeFirst = isWordChar(token[0]);
  const edgeLast = isWordChar(token[token.length - 1]);
  for (let at = text.indexOf(token); at !== -1; at = text.indexOf(token, at + 1)) {
    if (edgeFirst && isWordChar(text[at - 1])) continue;
    if (edgeLast && isWordChar(text[at + token.length])) continue;
    return true;
  }
  // kubectl's YAML folds a long scalar at a space (go-yaml's 80 columns): a fold is still a space to the reader.
  return token.includes(' ') && text.length > 80 && text.includes('\n ') && showsFolded(text, token, edgeFirst, edgeLast);
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g;

/** `shows` where each space of `token` may be a YAML fold: a line break and the next line's indent (and `\` in double quotes). */
function showsFolded(text: string, token: string, edgeFirst: boolean, edgeLast: boolean): boolean {
  const pattern = new RegExp(token.split(' ').map((part) => part.replace(REGEX_SPECIAL, '\\$&')).join('(?: |\\n +\\\\?)'), 'g');
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const ok = !(edgeFirst && isWordChar(text[m.index - 1])) && !(edgeLast && isWordChar(text[m.index + m[0].length]));
    if (ok) return true;
    pattern.lastIndex = m.index + 1;
  }
  return false;
}

/** The reveals whose text `text` still shows (the rest were filtered away on the way). */
export function surviving(reveals: readonly Reveal[], text: string): Reveal[] {
  return reveals.filter((r) => shows(text, r.text));
}

/** Facts of the surviving reveals, each once, in the order first shown. */
export function distinctFacts(reveals: readonly Reveal[]): Fact[] {
  const out = new Map<string, Fact>();
  for (const r of reveals) {
    const key = factKey(r.fact);
    if (!out.has(key)) out.set(key, r.fact);
  }
  return [...out.values()];
}

/** Tags each non-empty line of `text` as the fact `{ ...partial, value: line }`, shown by the line itself. */
export function tagLines(sink: FactSink | undefined, partial: PartialFact & { field: string }, text: string): void {
  if (!sink || text === '' || !sink.wants(partial)) return;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line !== '') sink.add({ fact: { ...partial, value: line }, text: line });
  }
}
