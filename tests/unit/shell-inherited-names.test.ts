// Names the player types (variables, array keys, functions, aliases) are looked up as the
// session's own: `constructor`, `toString`, `__proto__` must not reach what every object
// inherits. `declare -A m; constructor[keys]=x` replaced the process's Object.keys (every
// room runs in the same process), `a=(1); constructor[1]=x` was readable from any other room,
// `__proto__[k]=v` set Object.prototype.k, and `toString` as a command threw out of the line.
// bash (the oracle) treats them as the plain names they are.
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { LineBudget } from '../../server/shell/budget.js';
import { complete, newSession, runLine } from '../../server/shell/index.js';
import { MAX_VARIABLES } from '../../server/shell/limits.js';
import type { ShellSession } from '../../server/shell/types.js';

const state = createCluster(demoClusterSpec, 1);
const run = (line: string, session: ShellSession = newSession(state)) => runLine(state, session, line, { budget: new LineBudget() });

const keys = Object.keys;
afterEach(() => {
  // A failing case must not break the rest of the test process.
  Object.keys = keys;
  for (const target of [Object, Object.prototype, Object.prototype.toString] as Record<string, unknown>[]) for (const k of ['1', 'k', 'keys', 'x']) if (Object.hasOwn(target, k) && k !== 'keys') delete target[k];
});

describe('names that every object inherits are plain names', () => {
  it('array elements of constructor/toString/hasOwnProperty stay in the session (bash prints the same)', () => {
    expect(run('declare -A m; constructor[keys]=x; echo "${constructor[keys]}"; echo ${#constructor[@]}').output).toBe('x\n1\n');
    expect(typeof Object.keys).toBe('function');
    expect(run('a=(1); constructor[1]=hacked; echo "${constructor[@]}"').output).toBe('hacked\n');
    expect((Object as unknown as Record<string, unknown>)[1]).toBeUndefined();
    expect(run('b=(1); echo "[${constructor[1]}]"').output).toBe('[]\n');
    expect(run('declare -A m; hasOwnProperty[k]=v; toString[3]=x; echo "${hasOwnProperty[k]} ${toString[3]}"').output).toBe('v x\n');
    expect((Object.prototype.hasOwnProperty as unknown as Record<string, unknown>).k).toBeUndefined();
  });

  it('unset of such an element deletes nothing outside the session', () => {
    run('declare -A m; unset "constructor[keys]"; a=(1); unset "constructor[keys]" "toString[0]"');
    expect(typeof Object.keys).toBe('function');
  });

  it('__proto__ is a variable like any other, not the prototype of the session\'s objects', () => {
    expect(run('declare -A __proto__; __proto__[k]=v; echo "${__proto__[k]}"; declare -A m; m[__proto__]=x; echo "${m[__proto__]}"').output).toBe('v\nx\n');
    expect(({} as Record<string, unknown>).k).toBeUndefined();
    expect(run('__proto__=(a b c); echo "${__proto__[@]}" "[${push[@]}]"').output).toBe('a b c []\n');
  });

  it('a command, function or alias named like an inherited key is not found (bash: command not found)', () => {
    expect(run('f() { :; }; toString; echo rc=$?').output).toBe('bash: toString: command not found\nrc=127\n');
    expect(run('f() { :; }; alias ll=ls; type constructor').output).toBe('bash: type: constructor: not found\n');
    expect(run('constructor() { echo mine; }; constructor').output).toBe('mine\n');
    const session = newSession(state);
    run('alias ll=ls', session);
    expect(() => complete(state, session, 'constructor ', 12)).not.toThrow();
  });

  it('builtins reading the environment or the variables see only what is set (bash 5.2 output)', () => {
    expect(run('printenv constructor; echo rc=$?; export constructor; echo "[$constructor]"').output).toBe('rc=1\n[]\n');
    expect(run('f() { :; }; export -f constructor; echo rc=$?').output).toBe('bash: export: constructor: not a function\nrc=1\n');
    expect(run('declare -p toString; echo rc=$?').output).toBe('bash: declare: toString: not found\nrc=1\n');
  });

  it('a node\'s units are found by their own names: systemctl stop constructor wrote active/since on Object, start toString threw', () => {
    const { output } = run("ssh worker-1 'sudo systemctl stop constructor; sudo systemctl start toString; sudo systemctl status hasOwnProperty'");
    expect(output).toBe('Failed to stop constructor.service: Unit constructor.service not found.\nFailed to start toString.service: Unit toString.service not found.\nUnit hasOwnProperty.service could not be found.\n');
    expect(Object.hasOwn(Object, 'active') || Object.hasOwn(Object.prototype.toString, 'pid')).toBe(false);
  });

  it('nodes are found by their own names (ssh, kubectl cordon and drain threw out of the line on constructor/toString)', () => {
    const { output } = run("ssh constructor hostname; kubectl cordon constructor; kubectl drain toString; host toString");
    expect(output).toBe([
      'ssh: Could not resolve hostname constructor: Name or service not known',
      'Error from server (NotFound): nodes "constructor" not found',
      'Error from server (NotFound): nodes "toString" not found',
      'Host toString not found: 3(NXDOMAIN)',
      '',
    ].join('\n'));
    // The simulated internet's names too (nslookup answered `Address: function Object() { [native code] }`).
    expect(run('nslookup constructor; curl -s http://toString/; echo rc=$?').output).toBe("Server:\t\t127.0.0.53\nAddress:\t127.0.0.53#53\n\n** server can't find constructor: NXDOMAIN\n\nrc=6\n");
  });

  it('kubectl finds cluster-scoped objects by their own names (get, describe, label, delete threw, and the room was rebuilt from its log each time)', () => {
    const { output } = run('kubectl get node constructor; kubectl describe node toString; kubectl label node toString a=b; kubectl delete ns constructor; kubectl get --raw /api/v1/nodes/constructor');
    expect(output).toBe([
      'Error from server (NotFound): nodes "constructor" not found',
      'Error from server (NotFound): nodes "toString" not found',
      'Error from server (NotFound): nodes "toString" not found',
      'Error from server (NotFound): namespaces "constructor" not found',
      'Error from server (NotFound): nodes "constructor" not found',
      '',
    ].join('\n'));
  });

  it('a label or annotation key named like an inherited property has no value yet (kubectl label: "already has a value (function …)")', () => {
    const node = Object.keys(state.nodes)[0]!;
    expect(run(`kubectl label node ${node} toString=y constructor=z`).output).toBe(`node/${node} labeled\n`);
    expect(run(`kubectl get node ${node} -o jsonpath='{.metadata.labels.toString} {.metadata.labels.constructor}'`).output).toBe('y z');
    // Removing one that is not there reads as removing any missing key.
    expect(run(`kubectl annotate node ${node} toString-`).output).toBe(run(`kubectl annotate node ${node} nosuchkey-`).output);
  });

  it('unsetting an inherited name does not free a place among the variables (their count went below zero)', () => {
    const session = newSession(state);
    run(Array.from({ length: 200 }, () => 'unset toString').join('; '), session);
    run(Array.from({ length: MAX_VARIABLES }, (_, i) => `v${i}=1`).join(' '), session);
    expect(run('w=1', session).output).toMatch(/cannot assign: a session holds at most/);
  });
});
