// A session's arrays are bounded (vars.ts) and what they hold is kept count of as they change:
// counted afresh at every assignment, and walked slot by slot, one line of a player's could
// hold the process (and every room in it) for minutes. Wall-clock bounds below are a hundred
// times what the lines take now and far below what they took before (noted per case).
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { LineBudget } from '../../server/shell/budget.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { forkSession } from '../../server/shell/session.js';
import { MAX_VARIABLES } from '../../server/shell/limits.js';
import type { ShellSession } from '../../server/shell/types.js';

const state = createCluster(demoClusterSpec, 1);

function timed(line: string, session: ShellSession = newSession(state)): { output: string; ms: number } {
  const started = performance.now();
  const { output } = runLine(state, session, line, { budget: new LineBudget() });
  return { output, ms: performance.now() - started };
}

describe('array bookkeeping costs what changed, not what is there', () => {
  it('sparse arrays are counted and copied by their elements, not their slots (300 of a[99999]=1: 185 s before)', () => {
    const session = newSession(state);
    const made = timed('for i in {1..300}; do eval "a$i[99999]=1"; done; echo ${#a1[@]} ${!a1[@]}; echo $(echo x)', session);
    expect(made.output).toBe('1 99999\nx\n');
    expect(made.ms).toBeLessThan(3000);
    const copy = forkSession(session);
    expect(Object.keys(copy.arrays!.a1!)).toEqual(['99999']);
    expect(copy.arrays!.a1!.length).toBe(100_000);
  });

  it('many assignments beside many elements (let of 14,000 elements beside 9,999: 1.4 s) and many arrays (declare -a of 8,000 names: 10 s)', () => {
    expect(timed("a=({1..9999}); let $(seq -f 'a[%g]=1' 14000); echo ${#a[@]}").ms).toBeLessThan(3000);
    expect(timed("declare -a $(seq -f 'x%g' 8000); echo ok").ms).toBeLessThan(3000);
  });

  it('holds at most MAX_VARIABLES arrays: empty ones cost nothing else, and lines of declare made them without end', () => {
    const session = newSession(state);
    const { output } = timed(`declare -a $(seq -f 'x%g' ${MAX_VARIABLES + 5}); declare -A m; echo \${#x1[@]}`, session);
    expect(output).toMatch(new RegExp(`^(bash: x10\\d\\d: cannot assign: a session holds at most ${MAX_VARIABLES} arrays\\n)+bash: m: cannot assign: a session holds at most ${MAX_VARIABLES} arrays\\n0\\n$`));
    // Unsetting frees places again.
    expect(timed("unset $(seq -f 'x%g' 10); declare -A m; m[k]=v; echo ${m[k]}", session).output).toBe('v\n');
  });

  it('an element replaced when all places are taken fits, and counts stay true through unset and local', () => {
    const session = newSession(state);
    expect(timed('a=({1..9999}); a[5000]=x; echo ${a[5000]}; b=(y); echo ${#b[@]}', session).output).toMatch(/^x\nbash: b: cannot assign: arrays hold at most 10000 elements in a session\n0\n$/);
    expect(timed("unset 'a[1]' 'a[2]'; b=(y z); echo ${#b[@]}", session).output).toBe('2\n');
    expect(timed('f() { local -a a=(1 2 3); }; f; f; c=(q); echo ${#c[@]}', session).output).toMatch(/cannot assign: arrays hold at most 10000 elements in a session\n0\n$/);
    expect(timed('unset a; c=(q); echo ${#c[@]}', session).output).toBe('1\n');
  });

  it('functions and -i marks are bounded like variables (lines of declare -i marked 27,000 names each, without end)', () => {
    const session = newSession(state);
    for (let i = 0; i < 2; i++) timed(`declare -i $(seq -f 'i${i}_%g' 2000); eval "$(seq -f 'f${i}_%g() { :; }' 800)"`, session);
    expect(Object.keys(session.integers ?? {})).toHaveLength(MAX_VARIABLES);
    expect(Object.keys(session.functions ?? {})).toHaveLength(MAX_VARIABLES);
    expect(timed('g() { :; }; declare -i j; f0_1() { echo again; }; f0_1', session).output).toBe(`bash: g: cannot define: a session holds at most ${MAX_VARIABLES} functions\nbash: declare: j: cannot mark: a session holds at most ${MAX_VARIABLES} integer variables\nagain\n`);
  });
});
