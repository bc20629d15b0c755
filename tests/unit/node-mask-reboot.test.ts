// Folk remedies meet the real behaviour: a masked unit refuses start/restart (systemd's
// messages, systemctl(1) "mask"), `sudo reboot` drops the ssh connection and restarts every
// unit but a masked one, and a workload deleted and applied again from its own YAML runs
// the same program (its image's), so recreating it cures nothing.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { factInterest } from '../../server/scenarios/facts.js';
import { newSession, runLine } from '../../server/shell/index.js';

function cluster() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const sh = (line: string) => runLine(state, session, line);
  return { state, session, sh };
}

describe('systemctl mask / unmask', () => {
  it('a masked kubelet cannot be started or restarted until unmasked', () => {
    const { state, sh } = cluster();
    sh('ssh worker-1');
    sh('sudo -i');
    sh('systemctl stop kubelet');
    // systemd 249: "Created symlink /etc/systemd/system/kubelet.service → /dev/null." on stderr.
    expect(sh('systemctl mask kubelet')).toMatchObject({ output: 'Created symlink /etc/systemd/system/kubelet.service → /dev/null.\n', exitCode: 0 });
    expect(sh('systemctl restart kubelet')).toMatchObject({ output: 'Failed to restart kubelet.service: Unit kubelet.service is masked.\n', exitCode: 1 });
    expect(sh('systemctl start kubelet.service')).toMatchObject({ output: 'Failed to start kubelet.service: Unit kubelet.service is masked.\n', exitCode: 1 });
    expect(state.nodes['worker-1']!.host.units.kubelet!.active).toBe(false);
    expect(sh('systemctl is-enabled kubelet')).toMatchObject({ output: 'masked\n', exitCode: 1 });
    const status = sh('systemctl status kubelet').output.split('\n');
    expect(status[0]).toBe('○ kubelet.service');
    expect(status[1]).toBe('     Loaded: masked (Reason: Unit kubelet.service is masked.)');
    expect(sh('systemctl unmask kubelet')).toMatchObject({ output: 'Removed /etc/systemd/system/kubelet.service.\n', exitCode: 0 });
    expect(sh('systemctl start kubelet').exitCode).toBe(0);
    expect(state.nodes['worker-1']!.host.units.kubelet!.active).toBe(true);
  });

  it('the status block of a masked unit (no description on its first line) still shows its state as a fact', () => {
    const { state, session, sh } = cluster();
    sh('ssh worker-1');
    sh('sudo systemctl stop kubelet');
    sh('sudo systemctl mask kubelet');
    const interest = factInterest([{ source: 'host', field: 'unit', name: 'kubelet' }]);
    const res = runLine(state, session, 'systemctl status kubelet', { interest });
    expect(res.observed).toContainEqual(expect.objectContaining({ source: 'host', node: 'worker-1', field: 'unit', name: 'kubelet', value: 'inactive (dead)' }));
  });
});

describe('reboot', () => {
  it('needs root; as root it drops the connection, restarts the units and the node\'s containers', () => {
    const { state, session, sh } = cluster();
    sh('ssh worker-1');
    expect(sh('reboot')).toMatchObject({ output: 'Failed to set wall message, ignoring: Interactive authentication required.\nCall to Reboot failed: Interactive authentication required.\n', exitCode: 1 });
    const before = Object.values(state.pods).filter((p) => p.spec.nodeName === 'worker-1' && p.status.containerStatuses.some((c) => c.state.kind === 'running'));
    expect(before.length).toBeGreaterThan(0);
    const res = sh('sudo reboot');
    expect(res).toMatchObject({ output: 'Connection to worker-1 closed by remote host.\nConnection to worker-1 closed.\n', exitCode: 255 });
    expect(session.node).toBeUndefined();
    expect(session.root).toBe(false);
    const units = state.nodes['worker-1']!.host.units;
    expect(units.kubelet!.active && units.containerd!.active).toBe(true);
    expect(units.kubelet!.since).toBe(state.now);
    // Every container that ran is gone until the kubelet starts it again (exit 255, Unknown).
    for (const p of before) for (const c of state.pods[`${p.metadata.namespace}/${p.metadata.name}`]!.status.containerStatuses) {
      expect(c.state).toMatchObject({ kind: 'terminated', reason: 'Unknown', exitCode: 255 });
    }
  });

  it('a masked unit stays down after the reboot', () => {
    const { state, sh } = cluster();
    sh('ssh worker-2');
    sh('sudo systemctl stop kubelet');
    sh('sudo systemctl mask kubelet');
    sh('sudo systemctl reboot');
    expect(state.nodes['worker-2']!.host.units.kubelet!.active).toBe(false);
    expect(state.nodes['worker-2']!.host.units.containerd!.active).toBe(true);
  });
});

describe('a workload recreated from its own YAML', () => {
  it('runs its image\'s program again (a crashing CoreDNS keeps crashing)', () => {
    const { state, sh } = cluster();
    const template = state.deployments['kube-system/coredns']!.spec.template;
    const name = template.spec.containers[0]!.name;
    template.behavior[name] = { ...template.behavior[name], role: 'coredns', crashAfterMs: 5000, exitCode: 1 };
    state.imagePrograms![template.spec.containers[0]!.image] = template.behavior[name]!;
    sh('kubectl -n kube-system get deployment coredns -o yaml > /tmp/coredns.yaml');
    expect(sh('kubectl -n kube-system delete deployment coredns').exitCode).toBe(0);
    expect(sh('kubectl apply -f /tmp/coredns.yaml').output).toBe('deployment.apps/coredns created\n');
    expect(state.deployments['kube-system/coredns']!.spec.template.behavior[name]).toMatchObject({ crashAfterMs: 5000, exitCode: 1 });
  });

  it('set image to an image the cluster knows takes that image\'s program; an unknown image keeps the container\'s', () => {
    const { state, sh } = cluster();
    const dep = Object.values(state.deployments).find((d) => d.metadata.namespace !== 'kube-system')!;
    const c = dep.spec.template.spec.containers[0]!;
    state.imagePrograms!['example/known:2'] = { crashAfterMs: 1000, exitCode: 3 };
    const before = structuredClone(dep.spec.template.behavior[c.name]);
    sh(`kubectl set image deployment/${dep.metadata.name} -n ${dep.metadata.namespace} ${c.name}=example/unknown:9`);
    expect(state.deployments[`${dep.metadata.namespace}/${dep.metadata.name}`]!.spec.template.behavior[c.name]).toEqual(before);
    sh(`kubectl set image deployment/${dep.metadata.name} -n ${dep.metadata.namespace} ${c.name}=example/known:2`);
    expect(state.deployments[`${dep.metadata.namespace}/${dep.metadata.name}`]!.spec.template.behavior[c.name]).toEqual({ crashAfterMs: 1000, exitCode: 3 });
  });
});
