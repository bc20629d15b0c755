// `kubectl cluster-info dump` as cluster-info/dump.go writes it: NodeList, then per namespace
// (kube-system and the current one by default) seven lists and each container's log between
// "==== START logs for container C of pod NS/P ====" and the matching END line.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return (line: string) => runLine(state, session, line);
}

describe('kubectl cluster-info dump', () => {
  it('prints the lists in dump.go order and the logs of every container', () => {
    const run = shell();
    const kinds = run('kubectl cluster-info dump | grep -E \'^    "kind": "[A-Za-z]+List"\' | tr -d \' ",\' | cut -d: -f2').output.trim().split('\n');
    const perNamespace = ['EventList', 'ReplicationControllerList', 'ServiceList', 'DaemonSetList', 'DeploymentList', 'ReplicaSetList', 'PodList'];
    expect(kinds).toEqual(['NodeList', ...perNamespace, ...perNamespace]);
    const pods = Number(run('kubectl get pods -n kube-system --no-headers | wc -l').output) + Number(run('kubectl get pods --no-headers | wc -l').output);
    expect(Number(run('kubectl cluster-info dump | grep -c "^==== START logs for container "').output)).toBeGreaterThanOrEqual(pods);
    const coredns = run('kubectl get pods -n kube-system -l k8s-app=kube-dns -o jsonpath={.items[0].metadata.name}').output;
    expect(run(`kubectl cluster-info dump | sed -n '/START logs for container coredns of pod kube-system\\/${coredns} /,/END logs/p' | tail -1`).output)
      .toBe(`==== END logs for container coredns of pod kube-system/${coredns} ====\n`);
  });

  it('writes a directory tree with --output-directory and refuses other formats', () => {
    const run = shell();
    expect(run('kubectl cluster-info dump --output-directory=/tmp/dump').output).toBe('Cluster info dumped to /tmp/dump\n');
    expect(run('ls /tmp/dump').output).toBe('default\nkube-system\nnodes.json\n');
    expect(run('head -c 28 /tmp/dump/default/pods.json').output).toBe('{\n    "kind": "PodList",\n   ');
    expect(run('kubectl cluster-info dump -o wide').output).toBe('error: unable to match a printer suitable for the output format "wide", allowed formats are: json,yaml\n');
  });
});
