// A tiny deterministic stand-in for the scenario + engine + scorer, so the room layer is
// tested on its own. Its "cluster" is a counter; its answer key is a recognisable string.
import type { ClusterState } from '../../server/cluster/types.js';
import type { ScenarioCatalog, ScenarioRuntime } from '../../server/rooms/runtime.js';

export const SECRET = 'SECRET-ROOT-CAUSE-disk-quota';

interface FakeCluster {
  now: number;
  counter: number;
}
const fake = (c: ClusterState) => c as unknown as FakeCluster;

export function fakeRuntime(seed = 1, timeLimitMs = 60_000): ScenarioRuntime {
  return {
    scenarioId: 'fake',
    seed,
    title: 'Fake incident',
    timeLimitMs,
    stacked: false,
    playerView: { id: 'fake', title: 'Fake incident', briefing: 'something is slow', choices: ['a', 'b'] },
    answerKey: { rootCause: SECRET },
    keyInWords: {
      cause: { title: 'The counter overflowed', explanation: `inc doubles the counter: ${SECRET}` },
      evidence: [{ id: 'ev-get', label: 'Output of get', text: 'get prints a counter far above its usual value', key: true, points: 10 }],
      fixes: [{ id: 'fix-reset', text: 'the counter is back under 1000', guard: false, points: 20 }],
      harmful: [],
      reference: [{ line: 'get' }, { waitSec: 5 }, { line: 'inc' }],
      prevention: ['alert on the counter'],
    },
    hints: [
      { id: 'h1', text: 'look at the counter', cost: 1 },
      { id: 'h2', text: 'increment it', cost: 2 },
    ],
    faults: [{ id: 'jump', description: 'counter jumps by 100' }],
    start: () => ({ now: 0, counter: seed } as unknown as ClusterState),
    advance: (c, ms) => {
      fake(c).now += ms;
      fake(c).counter += 1; // time changes the cluster, so replay must apply ticks in order
    },
    injectFault: (c) => {
      fake(c).counter += 100;
    },
    newSession: () => ({ root: false, vars: {}, history: [], namespace: 'default' }),
    runLine: (c, session, line) => {
      session.history.push(line);
      if (line === 'boom') {
        // An engine bug: it throws after changing the cluster and the session.
        fake(c).counter += 1000;
        throw new Error('engine bug');
      }
      if (line === 'inc') fake(c).counter *= 2;
      // `get` shows the counter: a fact of the world, as a real tool tags what it prints.
      if (line === 'get') return { output: `counter=${fake(c).counter} now=${fake(c).now}\n`, exitCode: 0, observed: [{ source: 'object', field: 'counter', value: String(fake(c).counter) }] };
      if (line === 'inc') return { output: `counter=${fake(c).counter} now=${fake(c).now}\n`, exitCode: 0 };
      if (line === 'clear') return { output: '', exitCode: 0, clear: true };
      return { output: `${line.split(' ')[0]}: command not found\n`, exitCode: 127 };
    },
    evidenceIn: (observed) => (observed.some((f) => f.field === 'counter') ? ['ev-get'] : []),
    complete: (_c, _s, line) => ({ from: 0, candidates: ['get', 'inc'].filter((c) => c.startsWith(line)) }),
    prompt: (_c, session) => `${session.history.length}$ `,
    score: (input) => {
      const cause = input.diagnosis?.rootCause === 'b' ? 10 : 0;
      const hints = -input.hintsUsed.reduce((s, h) => s + h.cost, 0);
      return {
        total: cause + hints,
        max: 10,
        parts: [{ key: 'rootCause', points: cause, max: 10 }, { key: 'hints', points: hints, max: 0 }],
        breakdown: {
          explanation: `the answer was ${SECRET}`,
          commands: input.commands.length,
          lines: [
            { category: 'rootCause', label: 'Root cause', points: cause, max: 10, why: cause ? 'correct: the counter overflowed' : 'wrong: the counter overflowed' },
            { category: 'evidence', id: 'ev-get', label: 'Evidence: Output of get', points: 0, max: 0, why: input.commands.some((c) => c.line === 'get') ? 'observed (`get`) but not cited' : 'not cited and not observed' },
          ],
        },
      };
    },
  };
}

export function fakeCatalog(timeLimitMs = 60_000): ScenarioCatalog {
  return {
    list: () => [fakeRuntime().playerView],
    has: (id) => id === 'fake',
    runtime: (id, seed) => (id === 'fake' ? fakeRuntime(seed, timeLimitMs) : undefined),
  };
}
