// Who kubectl is to the apiserver: the client certificate of its kubeconfig (--kubeconfig,
// $KUBECONFIG, ~/.kube/config). A certificate past its dates is refused by the apiserver's
// x509 authenticator: kubectl prints "You must be logged in to the server (Unauthorized)"
// and the apiserver logs why (k8s.io/apiserver pkg/authentication/request/x509/x509.go,
// "verifying certificate SN=…, SKID=…, AKID=… failed: …", logged by authentication.go:73).
import { appendLog, klog } from '../../cluster/logs.js';
import { kubeconfigClientCert, pkiNode, serialOf, x509Expired, type Validity } from '../../cluster/pki.js';
import { memoByText } from '../../cluster/text-memo.js';
import { tagApiError } from './api-error.js';
import { kubeconfigPath } from './commands/config.js';
import type { CommandContext } from '../types.js';
import { readFile } from '../vfs.js';

export const UNAUTHORIZED = 'error: You must be logged in to the server (Unauthorized)\n';

/**
 * The client certificate kubectl presents: the kubeconfig file's when there is one where it
 * runs (on the workstation ~/.kube/config, a copy of admin.conf: vfs.ts furnishWorkstation).
 * undefined: no certificate to judge; `{ server }`: the file names another server.
 */
function clientCert(ctx: CommandContext, explicit: string | undefined): Validity | 'none' | 'no-server' | { server: string } | undefined {
  const file = readFile(ctx, 'kubectl', kubeconfigPath(ctx, explicit));
  if (file.ok) {
    // A kubeconfig without a server makes kubectl fall back to localhost:8080; one without a
    // client certificate leaves the request anonymous.
    const server = serverOf(file.content);
    if (server === undefined) return 'no-server';
    if (server.hostPort !== hostPortOf(ctx.state.controlPlane.apiserver.endpoint)) return { server: server.url };
    return kubeconfigClientCert(ctx.state, file.content) ?? 'none';
  }
  if (ctx.session.node === undefined) return 'no-server';
  // On a control-plane node the simulator's kubectl stands in for an admin: it uses admin.conf.
  const admin = ctx.state.nodes[ctx.session.node]?.host.files['/etc/kubernetes/admin.conf'];
  return admin === undefined ? undefined : kubeconfigClientCert(ctx.state, admin);
}

/** kubectl's error when the apiserver does not accept its client certificate, or undefined. */
export function unauthenticated(ctx: CommandContext, kubeconfig: string | undefined): string | undefined {
  const { state } = ctx;
  const v = clientCert(ctx, kubeconfig);
  const mark = (ok: boolean) => {
    if (ctx.session.node === undefined) state.controlPlane.apiserver.workstationAuth = { at: state.now, ok };
  };
  if (v === 'no-server') {
    mark(false);
    return 'The connection to the server localhost:8080 was refused - did you specify the right host or port?\n';
  }
  if (typeof v === 'object' && 'server' in v) {
    mark(false);
    return unreachableServer(ctx, v.server);
  }
  if (v === 'none') {
    mark(false);
    return unauthorized(ctx);
  }
  const expired = v !== undefined && state.now >= v.notAfter;
  mark(!expired);
  if (!expired) return undefined;
  const node = pkiNode(state);
  const serial = node ? serialOf(node, 'admin.conf', v.notBefore) : 0n;
  const why = x509Expired(state, v);
  appendLog(state.controlPlane.apiserver.logs, klog(state, state.now, 'E', 'authentication.go:73',
    `"Unable to authenticate the request" err="[${why}, verifying certificate SN=${serial}, SKID=, AKID=${akid(node?.metadata.name ?? '')} failed: ${why}]"`));
  return unauthorized(ctx);
}

/** The apiserver's 401, shown as the error it is (the kubeconfig's other failures are the player's own file). */
function unauthorized(ctx: CommandContext): string {
  tagApiError(ctx.facts, UNAUTHORIZED.trim());
  return UNAUTHORIZED;
}

// Every kubectl command reads its kubeconfig and the apiserver's address: the same text, the same answer.
const serverOf = memoByText((kubeconfig: string): { url: string; hostPort: string } | undefined => {
  const url = /^[ \t]*server:[ \t]*["']?([^\s"']+)/m.exec(kubeconfig)?.[1];
  return url === undefined ? undefined : { url, hostPort: hostPort(url) };
});
const hostPortOf = memoByText(hostPort);

/** `host:port` of a server URL (https's port 443 when none is given). */
function hostPort(url: string): string {
  const m = /^(?:(https?):\/\/)?([^/:]+)(?::(\d+))?/.exec(url);
  return m ? `${m[2]}:${m[3] ?? (m[1] === 'http' ? '80' : '443')}` : url;
}

/** What kubectl says when its kubeconfig names a server that is not the apiserver (client-go's dial errors). */
function unreachableServer(ctx: CommandContext, server: string): string {
  const target = hostPort(server);
  const host = target.slice(0, target.lastIndexOf(':'));
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(host) && host !== 'localhost') return `Unable to connect to the server: dial tcp: lookup ${host} on 127.0.0.53:53: no such host\n`;
  const known = host === 'localhost' || host.startsWith('127.') || Object.values(ctx.state.nodes).some((n) => n.status.addresses.some((a) => a.address === host));
  return known ? `The connection to the server ${target} was refused - did you specify the right host or port?\n` : `Unable to connect to the server: dial tcp ${target}: i/o timeout\n`;
}

/** The cluster CA's key id as Go prints it (colon-separated upper-case hex), stable per cluster. */
function akid(seed: string): string {
  let h = 0x811c9dc5;
  const out: string[] = [];
  for (let i = 0; i < 20; i++) {
    for (const ch of `${seed}#${i}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out.push((h & 0xff).toString(16).toUpperCase().padStart(2, '0'));
  }
  return out.join(':');
}
