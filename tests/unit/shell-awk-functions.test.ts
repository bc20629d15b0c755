// awk's user-defined functions, getline and output to files, run through the real shell: what
// gawk does for ordinary programs (tests/differential/corpus.txt compares those byte for byte),
// and hostile programs (endless recursion, endless getline loops, runaway output) that must
// stop within the line's budget with one clear message.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { CPU_LIMIT_EXIT, cpuLimitMessage } from '../../server/shell/budget.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { MAX_CALL_DEPTH } from '../../server/shell/text/awk.js';
import type { ShellSession } from '../../server/shell/types.js';

const state = createCluster(demoClusterSpec, 1);

function run(line: string, session: ShellSession = newSession(state)): { output: string; exitCode: number; ms: number } {
  const started = performance.now();
  const r = runLine(state, session, line);
  return { output: r.output, exitCode: r.exitCode, ms: performance.now() - started };
}

describe('awk functions', () => {
  it('gives each call fresh locals and shares arrays by reference', () => {
    expect(run(`awk 'function walk(n,   seen) { seen[n] = 1; if (n > 0) walk(n - 1); return length(seen) } BEGIN { print walk(5) }'`).output).toBe('1\n');
    expect(run(`awk 'function add(a, k) { a[k]++ } BEGIN { add(m, "x"); add(m, "x"); add(m, "y"); print m["x"], m["y"], length(m) }'`).output).toBe('2 1 2\n');
    // An unused untyped argument stays a scalar in the caller.
    expect(run(`awk 'function f(x) { return 1 } BEGIN { f(y); y = "abc"; print length(y) }'`).output).toBe('3\n');
  });

  it.each([
    ['direct', `function f(n) { return f(n + 1) } BEGIN { f(1) }`, 'f'],
    ['through an expression', `function f(n) { return 1 + (f(n + 1)) } BEGIN { print f(1) }`, 'f'],
    ['mutual', `function f(n) { return g(n) } function g(n) { if (1) { while (1) return f(n) } } BEGIN { f(1) }`, 'f'],
  ])('stops endless %s recursion at MAX_CALL_DEPTH with a message', (_name, program, fn) => {
    const r = run(`awk '${program}'`);
    expect(r.output).toMatch(new RegExp(`^awk: cmd\\. line:1: fatal: function \`${fn}' called more than ${MAX_CALL_DEPTH} levels deep`));
    expect(r.exitCode).toBe(2);
    expect(r.ms).toBeLessThan(2000);
  });

  it('stops exponential recursion within the line budget', () => {
    const r = run(`awk 'function f(n) { if (n > 0) { f(n - 1); f(n - 1) } } BEGIN { f(60) }'`);
    expect(r).toMatchObject({ output: cpuLimitMessage('awk'), exitCode: CPU_LIMIT_EXIT });
    expect(r.ms).toBeLessThan(2000);
  });

  it('refuses calls of undefined functions and return outside one, as gawk', () => {
    expect(run(`awk 'BEGIN { print "never"; nope(1) }'`)).toMatchObject({ output: "awk: cmd. line:1: fatal: function `nope' not defined\n", exitCode: 2 });
    expect(run(`awk 'BEGIN { return 1 }'`)).toMatchObject({ output: "awk: cmd. line:1: BEGIN { return 1 }\nawk: cmd. line:1:         ^ `return' used outside function context\n", exitCode: 1 });
  });
});

describe('awk getline', () => {
  it.each([
    ['an unreadable file (-1 is true)', `awk 'BEGIN { while (getline line < "/nonexistent") n++ }'`, 'awk'],
    ['the end of input', `echo x | awk 'BEGIN { while (1) getline }'`, 'awk'],
    ['a file read again after close', `echo a > /tmp/g; awk 'BEGIN { for (;;) { getline l < "/tmp/g"; close("/tmp/g") } }'`, 'awk'],
    // The budget is the line's: it may run out in the command awk runs (at 3 M steps, in awk's own loop).
    ['a command run again after close', `awk 'BEGIN { for (;;) { "echo x" | getline l; close("echo x") } }'`, 'awk'],
  ])('stops an endless loop on %s within the line budget', (_name, line, stoppedIn) => {
    const r = run(line);
    expect(r).toMatchObject({ output: cpuLimitMessage(stoppedIn), exitCode: CPU_LIMIT_EXIT });
    expect(r.ms).toBeLessThan(2000);
  });

  it('reads the shell\'s files', () => {
    const session = newSession(state);
    run(`printf 'a 1\\nb 2\\n' > /tmp/in`, session);
    expect(run(`awk 'BEGIN { while ((getline < "/tmp/in") > 0) s += $2; print s, NR }'`, session).output).toBe('3 0\n');
  });

  // gawk runs the command with `sh -c`: a subshell of the session (tests/differential/corpus.txt
  // compares the reading, close() and its status with gawk's).
  it('runs a command through the shell in a subshell: its output is read, its stderr shown, its files kept', () => {
    const session = newSession(state);
    expect(run(`x=1; awk 'BEGIN { "x=2; echo $x; echo oops >&2; echo hi > /tmp/w" | getline v; print v }' 2>/tmp/err; echo $x; cat /tmp/w /tmp/err`, session).output).toBe('2\n1\nhi\noops\n');
    expect(run(`awk 'BEGIN { "kubectl get ns default -o name" | getline ns; print ns }'`, session).output).toBe('namespace/default\n');
    expect(run(`awk 'BEGIN { "nosuchcommand" | getline v; print close("nosuchcommand") }' 2>/dev/null`, session).output).toBe('127\n');
  });
});

describe('awk output to files', () => {
  it('writes the shell\'s files: > truncates once per open, >> appends', () => {
    const session = newSession(state);
    run(`echo old > /tmp/o; echo old > /tmp/p`, session);
    run(`printf 'a\\nb\\n' | awk '{ print > "/tmp/o"; print >> "/tmp/p" }'`, session);
    expect(run('cat /tmp/o /tmp/p', session).output).toBe('a\nb\nold\na\nb\n');
  });

  it('fails where the shell may not write, as gawk does', () => {
    expect(run(`awk 'BEGIN { print "x" > "/etc/hosts.new" }'`)).toMatchObject({ output: "awk: cmd. line:1: fatal: cannot redirect to `/etc/hosts.new': Permission denied\n", exitCode: 2 });
    expect(run(`awk 'BEGIN { print "x" > "/tmp/nodir/f" }'`).output).toBe("awk: cmd. line:1: fatal: cannot redirect to `/tmp/nodir/f': No such file or directory\n");
  });

  it('bounds runaway output: file size, file count', () => {
    const session = newSession(state);
    const big = run(`awk 'BEGIN { s = sprintf("%1000s", "x"); while (1) print s > "/tmp/big" }'`, session);
    expect(big).toMatchObject({ output: 'awk: cmd. line:1: fatal: print to "/tmp/big" failed (File too large)\n', exitCode: 2 });
    expect(big.ms).toBeLessThan(2000);
    // What was printed before the failure is written, as gawk flushes on exit.
    expect(run('wc -l < /tmp/big', session).output).toBe('261\n');
    const full = newSession(state);
    const many = run(`awk 'BEGIN { for (i = 0; ; i++) print i > ("/tmp/f" i) }'`, full);
    // The workstation's 1000 files include ~/.kube/config, laid down before the first line.
    expect(many).toMatchObject({ output: "awk: cmd. line:1: fatal: cannot redirect to `/tmp/f999': No space left on device\n", exitCode: 2 });
    // Opening and closing among many files costs what a shell redirection does each time.
    expect(run(`awk 'BEGIN { for (;;) { print 1 > "/tmp/f1"; close("/tmp/f1") } }'`, full)).toMatchObject({ output: cpuLimitMessage('awk'), exitCode: CPU_LIMIT_EXIT });
  });
});
