// CoreDNS's Prometheus endpoint (:9153/metrics, the `prometheus` plugin): the series an
// operator reads when DNS is slow, with the counts the world's DNS load puts there since the
// pod started. Names and labels as CoreDNS 1.11 exports them (plugin/metrics/vars,
// plugin/forward/metrics.go, plugin/cache/metrics.go).
import { corefileText, parseCorefile, plugin } from './corefile.js';
import { nodeNameservers } from './coredns.js';
import { overloadLoss, upstreamLoss } from './dns-delay.js';
import { hasRole } from './pod-lookup.js';
import { podAnswers } from './services.js';
import type { ClusterState, Pod } from '../types.js';

const BUCKETS = ['0.00025', '0.0005', '0.001', '0.002', '0.004', '0.008', '0.016', '0.032', '0.064', '0.128', '0.256', '0.512', '1.024', '2.048', '4.096', '8.192'];

/**
 * A sample value as client_golang's expfmt writes it: strconv.AppendFloat(f, 'g', -1, 64),
 * so large counters print in exponent form with at least two exponent digits (2.3717088e+10).
 */
export function promFloat(v: number): string {
  if (v === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp >= -4 && exp < 6) return String(v);
  return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Cumulative share of answers at or below each bucket: fast, throttled (overload), retried upstream. */
function shares(overload: number, forwardedSlow: number): number[] {
  const fast = [0.42, 0.71, 0.86, 0.93, 0.965, 0.98, 0.99, 0.995, 0.998, 0.999, 1, 1, 1, 1, 1, 1];
  const throttled = [0, 0, 0.01, 0.02, 0.04, 0.08, 0.15, 0.3, 0.55, 0.8, 0.93, 0.98, 1, 1, 1, 1];
  const retried = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.7, 1, 1];
  const t = Math.min(1, overload * 6);
  return fast.map((f, i) => (1 - forwardedSlow) * ((1 - t) * f + t * throttled[i]!) + forwardedSlow * retried[i]!);
}

export function corednsMetrics(state: ClusterState, pod: Pod): string {
  const load = state.network.dnsLoad ?? { qps: 0, externalShare: 0 };
  const started = pod.status.startTime ?? pod.metadata.creationTimestamp;
  const seconds = Math.max(1, (state.now - started) / 1000);
  const pods = Object.values(state.pods).filter((p) => hasRole(p, 'coredns') && podAnswers(p)).length || 1;
  const requests = Math.floor((load.qps / pods) * seconds);
  const text = corefileText(state);
  const parsed = text === undefined ? undefined : parseCorefile(text);
  const caches = !!parsed?.ok && parsed.blocks.some((b) => plugin(b, 'cache') !== undefined);
  const forwarded = Math.floor(requests * load.externalShare * (caches ? 0.1 : 1));
  const upLoss = upstreamLoss(state, pod);
  const servfail = Math.floor(forwarded * upLoss ** 3);
  const cum = shares(overloadLoss(state), requests > 0 ? (forwarded * upLoss) / requests : 0);
  const labels = 'server="dns://:53",type="A",zone="."';
  const upstream = `${nodeNameservers(state, pod.spec.nodeName)[0] ?? '10.0.0.2'}:53`;
  const lines = [
    '# HELP coredns_dns_request_duration_seconds Histogram of the time (in seconds) each request took per zone.',
    '# TYPE coredns_dns_request_duration_seconds histogram',
    ...BUCKETS.map((le, i) => `coredns_dns_request_duration_seconds_bucket{${labels},le="${le}"} ${promFloat(Math.floor(requests * cum[i]!))}`),
    `coredns_dns_request_duration_seconds_bucket{${labels},le="+Inf"} ${promFloat(requests)}`,
    `coredns_dns_request_duration_seconds_sum{${labels}} ${promFloat(Math.round((requests * (0.0008 + overloadLoss(state) * 0.6) + forwarded * upLoss * 2.2) * 1000) / 1000)}`,
    `coredns_dns_request_duration_seconds_count{${labels}} ${promFloat(requests)}`,
    '# HELP coredns_dns_requests_total Counter of DNS requests made per zone, protocol and family.',
    '# TYPE coredns_dns_requests_total counter',
    `coredns_dns_requests_total{family="1",proto="udp",server="dns://:53",type="A",zone="."} ${promFloat(requests)}`,
    '# HELP coredns_dns_responses_total Counter of response status codes.',
    '# TYPE coredns_dns_responses_total counter',
    `coredns_dns_responses_total{plugin="",rcode="NOERROR",server="dns://:53",zone="."} ${promFloat(requests - servfail - Math.floor(requests * 0.55))}`,
    `coredns_dns_responses_total{plugin="",rcode="NXDOMAIN",server="dns://:53",zone="."} ${promFloat(Math.floor(requests * 0.55))}`,
    `coredns_dns_responses_total{plugin="",rcode="SERVFAIL",server="dns://:53",zone="."} ${promFloat(servfail)}`,
    ...(caches ? [
      '# HELP coredns_cache_entries The number of elements in the cache.',
      '# TYPE coredns_cache_entries gauge',
      'coredns_cache_entries{server="dns://:53",type="denial",zone="."} 1873',
      'coredns_cache_entries{server="dns://:53",type="success",zone="."} 642',
    ] : []),
    '# HELP coredns_forward_requests_total Counter of requests made per upstream.',
    '# TYPE coredns_forward_requests_total counter',
    `coredns_forward_requests_total{to="${upstream}"} ${promFloat(forwarded + Math.floor(forwarded * upLoss * 1.5))}`,
    '# HELP coredns_forward_responses_total Counter of responses received per upstream.',
    '# TYPE coredns_forward_responses_total counter',
    `coredns_forward_responses_total{rcode="NOERROR",to="${upstream}"} ${promFloat(forwarded - servfail)}`,
    '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
    '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total ${promFloat(Math.round(((pod.behavior['coredns']?.cpuUse ?? 3) / 1000) * seconds * 100) / 100)}`,
  ];
  return `${lines.join('\n')}\n`;
}
