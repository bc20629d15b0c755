// NetworkPolicy (networking.k8s.io/v1) enforced on the simulated packet path, in DNS and for
// the counted in-cluster clients. The semantics are those of the API reference
// (kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/) and the
// concept page (kubernetes.io/docs/concepts/services-networking/network-policies/); the
// printers are kubectl v1.29's (kubernetes pkg/printers/internalversion/printers.go
// printNetworkPolicy; kubectl pkg/describe/describe.go describeNetworkPolicy).
import { describe, expect, it } from 'vitest';
import { demoClusterSpec, tick } from '../../server/cluster/index.js';
import { connectionAllowed, egressAllowed, ingressAllowed } from '../../server/cluster/network/netpol.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { LineBudget } from '../../server/shell/budget.js';
import { kubectlCommand } from '../../server/shell/kubectl/index.js';
import { exec, podOf, podsOf, runningCluster } from '../helpers/network-fixture.js';

function kubectl(state: ClusterState, argv: string[], stdin = '') {
  return kubectlCommand({ state, session: { root: false, vars: {}, history: [], namespace: 'default' }, env: {}, stdin, budget: new LineBudget() }, ['kubectl', ...argv]);
}

function apply(state: ClusterState, yaml: string): void {
  const r = kubectl(state, ['apply', '-f', '-'], yaml);
  expect(r.stderr).toBe('');
}

const policy = (name: string, spec: string, namespace = 'default') =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n${spec}`;

const DENY_INGRESS = policy('default-deny-ingress', '  podSelector: {}\n  policyTypes: [Ingress]\n');
const DENY_EGRESS = policy('default-deny-egress', '  podSelector:\n    matchLabels: { app: api }\n  policyTypes: [Egress]\n');

describe('NetworkPolicy semantics', () => {
  it('a pod selected for ingress by a policy without rules accepts no new connection; others are untouched', () => {
    const state = runningCluster();
    const web = podOf(state, 'web');
    const api = podOf(state, 'api');
    expect(exec(state, web, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://api/').stdout).toBe('200');
    apply(state, DENY_INGRESS);
    // Through the Service (the policy applies after the DNAT, to the endpoint) and straight to the pod IP.
    const viaService = exec(state, web, 'curl', '-sS', '-m', '3', 'http://api/');
    expect(viaService.exitCode).toBe(28);
    expect(viaService.stderr).toBe('curl: (28) Connection timed out after 3001 milliseconds\ncommand terminated with exit code 28\n');
    expect(exec(state, web, 'curl', '-sS', '-m', '3', `http://${api.status.podIP}:8080/`).exitCode).toBe(28);
    // Egress is not isolated and CoreDNS (kube-system) is not selected: names still resolve.
    expect(exec(state, api, 'nslookup', 'web').stdout).toContain('Name:\tweb.default.svc.cluster.local');
  });

  it('allows the union of the rules: a podSelector peer on a named port, nothing else', () => {
    const state = runningCluster();
    apply(state, DENY_INGRESS);
    apply(state, policy('api-from-web', '  podSelector:\n    matchLabels: { app: api }\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels: { app: web }\n    ports:\n    - port: http\n'));
    const web = podOf(state, 'web');
    const api = podOf(state, 'api');
    expect(exec(state, web, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://api/').stdout).toBe('200');
    // api -> web: web is still isolated by the default deny and no rule lets api in.
    expect(exec(state, api, 'curl', '-sS', '-m', '2', 'http://web/').exitCode).toBe(28);
    // The named port resolves on the destination pod: `http` is 8080 on api, so 9090 is not allowed.
    expect(ingressAllowed(state, { ip: web.status.podIP!, pod: web }, { ip: api.status.podIP!, pod: api }, 9090, 'TCP')).toBe(false);
    expect(ingressAllowed(state, { ip: web.status.podIP!, pod: web }, { ip: api.status.podIP!, pod: api }, 8080, 'UDP')).toBe(false);
  });

  it('namespaceSelector, podSelector and both together; ipBlock with except; port ranges with endPort', () => {
    const state = runningCluster();
    const web = podOf(state, 'web');
    const api = podOf(state, 'api');
    const coredns = podOf(state, 'coredns', 'kube-system');
    const to = { ip: api.status.podIP!, pod: api };
    apply(state, policy('mixed', [
      '  podSelector:\n    matchLabels: { app: api }',
      '  ingress:',
      '  - from:',
      '    - namespaceSelector:\n        matchLabels: { kubernetes.io/metadata.name: kube-system }\n      podSelector:\n        matchLabels: { k8s-app: kube-dns }',
      '    - ipBlock:\n        cidr: 203.0.113.0/24\n        except: [203.0.113.128/25]',
      '    ports:\n    - port: 8000\n      endPort: 8100',
      '',
    ].join('\n')));
    expect(ingressAllowed(state, { ip: coredns.status.podIP!, pod: coredns }, to, 8080, 'TCP')).toBe(true);
    expect(ingressAllowed(state, { ip: coredns.status.podIP!, pod: coredns }, to, 8101, 'TCP')).toBe(false);
    // web is in default, not kube-system; both selectors must hold for one peer.
    expect(ingressAllowed(state, { ip: web.status.podIP!, pod: web }, to, 8080, 'TCP')).toBe(false);
    expect(ingressAllowed(state, { ip: '203.0.113.7' }, to, 8080, 'TCP')).toBe(true);
    expect(ingressAllowed(state, { ip: '203.0.113.200' }, to, 8080, 'TCP')).toBe(false);
    // A podSelector alone means pods of the policy's own namespace.
    apply(state, policy('same-ns', '  podSelector:\n    matchLabels: { app: api }\n  ingress:\n  - from:\n    - podSelector: {}\n'));
    expect(ingressAllowed(state, { ip: web.status.podIP!, pod: web }, to, 8080, 'TCP')).toBe(true);
    expect(ingressAllowed(state, { ip: coredns.status.podIP!, pod: coredns }, to, 1, 'TCP')).toBe(false);
  });

  it('a default-deny egress breaks name resolution: lookups time out, curl cannot resolve the host', () => {
    const state = runningCluster();
    apply(state, DENY_EGRESS);
    const api = podOf(state, 'api');
    const web = podOf(state, 'web');
    const ns = exec(state, api, 'nslookup', 'web');
    expect(ns.stdout).toBe(';; connection timed out; no servers could be reached\n\n');
    expect(ns.exitCode).toBe(1);
    const curl = exec(state, api, 'curl', '-sS', 'http://web/');
    expect(curl.exitCode).toBe(6);
    expect(curl.stderr).toBe('curl: (6) Could not resolve host: web\ncommand terminated with exit code 6\n');
    // web is not selected: it still resolves and connects.
    expect(exec(state, web, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://api/').stdout).toBe('200');
    // Allowing DNS to kube-system brings names back; the connection to web stays denied.
    apply(state, policy('allow-dns', '  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector:\n        matchLabels: { kubernetes.io/metadata.name: kube-system }\n    ports:\n    - { port: 53, protocol: UDP }\n    - { port: 53, protocol: TCP }\n'));
    expect(exec(state, api, 'nslookup', 'web').exitCode).toBe(0);
    expect(exec(state, api, 'curl', '-sS', '-m', '2', 'http://web/').exitCode).toBe(28);
    expect(egressAllowed(state, { ip: api.status.podIP!, pod: api }, { ip: '93.184.216.34' }, 443, 'TCP')).toBe(false);
  });

  it('the apiserver defaults policyTypes (Ingress, plus Egress with egress rules) and each port protocol', () => {
    const state = runningCluster();
    apply(state, policy('egress-only-rules', '  podSelector: {}\n  egress:\n  - ports:\n    - port: 443\n'));
    const yaml = kubectl(state, ['get', 'netpol', 'egress-only-rules', '-o', 'yaml']).stdout;
    expect(yaml).toContain('  egress:\n  - ports:\n    - port: 443\n      protocol: TCP\n  podSelector: {}\n  policyTypes:\n  - Ingress\n  - Egress\n');
    // Ingress is isolated with no ingress rule: nothing gets in.
    const web = podOf(state, 'web');
    const api = podOf(state, 'api');
    expect(connectionAllowed(state, { ip: web.status.podIP!, pod: web }, { ip: api.status.podIP!, pod: api }, 8080, 'TCP')).toBe(false);
  });

  it('host-network pods are never selected, and flannel enforces nothing', () => {
    const state = runningCluster(7, { ...demoClusterSpec, network: { ...demoClusterSpec.network, cni: { name: 'flannel' } } });
    apply(state, DENY_INGRESS);
    tick(state, 1000);
    const web = podOf(state, 'web');
    expect(exec(state, web, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://api/').stdout).toBe('200');
  });
});

describe('in-cluster clients with their own pods', () => {
  const spec = { ...demoClusterSpec, network: { ...demoClusterSpec.network, traffic: [
    ...demoClusterSpec.network!.traffic!,
    { ip: '192.0.2.40', service: 'default/api', via: 'cluster' as const, requestsPerMinute: 60, paths: ['/v1/orders'], from: { namespace: 'default', labels: { app: 'web' } } },
  ] } };
  const health = (state: ClusterState) => state.network.health!['default/api|192.0.2.40']!.at(-1)!;
  const lastError = (state: ClusterState) => podsOf(state, 'web').flatMap((p) => p.status.containerStatuses[0]!.logs).sort((a, b) => a.at - b.at).filter((l) => l.text.includes('upstream request failed')).at(-1)?.text;

  it('are judged as their pods: an ingress deny makes their calls time out, an egress deny their lookups', () => {
    const state = runningCluster(7, spec);
    expect(health(state).failed).toBe(0);
    expect(lastError(state)).toBeUndefined();
    apply(state, DENY_INGRESS.replace('podSelector: {}', 'podSelector:\n    matchLabels: { app: api }'));
    tick(state, 20_000);
    expect(health(state).served).toBe(0);
    expect(lastError(state)).toMatch(/^\{"level":"error","ts":"[^"]+","msg":"upstream request failed","upstream":"api","status":503,"error":"Get \\"http:\/\/api\.default\.svc\.cluster\.local\/v1\/orders\\": dial tcp 10\.\d+\.\d+\.\d+:80: i\/o timeout"\}$/);
    kubectl(state, ['delete', 'netpol', 'default-deny-ingress']);
    apply(state, policy('web-no-egress', '  podSelector:\n    matchLabels: { app: web }\n  policyTypes: [Egress]\n'));
    tick(state, 20_000);
    expect(lastError(state)).toContain('dial tcp: lookup api.default.svc.cluster.local on 10.96.0.10:53: i/o timeout');
  });
});

describe('kubectl get/describe networkpolicy (v1.29 printers)', () => {
  it('get: POD-SELECTOR is metav1.FormatLabelSelector, <none> for an empty selector, requirements sorted by key', () => {
    const state = runningCluster();
    apply(state, DENY_INGRESS);
    apply(state, policy('api-from-web', '  podSelector:\n    matchLabels: { tier: backend }\n    matchExpressions:\n    - { key: app, operator: In, values: [orders, api] }\n  ingress:\n  - {}\n'));
    expect(kubectl(state, ['get', 'networkpolicy']).stdout).toBe(
      'NAME                   POD-SELECTOR                       AGE\n' +
      'api-from-web           app in (api,orders),tier=backend   0s\n' +
      'default-deny-ingress   <none>                             0s\n');
  });

  it('describe: the spec in describeNetworkPolicy layout', () => {
    const state = runningCluster();
    apply(state, policy('api-policy', [
      '  podSelector:\n    matchLabels: { app: api }',
      '  policyTypes: [Ingress, Egress]',
      '  ingress:',
      '  - from:',
      '    - ipBlock:\n        cidr: 172.17.0.0/16\n        except: [172.17.1.0/24, 172.17.2.0/24]',
      '    - namespaceSelector:\n        matchLabels: { project: myproject }',
      '    - namespaceSelector:\n        matchLabels: { team: a }\n      podSelector:\n        matchLabels: { role: frontend }',
      '    ports:\n    - port: 6379',
      '  - {}',
      '  egress:',
      '  - to:\n    - ipBlock:\n        cidr: 10.0.0.0/24\n    ports:\n    - { port: 5978, protocol: TCP }\n    - { port: dns, protocol: UDP }',
      '',
    ].join('\n')));
    const out = kubectl(state, ['describe', 'netpol', 'api-policy']).stdout;
    expect(out).toBe([
      'Name:         api-policy',
      'Namespace:    default',
      'Created on:   2024-06-03 09:01:00 +0000 UTC',
      'Labels:       <none>',
      'Annotations:  <none>',
      'Spec:',
      '  PodSelector:     app=api',
      '  Allowing ingress traffic:',
      '    To Port: 6379/TCP',
      '    From:',
      '      IPBlock:',
      '        CIDR: 172.17.0.0/16',
      '        Except: 172.17.1.0/24, 172.17.2.0/24',
      '    From:',
      '      NamespaceSelector: project=myproject',
      '    From:',
      '      NamespaceSelector: team=a',
      '      PodSelector: role=frontend',
      '    ----------',
      '    To Port: <any> (traffic allowed to all ports)',
      '    From: <any> (traffic not restricted by source)',
      '  Allowing egress traffic:',
      '    To Port: 5978/TCP',
      '    To Port: dns/UDP',
      '    To:',
      '      IPBlock:',
      '        CIDR: 10.0.0.0/24',
      '        Except: ',
      '  Policy Types: Ingress, Egress',
      '',
    ].join('\n'));
    apply(state, DENY_INGRESS);
    expect(kubectl(state, ['describe', 'netpol', 'default-deny-ingress']).stdout.split('\n').slice(5).join('\n')).toBe([
      'Spec:',
      '  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)',
      '  Allowing ingress traffic:',
      '    <none> (Selected pods are isolated for ingress connectivity)',
      '  Not affecting egress traffic',
      '  Policy Types: Ingress',
      '',
    ].join('\n'));
  });
});
