// The AWS load balancer a Service's annotations make, and the address the app sees behind
// it: a Classic ELB over TCP shows its own private addresses (X-Forwarded-For once its
// backend is HTTP), an NLB with IP targets shows its own unless the target group preserves
// the client's, an NLB with instance targets leaves it to externalTrafficPolicy.
import { describe, expect, it } from 'vitest';
import { mutateObject } from '../../server/cluster/api.js';
import { demoClusterSpec, tick } from '../../server/cluster/index.js';
import { cloudLBKind, lbPrivateIPs } from '../../server/cluster/network/cloud-lb.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { evaluate } from '../../server/scenarios/predicates.js';
import { accessLog, runningCluster } from '../helpers/network-fixture.js';

const CLIENTS = ['203.0.113.10', '198.51.100.23'];

/** The demo cluster with its web Service annotated, only load-balancer clients. */
function clusterWith(annotations: Record<string, string>, policy: 'Cluster' | 'Local' = 'Cluster'): ClusterState {
  const spec = structuredClone(demoClusterSpec);
  spec.services = spec.services!.map((s) => (s.name === 'web' ? { ...s, annotations, externalTrafficPolicy: policy } : s));
  spec.network = { ...spec.network, traffic: spec.network!.traffic!.map((t) => ({ ...t, via: 'loadbalancer' as const })) };
  return runningCluster(7, spec);
}

const sourcesSince = (state: ClusterState, since: number) => new Set(accessLog(state, 'web').filter((l) => l.at > since).map((l) => l.text.split(' ')[0]!));
const forwardedSince = (state: ClusterState, since: number) => new Set(accessLog(state, 'web').filter((l) => l.at > since).map((l) => /"([^"]*)"$/.exec(l.text)![1]!));
const clientsSeen = (state: ClusterState) => evaluate(state, { traffic: { namespace: 'default', name: 'web', allClientsServed: true, clientAddressesSeen: true } });
const annotate = (state: ClusterState, key: string, value: string) => { state.services['default/web']!.metadata.annotations[`service.beta.kubernetes.io/${key}`] = value; };

describe('the cloud load balancer in front of a LoadBalancer Service', () => {
  it('no type annotation is a Classic ELB: its TCP listener shows the ELB addresses even under Local; an HTTP backend adds X-Forwarded-For', () => {
    const state = clusterWith({}, 'Local');
    const svc = state.services['default/web']!;
    expect(cloudLBKind(svc)).toBe('classic');
    expect(svc.status.loadBalancer.ingress[0]!.hostname).toMatch(/^a[0-9a-f]{32}-\d{8}\.us-east-1\.elb\.amazonaws\.com$/);
    let since = state.now;
    tick(state, 120_000);
    const seen = sourcesSince(state, since);
    expect(seen.size).toBeGreaterThan(0);
    for (const s of seen) expect(lbPrivateIPs(svc)).toContain(s);
    expect(clientsSeen(state)).toBe(false);
    annotate(state, 'aws-load-balancer-backend-protocol', 'http');
    since = state.now;
    tick(state, 120_000);
    expect([...forwardedSince(state, since)].sort()).toEqual(expect.arrayContaining(CLIENTS));
    expect(clientsSeen(state)).toBe(true);
  });

  it('an NLB with IP targets bypasses kube-proxy and shows its own addresses until preserve_client_ip is on', () => {
    const state = clusterWith({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'external', 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip' });
    const svc = state.services['default/web']!;
    expect(cloudLBKind(svc)).toBe('nlb-ip');
    expect(svc.status.loadBalancer.ingress[0]!.hostname).toMatch(/^k8s-default-web-[0-9a-f]{10}\.elb\.us-east-1\.amazonaws\.com$/);
    let since = state.now;
    tick(state, 120_000);
    for (const s of sourcesSince(state, since)) expect(lbPrivateIPs(svc)).toContain(s);
    // Local changes nothing: the traffic never reaches a NodePort.
    svc.spec.externalTrafficPolicy = 'Local';
    since = state.now;
    tick(state, 60_000);
    for (const s of sourcesSince(state, since)) expect(lbPrivateIPs(svc)).toContain(s);
    annotate(state, 'aws-load-balancer-target-group-attributes', 'deregistration_delay.timeout_seconds=30, preserve_client_ip.enabled=true');
    since = state.now;
    tick(state, 120_000);
    expect([...sourcesSince(state, since)].sort()).toEqual([...CLIENTS].sort());
    expect(clientsSeen(state)).toBe(true);
  });

  it('an NLB with instance targets passes the client address to the node: Cluster masquerades it, Local keeps it', () => {
    const state = clusterWith({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' });
    expect(cloudLBKind(state.services['default/web']!)).toBe('nlb');
    let since = state.now;
    tick(state, 120_000);
    for (const s of sourcesSince(state, since)) expect(['10.0.1.21', '10.0.1.22']).toContain(s);
    expect(clientsSeen(state)).toBe(false);
    state.services['default/web']!.spec.externalTrafficPolicy = 'Local';
    since = state.now;
    tick(state, 120_000);
    expect([...sourcesSince(state, since)].sort()).toEqual([...CLIENTS].sort());
    expect(clientsSeen(state)).toBe(true);
  });

  it('clients count as seen only while they are served: a Service without ready pods fails the check', () => {
    const state = clusterWith({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' }, 'Local');
    tick(state, 60_000);
    expect(clientsSeen(state)).toBe(true);
    expect(mutateObject(state, 'Deployment', 'default/web', (d) => { d.spec.replicas = 0; }).ok).toBe(true);
    tick(state, 120_000);
    expect(clientsSeen(state)).toBe(false);
  });
});
