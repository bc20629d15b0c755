// "kubectl says x509": which control-plane certificate expired decides what each client
// sees, and only renewing that one (and, for admin.conf, replacing the workstation's copy)
// brings the API back. Messages as the real components print them:
//  - Go crypto/x509 CertificateInvalidError: "x509: certificate has expired or is not yet
//    valid: current time <RFC 3339> is after <RFC 3339>", wrapped by crypto/tls (Go ≥ 1.20)
//    as "tls: failed to verify certificate: …"; kubectl prefixes "Unable to connect to the
//    server: " (k8s.io/kubectl pkg/cmd/util/helpers.go, a url.Error; as in rancher/rke2#6983)
//  - an unauthenticated request: "error: You must be logged in to the server (Unauthorized)"
//    (kubectl helpers.go StandardErrorMessage); the apiserver's "Unable to authenticate the
//    request" (k8s.io/apiserver pkg/endpoints/filters/authentication.go)
//  - grpc's "transport: authentication handshake failed" (google.golang.org/grpc credentials)
//    and etcd's "rejected connection" (etcd server/embed/config_logging.go)
//  - kube-aggregator's 503 "the server is currently unable to handle the request"
import { describe, expect, it } from 'vitest';
import { playSteps } from '../../server/cli/scenarios-command.js';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { kubeconfigClientCert, kubeconfigText, setCert, validity } from '../../server/cluster/pki.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { evaluate } from '../../server/scenarios/predicates.js';
import type { SolutionStepValue } from '../../server/scenarios/schema.js';
import { pinInstance } from '../../server/scenarios/variant.js';

const loaded = loadScenarioDir().scenarios.find((s) => s.id === 'cert-expired')!;
// Dressing 0: control-plane node cp-1 at 10.0.1.10.
const CP = 'cp-1';

function play(variant: string, steps: SolutionStepValue[]) {
  const { scenario, seed } = pinInstance(loaded, variant);
  const { state, commands } = playSteps(scenario, seed, [{ wait: 20 }, ...steps]);
  const fixed = scenario.answer.remediation.filter((r) => !r.guard).every((r) => evaluate(state, r.predicate));
  return { fixed, out: commands.map((c) => c.output) };
}

describe('cert-expired: each certificate breaks a different client', () => {
  it('apiserver: kubectl and the kubelets refuse the serving certificate with the x509 expiry message', () => {
    const { out } = play('apiserver', ['kubectl get nodes', `ssh ${CP} sudo journalctl -u kubelet | tail -1`]);
    expect(out[1]).toMatch(/"Error updating node status, will retry" err="error getting node \\"cp-1\\": Get \\"https:\/\/10\.0\.1\.10:6443\/api\/v1\/nodes\/cp-1\?resourceVersion=0&timeout=10s\\": tls: failed to verify certificate: x509: certificate has expired/);
    expect(out[0]).toMatch(/^Unable to connect to the server: tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ is after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
  });

  it('admin-conf: the apiserver answers Unauthorized and logs why', () => {
    const { out } = play('admin-conf', ['kubectl get nodes', `ssh ${CP} sudo crictl logs $(ssh ${CP} sudo crictl ps --name kube-apiserver -q) 2>&1 | tail -1`]);
    expect(out[0]).toBe('error: You must be logged in to the server (Unauthorized)\n');
    expect(out[1]).toMatch(/authentication\.go:73\] "Unable to authenticate the request" err="\[x509: certificate has expired or is not yet valid: current time .* verifying certificate SN=\d+, SKID=, AKID=[0-9A-F:]+ failed: x509: certificate has expired/);
  });

  it('etcd-server: the apiserver cannot verify etcd and crash-loops; etcd rejects the handshakes', () => {
    const { out } = play('etcd-server', ['kubectl get nodes', `ssh ${CP} sudo crictl ps -a --name kube-apiserver`, `ssh ${CP} sudo crictl logs $(ssh ${CP} sudo crictl ps -a --name etcd -q) 2>&1 | tail -1`]);
    expect(out[0]).toBe('The connection to the server 10.0.1.10:6443 was refused - did you specify the right host or port?\n');
    expect(out[1]).toMatch(/Exited +kube-apiserver +1 /);
    expect(out[2]).toContain('"msg":"rejected connection"');
    expect(out[2]).toContain('"error":"remote error: tls: bad certificate"');
    const pki = '/etc/kubernetes/pki/etcd';
    const health = play('etcd-server', [`ssh ${CP} sudo etcdctl --endpoints=https://127.0.0.1:2379 --cacert=${pki}/ca.crt --cert=${pki}/healthcheck-client.crt --key=${pki}/healthcheck-client.key endpoint health`]).out[0]!;
    expect(health).toContain('transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time ');
    expect(health.endsWith('https://127.0.0.1:2379 is unhealthy: failed to commit proposal: context deadline exceeded\nError: unhealthy cluster\n')).toBe(true);
  });

  it('front-proxy: kubectl works, the metrics API answers 503', () => {
    const { out } = play('front-proxy', ['kubectl get nodes', 'kubectl top nodes', 'kubectl top pods -A']);
    expect(out[0]).toMatch(/^NAME +STATUS/);
    expect(out[1]).toBe('Error from server (ServiceUnavailable): the server is currently unable to handle the request (get nodes.metrics.k8s.io)\n');
    expect(out[2]).toBe('Error from server (ServiceUnavailable): the server is currently unable to handle the request (get pods.metrics.k8s.io)\n');
  });

  it('the trail starts at the expiry, hours before the room: kubelet journals, the apiserver\'s and etcd\'s logs', () => {
    const count = (variant: string, line: string) => Number(play(variant, [line]).out[0]);
    // Dressing 0: expired 3 hours before the room opened, one sample every 5 minutes.
    expect(count('apiserver', `ssh worker-1 'sudo journalctl -u kubelet | grep -c "x509: certificate has expired"'`)).toBeGreaterThanOrEqual(30);
    expect(count('etcd-server', `ssh ${CP} 'sudo crictl logs $(sudo crictl ps -a --name etcd -q) 2>&1 | grep -c "rejected connection"'`)).toBeGreaterThanOrEqual(30);
    expect(count('front-proxy', `ssh ${CP} 'sudo crictl logs $(sudo crictl ps --name kube-apiserver -q) 2>&1 | grep -c "v1beta1.metrics.k8s.io failed with"'`)).toBeGreaterThanOrEqual(30);
    expect(count('admin-conf', `ssh ${CP} 'sudo grep -c "COMMAND=/usr/bin/kubeadm certs renew" /var/log/syslog'`)).toBe(10);
  });

  it('kubeadm falls back to its defaults when the apiserver cannot be used, and still lists the dates', () => {
    const { out } = play('apiserver', [`ssh ${CP} sudo kubeadm certs check-expiration`]);
    expect(out[0]).toContain("[check-expiration] Error reading configuration from the Cluster. Falling back to default configuration\n\nCERTIFICATE ");
    expect(out[0]).toMatch(/\napiserver {18}\S+ \d\d, \d{4} \d\d:\d\d UTC   <invalid>       ca {22}no {6}\n/);
  });
});

describe('cert-expired: fixes are outcomes', () => {
  it.each([
    ['apiserver', 'apiserver'],
    ['etcd-server', 'etcd-server'],
    ['front-proxy', 'front-proxy-client'],
  ])('%s: renewing the expired certificate is enough (its user reads it again from disk)', (variant, cert) => {
    expect(play(variant, [`ssh ${CP} sudo kubeadm certs renew ${cert}`, { wait: 300 }, 'kubectl get nodes']).fixed).toBe(true);
  });

  it('renewing another certificate fixes nothing', () => {
    expect(play('apiserver', [`ssh ${CP} sudo kubeadm certs renew apiserver-kubelet-client`, { wait: 60 }, 'kubectl get nodes']).fixed).toBe(false);
    expect(play('etcd-server', [`ssh ${CP} sudo kubeadm certs renew apiserver-etcd-client`, { wait: 300 }, 'kubectl get nodes']).fixed).toBe(false);
  });

  it('admin-conf: renewing admin.conf works on the node but the workstation needs the new copy', () => {
    const renewed = play('admin-conf', [`ssh ${CP} sudo kubeadm certs renew admin.conf`, `ssh ${CP} sudo kubectl get nodes`, 'kubectl get nodes']);
    expect(renewed.out[1]).toMatch(/^NAME +STATUS/);
    expect(renewed.out[2]).toBe('error: You must be logged in to the server (Unauthorized)\n');
    expect(renewed.fixed).toBe(false);
    const copied = play('admin-conf', [`ssh ${CP} sudo kubeadm certs renew all`, 'mkdir -p ~/.kube', `ssh ${CP} sudo cat /etc/kubernetes/admin.conf > ~/.kube/config`, 'kubectl get nodes']);
    expect(copied.out[3]).toMatch(/^NAME +STATUS/);
    expect(copied.fixed).toBe(true);
  });

  it('admin-conf: scp as the sudoer is refused admin.conf (root, 0600); a copy it may read does the job', () => {
    const { out, fixed } = play('admin-conf', [
      `ssh ${CP} sudo kubeadm certs renew admin.conf`, 'mkdir -p ~/.kube', `scp ${CP}:/etc/kubernetes/admin.conf ~/.kube/config`,
      `ssh ${CP} sudo cp /etc/kubernetes/admin.conf /tmp/admin.conf`,
      `scp ${CP}:/tmp/admin.conf ~/.kube/config`, 'kubectl get nodes',
    ]);
    expect(out[2]).toBe('scp: /etc/kubernetes/admin.conf: Permission denied\n');
    expect(out[4]).toBe('');
    expect(out[5]).toMatch(/^NAME +STATUS/);
    expect(fixed).toBe(true);
  });

  it('admin-conf: a kubeconfig without a certificate or a server is no way round', () => {
    const { out, fixed } = play('admin-conf', ['kubectl --kubeconfig /dev/null get nodes', 'printf "apiVersion: v1\\nclusters:\\n- cluster:\\n    server: https://10.0.1.10:6443\\n" > /tmp/kc', 'kubectl --kubeconfig /tmp/kc get nodes']);
    expect(out[0]).toBe('The connection to the server localhost:8080 was refused - did you specify the right host or port?\n');
    expect(out[2]).toBe('error: You must be logged in to the server (Unauthorized)\n');
    expect(fixed).toBe(false);
  });
});

describe('kubeconfig client certificates', () => {
  it('a kubeconfig kubeadm writes carries its certificate dates, readable back; renewing rewrites it', () => {
    const state = createCluster(demoClusterSpec, 3);
    const node = state.nodes['cp-1']!;
    const before = kubeconfigClientCert(state, node.host.files['/etc/kubernetes/admin.conf']!)!;
    const v = validity(node, 'admin.conf');
    // UTCTime has whole seconds.
    expect(before.notAfter).toBe(Math.floor((state.epoch + v.notAfter) / 1000) * 1000 - state.epoch);
    setCert(state, node, 'admin.conf', state.now);
    expect(node.host.files['/etc/kubernetes/admin.conf']).toBe(kubeconfigText(state, node, 'admin.conf'));
    expect(kubeconfigClientCert(state, node.host.files['/etc/kubernetes/admin.conf']!)!.notBefore).toBe(Math.floor((state.epoch + state.now) / 1000) * 1000 - state.epoch);
    expect(kubeconfigClientCert(state, 'client-certificate-data: bm90IGEgY2VydA==\n')).toBeUndefined();
  });
});
