// Scoring on diagnosis, with plain inputs: each breakdown line scores what it should and says why.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClusterState } from '../../server/cluster/types.js';
import { loadScenarioFile, SCENARIOS_DIR } from '../../server/scenarios/load.js';
import type { Scenario } from '../../server/scenarios/schema.js';
import { recordBrokenRemediations } from '../../server/scenarios/remediation.js';
import { startScenario } from '../../server/scenarios/session.js';
import { pinnedCase } from '../helpers/pinned.js';
import { scoreSession, type ScoringInput } from '../../server/scoring/score.js';

let scenario: Scenario;
let cluster: ClusterState;

beforeAll(() => {
  const res = loadScenarioFile(`${SCENARIOS_DIR}etcd-nospace.yaml`);
  if (!res.ok) throw new Error('etcd-nospace does not load');
  scenario = pinnedCase(res.scenario, 0).scenario;
  // The incident in full: etcd at its quota with the NOSPACE alarm raised.
  cluster = startScenario(scenario, 0);
  cluster.etcd.dbSize = cluster.etcd.quotaBackendBytes;
  cluster.etcd.alarms = [{ memberID: '8e9e05c52164694d', alarm: 'NOSPACE' }];
  recordBrokenRemediations(cluster, scenario); // what a tick of the session would record
});

const alarmList = {
  line: 'etcdctl alarm list', output: 'memberID:18090744520205745301 alarm:NOSPACE \n', exitCode: 0, simTime: 60_000,
  observed: [{ source: 'etcd' as const, node: 'cp-1', field: 'alarms', value: 'memberID:18090744520205745301 alarm:NOSPACE' }],
};

function input(over: Partial<ScoringInput> = {}): ScoringInput {
  return { diagnosis: { rootCause: 'etcd-quota-nospace', text: 'quota', evidence: ['alarm-list'] }, commands: [alarmList], hintsUsed: [], elapsedMs: 120_000, cluster, ...over };
}

const line = (s: ReturnType<typeof scoreSession>, category: string, id?: string) => s.lines.find((l) => l.category === category && (id === undefined || l.id === id))!;

describe('scoreSession', () => {
  it('a correct root cause scores full points and a time bonus', () => {
    const s = scoreSession(scenario, input());
    expect(line(s, 'rootCause')).toMatchObject({ points: 40, max: 40 });
    expect(line(s, 'rootCause').why).toMatch(/^correct: /);
    expect(line(s, 'time')).toMatchObject({ points: 10, max: 10 });
  });

  it('a partial cause scores half and explains what was missing', () => {
    const s = scoreSession(scenario, input({ diagnosis: { rootCause: 'etcd-out-of-space', text: '', evidence: [] } }));
    expect(line(s, 'rootCause').points).toBe(20);
    expect(line(s, 'rootCause').why).toMatch(/^partly right: "etcd ran out of space \(without saying which space, or why\)" — /);
    expect(line(s, 'time').points).toBe(0);
  });

  it('a wrong cause scores nothing and names the real one', () => {
    const s = scoreSession(scenario, input({ diagnosis: { rootCause: 'network-partition', text: '', evidence: [] } }));
    expect(line(s, 'rootCause').points).toBe(0);
    expect(line(s, 'rootCause').why).toMatch(/^wrong: "A network partition between the control plane and the workers" is not the cause/);
  });

  it('evidence counts only when cited AND seen in this session\'s output', () => {
    const s = scoreSession(scenario, input({ diagnosis: { rootCause: 'etcd-quota-nospace', text: '', evidence: ['alarm-list', 'endpoint-status'] } }));
    expect(line(s, 'evidence', 'alarm-list')).toMatchObject({ points: 10, max: 10 });
    expect(line(s, 'evidence', 'alarm-list').why).toContain('`etcdctl alarm list`');
    expect(line(s, 'evidence', 'endpoint-status')).toMatchObject({ points: 0, why: "cited but never observed in this session's command output" });
    // The right command with an output that does not show it does not count.
    const clean = scoreSession(scenario, input({ commands: [{ ...alarmList, output: '', observed: [] }] }));
    expect(line(clean, 'evidence', 'alarm-list').points).toBe(0);
    // Seen but not cited.
    const uncited = scoreSession(scenario, input({ diagnosis: { rootCause: 'etcd-quota-nospace', text: '', evidence: [] } }));
    expect(line(uncited, 'evidence', 'alarm-list')).toMatchObject({ points: 0, why: 'observed (`etcdctl alarm list`) but not cited in the diagnosis' });
  });

  it('remediation lines follow the predicates on the final cluster', () => {
    const broken = scoreSession(scenario, input());
    expect(line(broken, 'remediation', 'alarm-disarmed')).toMatchObject({ points: 0, why: 'not true on the cluster at the end' });
    const fixed = structuredClone(cluster);
    fixed.etcd.alarms = [];
    fixed.etcd.dbSize = 10 * 2 ** 20;
    const s = scoreSession(scenario, input({ cluster: fixed }));
    expect(line(s, 'remediation', 'alarm-disarmed')).toMatchObject({ points: 15, why: 'holds on the cluster at the end' });
    expect(line(s, 'remediation', 'compact-defrag').points).toBe(10);
    // The same final cluster, but the session never saw the alarm: nothing was fixed.
    const neverBroken = { ...fixed, brokenRemediations: [] };
    expect(line(scoreSession(scenario, input({ cluster: neverBroken })), 'remediation', 'alarm-disarmed'))
      .toMatchObject({ points: 0, why: 'already true before anything broke: nothing was fixed' });
  });

  it('the time bonus shrinks linearly after a quarter of the time limit', () => {
    const limit = scenario.timeLimitSec * 1000;
    expect(line(scoreSession(scenario, input({ elapsedMs: limit * 0.25 })), 'time').points).toBe(10);
    expect(line(scoreSession(scenario, input({ elapsedMs: limit * 0.625 })), 'time').points).toBe(5);
    expect(line(scoreSession(scenario, input({ elapsedMs: limit })), 'time').points).toBe(0);
  });

  it('hints cost their price once; harmful actions and host adjustments are lines with reasons', () => {
    const s = scoreSession(scenario, input({
      hintsUsed: [{ hintId: 'etcd-health' }, { hintId: 'etcd-health' }],
      commands: [alarmList, { line: 'sudo rm -rf /var/lib/etcd/member', output: '', exitCode: 0 }],
      adjustments: [{ points: 5, reason: 'explained the quota trade-off well' }],
    }));
    expect(s.lines.filter((l) => l.category === 'hints')).toEqual([expect.objectContaining({ points: -10, why: 'hint taken (costs 10)' })]);
    expect(line(s, 'harmful', 'delete-etcd-data')).toMatchObject({ points: -60, why: 'ran `sudo rm -rf /var/lib/etcd/member`' });
    expect(line(s, 'adjustment')).toMatchObject({ points: 5, why: 'explained the quota trade-off well' });
    expect(s.total).toBe(s.lines.reduce((n, l) => n + l.points, 0));
  });

  it('a harmful command counts when it runs, not when it is echoed or commented out', () => {
    const harmless = ["echo 'sudo rm -rf /var/lib/etcd/member'", 'printf "%s\\n" "rm -rf /var/lib/etcd/member/wal"', '# rm -rf /var/lib/etcd/member', 'etcdctl alarm list # not rm -rf /var/lib/etcd', "for d in member; do echo rm -rf /var/lib/etcd/$d; done", 'cat <<EOF\nrm -rf /var/lib/etcd\nEOF', 'cat <<< "rm -rf /var/lib/etcd"', "grep x <<< 'rm -rf /var/lib/etcd/member'"];
    for (const typed of harmless) {
      const s = scoreSession(scenario, input({ commands: [alarmList, { line: typed, output: '', exitCode: 0 }] }));
      expect(s.lines.filter((l) => l.category === 'harmful'), typed).toEqual([]);
    }
    for (const typed of ['ls /var/lib/etcd; rm -rf /var/lib/etcd/member', 'sudo -i rm -r /var/lib/etcd/member/snap', 'echo ok && rm -rf /var/lib/etcd', 'for d in snap wal; do rm -rf /var/lib/etcd/member/$d; done', 'echo ${x:- #}; rm -rf /var/lib/etcd', 'cat <<EOF\necho "hi\nEOF\nrm -rf /var/lib/etcd/member']) {
      const s = scoreSession(scenario, input({ commands: [alarmList, { line: typed, output: '', exitCode: 0 }] }));
      expect(line(s, 'harmful', 'delete-etcd-data'), typed).toMatchObject({ points: -60 });
    }
  });

  it('the total, the maximum, the percent and the parts agree', () => {
    const s = scoreSession(scenario, input());
    expect(s.max).toBe(40 + 40 + 25 + 10);
    expect(s.total).toBe(40 + 10 + 10);
    expect(s.percent).toBe(Math.round((60 / 115) * 1000) / 10);
    expect(s.parts.find((p) => p.key === 'evidence')).toEqual({ key: 'evidence', points: 10, max: 40 });
    expect(scoreSession(scenario, input({ diagnosis: null, commands: [{ line: 'kubectl delete ns kube-system', output: '', exitCode: 0 }] })).percent).toBe(0);
  });
});
