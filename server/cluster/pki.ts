// The certificates kubeadm (v1.29) manages on a control-plane node: the three CAs (10 years)
// and the leaf certificates and kubeconfig client certificates (1 year), as
// `kubeadm certs check-expiration` lists them. Their dates follow from the node's creation
// (kubeadm init) and the cluster's upgrade cycle, so nothing is stored until a certificate
// is renewed or a fault moves its dates (host.certs holds those).
import type { ClusterState, Node, SimTime } from './types.js';

const DAY = 86_400_000;
const LEAF_VALIDITY = 365 * DAY;
const CA_VALIDITY = 3650 * DAY;
/** `kubeadm upgrade apply` renews every leaf certificate; clusters here upgrade every 120 days. */
const UPGRADE_CYCLE = 120 * DAY;

export type CaName = 'ca' | 'etcd-ca' | 'front-proxy-ca';

export interface CertSpec {
  /** kubeadm's name (check-expiration, renew). */
  name: string;
  /** Where it lives: a PEM file, or a kubeconfig with the certificate embedded. */
  file: string;
  ca: CaName | null;
  subject: string;
  /** What `kubeadm certs renew` says it renewed (kubeadm's long name). */
  longName: string;
  sans?: string[];
}

const PKI = '/etc/kubernetes/pki';
export const CAS: { name: CaName; file: string; subject: string }[] = [
  { name: 'ca', file: `${PKI}/ca.crt`, subject: 'CN = kubernetes' },
  { name: 'etcd-ca', file: `${PKI}/etcd/ca.crt`, subject: 'CN = etcd-ca' },
  { name: 'front-proxy-ca', file: `${PKI}/front-proxy-ca.crt`, subject: 'CN = front-proxy-ca' },
];

/** The leaf certificates in check-expiration's order. */
export function leafCerts(node: Node): CertSpec[] {
  const name = node.metadata.name;
  const ip = node.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
  return [
    { name: 'admin.conf', file: '/etc/kubernetes/admin.conf', ca: 'ca', subject: 'O = kubeadm:cluster-admins, CN = kubernetes-admin', longName: 'certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself' },
    { name: 'apiserver', file: `${PKI}/apiserver.crt`, ca: 'ca', subject: 'CN = kube-apiserver', longName: 'certificate for serving the Kubernetes API',
      sans: [`DNS:${name}`, 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local', 'IP Address:10.96.0.1', `IP Address:${ip}`] },
    { name: 'apiserver-etcd-client', file: `${PKI}/apiserver-etcd-client.crt`, ca: 'etcd-ca', subject: 'O = system:masters, CN = kube-apiserver-etcd-client', longName: 'certificate the apiserver uses to access etcd' },
    { name: 'apiserver-kubelet-client', file: `${PKI}/apiserver-kubelet-client.crt`, ca: 'ca', subject: 'O = kubeadm:cluster-admins, CN = kube-apiserver-kubelet-client', longName: 'certificate for the API server to connect to kubelet' },
    { name: 'controller-manager.conf', file: '/etc/kubernetes/controller-manager.conf', ca: 'ca', subject: 'CN = system:kube-controller-manager', longName: 'certificate embedded in the kubeconfig file for the controller manager to use' },
    { name: 'etcd-healthcheck-client', file: `${PKI}/etcd/healthcheck-client.crt`, ca: 'etcd-ca', subject: 'CN = kube-etcd-healthcheck-client', longName: 'certificate for liveness probes to healthcheck etcd' },
    { name: 'etcd-peer', file: `${PKI}/etcd/peer.crt`, ca: 'etcd-ca', subject: `CN = ${name}`, longName: 'certificate for etcd nodes to communicate with each other', sans: [`DNS:${name}`, 'DNS:localhost', `IP Address:${ip}`, 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1'] },
    { name: 'etcd-server', file: `${PKI}/etcd/server.crt`, ca: 'etcd-ca', subject: `CN = ${name}`, longName: 'certificate for serving etcd', sans: [`DNS:${name}`, 'DNS:localhost', `IP Address:${ip}`, 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1'] },
    { name: 'front-proxy-client', file: `${PKI}/front-proxy-client.crt`, ca: 'front-proxy-ca', subject: 'CN = front-proxy-client', longName: 'certificate for the front proxy client' },
    { name: 'scheduler.conf', file: '/etc/kubernetes/scheduler.conf', ca: 'ca', subject: 'CN = system:kube-scheduler', longName: 'certificate embedded in the kubeconfig file for the scheduler manager to use' },
    { name: 'super-admin.conf', file: '/etc/kubernetes/super-admin.conf', ca: 'ca', subject: 'O = system:masters, CN = kubernetes-super-admin', longName: 'certificate embedded in the kubeconfig file for the super-admin' },
  ];
}

export interface Validity {
  notBefore: SimTime;
  notAfter: SimTime;
}

/** A certificate's dates: stored ones (renewed, or moved by a fault), else those of init and the last upgrade. */
export function validity(node: Node, name: string): Validity {
  const stored = node.host.certs?.[name];
  if (stored) return stored;
  const init = node.metadata.creationTimestamp;
  if (CAS.some((c) => c.name === name)) return { notBefore: init, notAfter: init + CA_VALIDITY };
  // The last upgrade before the room opened (time 0), or init if the node is younger than a cycle.
  const notBefore = init + Math.max(0, Math.floor(-init / UPGRADE_CYCLE)) * UPGRADE_CYCLE;
  return { notBefore, notAfter: notBefore + LEAF_VALIDITY };
}

/** `kubeadm certs renew NAME`: a new certificate from the same CA, valid one year from now. */
export function renewCert(state: ClusterState, node: Node, name: string): void {
  (node.host.certs ??= {})[name] = { notBefore: state.now, notAfter: state.now + LEAF_VALIDITY };
}

/** A certificate's serial number as openssl prints it (stable per node, name and issue date). */
export function serialOf(node: Node, name: string, notBefore: SimTime): bigint {
  let h = 0xcbf29ce484222325n;
  for (const ch of `${node.metadata.name}/${name}/${notBefore}`) h = ((h ^ BigInt(ch.charCodeAt(0))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h;
}
