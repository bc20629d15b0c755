// Who kubectl is to the apiserver: the client certificate of its kubeconfig (--kubeconfig,
// $KUBECONFIG, ~/.kube/config). A certificate past its dates is refused by the apiserver's
// x509 authenticator: kubectl prints "You must be logged in to the server (Unauthorized)"
// and the apiserver logs why (k8s.io/apiserver pkg/authentication/request/x509/x509.go,
// "verifying certificate SN=…, SKID=…, AKID=… failed: …", logged by authentication.go:73).
import { appendLog, klog } from '../../cluster/logs.js';
import { kubeconfigClientCert, pkiNode, serialOf, x509Expired, type Validity } from '../../cluster/pki.js';
import { homeOf } from '../session.js';
import type { CommandContext } from '../types.js';
import { readFile } from '../vfs.js';

export const UNAUTHORIZED = 'error: You must be logged in to the server (Unauthorized)\n';

/**
 * The client certificate kubectl presents: the kubeconfig file's when there is one where it
 * runs, else the workstation's own (`state.workstationCert`, a copy of admin.conf made before
 * the room opened; none recorded means a valid one). undefined: no certificate to judge.
 */
function clientCert(ctx: CommandContext, explicit: string | undefined): Validity | 'none' | 'no-server' | undefined {
  const path = explicit ?? ctx.env.KUBECONFIG ?? `${homeOf(ctx.session)}/.kube/config`;
  const file = readFile(ctx, 'kubectl', path);
  if (file.ok) {
    // A kubeconfig without a server makes kubectl fall back to localhost:8080; one without a
    // client certificate leaves the request anonymous.
    if (!/^\s*server:\s*\S/m.test(file.content)) return 'no-server';
    return kubeconfigClientCert(ctx.state, file.content) ?? 'none';
  }
  if (ctx.session.node === undefined) return ctx.state.workstationCert;
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
  if (v === 'none') {
    mark(false);
    return UNAUTHORIZED;
  }
  const expired = v !== undefined && state.now >= v.notAfter;
  mark(!expired);
  if (!expired) return undefined;
  const node = pkiNode(state);
  const serial = node ? serialOf(node, 'admin.conf', v.notBefore) : 0n;
  const why = x509Expired(state, v);
  appendLog(state.controlPlane.apiserver.logs, klog(state, state.now, 'E', 'authentication.go:73',
    `"Unable to authenticate the request" err="[${why}, verifying certificate SN=${serial}, SKID=, AKID=${akid(node?.metadata.name ?? '')} failed: ${why}]"`));
  return UNAUTHORIZED;
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
