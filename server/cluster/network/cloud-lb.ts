// The AWS load balancer in front of a Service of type LoadBalancer, as its annotations make
// it (in-tree cloud provider or AWS Load Balancer Controller), and what address a pod sees:
//   classic      no type annotation: a Classic ELB. A TCP listener opens its own connection
//                to the NodePort, so the source is the ELB's private address; with
//                `aws-load-balancer-backend-protocol: http` it proxies HTTP and adds
//                X-Forwarded-For with the client's address.
//   nlb          `aws-load-balancer-type: nlb` (or `external` with instance targets): an NLB
//                sending to the NodePort with the client's address; kube-proxy's
//                externalTrafficPolicy decides whether it survives.
//   nlb-ip       `external` + `aws-load-balancer-nlb-target-type: ip`: the NLB sends straight
//                to pod IPs (no NodePort, no kube-proxy); the source is the NLB's private
//                address unless the target group has `preserve_client_ip.enabled=true`.
import type { Service } from '../types.js';

export type CloudLBKind = 'classic' | 'nlb' | 'nlb-ip';

const ANNOTATION = 'service.beta.kubernetes.io/';

const annotation = (svc: Service, name: string): string | undefined => svc.metadata.annotations[`${ANNOTATION}${name}`];

export function cloudLBKind(svc: Service): CloudLBKind {
  const type = annotation(svc, 'aws-load-balancer-type');
  if (type === 'external') return annotation(svc, 'aws-load-balancer-nlb-target-type') === 'ip' ? 'nlb-ip' : 'nlb';
  if (type === 'nlb-ip') return 'nlb-ip'; // the controller's older spelling of external + ip targets
  return type === 'nlb' ? 'nlb' : 'classic';
}

/** `key=value,key=value` target group attributes of the AWS Load Balancer Controller. */
function targetGroupAttribute(svc: Service, key: string): string | undefined {
  const list = annotation(svc, 'aws-load-balancer-target-group-attributes') ?? '';
  for (const pair of list.split(',')) {
    const [k, v] = pair.split('=').map((s) => s.trim());
    if (k === key) return v;
  }
  return undefined;
}

/** An NLB in IP mode hands the pod the client's address (else its own). */
export const preservesClientIP = (svc: Service): boolean => targetGroupAttribute(svc, 'preserve_client_ip.enabled') === 'true';

/** A Classic ELB with an HTTP backend adds X-Forwarded-For. */
export const addsForwardedFor = (svc: Service): boolean => cloudLBKind(svc) === 'classic' && annotation(svc, 'aws-load-balancer-backend-protocol')?.toLowerCase() === 'http';

/** The load balancer's private addresses, one per public subnet (10.0.0.0/24, 10.0.1.0/24, 10.0.2.0/24): stable per Service. */
export function lbPrivateIPs(svc: Service): string[] {
  let h = 0;
  for (const ch of `${svc.metadata.namespace}/${svc.metadata.name}`) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return [0, 1, 2].map((subnet) => `10.0.${subnet}.${16 + ((h >>> (subnet * 8)) % 224)}`);
}

/**
 * The DNS name AWS gives the load balancer, in the form of its kind. Every kind takes the
 * same two draws (32 and 8 hex digits) from the caller's seeded generator, so the kind never
 * shifts the random sequence of the rest of the cluster.
 */
export function lbHostname(kind: CloudLBKind, svc: Service, hex: (n: number) => string, region = 'us-east-1'): string {
  const id = hex(32);
  const tail = hex(8);
  if (kind === 'classic') return `a${id}-${tail.replace(/[a-f]/g, '7')}.${region}.elb.amazonaws.com`;
  if (kind === 'nlb') return `a${id}-${tail}${id.slice(24)}.elb.${region}.amazonaws.com`;
  const short = (s: string) => s.slice(0, 8);
  return `k8s-${short(svc.metadata.namespace ?? 'default')}-${short(svc.metadata.name)}-${tail}${id.slice(0, 2)}.elb.${region}.amazonaws.com`;
}
