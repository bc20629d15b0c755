import { describe, expect, it } from 'vitest';
import { createCluster, deleteObject, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { corednsStartup } from '../../server/cluster/network/coredns.js';
import { parseCorefile } from '../../server/cluster/network/corefile.js';
import { resolveName } from '../../server/cluster/network/dns.js';
import { exec, podOf, podsOf, runningCluster } from '../helpers/network-fixture.js';

const LOOP_FATAL = /^\[FATAL\] plugin\/loop: Loop \(127\.0\.0\.1:\d+ -> :53\) detected for zone "\.", see https:\/\/coredns\.io\/plugins\/loop#troubleshooting\. Query: "HINFO \d+\.\d+\."$/;

describe('CoreDNS start-up', () => {
  it('prints the real banner and keeps running with the default Corefile', () => {
    const state = runningCluster();
    const boot = corednsStartup(state, podOf(state, 'coredns', 'kube-system'));
    expect(boot.crash).toBeUndefined();
    expect(boot.logs[0]).toBe('.:53');
    expect(boot.logs[1]).toMatch(/^\[INFO\] plugin\/reload: Running configuration SHA512 = [0-9a-f]{128}$/);
    expect(boot.logs.slice(2)).toEqual(['CoreDNS-1.11.1', 'linux/amd64, go1.20.7, ae2bbc2']);
  });

  it('crashes with the loop plugin when resolv.conf points at a local stub', () => {
    const state = createCluster(demoClusterSpec, 3);
    for (const n of Object.values(state.nodes)) n.host.resolvConfNameservers = ['127.0.0.53'];
    // The pods already running started with the old resolv.conf; their replacements do not.
    for (const pod of podsOf(state, 'coredns', 'kube-system')) deleteObject(state, 'Pod', `kube-system/${pod.metadata.name}`, { force: true });
    tick(state, 30_000);
    expect(podsOf(state, 'coredns', 'kube-system')).toHaveLength(2);
    for (const pod of podsOf(state, 'coredns', 'kube-system')) {
      const cs = pod.status.containerStatuses[0]!;
      const all = [...cs.previousLogs, ...cs.logs].map((l) => l.text);
      expect(all.some((t) => LOOP_FATAL.test(t))).toBe(true);
      expect(cs.restartCount + (cs.state.kind === 'terminated' ? 1 : 0)).toBeGreaterThan(0);
    }
  });

  it('refuses a Corefile with an unknown directive, like CoreDNS', () => {
    const state = runningCluster();
    state.configmaps['kube-system/coredns']!.data['Corefile'] = '.:53 {\n    errors\n    proxy . /etc/resolv.conf\n}\n';
    const boot = corednsStartup(state, podOf(state, 'coredns', 'kube-system'));
    expect(boot.crash?.logs).toEqual(["/etc/coredns/Corefile:3 - Error during parsing: Unknown directive 'proxy'"]);
    expect(parseCorefile('.:53 {\n  forward . foo\n}\n')).toEqual({ ok: false, error: 'plugin/forward: not an IP address or file: "foo"' });
  });
});

describe('name resolution from a pod', () => {
  it('resolves svc, svc.ns, FQDNs and external names through the search list', () => {
    const state = runningCluster();
    const api = podOf(state, 'api');
    const webIP = state.services['default/web']!.spec.clusterIP;
    for (const name of ['web', 'web.default', 'web.default.svc', 'web.default.svc.cluster.local', 'web.default.svc.cluster.local.']) {
      const r = resolveName(state, api, name);
      expect(r.kind, name).toBe('answer');
      if (r.kind === 'answer') expect(r.records[0]!.data).toBe(webIP);
    }
    expect(resolveName(state, api, 'kube-dns.kube-system')).toMatchObject({ kind: 'answer', records: [{ data: '10.96.0.10' }] });
    expect(resolveName(state, api, 'example.com')).toMatchObject({ kind: 'answer', records: [{ data: '93.184.215.14' }] });
    expect(resolveName(state, api, 'no-such-svc').kind).toBe('nxdomain');
  });

  it('prints busybox nslookup output, NXDOMAIN and the resolv.conf', () => {
    const state = runningCluster();
    const api = podOf(state, 'api');
    const ok = exec(state, api, 'nslookup', 'web');
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toBe(`Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: ${state.services['default/web']!.spec.clusterIP}\n\n`);
    const ext = exec(state, api, 'nslookup', 'example.com');
    expect(ext.stdout).toContain('Non-authoritative answer:\nName:\texample.com\nAddress: 93.184.215.14\n');
    const nx = exec(state, api, 'nslookup', 'nope.invalid');
    expect(nx.exitCode).toBe(1);
    expect(nx.stdout).toContain("** server can't find nope.invalid: NXDOMAIN");
    expect(nx.stderr).toBe('command terminated with exit code 1\n');
    expect(exec(state, api, 'cat', '/etc/resolv.conf').stdout).toBe('search default.svc.cluster.local svc.cluster.local cluster.local ec2.internal\nnameserver 10.96.0.10\noptions ndots:5\n');
  });

  it('times out when CoreDNS has no ready endpoints', () => {
    const state = runningCluster();
    for (const s of state.endpoints['kube-system/kube-dns']!.subsets) {
      s.notReadyAddresses.push(...s.addresses);
      s.addresses = [];
    }
    const r = exec(state, podOf(state, 'api'), 'nslookup', 'web');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe(';; connection timed out; no servers could be reached\n\n');
    expect(r.stderr).toBe('command terminated with exit code 1\n');
    const c = exec(state, podOf(state, 'web'), 'curl', '-sS', 'http://api/');
    expect(c.exitCode).toBe(6);
    expect(c.stderr).toContain('curl: (6) Could not resolve host: api\n');
  });

  it('a wrong forward upstream fails external names with SERVFAIL but keeps cluster names', () => {
    const state = runningCluster();
    const cm = state.configmaps['kube-system/coredns']!;
    cm.data['Corefile'] = cm.data['Corefile']!.replace('forward . /etc/resolv.conf', 'forward . 10.9.9.9');
    const api = podOf(state, 'api');
    expect(resolveName(state, api, 'example.com').kind).toBe('servfail');
    expect(resolveName(state, api, 'web').kind).toBe('answer');
    const logs = podsOf(state, 'coredns', 'kube-system').flatMap((p) => p.status.containerStatuses[0]!.logs.map((l) => l.text));
    expect(logs.some((t) => /^\[ERROR\] plugin\/errors: \d+ example\.com\. A: read udp [\d.]+:\d+->10\.9\.9\.9:53: i\/o timeout$/.test(t))).toBe(true);
  });

  it('dig +short and an unknown program', () => {
    const state = runningCluster();
    const dnsutils = podOf(state, 'api');
    dnsutils.spec.containers[0]!.image = 'registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3';
    expect(exec(state, dnsutils, 'dig', '+short', 'web.default.svc.cluster.local').stdout).toBe(`${state.services['default/web']!.spec.clusterIP}\n`);
    const web = podOf(state, 'web');
    const r = exec(state, web, 'nslookup', 'web');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "nslookup": executable file not found in \$PATH: unknown\n$/);
  });
});
