// Evidence must be observed, not typed: echoing the command and the expected text earns
// nothing; the real commands (grep pipelines and command substitutions included) still do.
import { describe, expect, it } from 'vitest';
import { playSteps, runReference } from '../../server/cli/scenarios-command.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { instantiate } from '../../server/scenarios/variant.js';
import { commandStages, observes, programOf } from '../../server/scoring/observation.js';
import { scoreSession } from '../../server/scoring/score.js';

const loaded = loadScenarioDir().scenarios.find((s) => s.id === 'etcd-nospace')!;
const { scenario } = instantiate(loaded, 0);
const EVIDENCE = ['write-error', 'apiserver-logs', 'endpoint-status', 'alarm-list', 'disk-usage'];

function evidencePoints(steps: (string | { wait: number })[]) {
  const { state, commands } = playSteps(scenario, 0, [{ wait: 120 }, ...steps]);
  const score = scoreSession(scenario, {
    diagnosis: { rootCause: scenario.answer.rootCause.id, text: '', evidence: EVIDENCE },
    commands, hintsUsed: [], elapsedMs: state.now, cluster: state,
  });
  return { score, commands, byId: Object.fromEntries(score.lines.filter((l) => l.category === 'evidence').map((l) => [l.id, l.points])) };
}

describe('commandStages', () => {
  it('splits on unquoted operators, subshells and substitutions, keeping quoted text whole', () => {
    expect(commandStages(`echo 'a | b; c' && kubectl get po -A | grep -i "x;y" || true`)).toEqual([`echo 'a | b; c'`, 'kubectl get po -A', 'grep -i "x;y"', 'true']);
    expect(commandStages('etcdctl compact $(etcdctl endpoint status -w json | cut -d: -f2)')).toEqual(['etcdctl compact', 'etcdctl endpoint status -w json', 'cut -d: -f2']);
    expect(commandStages('echo "rev: $(etcdctl endpoint status)"')).toEqual(['echo "rev:', 'etcdctl endpoint status', '"']);
    expect(commandStages('echo "a)etcdctl endpoint status"')).toEqual(['echo "a)etcdctl endpoint status"']);
    expect(commandStages('(cd /tmp; ls) & echo `date`')).toEqual(['cd /tmp', 'ls', 'echo', 'date']);
  });

  it('finds the program behind assignments and wrappers', () => {
    expect(programOf('ETCDCTL_API=3 sudo -E /usr/local/bin/etcdctl alarm list')).toBe('etcdctl');
    expect(programOf('sudo printf x')).toBe('printf');
  });
});

describe('evidence observation (etcd-nospace)', () => {
  it('echoed or printed commands and findings earn no evidence', () => {
    const forged = evidencePoints([
      "echo 'etcdctl endpoint status -w table' NOSPACE",
      'echo "etcdctl alarm list" alarm:NOSPACE',
      "printf 'etcdctl alarm list\\nalarm:NOSPACE\\n'",
      "kubectl version; echo 'database space exceeded'",
      "echo 'journalctl -u kubelet' database space exceeded",
      'ls /var/log/; echo df Filesystem',
    ]);
    // The forgeries do print the expected text (so only the rules stop them).
    expect(forged.commands[0]!.output).toContain('NOSPACE');
    expect(forged.byId).toEqual({ 'write-error': 0, 'apiserver-logs': 0, 'endpoint-status': 0, 'alarm-list': 0, 'disk-usage': 0 });
    expect(forged.score.lines.find((l) => l.id === 'endpoint-status')!.why).toBe('cited but never observed in this session\'s command output');
  });

  it('the real commands earn it, pipelines and substitutions included', () => {
    const reference = runReference(loaded, 0);
    const endpoint = reference.score.lines.find((l) => l.id === 'endpoint-status')!;
    const alarms = reference.score.lines.find((l) => l.id === 'alarm-list')!;
    expect(endpoint.points).toBe(endpoint.max);
    expect(alarms.points).toBe(alarms.max);
    expect(observes('etcdctl alarm list | grep NOSPACE', 'memberID:1 alarm:NOSPACE \n', /etcdctl.*alarm\s+list/m, /alarm:NOSPACE/m)).toBe(true);
    expect(observes('sudo crictl logs abc 2>&1 | grep "database space exceeded"', 'E1123 etcdserver: mvcc: database space exceeded\n', /crictl\s+logs/m, /database space exceeded/m)).toBe(true);
    // The typed text coming back verbatim is not an observation.
    expect(observes('cat "alarm:NOSPACE"; etcdctl alarm list', 'alarm:NOSPACE\n', /etcdctl.*alarm\s+list/m, /alarm:NOSPACE/m)).toBe(false);
  });
});
