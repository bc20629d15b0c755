// The certificates kubeadm (v1.29) manages on a control-plane node: the three CAs (10 years)
// and the leaf certificates and kubeconfig client certificates (1 year), as
// `kubeadm certs check-expiration` lists them. Their dates follow from the node's creation
// (kubeadm init) and the cluster's upgrade cycle, so nothing is stored until a certificate
// is renewed or a fault moves its dates (host.certs holds those).
//
// What an expired certificate breaks follows from who loads it when. kube-apiserver reloads
// its serving certificate and the front-proxy client certificate from disk when the files
// change (apiserver dynamiccertificates: "serving-cert", "aggregator-proxy-cert"), and etcd
// reads its certificate at each TLS handshake (etcd client/pkg/transport TLSInfo), so for
// those the certificate on disk is the one in use. A kubeconfig's embedded client
// certificate is whatever copy the client holds (admin.conf on the node, ~/.kube/config on
// the workstation).
import { wallClock } from './logs.js';
import type { ClusterState, Node, SimTime } from './types.js';
import { memoByText } from './text-memo.js';

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
  return node.host.certs?.[name] ?? issuedValidity(node, name);
}

/** A certificate's dates as kubeadm init and the upgrade cycle left them, before any renewal. */
function issuedValidity(node: Node, name: string): Validity {
  const init = node.metadata.creationTimestamp;
  if (CAS.some((c) => c.name === name)) return { notBefore: init, notAfter: init + CA_VALIDITY };
  // The last upgrade before the room opened (time 0), or init if the node is younger than a cycle.
  const notBefore = init + Math.max(0, Math.floor(-init / UPGRADE_CYCLE)) * UPGRADE_CYCLE;
  return { notBefore, notAfter: notBefore + LEAF_VALIDITY };
}

/** `kubeadm certs renew NAME`: a new certificate from the same CA, valid one year from now. */
export function renewCert(state: ClusterState, node: Node, name: string): void {
  setCert(state, node, name, state.now);
}

/** A leaf certificate (re)issued at `notBefore` for a year; a kubeconfig embedding it is rewritten. */
export function setCert(state: ClusterState, node: Node, name: string, notBefore: SimTime): void {
  (node.host.certs ??= {})[name] = { notBefore, notAfter: notBefore + LEAF_VALIDITY };
  if (KUBECONFIGS[name]) node.host.files[`/etc/kubernetes/${name}`] = kubeconfigText(state, node, name);
}

/** The node that holds the control plane's PKI (kubeadm init's node: where etcd runs). */
export function pkiNode(state: ClusterState): Node | undefined {
  return state.nodes[state.etcd.nodeName];
}

/**
 * The certificate NAME of the control plane if it has expired, else undefined. (Only expiry:
 * the dates derived from the upgrade cycle say nothing of the times before the last upgrade.)
 */
export function expiredCert(state: ClusterState, name: string): Validity | undefined {
  const node = pkiNode(state);
  if (!node) return undefined;
  const v = validity(node, name);
  return state.now >= v.notAfter ? v : undefined;
}

const rfc3339 = (state: ClusterState, at: SimTime) => wallClock(state, at).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Go's crypto/x509 CertificateInvalidError for an expired certificate. */
export function x509Expired(state: ClusterState, v: Validity): string {
  return `x509: certificate has expired or is not yet valid: current time ${rfc3339(state, state.now)} is after ${rfc3339(state, v.notAfter)}`;
}

/** What the apiserver's etcd client logs when it cannot verify etcd's certificate (grpc, via klog). */
export function etcdHandshakeFailure(state: ClusterState, v: Validity, channel = 1): string {
  return `[core] [Channel #${channel} SubChannel #${channel + 1}] grpc: addrConn.createTransport failed to connect to {Addr: "127.0.0.1:2379", ServerName: "127.0.0.1", }. Err: connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: ${x509Expired(state, v)}"`;
}

// The kubeconfig files kubeadm writes with a client certificate embedded (the kubelet's own
// kubeconfig points to its rotated certificate file instead).
const KUBECONFIGS: Record<string, { user: string }> = {
  'admin.conf': { user: 'kubernetes-admin' },
  'super-admin.conf': { user: 'kubernetes-super-admin' },
  'controller-manager.conf': { user: 'system:kube-controller-manager' },
  'scheduler.conf': { user: 'system:kube-scheduler' },
};

/** /etc/kubernetes/NAME as kubeadm writes it, its client certificate as issued now. */
export function kubeconfigText(state: ClusterState, node: Node, name: string, ca = pemOf(state, node, 'ca', validity(node, 'ca'))): string {
  const { user } = KUBECONFIGS[name]!;
  const ip = node.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
  return kubeconfigYaml({ ca, server: `https://${ip}:6443`, cluster: 'kubernetes', user, context: `${user}@kubernetes`, cert: pemOf(state, node, name, validity(node, name)), key: keyPem(node, name) });
}

/** A kubeconfig with one cluster, user and context, the certificates embedded, in kubectl's serialization. */
function kubeconfigYaml(k: { ca: string; server: string; cluster: string; user: string; context: string; cert: string; key: string }): string {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return `apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: ${b64(k.ca)}\n    server: ${k.server}\n  name: ${k.cluster}\n` +
    `contexts:\n- context:\n    cluster: ${k.cluster}\n    user: ${k.user}\n  name: ${k.context}\ncurrent-context: ${k.context}\nkind: Config\npreferences: {}\n` +
    `users:\n- name: ${k.user}\n  user:\n    client-certificate-data: ${b64(k.cert)}\n    client-key-data: ${b64(k.key)}\n`;
}

/**
 * The workstation's ~/.kube/config: admin.conf as copied before the room opened (its
 * certificate `state.workstationCert`, else the one the last upgrade issued), with the
 * cluster and context named as the team names them. A copy: renewing admin.conf later does
 * not change it.
 */
export function workstationKubeconfig(state: ClusterState): string | undefined {
  const node = pkiNode(state);
  if (!node) return undefined;
  const user = state.contextName.split('@')[0] || 'kubernetes-admin';
  return kubeconfigYaml({
    ca: pemOf(state, node, 'ca', validity(node, 'ca')), server: state.controlPlane.apiserver.endpoint, cluster: state.clusterName, user, context: state.contextName,
    cert: pemOf(state, node, 'admin.conf', state.workstationCert ?? issuedValidity(node, 'admin.conf')), key: keyPem(node, 'admin.conf'),
  });
}

/** Every kubeconfig file kubeadm leaves on a control-plane node. */
export function kubeconfigFiles(state: ClusterState, node: Node): Record<string, string> {
  const ca = pemOf(state, node, 'ca', validity(node, 'ca'));
  return Object.fromEntries(Object.keys(KUBECONFIGS).map((name) => [`/etc/kubernetes/${name}`, kubeconfigText(state, node, name, ca)]));
}

// A certificate's bytes: DER-shaped (serial, signature algorithm, the validity as two
// UTCTimes, as x509 encodes them) and padded with bytes drawn from its serial. Enough for
// a client to read the dates back, as Go's x509 parser would.
const UTC_TIME = 0x17;

function utcTime(state: ClusterState, at: SimTime): number[] {
  const d = wallClock(state, at);
  const p = (n: number) => String(n).padStart(2, '0');
  const text = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return [UTC_TIME, text.length, ...Buffer.from(text)];
}

/** n bytes from a 32-bit xorshift seeded by the serial (cheap: a cluster writes four kubeconfigs). */
function filler(seed: bigint, n: number): number[] {
  const out: number[] = new Array(n);
  let x = Number(seed & 0xffffffffn) || 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 24) & 0xff;
  }
  return out;
}

function pemText(type: string, bytes: number[]): string {
  const body = Buffer.from(bytes).toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN ${type}-----\n${body}\n-----END ${type}-----\n`;
}

/** The PEM text of certificate NAME issued with these dates. */
export function pemOf(state: ClusterState, node: Node, name: string, v: Validity): string {
  const serial = serialOf(node, name, v.notBefore);
  const serialBytes = [...Array(8)].map((_, i) => Number((serial >> BigInt(56 - 8 * i)) & 0xffn));
  const tbs = [0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x08, ...serialBytes, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
    0x30, 0x1e, ...utcTime(state, v.notBefore), ...utcTime(state, v.notAfter), ...filler(serial, 700)];
  return pemText('CERTIFICATE', [0x30, 0x82, 0x03, 0x00, 0x30, 0x82, 0x02, 0xe8, ...tbs]);
}

function keyPem(node: Node, name: string): string {
  return pemText('RSA PRIVATE KEY', [0x30, 0x82, 0x04, 0xa4, 0x02, 0x01, 0x00, ...filler(serialOf(node, `${name}.key`, 0), 1180)]);
}

/**
 * The validity of the first certificate in a kubeconfig's client-certificate-data, as the
 * client would load it; undefined when there is no such data or it is not a certificate.
 */
export function kubeconfigClientCert(state: ClusterState, text: string): Validity | undefined {
  return sinceEpoch(state, kubeconfigCertDates(text));
}

// Every kubectl command reads its kubeconfig: the same text gives the same dates.
const kubeconfigCertDates = memoByText((text: string): Validity | undefined => {
  const data = /^[ \t]*client-certificate-data:[ \t]*(\S+)[ \t]*$/m.exec(text)?.[1];
  return data ? pemDates(Buffer.from(data, 'base64').toString('latin1')) : undefined;
});

const BEGIN_CERT = '-----BEGIN CERTIFICATE-----';
const END_CERT = '-----END CERTIFICATE-----';

/** The first PEM certificate block of a text (found by indexOf: linear on any input), or undefined. */
export function pemBlock(text: string): { block: string; body: string } | undefined {
  const begin = text.indexOf(BEGIN_CERT);
  const end = begin < 0 ? -1 : text.indexOf(END_CERT, begin);
  if (end < 0) return undefined;
  const body = text.slice(begin + BEGIN_CERT.length, end);
  return /^[A-Za-z0-9+/=\r\n]+$/.test(body) ? { block: `${text.slice(begin, end + END_CERT.length)}\n`, body } : undefined;
}

/** The bytes of the first certificate in a PEM text, or undefined. */
function pemCertificate(text: string): Buffer | undefined {
  const pem = pemBlock(text);
  return pem === undefined ? undefined : Buffer.from(pem.body.replace(/\s/g, ''), 'base64');
}

/** The validity of the first certificate in a PEM text, read back from its UTCTimes. */
export function pemValidity(state: ClusterState, text: string): Validity | undefined {
  return sinceEpoch(state, pemDates(text));
}

/** Dates in epoch milliseconds as the cluster's simulated times. */
const sinceEpoch = (state: ClusterState, dates: Validity | undefined): Validity | undefined =>
  dates && { notBefore: dates.notBefore - state.epoch, notAfter: dates.notAfter - state.epoch };

/** The UTCTimes of the first certificate in a PEM text, as epoch milliseconds. */
function pemDates(text: string): Validity | undefined {
  const der = pemCertificate(text);
  if (!der) return undefined;
  const at = der.indexOf(Buffer.from([0x30, 0x1e, UTC_TIME, 13]));
  if (at < 0) return undefined;
  const time = (off: number) => {
    const t = der.subarray(off, off + 13).toString('latin1');
    const m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(t);
    if (!m) return NaN;
    return Date.UTC(2000 + Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  };
  const notBefore = time(at + 4);
  const notAfter = time(at + 19);
  return Number.isNaN(notBefore) || Number.isNaN(notAfter) ? undefined : { notBefore, notAfter };
}

/**
 * Which certificate of the control plane's PKI a PEM text holds (its serial and notBefore
 * name it: serialOf), with its dates; undefined for any other certificate.
 */
export function identifyPem(state: ClusterState, text: string): { name: string; validity: Validity } | undefined {
  const der = pemCertificate(text);
  const v = pemValidity(state, text);
  const node = pkiNode(state);
  if (!der || !v || !node || der.length < 23) return undefined;
  const serial = der.subarray(15, 23).reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  const names = [...CAS.map((c) => c.name), ...leafCerts(node).map((c) => c.name)];
  const name = names.find((n) => serialOf(node, n, v.notBefore) === serial);
  return name === undefined ? undefined : { name, validity: v };
}

/** A certificate's serial number as openssl prints it (stable per node, name and issue date). */
export function serialOf(node: Node, name: string, notBefore: SimTime): bigint {
  let h = 0xcbf29ce484222325n;
  for (const ch of `${node.metadata.name}/${name}/${notBefore}`) h = ((h ^ BigInt(ch.charCodeAt(0))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h;
}
