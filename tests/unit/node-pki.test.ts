// kubeadm's PKI on the control-plane node, read with the real tools' formats:
//  - `kubeadm certs check-expiration` (v1.29 cmd/kubeadm/app/cmd/certs.go; layout checked
//    against a real run: tabwriter columns, "Aug 19, 2026 09:03 UTC", "360d", "no      ")
//  - `kubeadm certs renew NAME|all` (the certificates' long names, the restart reminder)
//  - OpenSSL 3.0 `x509 -noout -dates|-subject|-issuer|-checkend`
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

function onCp() {
  const state = createCluster(demoClusterSpec, 3);
  const session = newSession(state);
  runLine(state, session, 'ssh cp-1');
  return { state, sh: (line: string) => runLine(state, session, line).output };
}

describe('kubeadm certs and openssl x509', () => {
  it('check-expiration lists the leaf certificates and the CAs as kubeadm v1.29 does', () => {
    const { sh } = onCp();
    const out = sh('sudo kubeadm certs check-expiration');
    expect(out.startsWith("[check-expiration] Reading configuration from the cluster...\n[check-expiration] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'\n\nCERTIFICATE                EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED\n")).toBe(true);
    expect(out).toMatch(/\napiserver-etcd-client      [A-Z][a-z]{2} \d{2}, \d{4} \d{2}:\d{2} UTC   \d+d            etcd-ca                 no      \n/);
    expect(out).toMatch(/\nsuper-admin\.conf           .* UTC   \d+d            ca                      no      \n\nCERTIFICATE AUTHORITY   EXPIRES                  RESIDUAL TIME   EXTERNALLY MANAGED\nca                      .* UTC   9y              no      \n/);
    expect(sh('kubeadm certs check-expiration')).toContain('permission denied');
  });

  it('renew gives a certificate a new year; openssl shows the dates; expiry reads <invalid> and -checkend fails', () => {
    const { state, sh } = onCp();
    const before = sh('openssl x509 -in /etc/kubernetes/pki/apiserver.crt -noout -enddate');
    expect(before).toMatch(/^notAfter=[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4} GMT\n$/);
    expect(sh('openssl x509 -in /etc/kubernetes/pki/apiserver.crt -noout -subject -issuer')).toBe('subject=CN = kube-apiserver\nissuer=CN = kubernetes\n');
    // Let the clock run past the expiry (time jumps by ticks of the model).
    const days = Number(/apiserver  +\S+ \d+, \d+ \S+ UTC   (\d+)d/.exec(sh('sudo kubeadm certs check-expiration'))![1]);
    state.now += (days + 2) * 86_400_000;
    tick(state, 1000);
    expect(sh('sudo kubeadm certs check-expiration')).toMatch(/\napiserver  +.* UTC   <invalid>       ca  /);
    expect(runLine(state, newSession(state), 'ssh cp-1 openssl x509 -in /etc/kubernetes/pki/apiserver.crt -noout -checkend 0').output).toBe('Certificate will expire\n');
    expect(sh('sudo kubeadm certs renew apiserver')).toMatch(/\n\ncertificate for serving the Kubernetes API renewed\n$/);
    expect(sh('sudo kubeadm certs check-expiration')).toMatch(/\napiserver  +.* UTC   36[45]d            ca  /);
    expect(sh('sudo kubeadm certs renew all')).toContain('Done renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates.\n');
    expect(sh('sudo kubeadm certs renew bogus')).toBe('unknown command "bogus" for "kubeadm certs renew"\nTo see the stack trace of this error execute with --v=5 or higher\n');
  });

  it('workers have no kubeadm PKI', () => {
    const state = createCluster(demoClusterSpec, 3);
    expect(runLine(state, newSession(state), 'ssh worker-1 sudo kubeadm certs check-expiration').output).toContain('open /etc/kubernetes/pki/ca.crt: no such file or directory');
  });
});
