// `kubeadm certs check-expiration|renew` and `openssl x509` over the control-plane node's
// kubeadm PKI (cluster/pki.ts). Formats from the real tools: kubeadm v1.29
// cmd/kubeadm/app/cmd/certs.go (tabwriter 10/4/3, "Jan 02, 2006 15:04 MST", residual time as
// duration.ShortHumanDuration, "<invalid>" once expired, the last column "%-8v"), and
// OpenSSL 3.0 (`notAfter=Jun  3 09:00:00 2025 GMT`, `subject=CN = kube-apiserver`).
import { CAS, leafCerts, renewCert, serialOf, validity, type CertSpec, type Validity } from '../../cluster/pki.js';
import { apiUnavailable } from '../../cluster/api.js';
import { wallClock } from '../../cluster/logs.js';
import type { ClusterState, Node } from '../../cluster/types.js';
import type { ShellCommand } from '../types.js';
import { fail, ok } from '../types.js';
import { isResult, onNode } from './common.js';
import { isControlPlaneHost, nodeFiles, normalizePath } from './fs.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** Go's "Jan 02, 2006 15:04 MST". */
function kubeadmDate(state: ClusterState, at: number): string {
  const d = wallClock(state, at);
  return `${MONTHS[d.getUTCMonth()]} ${p2(d.getUTCDate())}, ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())} UTC`;
}

/** k8s.io/apimachinery duration.ShortHumanDuration, "<invalid>" for a past time. */
function residual(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  const h = Math.floor(s / 3600);
  if (h < 48) return `${h}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  return `${Math.floor(h / 24 / 365)}y`;
}

/** text/tabwriter with minwidth 10, tabwidth 4, padding 3, padded with spaces (cells end in a tab). */
function tabwrite(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.slice(0, -1).forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, Math.max(10, c.length + 3))));
  return rows.map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c)).join('') + '\n').join('');
}

/**
 * kubeadm reads its ClusterConfiguration from the cluster with admin.conf, and falls back to
 * defaults when the apiserver cannot be reached or refuses it, so that certificates can be
 * renewed on a broken cluster (v1.29 cmd/kubeadm/app/cmd/certs.go getInternalCfg). Ends with
 * the blank line that separates it from the command's own output.
 */
function reading(state: ClusterState, node: Node, phase: string): string {
  const head = `[${phase}] Reading configuration from the cluster...\n[${phase}] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'\n`;
  const admin = validity(node, 'admin.conf');
  const refused = apiUnavailable(state) !== null || state.now >= admin.notAfter;
  return refused ? `${head}[${phase}] Error reading configuration from the Cluster. Falling back to default configuration\n\n` : `${head}\n`;
}

function checkExpiration(state: ClusterState, node: Node): string {
  const leaf = [['CERTIFICATE', 'EXPIRES', 'RESIDUAL TIME', 'CERTIFICATE AUTHORITY', 'EXTERNALLY MANAGED'], ...leafCerts(node).map((c) => {
    const v = validity(node, c.name);
    return [c.name, kubeadmDate(state, v.notAfter), residual(v.notAfter - state.now), c.ca ?? '', 'no'.padEnd(8)];
  })];
  const cas = [['CERTIFICATE AUTHORITY', 'EXPIRES', 'RESIDUAL TIME', 'EXTERNALLY MANAGED'], ...CAS.map((c) => {
    const v = validity(node, c.name);
    return [c.name, kubeadmDate(state, v.notAfter), residual(v.notAfter - state.now), 'no'.padEnd(8)];
  })];
  return `${reading(state, node, 'check-expiration')}${tabwrite(leaf)}\n${tabwrite(cas)}`;
}

export const kubeadm: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'kubeadm');
  if (isResult(n)) return n;
  const [group, verb, ...rest] = argv.slice(1).filter((a) => !a.startsWith('--'));
  if (group !== 'certs' || (verb !== 'check-expiration' && verb !== 'renew')) {
    return fail(`unknown command "${[group, verb].filter(Boolean).join(' ')}" for "kubeadm"\nTo see the stack trace of this error execute with --v=5 or higher\n`);
  }
  if (!n.root) return fail(`failed to load existing certificate ${CAS[0]!.name}: open /etc/kubernetes/pki/ca.crt: permission denied\nTo see the stack trace of this error execute with --v=5 or higher\n`);
  if (!isControlPlaneHost(n.node)) return fail('failed to load existing certificate ca: open /etc/kubernetes/pki/ca.crt: no such file or directory\nTo see the stack trace of this error execute with --v=5 or higher\n');
  if (verb === 'check-expiration') return ok(checkExpiration(n.state, n.node));
  const certs = leafCerts(n.node);
  const which = rest[0];
  if (which === undefined) return fail('Error: missing subcommand; "renew" is not meant to be run on its own\nTo see the stack trace of this error execute with --v=5 or higher\n');
  const chosen: CertSpec[] = which === 'all' ? certs : certs.filter((c) => c.name === which);
  if (chosen.length === 0) return fail(`unknown command "${which}" for "kubeadm certs renew"\nTo see the stack trace of this error execute with --v=5 or higher\n`);
  const head = reading(n.state, n.node, 'renew');
  for (const c of chosen) renewCert(n.state, n.node, c.name);
  const lines = chosen.map((c) => `${c.longName} renewed\n`).join('');
  const done = which === 'all' ? '\nDone renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates.\n' : '';
  return ok(`${head}${lines}${done}`);
};

/** OpenSSL's date: `Jun  3 09:00:00 2025 GMT`. */
export function opensslDate(state: ClusterState, at: number): string {
  const d = wallClock(state, at);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`;
}

/** The certificate in a file of the node's PKI (a .crt, or the client certificate a kubeconfig embeds). */
function certAt(node: Node, path: string): CertInfo | undefined {
  const name = CAS.find((c) => c.file === path)?.name ?? leafCerts(node).find((c) => c.file === path && path.endsWith('.crt'))?.name;
  return name === undefined ? undefined : certInfo(node, name);
}

export interface CertInfo { name: string; subject: string; issuer: string; sans?: string[] }

/** Subject, issuer and SANs of the PKI's certificate NAME. */
export function certInfo(node: Node, name: string): CertInfo | undefined {
  const ca = CAS.find((c) => c.name === name);
  if (ca) return { name, subject: ca.subject, issuer: ca.subject };
  const leaf = leafCerts(node).find((c) => c.name === name);
  if (!leaf) return undefined;
  return { name, subject: leaf.subject, issuer: CAS.find((c) => c.name === leaf.ca)!.subject, ...(leaf.sans ? { sans: leaf.sans } : {}) };
}

/** `openssl x509`'s options: the file (-in), -checkend, and the fields to print; or its error. */
export function parseX509Args(args: string[]): { file: string | undefined; checkend: number | undefined; opts: string[] } | { error: string } {
  let file: string | undefined;
  let checkend: number | undefined;
  const opts: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!.replace(/^--/, '-');
    if (a === '-in') file = args[++i];
    else if (a === '-checkend') checkend = Number(args[++i]);
    else if (['-noout', '-dates', '-startdate', '-enddate', '-subject', '-issuer', '-serial', '-text', '-nameopt', '-ext'].includes(a)) {
      if (a === '-nameopt' || a === '-ext') i++;
      else opts.push(a);
    } else return { error: `x509: Unknown option or message digest: ${args[i]!.replace(/^-+/, '')}\nx509: Use -help for summary.\n` };
  }
  return { file, checkend, opts };
}

/** -checkend N: whether the certificate expires within N seconds (exit 1 if so). */
export function checkendResult(state: ClusterState, v: Validity, out: string, checkend: number): { stdout: string; stderr: string; exitCode: number } {
  const expires = v.notAfter <= state.now + checkend * 1000;
  return { stdout: out + (expires ? 'Certificate will expire\n' : 'Certificate will not expire\n'), stderr: '', exitCode: expires ? 1 : 0 };
}

/** `openssl x509 -in FILE [-noout] [-dates|-startdate|-enddate|-subject|-issuer|-serial|-text|-checkend N]`. */
export const openssl: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'openssl');
  if (isResult(n)) return n;
  const args = argv.slice(1);
  if (args[0] !== 'x509') return fail(`Invalid command '${args[0] ?? ''}'; type "help" for a list.\n`);
  const parsed = parseX509Args(args.slice(1));
  if ('error' in parsed) return fail(parsed.error);
  const { file, checkend, opts } = parsed;
  if (file === undefined) return fail('Could not read certificate from <stdin>\nUnable to load certificate\n');
  const path = normalizePath(file, ctx.env.PWD ?? '/root');
  // A worker has only the cluster CA (kubeadm join copies the control plane's ca.crt).
  const host = isControlPlaneHost(n.node) ? n.node : path === '/etc/kubernetes/pki/ca.crt' ? n.state.nodes[n.state.etcd.nodeName] : undefined;
  const cert = host ? certAt(host, path) : undefined;
  if (!host || !cert) return fail(`Could not open file or uri for loading certificate from ${file}\n`);
  if (!n.root && !path.endsWith('.crt')) return fail(`Could not open file or uri for loading certificate from ${file}\n`);
  const v = validity(host, cert.name);
  const out = x509Fields(n.state, { ...cert, serial: serialOf(host, cert.name, v.notBefore), validity: v }, opts);
  if (checkend !== undefined) return checkendResult(n.state, v, out, checkend);
  return ok(out + (opts.includes('-noout') ? '' : nodeFiles(n.state, n.node)[path]?.content ?? ''));
};

/** What `openssl x509` prints of a certificate for each option, in the order given (OpenSSL 3.0's formats). */
export function x509Fields(state: ClusterState, cert: { subject: string; issuer: string; sans?: string[]; serial: bigint; validity: Validity }, opts: string[]): string {
  const v = cert.validity;
  const serial = cert.serial.toString(16).toUpperCase().padStart(16, '0');
  let out = '';
  for (const o of opts) {
    if (o === '-dates') out += `notBefore=${opensslDate(state, v.notBefore)}\nnotAfter=${opensslDate(state, v.notAfter)}\n`;
    else if (o === '-startdate') out += `notBefore=${opensslDate(state, v.notBefore)}\n`;
    else if (o === '-enddate') out += `notAfter=${opensslDate(state, v.notAfter)}\n`;
    else if (o === '-subject') out += `subject=${cert.subject}\n`;
    else if (o === '-issuer') out += `issuer=${cert.issuer}\n`;
    else if (o === '-serial') out += `serial=${serial}\n`;
    else if (o === '-text') {
      const hex = serial.match(/../g)!.join(':').toLowerCase();
      out += `Certificate:\n    Data:\n        Version: 3 (0x2)\n        Serial Number: ${BigInt(`0x${serial}`)} (0x${serial.toLowerCase().replace(/^0+/, '')})\n` +
        `        Signature Algorithm: sha256WithRSAEncryption\n        Issuer: ${cert.issuer}\n        Validity\n            Not Before: ${opensslDate(state, v.notBefore)}\n            Not After : ${opensslDate(state, v.notAfter)}\n` +
        `        Subject: ${cert.subject}\n        Subject Public Key Info:\n            Public Key Algorithm: rsaEncryption\n                Public-Key: (2048 bit)\n` +
        `        X509v3 extensions:\n            X509v3 Key Usage: critical\n                Digital Signature, Key Encipherment${cert.issuer === cert.subject ? ', Certificate Sign' : ''}\n` +
        (cert.sans ? `            X509v3 Subject Alternative Name: \n                ${cert.sans.join(', ')}\n` : '') +
        `    Signature Algorithm: sha256WithRSAEncryption\n    Signature Value:\n        ${hex}\n`;
    }
  }
  return out;
}
