// How etcdctl reaches etcd from a node: endpoints, TLS files (flags or ETCDCTL_* variables),
// and the errors a kubeadm etcd (client-cert-auth, its own CA) gives when they are wrong.
// A failed connection is etcd-client's retry warning (zap JSON) and then the command's error.
import { wallClock } from '../../cluster/logs.js';
import { expiredCert, leafCerts, x509Expired } from '../../cluster/pki.js';
import type { ClusterState } from '../../cluster/types.js';
import type { ParsedFlags } from '../kubectl/types.js';
import { hash32, type NodeContext } from './common.js';
import { internalIP } from '../session.js';
import { ETCD_CA, ETCD_CLIENT_PAIRS, nodeFiles } from './fs.js';

export const DEFAULT_ENDPOINT = '127.0.0.1:2379';

/** A flag's value, else its ETCDCTL_* environment variable (etcdctl reads every flag from the environment). */
export function flagOrEnv(flags: ParsedFlags, env: Record<string, string>, name: string): string | undefined {
  if (flags.has(name)) return flags.string(name);
  const fromEnv = env[`ETCDCTL_${name.toUpperCase().replace(/-/g, '_')}`];
  return fromEnv ?? flags.string(name);
}

/** etcd-client's retry warning, the line a real etcdctl prints before giving up. */
export function retryWarning(state: ClusterState, endpoint: string, grpcError: string, afterMs = 5000): string {
  const d = wallClock(state, state.now + afterMs);
  const ts = d.toISOString().replace('Z', `${String(hash32(endpoint + state.now) % 1000).padStart(3, '0')}Z`);
  const target = `etcd-endpoints://0xc000${(hash32(endpoint) % 0xfffff).toString(16).padStart(5, '0')}0/${endpoint.replace(/^https?:\/\//, '')}`;
  return `${JSON.stringify({
    level: 'warn', ts, logger: 'etcd-client', caller: `v3@v${state.etcd.version}/retry_interceptor.go:62`,
    msg: 'retrying of unary invoker failed', target, attempt: 0, error: grpcError,
  })}\n`;
}

const deadline = (desc: string): string => `rpc error: code = DeadlineExceeded desc = latest balancer error: last connection error: connection error: desc = "${desc}"`;

export type Connection =
  /** Connected: requests reach etcd. */
  | { ok: true }
  /** etcdctl exits before dialling (a TLS file it cannot load). */
  | { ok: false; fatal: string }
  /** Dialling times out: the warning line plus `context deadline exceeded`. */
  | { ok: false; warning: string };

/** Tries to reach etcd at `endpoint` from the node with the TLS settings given. */
export function connect(n: NodeContext, flags: ParsedFlags, endpoint: string): Connection {
  const env = n.ctx.env;
  const cacert = flagOrEnv(flags, env, 'cacert');
  const cert = flagOrEnv(flags, env, 'cert');
  const key = flagOrEnv(flags, env, 'key');
  const files = nodeFiles(n.state, n.node);
  for (const path of [cacert, cert, key]) {
    if (path === undefined || path === '') continue;
    const f = files[path];
    if (!f) return { ok: false, fatal: `Error: open ${path}: no such file or directory\n` };
    if (!n.root && f.mode[7] !== 'r') return { ok: false, fatal: `Error: open ${path}: permission denied\n` };
  }
  const clientPair = cert && key ? ETCD_CLIENT_PAIRS.find(([c, k]) => c === cert && k === key) : undefined;
  // A certificate and a key of different pairs fail when etcdctl loads them.
  if (cert && key && !clientPair && cert.replace(/\.crt$/, '') !== key.replace(/\.key$/, '')) {
    return { ok: false, fatal: 'Error: tls: private key does not match public key\n' };
  }

  const m = /^(?:(https?):\/\/)?([^:/]+)(?::(\d+))?\/?$/.exec(endpoint);
  const scheme = m?.[1];
  const host = m?.[2] ?? endpoint;
  const port = m?.[3] ?? '2379';
  const hostPort = `${host}:${port}`;
  const etcd = n.state.etcd;
  const etcdNode = n.state.nodes[etcd.nodeName];
  const local = host === '127.0.0.1' || host === 'localhost';
  const nodeIPs = Object.values(n.state.nodes).map(internalIP);
  const reachesEtcdHost = (local && n.name === etcd.nodeName) || (etcdNode !== undefined && host === internalIP(etcdNode));
  if (!reachesEtcdHost) {
    if (local || nodeIPs.includes(host)) {
      return { ok: false, warning: retryWarning(n.state, endpoint, deadline(`transport: Error while dialing: dial tcp ${hostPort}: connect: connection refused`)) };
    }
    return { ok: false, warning: retryWarning(n.state, endpoint, deadline(`transport: Error while dialing: dial tcp ${hostPort}: i/o timeout`)) };
  }
  if (port !== '2379' || !etcd.healthy || etcd.dataLost) {
    return { ok: false, warning: retryWarning(n.state, endpoint, deadline(`transport: Error while dialing: dial tcp ${hostPort}: connect: connection refused`)) };
  }
  const tls = scheme === 'https' || Boolean(cacert || cert || key);
  if (!tls) return { ok: false, warning: retryWarning(n.state, endpoint, deadline('error reading server preface: EOF')) };
  if (cacert !== ETCD_CA) {
    return { ok: false, warning: retryWarning(n.state, endpoint, deadline('transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority')) };
  }
  // etcd's own certificate is checked first, then etcd checks the client's (both by their dates too).
  const serving = expiredCert(n.state, 'etcd-server');
  if (serving) {
    return { ok: false, warning: retryWarning(n.state, endpoint, deadline(`transport: authentication handshake failed: tls: failed to verify certificate: ${x509Expired(n.state, serving)}`)) };
  }
  const clientName = etcdNode && leafCerts(etcdNode).find((c) => c.file === cert)?.name;
  if (!clientPair || (clientName !== undefined && expiredCert(n.state, clientName))) {
    return { ok: false, warning: retryWarning(n.state, endpoint, deadline('transport: authentication handshake failed: remote error: tls: bad certificate')) };
  }
  return { ok: true };
}
