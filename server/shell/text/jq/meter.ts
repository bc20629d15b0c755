// The work one jq run may do, in steps (a node evaluated, a value produced, an element copied).
// Module state so that value helpers deep in a run (printing, comparing) can charge it; runs
// are synchronous and each starts with `startBudget`. Its own module so value.ts and eval.ts
// both charge it without importing each other.

const meter = { left: 0, run: 0 };

export class BudgetExceeded {}

export function startBudget(steps: number): void {
  meter.left = steps;
  meter.run++;
}

/** Which run this is: what a run keeps for later calls in it is charged once per run, whichever ran before. */
export function currentRun(): number {
  return meter.run;
}

/** Steps the current run has left. */
export function stepsLeft(): number {
  return meter.left;
}

export function spend(n: number): void {
  if ((meter.left -= n) < 0) throw new BudgetExceeded();
}
