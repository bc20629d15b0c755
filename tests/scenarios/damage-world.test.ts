// Harm read from the world, the same in every scenario (scoring/damage.ts): what a command
// did to the cluster and what it cost the customers' traffic, not a list of bad commands.
import { describe, expect, it } from 'vitest';
import { playSteps } from '../../server/cli/scenarios-command.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { structuralDamage, trafficDamage } from '../../server/scoring/damage.js';
import { pinnedCase } from '../helpers/pinned.js';

const { scenarios } = loadScenarioDir();
const loaded = (id: string) => scenarios.find((s) => s.id === id)!;

describe('a node\'s NAT rules flushed', () => {
  // snat-client-ip, case 0: policy-cluster, iptables mode, workers worker-1..3 behind an NLB.
  const { scenario } = pinnedCase(loaded('snat-client-ip'), 0);
  const workers = scenario.cluster.nodes.filter((n) => n.role !== 'control-plane').map((n) => n.name);
  const flushAll = `for n in ${workers.join(' ')}; do ssh $n sudo iptables -t nat -F; done`;

  it('empties the nat table, stops the Service answering, and is charged as damage', () => {
    const { state, commands } = playSteps(scenario, 0, [{ wait: 60 }, flushAll, `ssh ${workers[0]} sudo iptables -t nat -L -n`, { wait: 180 }]);
    expect(commands[0]!.exitCode).toBe(0);
    expect(commands[1]!.output).not.toContain('KUBE-SERVICES');
    const damage = structuralDamage(state, scenario).map((d) => d.key);
    expect(damage).toEqual(workers.map((w) => `nat:${w}`));
    const lost = trafficDamage(state, commands[0]!.simTime!);
    expect(lost.map((d) => d.key)).toEqual([`traffic:${scenario.cluster.services[0]!.namespace}/${scenario.cluster.services[0]!.name}`]);
  });

  it('kube-proxy writes the rules again when it restarts: the table is back, no damage stays', () => {
    const { state, commands } = playSteps(scenario, 0, [
      { wait: 60 }, flushAll, 'kubectl -n kube-system delete pod -l k8s-app=kube-proxy', { wait: 60 }, `ssh ${workers[0]} sudo iptables -t nat -L -n`,
    ]);
    expect(commands[2]!.output).toContain('KUBE-SERVICES');
    expect(structuralDamage(state, scenario)).toEqual([]);
  });

  it('needs root, and only the nat table can be flushed', () => {
    const { state, commands } = playSteps(scenario, 0, [`ssh ${workers[0]} iptables -t nat -F`, `ssh ${workers[0]} sudo iptables -F`, `ssh ${workers[0]} sudo iptables -t nat -F NO-SUCH-CHAIN`]);
    expect(commands[0]!.output).toContain('Permission denied (you must be root)');
    expect(commands[1]!.output).toContain('not possible in this drill');
    expect(commands[2]!.output).toBe('iptables: No chain/target/match by that name.\n');
    expect(structuralDamage(state, scenario)).toEqual([]);
  });
});

describe('a node deleted', () => {
  const { scenario } = pinnedCase(loaded('snat-client-ip'), 0);
  const app = scenario.cluster.deployments[0]!;

  it('its pods go with it (pod GC) and come back on the other nodes; the deletion is charged', () => {
    const probe = `kubectl get pods -n ${app.namespace} -o wide --no-headers`;
    const before = playSteps(scenario, 0, [{ wait: 60 }, probe]);
    const victim = before.commands[0]!.output.split('\n')[0]!.split(/\s+/)[6]!;
    const { state, commands } = playSteps(scenario, 0, [{ wait: 60 }, `kubectl delete node ${victim}`, { wait: 60 }, probe, 'kubectl get pods -A -o wide --no-headers']);
    expect(commands[0]!.output).toBe(`node "${victim}" deleted\n`);
    expect(Object.values(state.pods).filter((p) => p.spec.nodeName === victim)).toEqual([]);
    const rows = commands[1]!.output.trim().split('\n');
    expect(rows).toHaveLength(app.replicas ?? 1);
    for (const row of rows) expect(row.split(/\s+/)[6]).not.toBe(victim);
    expect(commands[2]!.output).not.toContain(victim);
    expect(structuralDamage(state, scenario).map((d) => d.key)).toContain(`node:${victim}`);
  });
});

describe('in-cluster clients call Services by name, through CoreDNS', () => {
  // coredns-down, upstream variant: CoreDNS answers cluster names; only external names fail.
  const { scenario } = pinnedCase(loaded('coredns-down'), 1, 'upstream');
  const app = scenario.cluster.services.find((s) => s.namespace !== 'kube-system')!;
  const key = `traffic:${app.namespace}/${app.name}`;

  it('are served while CoreDNS answers for the name', () => {
    const { state, commands } = playSteps(scenario, 1, [{ wait: 30 }, 'kubectl get pods -A', { wait: 180 }]);
    expect(trafficDamage(state, commands[0]!.simTime!).map((d) => d.key)).not.toContain(key);
  });

  it('fail when CoreDNS is gone, and the requests lost are charged', () => {
    const { state, commands } = playSteps(scenario, 1, [{ wait: 30 }, 'kubectl -n kube-system scale deployment coredns --replicas=0', { wait: 180 }]);
    expect(commands[0]!.exitCode).toBe(0);
    expect(trafficDamage(state, commands[0]!.simTime!).map((d) => d.key)).toContain(key);
  });

  it('fail when the Corefile no longer serves the cluster zone', () => {
    const corefile = '.:53 {\\n    errors\\n    forward . 10.0.0.2\\n    cache 30\\n}\\n';
    const { state, commands } = playSteps(scenario, 1, [
      { wait: 30 }, `kubectl -n kube-system patch configmap coredns -p '{"data":{"Corefile":"${corefile}"}}'`, { wait: 180 },
    ]);
    expect(commands[0]!.exitCode, commands[0]!.output).toBe(0);
    expect(trafficDamage(state, commands[0]!.simTime!).map((d) => d.key)).toContain(key);
  });
});
