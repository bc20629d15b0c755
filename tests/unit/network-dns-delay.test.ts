// Where DNS queries are lost (cluster/network/dns-delay.ts), seen through the tools of the
// dns-slow incident: lookup times, dig's communications errors, conntrack -S, ethtool -S,
// the raw table, ss, CoreDNS's logs and CPU.
import { describe, expect, it } from 'vitest';
import { playSteps } from '../../server/cli/scenarios-command.js';
import { promFloat } from '../../server/cluster/network/coredns-metrics.js';
import { lookupName, renderResolvConf } from '../../server/cluster/network/dns.js';
import type { ClusterState, Pod } from '../../server/cluster/types.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { pinInstance } from '../../server/scenarios/variant.js';

const { scenarios } = loadScenarioDir();
// Dressing option 0: namespace checkout, app cart (api.stripe.com, cart-db), nodes ip-10-0-1-21/22/47.
const DRESS = { names: 0, nodes: 0, ages: 0, noise: 0 };

function play(variant: string, lines: string[]) {
  const { scenario, seed } = pinInstance(scenarios.find((s) => s.id === 'dns-slow')!, variant, DRESS);
  return playSteps(scenario, seed, [{ wait: 60 }, ...lines]);
}

const appPods = (state: ClusterState, node?: string): Pod[] =>
  Object.values(state.pods).filter((p) => p.metadata.labels['app'] === 'cart' && (node === undefined || p.spec.nodeName === node));

/** How many of `n` lookups of `name` from the pod wait out at least one resolver timeout. */
function slowLookups(state: ClusterState, pod: Pod, name: string, n = 60): number {
  let slow = 0;
  for (let i = 0; i < n; i++) if (lookupName(state, pod, name, 'A', { parallel: true }).ms >= 5000) slow++;
  return slow;
}

// conntrack-tools nfct_stats_cb: `cpu=%-4u\t` then `%s=%u ` per counter the kernel reports (4.14: ignore, no clash_resolve).
const STATS_414 = /^cpu=\d {3}\tfound=\d+ invalid=\d+ ignore=\d+ insert=0 insert_failed=(\d+) drop=0 early_drop=0 error=\d+ search_restart=\d+ $/;
const insertFailed = (out: string) => out.split('\n').filter(Boolean).reduce((sum, l) => sum + Number(STATS_414.exec(l)?.[1] ?? NaN), 0);

describe('the conntrack insertion race (kernel 4.14)', () => {
  it('conntrack -S prints one line per CPU in conntrack-tools layout, and insert_failed climbs', () => {
    const { commands } = play('race', ['ssh ip-10-0-1-21', 'sudo conntrack -S', 'sleep 10', 'sudo conntrack -S']);
    const first = commands[1]!.output;
    const second = commands[3]!.output;
    expect(first.split('\n').filter(Boolean)).toHaveLength(4);
    for (const line of first.split('\n').filter(Boolean)) expect(line).toMatch(STATS_414);
    expect(insertFailed(first)).toBeGreaterThan(0);
    expect(insertFailed(second)).toBeGreaterThan(insertFailed(first));
  });

  it('A/AAAA together lose queries (5 s waits); dig, one type at a time, never does; single-request-reopen ends it', () => {
    const { state, commands } = play('race', Array.from({ length: 8 }, () => 'kubectl exec -n checkout cart-debug -- dig api.stripe.com'));
    for (const c of commands) expect(c.output).not.toContain('communications error');
    const pod = appPods(state)[0]!;
    expect(slowLookups(state, pod, 'api.stripe.com')).toBeGreaterThan(5);
    pod.spec.dnsConfig = { options: [{ name: 'single-request-reopen' }] };
    expect(renderResolvConf(state, pod)).toContain('options ndots:5 single-request-reopen\n');
    expect(slowLookups(state, pod, 'api.stripe.com')).toBe(0);
  });
});

describe('NodeLocal DNSCache gone from one node', () => {
  it('pods there fail over from 169.254.20.10 after a timeout or a refusal; pods elsewhere do not', () => {
    const lines = Array.from({ length: 6 }, () => 'kubectl exec -n checkout cart-debug -- dig api.stripe.com');
    const { state, commands } = play('nodelocal', lines);
    const errors = commands.map((c) => c.output.split('\n').filter((l) => l.startsWith(';; communications error')).join('\n')).join('\n');
    expect(errors).toMatch(/^;; communications error to 169\.254\.20\.10#53: (timed out|connection refused)$/m);
    for (const c of commands) expect(c.output).toContain(';; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)');
    expect(slowLookups(state, appPods(state, 'ip-10-0-1-47')[0]!, 'cart-db')).toBeGreaterThan(20);
    expect(slowLookups(state, appPods(state, 'ip-10-0-1-21')[0]!, 'cart-db')).toBe(0);
  });

  it('the interface and node-cache\'s NOTRACK rules stay on the node; nothing listens there', () => {
    const { commands } = play('nodelocal', ['ssh ip-10-0-1-47', 'sudo iptables-save -t raw', 'sudo ss -ulpn', 'exit', 'ssh ip-10-0-1-21', 'sudo ss -ulpn']);
    // kubernetes/dns cmd/node-cache/app/cache_app.go: `-p udp -d IP --dport 53 -j NOTRACK -m comment --comment …`, as iptables-save orders it.
    expect(commands[1]!.output).toContain('-A PREROUTING -d 169.254.20.10/32 -p udp -m udp --dport 53 -m comment --comment "NodeLocal DNS Cache: skip conntrack" -j NOTRACK\n');
    expect(commands[1]!.output).toMatch(/^\*raw\n:PREROUTING ACCEPT \[0:0\]\n:OUTPUT ACCEPT \[0:0\]\n/m);
    expect(commands[2]!.output).not.toContain('169.254.20.10:53');
    expect(commands[5]!.output).toMatch(/^UNCONN 0 +0 +169\.254\.20\.10:53 +0\.0\.0\.0:\* +users:\(\("node-cache",pid=\d+,fd=7\)\)$/m);
  });
});

describe('CoreDNS overloaded and the VPC resolver allowance', () => {
  it('CoreDNS sits at its 200m CPU limit in kubectl top', () => {
    const { commands } = play('overload', ['kubectl top pods -n kube-system -l k8s-app=kube-dns']);
    expect(commands[0]!.output).toMatch(/^coredns-\S+ +200m +\d+Mi +$/m);
  });

  it('outside names wait for forward retries; cluster names stay fast; CoreDNS and the ENA say why', () => {
    // The ENA that counts is the one under a CoreDNS pod (where the scheduler put it, from the nodes' allocatable).
    const corednsNode = Object.values(play('upstream', []).state.pods).find((p) => p.metadata.labels['k8s-app'] === 'kube-dns')!.spec.nodeName!;
    const { state, commands } = play('upstream', ['kubectl logs -n kube-system -l k8s-app=kube-dns --tail=3', `ssh ${corednsNode}`, 'ethtool -S ens5']);
    expect(commands[0]!.output).toMatch(/^\[ERROR\] plugin\/errors: 2 [a-z.]+\. (A|AAAA): read udp 10\.\d+\.\d+\.\d+:\d+->10\.0\.0\.2:53: i\/o timeout$/m);
    expect(commands[2]!.output).toMatch(/^NIC statistics:\n {5}tx_timeout: 0\n/);
    expect(commands[2]!.output).toMatch(/^ {5}linklocal_allowance_exceeded: [1-9]\d*$/m);
    const pod = appPods(state)[0]!;
    expect(slowLookups(state, pod, 'cart-db')).toBe(0);
    const times = Array.from({ length: 40 }, () => lookupName(state, pod, 'api.stripe.com', 'A', { parallel: true }).ms);
    expect(times.some((ms) => ms >= 2000)).toBe(true);
  });

  it('CoreDNS\'s :9153/metrics answers in the Prometheus text format, large counters as Go prints float64', () => {
    const { commands } = play('overload', ['kubectl exec -n checkout cart-debug -- curl -s http://10.96.0.10:9153/metrics', 'kubectl exec -n checkout cart-debug -- curl -s http://10.96.0.10:9153/']);
    const text = commands[0]!.output;
    expect(text).toMatch(/^# TYPE coredns_dns_request_duration_seconds histogram\n(coredns_dns_request_duration_seconds_bucket\{server="dns:\/\/:53",type="A",zone="\.",le="[0-9.]+"\} \S+\n){16}/m);
    const inf = /le="\+Inf"\} (\S+)/.exec(text)![1];
    expect(text).toContain(`coredns_dns_request_duration_seconds_count{server="dns://:53",type="A",zone="."} ${inf}\n`);
    expect(inf).toMatch(/^\d\.\d+e\+\d{2}$/); // strconv.AppendFloat(f, 'g', -1, 64)
    expect(commands[1]!.output).toBe('404 page not found\n');
    expect(promFloat(23717088000)).toBe('2.3717088e+10');
    expect(promFloat(642)).toBe('642');
    expect(promFloat(1234567)).toBe('1.234567e+06');
  });

  it('is deterministic: the same lines print the same bytes', () => {
    const lines = ['kubectl exec -n checkout cart-debug -- dig api.stripe.com', 'kubectl logs -n kube-system -l k8s-app=kube-dns --tail=5'];
    expect(play('upstream', lines).commands.map((c) => c.output)).toEqual(play('upstream', lines).commands.map((c) => c.output));
  });
});
