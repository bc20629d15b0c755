// `kubedrill scenarios list | schema | check`: the scenario author's tools. `check`
// validates files (every problem with file:line:col path message) and proves each variant
// solvable by playing its reference solution through the real shell and scorer, and each
// stacked second fault too (both causes found and fixed), with no folk remedy fixing either.
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { actorRecord, noteChangeBy, sameWorld, worldFingerprint } from '../cluster/actors.js';
import type { ClusterState } from '../cluster/types.js';
import { evaluate } from '../scenarios/predicates.js';
import { wasSeenBroken } from '../scenarios/remediation.js';
import { advance, startScenario } from '../scenarios/session.js';
import { formatProblem, loadScenarioDir, loadScenarioFile, SCENARIOS_DIR, type ScenarioProblem } from '../scenarios/load.js';
import { SCAFFOLD_ID, scaffoldScenario } from '../scenarios/scaffold.js';
import { scenarioJsonSchema, type Scenario } from '../scenarios/schema.js';
import { forStack, instantiate, seedForVariant, solutionOf, stacksFor, type Instance, type LoadedScenario } from '../scenarios/variant.js';
import { evidenceInterest, scoreSession, type ScoreBreakdown, type ScoredCommand } from '../scoring/score.js';
import { newSession, runLine } from '../shell/index.js';

/** The one player of a played session, as the world's actor record names them. */
const PLAYER = 'player';
/** Simulated time a reference player spends on each command (reading, typing). */
const SECONDS_PER_COMMAND = 5;
/** A reference solution must reach this share of the maximum score. */
export const SOLVABLE_PERCENT = 90;

export interface ReferenceRun {
  variantId: string;
  seed: number;
  commands: ScoredCommand[];
  state: ClusterState;
  score: ScoreBreakdown;
}

/**
 * Play a list of steps (command lines, waits) on a fresh cluster for this scenario.
 * `changed[i]`: whether `commands[i]` changed the world (a write, not a read).
 */
export function playSteps(scenario: Scenario, seed: number, steps: Scenario['solutions'][number]['steps']): { state: ClusterState; commands: ScoredCommand[]; changed: boolean[] } {
  const state = startScenario(scenario, seed);
  const session = newSession(state);
  const interest = evidenceInterest(scenario);
  const commands: ScoredCommand[] = [];
  const changed: boolean[] = [];
  actorRecord(state); // what the player changed is recorded (the scorer charges damage from the first change)
  for (const step of steps) {
    if (typeof step !== 'string') {
      advance(state, scenario, step.wait * 1000);
      continue;
    }
    const before = worldFingerprint(state);
    const res = runLine(state, session, step, { interest });
    changed.push(!sameWorld(before, worldFingerprint(state)));
    if (changed.at(-1)) noteChangeBy(state, PLAYER);
    commands.push({ line: step, output: res.output, exitCode: res.exitCode, simTime: state.now, ...(res.observed ? { observed: res.observed } : {}) });
    advance(state, scenario, SECONDS_PER_COMMAND * 1000);
  }
  return { state, commands, changed };
}

/** The reference solution of the variant and dressing a seed draws, played and scored. */
export function runReference(loaded: LoadedScenario, seed: number): ReferenceRun {
  return runInstance(instantiate(loaded, seed));
}

/** The reference solution of an instance (drawn by a seed, or pinned: pinInstance), played and scored. */
export function runInstance(instance: Instance): ReferenceRun {
  return runScenarioReference(instance.scenario, instance.variantId, instance.seed);
}

/** A built scenario's reference solution, played on the cluster of `seed` and scored. */
export function runScenarioReference(scenario: Scenario, variantId: string, seed: number): ReferenceRun {
  const solution = solutionOf(scenario);
  const { state, commands } = playSteps(scenario, seed, solution.steps);
  const score = scoreSession(scenario, { diagnosis: solution.diagnosis, commands, hintsUsed: [], elapsedMs: state.now, cluster: state });
  return { variantId, seed, commands, state, score };
}

/**
 * Simulated seconds an anti-solution is given to work after its last step: a remedy is
 * judged once pods had time to restart, schedule and turn ready, not mid-way.
 */
export const ANTI_SOLUTION_SETTLE_SEC = 180;

export interface AntiSolutionRun {
  name: string;
  variantId: string;
  /** The remediation checks (not guards) the folk remedy made hold: any one means it fixed something it must not. */
  fixed: string[];
}

/**
 * Play a folk remedy on a built scenario and list the outcome checks it fixed: a non-guard
 * remediation that holds at the end and was seen failing during the run (what the scorer
 * would credit as a fix).
 */
export function runAntiSolution(scenario: Scenario, variantId: string, seed: number, anti: Scenario['antiSolutions'][number]): AntiSolutionRun {
  const { state } = playSteps(scenario, seed, [...anti.steps, { wait: ANTI_SOLUTION_SETTLE_SEC }]);
  const fixed = scenario.answer.remediation.filter((r) => !r.guard && wasSeenBroken(state, r.id) && evaluate(state, r.predicate)).map((r) => r.id);
  return { name: anti.name, variantId, fixed };
}

/**
 * Problems of `scenarios check` for one file's anti-solutions: each is played on every
 * variant it applies to (the dressing rotates between anti-solutions, so every option is
 * met); any remediation it fixes is a problem (the folk remedy solves the incident).
 */
export function checkAntiSolutions(loaded: LoadedScenario): { lines: string[]; problems: ScenarioProblem[] } {
  const lines: string[] = [];
  const problems: ScenarioProblem[] = [];
  const problem = (message: string) => problems.push({ file: loaded.file, line: 1, column: 1, path: 'antiSolutions', message });
  loaded.variants.forEach((v, i) => {
    // The variant's own list (forVariant dropped those limited to other causes).
    const antis = v.scenario.antiSolutions;
    antis.forEach((anti, k) => {
      const choice = Object.fromEntries(loaded.dressing.map((d) => [d.name, k % d.options.length]));
      const scenario = loaded.build(i, choice);
      try {
        const run = runAntiSolution(scenario, v.id, seedForVariant(loaded, v.id, k), scenario.antiSolutions[k]!);
        if (run.fixed.length > 0) problem(`anti-solution "${anti.name}" solves variant "${v.id}" (dressing ${JSON.stringify(choice)}): ${run.fixed.join(', ')} hold(s) at the end`);
      } catch (e) {
        problem(`anti-solution "${anti.name}" crashed on variant "${v.id}": ${(e as Error).stack ?? e}`);
      }
    });
    if (antis.length > 0) lines.push(`  ${v.id.padEnd(20)} ${antis.length} anti-solution(s) played, none fixes it`);
  });
  if (loaded.variants.every((v) => v.scenario.antiSolutions.length === 0)) {
    problem('no anti-solutions: list the folk remedies (restart the pods, rollout restart, restart kubelet everywhere, delete and recreate, scale up, reboot the node) that must not fix any cause');
  }
  return { lines, problems };
}

/**
 * Problems of `scenarios check` for one file's stacks: on every variant a stack applies to
 * (the dressing rotating), the stacked world's reference run (both causes found and fixed)
 * must score ≥ SOLVABLE_PERCENT, and no anti-solution may fix either fault.
 */
export function checkStacks(loaded: LoadedScenario): { lines: string[]; problems: ScenarioProblem[] } {
  const lines: string[] = [];
  const problems: ScenarioProblem[] = [];
  const stacks = loaded.variants[0]?.scenario.stacks ?? [];
  stacks.forEach((stack, j) => {
    const problem = (message: string) => problems.push({ file: loaded.file, line: 1, column: 1, path: `stacks[${j}]`, message });
    let lowest = Infinity;
    loaded.variants.forEach((v, i) => {
      if (!stacksFor(v.scenario, v.id).some((x) => x.id === stack.id)) return;
      const seed = seedForVariant(loaded, v.id, j);
      // The stack as this dressing substituted it (its names are the dressing's).
      const stacked = (round: number) => {
        const built = loaded.build(i, Object.fromEntries(loaded.dressing.map((d) => [d.name, round % d.options.length])));
        return forStack(built, stacksFor(built, v.id).find((x) => x.id === stack.id)!);
      };
      try {
        const run = runScenarioReference(stacked(i), v.id, seed);
        lowest = Math.min(lowest, run.score.percent);
        if (run.score.percent < SOLVABLE_PERCENT) {
          const missed = run.score.lines.filter((l) => l.points < l.max || l.points < 0).map((l) => `${l.label}: ${l.why}`);
          problem(`the reference run of stack "${stack.id}" on variant "${v.id}" scores ${run.score.percent}% (< ${SOLVABLE_PERCENT}%):\n    ${missed.join('\n    ')}`);
        }
        v.scenario.antiSolutions.forEach((anti, k) => {
          const scenario = stacked(k);
          const fixed = runAntiSolution(scenario, v.id, seed, scenario.antiSolutions[k]!).fixed;
          if (fixed.length > 0) problem(`anti-solution "${anti.name}" fixes part of variant "${v.id}" stacked with "${stack.id}": ${fixed.join(', ')} hold(s) at the end`);
        });
      } catch (e) {
        problem(`stack "${stack.id}" crashed on variant "${v.id}": ${(e as Error).stack ?? e}`);
      }
    });
    if (lowest < Infinity) lines.push(`  + ${stack.id.padEnd(18)} stacked: lowest reference ${lowest}%, no anti-solution fixes either fault`);
  });
  return { lines, problems };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n') + '\n';
}

function formatDuration(sec: number): string {
  return sec % 60 === 0 ? `${sec / 60}m` : `${Math.floor(sec / 60)}m${sec % 60}s`;
}

/**
 * Lines of `scenarios check` for one loaded file: one per variant with its lowest reference
 * score over the dressing (every option of every dimension is played at least once).
 */
export function checkSolvable(loaded: LoadedScenario): { lines: string[]; problems: ScenarioProblem[] } {
  const lines: string[] = [];
  const problems: ScenarioProblem[] = [];
  const rounds = Math.max(1, ...loaded.dressing.map((d) => d.options.length));
  loaded.variants.forEach((v, i) => {
    let worst: { run: ReferenceRun; choice: Record<string, number> } | undefined;
    for (let round = 0; round < rounds; round++) {
      const choice = Object.fromEntries(loaded.dressing.map((d) => [d.name, round % d.options.length]));
      try {
        const run = runScenarioReference(loaded.build(i, choice), v.id, seedForVariant(loaded, v.id, round));
        if (!worst || run.score.percent < worst.run.score.percent) worst = { run, choice };
      } catch (e) {
        problems.push({ file: loaded.file, line: 1, column: 1, path: `variants[${i}]`, message: `reference solution crashed (dressing ${JSON.stringify(choice)}): ${(e as Error).stack ?? e}` });
      }
    }
    if (!worst) return;
    const s = worst.run.score;
    lines.push(`  ${v.id.padEnd(20)} ${String(s.total).padStart(5)} / ${s.max}  ${s.percent}%${rounds > 1 ? ` (lowest of ${rounds} dressings)` : ''}`);
    if (s.percent < SOLVABLE_PERCENT) {
      const missed = s.lines.filter((l) => l.points < l.max || l.points < 0).map((l) => `${l.label}: ${l.why}`);
      problems.push({ file: loaded.file, line: 1, column: 1, path: `variants[${i}]`, message: `reference solution of variant "${v.id}" with dressing ${JSON.stringify(worst.choice)} scores ${s.percent}% (< ${SOLVABLE_PERCENT}%):\n    ${missed.join('\n    ')}` });
    }
  });
  return { lines, problems };
}

export function addScenariosCommand(program: Command): Command {
  const cmd = program.command('scenarios').description('list, check and describe incident scenarios');

  cmd
    .command('list')
    .description('print every scenario: id, title, difficulty, time limit')
    .option('--dir <dir>', 'scenario folder', SCENARIOS_DIR)
    .action((flags: { dir: string }) => {
      const { scenarios, problems } = loadScenarioDir(flags.dir);
      const rows = [['ID', 'DIFFICULTY', 'TIME LIMIT', 'VARIANTS', 'TITLE'], ...scenarios.map((s) => [s.id, s.difficulty, formatDuration(s.timeLimitSec), String(s.variants.length), s.title])];
      process.stdout.write(table(rows));
      for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
      if (problems.length > 0) process.exitCode = 1;
    });

  cmd
    .command('new')
    .description('write a new scenario file (a small working incident to rewrite) as <dir>/<id>.yaml')
    .argument('<id>', 'the scenario id (lowercase letters, digits, dashes)')
    .option('--dir <dir>', 'scenario folder', SCENARIOS_DIR)
    .action((id: string, flags: { dir: string }) => {
      if (!SCAFFOLD_ID.test(id)) {
        process.stderr.write(`error: "${id}" is not a scenario id (lowercase letters, digits, dashes)\n`);
        process.exitCode = 1;
        return;
      }
      const file = join(flags.dir, `${id}.yaml`);
      if (existsSync(file)) {
        process.stderr.write(`error: ${file} already exists\n`);
        process.exitCode = 1;
        return;
      }
      writeFileSync(file, scaffoldScenario(id));
      process.stdout.write(`wrote ${file}\nnext: edit it (docs/SCENARIOS.md), then \`kubedrill scenarios check ${file}\`\n`);
    });

  cmd
    .command('schema')
    .description('write the JSON Schema of scenario files (for editor completion)')
    .option('--out <file>', 'where to write it', join(SCENARIOS_DIR, 'schema.json'))
    .action((flags: { out: string }) => {
      writeFileSync(flags.out, `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
      process.stdout.write(`wrote ${flags.out}\n`);
    });

  cmd
    .command('check')
    .description('validate scenario files, play each variant\'s and each stack\'s reference solution (≥ 90 %) and prove no anti-solution fixes any variant')
    .argument('[files...]', 'scenario files (default: every scenarios/*.yaml)')
    .option('--no-solve', 'only validate, do not play the reference solutions and anti-solutions')
    .action((files: string[], flags: { solve: boolean }) => {
      const results = files.length > 0
        ? files.map((f) => loadScenarioFile(resolve(f)))
        : (() => {
            const dir = loadScenarioDir();
            return [...dir.scenarios.map((scenario) => ({ ok: true as const, scenario })), ...(dir.problems.length > 0 ? [{ ok: false as const, problems: dir.problems }] : [])];
          })();
      const problems: ScenarioProblem[] = [];
      for (const r of results) {
        if (!r.ok) {
          problems.push(...r.problems);
          continue;
        }
        process.stdout.write(`${r.scenario.file}: ${r.scenario.id}, ${r.scenario.variants.length} variant(s) valid\n`);
        if (!flags.solve) continue;
        for (const check of [checkSolvable, checkAntiSolutions, checkStacks]) {
          const result = check(r.scenario);
          process.stdout.write(result.lines.map((l) => `${l}\n`).join(''));
          problems.push(...result.problems);
        }
      }
      for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
      process.stdout.write(problems.length === 0 ? 'all scenarios OK\n' : `${problems.length} problem(s)\n`);
      if (problems.length > 0) process.exitCode = 1;
    });

  return cmd;
}
