// The scenario the browser tests play: the room layer's fake runtime (a counter "cluster"
// with `get`, `inc`, `clear`), dressed with a player view shaped like the real one
// (server/scenarios/player-view.ts) so the lobby and the diagnosis form have real data.
import type { ScenarioCatalog, ScenarioRuntime } from '../../server/rooms/runtime.js';
import { fakeRuntime } from '../unit/rooms-fake.js';

export const E2E_PLAYER_VIEW = {
  id: 'fake',
  title: 'Counter incident',
  difficulty: 'easy',
  timeLimitSec: 600,
  tags: ['etcd', 'training'],
  briefing: 'Users report the counter service is slow: `get` answers late. Find out why.',
  causes: [{ id: 'a', title: 'The network is flaky' }, { id: 'b', title: 'The counter overflowed' }],
  evidence: [{ id: 'ev-get', label: 'Output of get' }],
  hints: [{ id: 'h1', cost: 1 }, { id: 'h2', cost: 2 }],
};

export function e2eCatalog(): ScenarioCatalog {
  return {
    list: () => [E2E_PLAYER_VIEW],
    has: (id) => id === 'fake',
    runtime: (id, seed) => (id === 'fake' ? withEdit({ ...fakeRuntime(seed, 600_000), playerView: E2E_PLAYER_VIEW }) : undefined),
  };
}

export const EDIT_YAML = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: counter\ndata:\n  step: "2"\n';

/** `kubectl edit cm counter` opens the browser editor; the save (`kubectl edit … <<'…'`) echoes what it got. */
function withEdit(runtime: ScenarioRuntime): ScenarioRuntime {
  return {
    ...runtime,
    runLine: (cluster, session, line) => {
      if (line.startsWith('kubectl ')) session.history.push(line);
      if (line === 'kubectl edit cm counter') return { output: '', exitCode: 0, edit: { title: 'configmaps/counter -n default', text: EDIT_YAML, save: 'kubectl edit configmap/counter -n default' } };
      const saved = /^kubectl edit configmap\/counter -n default <<'KUBEDRILL_EDIT'\n([\s\S]*)KUBEDRILL_EDIT$/.exec(line);
      if (saved) return { output: `configmap/counter edited (step: ${/step: "(\d+)"/.exec(saved[1]!)?.[1]})\n`, exitCode: 0 };
      return runtime.runLine(cluster, session, line);
    },
  };
}
