// jq's language beyond what the differential corpus compares with real jq: hostile programs
// stop with a message instead of running unbounded, and keys stay plain data.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { CPU_LIMIT_EXIT, LineBudget, MAX_STEPS_PER_LINE, cpuLimitMessage } from '../../server/shell/budget.js';
import { MAX_OUTPUT_CHARS } from '../../server/shell/limits.js';

function run(line: string): { output: string; exitCode: number; ms: number } {
  const state = createCluster(demoClusterSpec, 1);
  const started = performance.now();
  const r = runLine(state, newSession(state), line);
  return { output: r.output, exitCode: r.exitCode, ms: performance.now() - started };
}

describe('jq', () => {
  it('stops programs that would run without bound', () => {
    for (const program of ['[range(1e9)] | length', 'def f: f; f', 'def f: 1 + f; f', '[repeat(1)] | length', 'reduce range(1e7) as $i ([]; . + [$i]) | length', 'last(range(1e12))']) {
      const r = run(`jq -n '${program}'`);
      expect(r.exitCode, program).toBe(5);
      expect(r.output, program).toMatch(/^jq: error: program stopped: (it ran too long|recursion too deep)\n$/);
    }
  });

  it('strptime matches in linear time: unknown codes read as anything backtracked for good in a JavaScript RegExp', () => {
    const stuck = run(`jq -n '"${'a'.repeat(40)}" | strptime("${'%a'.repeat(10)}X")'`);
    expect(stuck.output).toBe(`jq: error (at <unknown>): date "${'a'.repeat(40)}" does not match format "${'%a'.repeat(10)}X"\n`);
    expect(stuck.ms).toBeLessThan(2000);
    const long = run(`jq -n '("a"*3000) | strptime("%a"*3000 + "X")'`);
    expect(long.exitCode).toBe(CPU_LIMIT_EXIT);
    // jq 1.6 (the oracle) prints the same; a map over many dates compiles the format once.
    expect(run(`jq -nc '"2015-03-05T23:51:47Z" | strptime("%Y-%m-%dT%H:%M:%SZ") | ., mktime'`).output).toBe('[2015,2,5,23,51,47,4,63]\n1425599507\n');
    expect(run(`jq -n '[range(300)] | map("2015-03-05T23:51:47Z" | strptime("%Y-%m-%dT%H:%M:%SZ")) | length'`).output).toBe('300\n');
  });

  it('runs on what is left of the line budget, so a loop of jq stops at the line limit', () => {
    const state = createCluster(demoClusterSpec, 1);
    const budget = new LineBudget();
    budget.spend(MAX_STEPS_PER_LINE - 100_000); // the line already did most of its work
    // 60,000 values fit jq's own allowance but not the 100,000 line steps left.
    const r = runLine(state, newSession(state), "jq -n 'last(range(60000))'", { budget });
    expect(r).toMatchObject({ exitCode: CPU_LIMIT_EXIT, output: cpuLimitMessage('jq') });
    expect(budget.steps).toBeLessThanOrEqual(MAX_STEPS_PER_LINE + 100);
    expect(run("jq -n 'last(range(60000))'").output).toBe('59999\n');
  });

  it('bounds what it prints and what strings grow to', () => {
    const r = run("jq -n 'range(1e9)'");
    expect(r.output.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS + 100);
    expect(run(`jq -n '"x" * 1e9'`).output).toBe('jq: error (at <unknown>): Repeat string result too long\n');
  });

  it('keeps keys such as __proto__ as plain keys', () => {
    expect(run(`jq -c -n '{} | .["__proto__"] = 1 | ., keys'`).output).toBe('{"__proto__":1}\n["__proto__"]\n');
    expect(run(`echo '{"__proto__":{"x":1}}' | jq -c '.__proto__.x, (to_entries | length)'`).output).toBe('1\n1\n');
  });

  it('reads the variables of the shell through $ENV and env', () => {
    expect(run(`NS=prod jq -n -r '$ENV.NS, env.NS'`).output).toBe('prod\nprod\n');
  });

  it('refuses paths it cannot follow and undefined names, as jq does', () => {
    expect(run(`jq -n 'path(1)'`).output).toBe('jq: error (at <unknown>): Invalid path expression with result 1\n');
    expect(run(`jq -n 'nosuch(1)'`)).toMatchObject({ exitCode: 3, output: 'jq: error: nosuch/1 is not defined at <top-level>, line 1:\nnosuch(1)\njq: 1 compile error\n' });
  });
});

// Values share their parts: `{a:., b:.}` in a loop builds in 24 steps an object whose text
// has 2^24 copies. Printing, comparing or describing it walked the whole tree (minutes and
// gigabytes of heap for one line: the server's event loop stalled, then ran out of memory).
describe('jq values that share their parts', () => {
  const shared = 'reduce range(24) as $i ({}; {a:., b:.})';
  it.each([
    ['printed', shared, 'jq: error: program stopped: it ran too long\n'],
    ['turned into text', `${shared} | tojson | length`, 'jq: error: program stopped: it ran too long\n'],
    ['interpolated', `${shared} | "\\(.)" | length`, 'jq: error: program stopped: it ran too long\n'],
    ['compared with a copy', `(${shared}) as $x | ${shared} | . == $x`, 'jq: error: program stopped: it ran too long\n'],
    ['checked for containment', `${shared} | contains(.)`, 'jq: error: program stopped: it ran too long\n'],
    ['described in an error', `${shared} | try (. + 1) catch .`, '"object ({\\"a\\":{\\"a\\":{...) and number (1) cannot be added"\n'],
    ['raised as an error', `${shared} | error`, 'jq: error (at <unknown>) (not a string): {"a":{"a":{...\n'],
  ])('stop at once when %s', (_name, program, output) => {
    const r = run(`jq -n '${program}'`);
    expect(r.output).toBe(output);
    expect(r.ms).toBeLessThan(1000);
  });

  it('charge what they cost where a step is far more than a step', () => {
    for (const program of [
      '[range(100000) | try error("x") catch 0] | length', // a caught exception is microseconds
      `${shared} | . * . | length`, // a merge copies every level
      '("x" * 1000000) as $s | [range(100000) | {($s):1} | keys | length] | length', // a key is hashed when set
    ]) {
      const r = run(`jq -n '${program}'`);
      expect(r.output, program).toBe('jq: error: program stopped: it ran too long\n');
      expect(r.ms, program).toBeLessThan(200); // 250-530 ms before
    }
  });

  it('charge natives for the strings they walk', () => {
    for (const f of ['length', 'test("y")', 'ascii_downcase', 'explode', '@base64', 'fromjson?', 'ltrimstr("x")', '"\\(.)" | length', 'try (. - 1) catch 0']) {
      const r = run(`jq -n '("x" * 1000000) as $s | [range(100000) | $s | ${f}] | length'`);
      expect(r.output, f).toBe('jq: error: program stopped: it ran too long\n');
      expect(r.ms, f).toBeLessThan(1000);
    }
  });
});
