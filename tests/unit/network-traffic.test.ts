import { describe, expect, it } from 'vitest';
import { tick } from '../../server/cluster/index.js';
import { deliver, lbHealthy } from '../../server/cluster/network/path.js';
import { accessLog, onNode, runningCluster } from '../helpers/network-fixture.js';

const NGINX_COMBINED = /^(\S+) - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \S+ HTTP\/1\.1" \d{3} \d+ "-" "[^"]*" "-"$/;
const sourceOf = (line: string) => line.split(' ')[0]!;

describe('synthetic traffic and the source IP a pod sees', () => {
  it('externalTrafficPolicy Cluster: access logs show node IPs and kube-proxy masquerades', () => {
    const state = runningCluster();
    tick(state, 180_000);
    const lines = accessLog(state, 'web');
    expect(lines.length).toBeGreaterThan(20);
    for (const l of lines) expect(l.text).toMatch(NGINX_COMBINED);
    const sources = new Set(lines.map((l) => sourceOf(l.text)));
    for (const s of sources) expect(['10.0.1.21', '10.0.1.22']).toContain(s);

    const post = onNode(state, 'worker-1', 'iptables', '-t', 'nat', '-L', 'KUBE-POSTROUTING', '-n', '-v');
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toContain('Chain KUBE-POSTROUTING (1 references)\n pkts bytes target     prot opt in     out     source               destination');
    const masq = post.stdout.split('\n').find((l) => l.includes('MASQUERADE'))!;
    expect(Number(masq.trim().split(/\s+/)[0])).toBeGreaterThan(0);
    expect(masq).toContain('/* kubernetes service traffic requiring SNAT */ random-fully');

    const save = onNode(state, 'worker-1', 'iptables-save', '-t', 'nat').stdout;
    expect(save).toMatch(/^-A KUBE-EXT-\w{16} -m comment --comment "masquerade traffic for default\/web:http external destinations" -j KUBE-MARK-MASQ$/m);
    expect(save).toMatch(/^-A KUBE-NODEPORTS -p tcp -m comment --comment "default\/web:http" -m tcp --dport 30080 -j KUBE-EXT-\w{16}$/m);
  });

  it('externalTrafficPolicy Local: new log lines show the real client IPs', () => {
    const state = runningCluster();
    tick(state, 60_000);
    const before = accessLog(state, 'web').length;
    const since = state.now;
    state.services['default/web']!.spec.externalTrafficPolicy = 'Local';
    tick(state, 180_000);
    const fresh = accessLog(state, 'web').filter((l) => l.at > since);
    expect(before).toBeGreaterThan(0);
    expect(fresh.length).toBeGreaterThan(20);
    const sources = new Set(fresh.map((l) => sourceOf(l.text)));
    expect(sources.has('203.0.113.10')).toBe(true);
    for (const s of sources) expect(s).toMatch(/^(203\.0\.113|198\.51\.100)\./);
    const save = onNode(state, 'worker-1', 'iptables-save', '-t', 'nat').stdout;
    expect(save).toMatch(/^-A KUBE-EXT-(\w{16}) -j KUBE-SVL-\1$/m);
  });

  it('Local with no endpoint on the node: kube-proxy drops it and the LB health check fails', () => {
    const state = runningCluster();
    const web = state.services['default/web']!;
    web.spec.externalTrafficPolicy = 'Local';
    // Keep only worker-2's endpoints: worker-1 has none left.
    for (const s of state.endpoints['default/web']!.subsets) s.addresses = s.addresses.filter((a) => a.nodeName === 'worker-2');
    state.network.traffic = state.network.traffic.map((t) => ({ ...t, via: 'nodeport' as const }));
    const filter = onNode(state, 'worker-1', 'iptables', '-L', 'KUBE-EXTERNAL-SERVICES', '-n');
    expect(lbHealthy(state, web, state.nodes['worker-1']!)).toBe(false);
    expect(lbHealthy(state, web, state.nodes['worker-2']!)).toBe(true);
    const d = deliver(state, { node: 'worker-1', src: '198.51.100.23', svc: web, port: web.spec.ports[0]!, entry: 'nodeport', bytes: 400 });
    expect(d).toEqual({ ok: false, error: 'timeout' });
    expect(filter.stdout).toMatch(/DROP\s+tcp\s+--\s+0\.0\.0\.0\/0\s+0\.0\.0\.0\/0\s+\/\* default\/web:http has no local endpoints \*\/ ADDRTYPE match dst-type LOCAL tcp dpt:30080/);
  });

  it('is deterministic: same seed, same access logs and conntrack', () => {
    const a = runningCluster(11);
    const b = runningCluster(11);
    tick(a, 90_000);
    tick(b, 90_000);
    expect(JSON.stringify(accessLog(a, 'web'))).toBe(JSON.stringify(accessLog(b, 'web')));
    expect(JSON.stringify(a.network.conntrack)).toBe(JSON.stringify(b.network.conntrack));
  });
});
