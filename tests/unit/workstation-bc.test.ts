// The workstation's bc (workstation/bc.ts) against the real GNU bc 1.07.1 (scripts/test.sh
// installs it): each program goes to both on standard input, and stdout and stderr must be the
// same bytes — results and their scale, obase/ibase, the 68-character lines, -l's library,
// syntax and runtime errors with the address bc's compiled code names.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

const CASES: [string, string][] = [
  ['', '2^10\n'],
  ['', 'scale=2; 10/3\n10/3\n-1/3\n'],
  ['', 'scale=3;-1/3\n.5*3\n1.50+1\n7%3\nscale=2;7%3\n'],
  ['', 'obase=16;255\nibase=16;FF\n'],
  ['', 'ibase=16; obase=10; FF\nobase=2; 5.5\nobase=16; -255.5\nobase=20; 1000\nobase=2; -0.5\n'],
  ['', 'obase=20; 1000; 1.123; 0.5; -0.5\n'],
  ['', 'scale=20; 2/3\nscale=5; 1/7\nscale=100; 1/3\n'],
  ['', 'x=5; x*2; x+=1; x\nx++; x; ++x\n'],
  ['', '2^100\n2^1000\n10^20\n-2^2; (-2)^2; 2^-1; scale=3; 2^-1\n'],
  ['', '3 >2; 2==2; 1 && 0\nx = 3 < 5\nx\n'],
  ['', '0.1+0.2\n00012.500\n1.0 * 1.00\nscale=1; 1.23 * 1.2\nscale=2; 0/5; 1-1.00; -0\n'],
  ['', 'sqrt(16); sqrt(2.0000)\n3-5\n-3%2\n1;2;3\n"hi"\n'],
  ['', 'scale\nscale=2; scale\nscale(2.50)\nibase; obase\n/* c */ 1 # x\n'],
  ['', '100*1024/3\n(1024*1024*1024)/1000000\nscale=2; 3.14159*2\n'],
  ['-l', '4*a(1)\nl(8)/l(2); e(1); s(1); c(0); sqrt(2); length(123.45); scale(1.230)\n'],
  ['-l', 'e(10); l(0.5); s(3.14159); c(1); a(-2); a(0.5); l(1000000)\nscale=50; e(1)\nscale=2; 10/3; l(10)\n5/2\n'],
  // Errors: the rest of the line is dropped, the next line runs.
  ['', '1/0\nscale=2; 1/0\nx=1; x/0\n10/0\n1+1/0\n2; 1/0\n1%0\n'],
  ['', 'sqrt(-1)\nfoo(1)\n2^0.5\n1/0; 5\n7\n'],
  ['', 'x+=1; 1/0\n2^-1/0\nlength(1)/0\n1==1; 1/0\n"a"; 1/0\n'],
  ['', '1 +\n2\n1 + ; 5\nobase=1\nscale=-1\nibase=1\n'],
  ['', '1\nquit\n2\n'],
  ['', '1; quit\n2\n'],
];

function realBc(flags: string, program: string): string {
  const run = spawnSync('bc', flags ? [flags] : [], { input: program, encoding: 'utf8' });
  return `${run.stdout}--\n${run.stderr}`;
}

describe('bc, byte for byte against GNU bc', () => {
  const state = createCluster(demoClusterSpec, 1);
  it.each(CASES)('bc %s: %j', (flags, program) => {
    const session = newSession(state);
    runLine(state, session, `printf '%s' '${program.replace(/'/g, `'\\''`)}' > /tmp/p.bc`);
    const ours = runLine(state, session, `bc ${flags} < /tmp/p.bc 2>/tmp/err; echo --; cat /tmp/err`).output;
    expect(ours).toBe(realBc(flags, program));
  });

  it('reads here-strings and files, and stays bounded: huge powers and bc\'s programs say what they are', () => {
    const session = newSession(state);
    const run = (line: string) => runLine(state, session, line);
    expect(run("echo '2^10' | bc; bc <<< 'scale=2; 10/3'; bc -l <<< 'l(1024)/l(2)'").output).toBe('1024\n3.33\n10.00000000000000000010\n'); // l(1024) and l(2) each truncated, as bc's are
    run("echo 'obase=16; 48879' > n.bc");
    expect(run('bc n.bc < /dev/null; bc nope.bc').output).toBe('BEEF\nFile nope.bc is unavailable.\n');
    // Errors name the file and count its lines from 1, then standard input's (as GNU bc does).
    run("printf '1 +; 2\\n' > e.bc");
    expect(run("printf '3\\n1+;\\n' | bc e.bc 2>&1").output).toBe('e.bc 1: syntax error\n3\n(standard_in) 2: syntax error\n');
    expect(run("bc <<< '2^1000000'").output).toBe('Runtime error (func=(main), adr=13): number too long for this terminal (over 20000 digits)\n');
    expect(run("bc <<< 'define f(x) { return x; }'; echo rc=$?").output).toBe('bc: define: not available in this simulation (expressions and assignments only)\nrc=0\n');
    expect(run("bc -x <<< 1; echo rc=$?").output).toBe("bc: invalid option -- 'x'\nusage: bc [options] [file ...]\nrc=1\n");
  });

  it('charges powers, and reading and printing in another base, by their digits, and takes a huge number\'s logarithm without halving it bit by bit', () => {
    const session = newSession(state);
    const run = (line: string) => runLine(state, session, line);
    // 28 500 binary digits, each a division of the 8 588-digit number: 216 ms of work, uncharged.
    expect(run("bc <<< 'x=9^9000; obase=2; x'").output).toBe('bash: bc: CPU time limit exceeded (a line may do 3000000 steps of work): stopped\n');
    expect(run("bc <<< 'obase=2; 2^3000' | wc -c").output).toBe('3090\n');
    // ln of a 11 974-digit number halved 39 700 times, one line of 94 ms; now its bit length says how many.
    const started = performance.now();
    expect(run("bc -l <<< 'x=99^6000; l(x)'").output).toBe('27570.71910080753956111460\n');
    expect(performance.now() - started).toBeLessThan(50);
    // A literal read in another ibase is a product per digit: 64 of 4 000 hex digits were 111 ms, uncharged.
    run("h=$(printf 'F%.0s' $(seq 1 4000)); for i in $(seq 1 16); do echo \"x=$h\"; done > h.bc");
    expect(run('(echo ibase=16; cat h.bc) | bc').output).toBe('bash: bc: CPU time limit exceeded (a line may do 3000000 steps of work): stopped\n');
    // A power is charged by its digits, whose count checkSize writes out: 500 of 9^19000 were 782 ms.
    run("for i in $(seq 1 50); do echo 'x=9^19000;x=9^19000;x=9^19000;x=9^19000;x=9^19000;x=9^19000;x=9^19000;x=9^19000;x=9^19000;x=9^19000'; done > p.bc");
    expect(run('bc p.bc </dev/null').output).toBe('bash: bc: CPU time limit exceeded (a line may do 3000000 steps of work): stopped\n');
    expect(run("bc <<< '9^19000' | wc -c").output).toBe('18664\n');
    // Printing is charged as it is done: 500 prints of it ran 2 s before the line's output was charged.
    run("for i in $(seq 1 50); do echo 'x;x;x;x;x;x;x;x;x;x'; done > q.bc");
    const printing = performance.now();
    expect(run("(echo 'x=9^19000'; cat q.bc) | bc").output).toBe('bash: bc: CPU time limit exceeded (a line may do 3000000 steps of work): stopped\n');
    expect(performance.now() - printing).toBeLessThan(500);
    // Each statement is charged as a record: ten runs of a file of 43 520 `y=++x;` took 493 ms.
    run("h=$(printf 'y=++x;%.0s' $(seq 1 680)); echo \"$h\" > s.bc; for i in 1 2 3 4 5 6; do cat s.bc s.bc > s2; mv s2 s.bc; done");
    expect(run('for i in 1 2 3 4 5 6 7 8 9 10; do bc s.bc </dev/null; done').output).toBe('bash: bc: CPU time limit exceeded (a line may do 3000000 steps of work): stopped\n');
    expect(run("bc <<< 'x=1; y=++x; y=++x; x'").output).toBe('3\n');
    expect(run('(echo ibase=16; head -1 h.bc; echo x%10) | bc').output).toBe('15\n'); // 16^4000 - 1 modulo 16 (10 read in base 16)
  });
});
