import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClusterSpecSchema, createCluster, demoClusterSpec, formatBytes, formatCpu, nextFloat, parseBytes, parseCpu, parseDuration, randomInt, randomSuffix,
  recordEvent, refOf, seedRng, tick,
} from '../../server/cluster/index.js';
import { goDuration } from '../../server/cluster/quantity.js';

describe('quantities', () => {
  it('parses CPU like Kubernetes (millicores, rounded up)', () => {
    expect(parseCpu('100m')).toBe(100);
    expect(parseCpu('1')).toBe(1000);
    expect(parseCpu('2.5')).toBe(2500);
    expect(parseCpu('0.1')).toBe(100);
    expect(parseCpu('1e3')).toBe(1_000_000);
    expect(parseCpu(2)).toBe(2000);
    expect(parseCpu('abc')).toBeNull();
  });

  it('parses memory with binary and decimal suffixes', () => {
    expect(parseBytes('128Mi')).toBe(128 * 2 ** 20);
    expect(parseBytes('1Gi')).toBe(2 ** 30);
    expect(parseBytes('1G')).toBe(1e9);
    expect(parseBytes('500k')).toBe(500_000);
    expect(parseBytes('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseBytes('12Mb')).toBeNull();
  });

  it('formats canonically and round-trips', () => {
    expect(formatCpu(250)).toBe('250m');
    expect(formatCpu(2000)).toBe('2');
    expect(formatBytes(128 * 2 ** 20)).toBe('128Mi');
    expect(formatBytes(2 ** 30)).toBe('1Gi');
    expect(formatBytes(1e9)).toBe('1G');
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (n) => parseBytes(formatBytes(n)) === n));
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 ** 7 }), (n) => parseCpu(formatCpu(n)) === n));
  });

  it('parses durations', () => {
    expect(parseDuration('3d')).toBe(3 * 86_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('soon')).toBeNull();
  });

  // Go's time.Duration String(): hours too (the kubelet's PLEG message an hour into an outage was 62m3.5s).
  it('prints durations as Go does', () => {
    expect([45_000, 60_000, 252_053, 3_600_000, 3_723_500].map(goDuration)).toEqual(['45s', '1m0s', '4m12.053s', '1h0m0s', '1h2m3.5s']);
  });
});

describe('ClusterSpecSchema', () => {
  it('fills friendly defaults', () => {
    const spec = ClusterSpecSchema.parse({ nodes: [{ name: 'cp-1', role: 'control-plane' }] });
    expect(spec.nodes[0]).toMatchObject({ cpu: '4', memory: '16Gi', maxPods: 110, kubeletRunning: true });
    expect(spec.etcd.quotaBackendBytes).toBe('2Gi');
    expect(spec.network).toMatchObject({ proxyMode: 'iptables', dnsServiceIP: '10.96.0.10', cni: { name: 'aws-node', healthy: true } });
    expect(spec.addons.coredns).toMatchObject({ enabled: true, replicas: 2 });
  });

  it('rejects unknown keys, bad quantities and non-documentation client IPs', () => {
    expect(ClusterSpecSchema.safeParse({ nodes: [{ name: 'a', cpus: 4 }] }).success).toBe(false);
    expect(ClusterSpecSchema.safeParse({ nodes: [{ name: 'a', memory: '12 GB' }] }).success).toBe(false);
    const traffic = (ip: string) => ClusterSpecSchema.safeParse({ nodes: [{ name: 'a' }], network: { traffic: [{ ip, service: 'default/web' }] } }).success;
    expect(traffic('203.0.113.7')).toBe(true);
    expect(traffic('8.8.8.8')).toBe(false);
  });

  it('accepts the demo spec', () => {
    expect(ClusterSpecSchema.safeParse(demoClusterSpec).success).toBe(true);
  });
});

describe('rng', () => {
  it('is seeded and reproducible', () => {
    const a = seedRng(1);
    const b = seedRng(1);
    const xs = Array.from({ length: 5 }, () => nextFloat(a));
    expect(Array.from({ length: 5 }, () => nextFloat(b))).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Array.from({ length: 5 }, () => nextFloat(seedRng(2)))).not.toEqual(xs);
  });

  it('draws ranges and k8s name suffixes', () => {
    const r = seedRng(3);
    for (let i = 0; i < 200; i++) {
      const n = randomInt(r, 3, 5);
      expect(n >= 3 && n <= 5).toBe(true);
    }
    expect(randomSuffix(r, 5)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});

describe('events', () => {
  it('aggregates the same object+reason+message (count, first/last seen) and expires after 1h', () => {
    const s = createCluster(demoClusterSpec, 1);
    const node = s.nodes['worker-1']!;
    recordEvent(s, refOf('Node', node), 'Warning', 'Rebooted', 'Node worker-1 has been rebooted, boot id: 1', 'kubelet', 'worker-1');
    tick(s, 30_000);
    recordEvent(s, refOf('Node', node), 'Warning', 'Rebooted', 'Node worker-1 has been rebooted, boot id: 1', 'kubelet', 'worker-1');
    const ev = s.events.filter((e) => e.reason === 'Rebooted');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ count: 2, firstTimestamp: 0, lastTimestamp: 30_000, source: { component: 'kubelet', host: 'worker-1' } });
    expect(ev[0]!.metadata.name).toMatch(/^worker-1\.[0-9a-f]+$/);
    tick(s, 3_660_000); // expiry runs once a simulated minute
    expect(s.events.some((e) => e.reason === 'Rebooted')).toBe(false);
  });

  it('are lost silently while etcd refuses writes', () => {
    const s = createCluster({ ...demoClusterSpec, etcd: { quotaBackendBytes: '10Mi', dbSize: '10Mi' } }, 1);
    expect(s.etcd.alarms).toHaveLength(1);
    recordEvent(s, refOf('Node', s.nodes['cp-1']!), 'Normal', 'Test', 'x', 'kubelet');
    expect(s.events.some((e) => e.reason === 'Test')).toBe(false);
  });
});
