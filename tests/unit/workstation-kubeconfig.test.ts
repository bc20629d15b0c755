// The workstation's ~/.kube/config is a real file (a copy of admin.conf, cluster/pki.ts
// workstationKubeconfig): cat/grep read it, `kubectl config view` prints it as client-go's
// clientcmd serializes a v1 Config (DATA+OMITTED for embedded data without --raw, empty lists as
// null when no file: the real kubectl 1.29 with KUBECONFIG pointing nowhere), and kubectl uses
// whatever the file says. Errors are client-go's: no server → localhost:8080 refused,
// a closed port → "was refused", an unknown host → "dial tcp: lookup … no such host".
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

function workstation() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return (line: string) => runLine(state, session, line);
}

describe('~/.kube/config on the workstation', () => {
  // kubectl config get_users.go / get_clusters.go: a NAME header, then the names.
  it('lists its users and clusters', () => {
    const sh = workstation();
    expect(sh('kubectl config get-users').output).toBe('NAME\nkubernetes-admin\n');
    expect(sh('kubectl config get-clusters').output).toBe('NAME\nkubedrill-demo\n');
  });
  it('is a file kubectl config view agrees with', () => {
    const sh = workstation();
    const file = sh('cat ~/.kube/config').output;
    expect(file).toMatch(/^apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: [A-Za-z0-9+/=]+\n    server: https:\/\/10\.0\.1\.10:6443\n/);
    expect(sh('grep server ~/.kube/config').output).toBe('    server: https://10.0.1.10:6443\n');
    const view = sh('kubectl config view').output;
    expect(view).toContain('    certificate-authority-data: DATA+OMITTED\n    server: https://10.0.1.10:6443\n');
    expect(view).toContain('    client-certificate-data: DATA+OMITTED\n    client-key-data: DATA+OMITTED\n');
    expect(sh('kubectl config view --raw').output).toBe(file);
    expect(sh("kubectl config view -o jsonpath='{.clusters[0].cluster.server}'").output).toBe('https://10.0.1.10:6443');
    // The embedded client certificate is a PEM certificate (base64 -d of the data).
    expect(sh("kubectl config view --raw -o jsonpath='{.users[0].user.client-certificate-data}' | base64 -d | head -1").output).toBe('-----BEGIN CERTIFICATE-----\n');
    sh('kubectl config set-context --current --namespace=kube-system');
    expect(sh('kubectl config view --minify').output).toContain('    namespace: kube-system\n');
  });

  it('is what kubectl uses: removed, pointed elsewhere, or chosen with --kubeconfig/KUBECONFIG', () => {
    const sh = workstation();
    expect(sh('mv ~/.kube/config /tmp/k; kubectl get ns default -o name')).toMatchObject({ exitCode: 1, output: 'The connection to the server localhost:8080 was refused - did you specify the right host or port?\n' });
    expect(sh('kubectl config view').output).toBe('apiVersion: v1\nclusters: null\ncontexts: null\ncurrent-context: ""\nkind: Config\npreferences: {}\nusers: null\n');
    expect(sh('KUBECONFIG=/tmp/k kubectl get ns default -o name').output).toBe('namespace/default\n');
    expect(sh('kubectl --kubeconfig /tmp/k get ns default -o name').output).toBe('namespace/default\n');
    expect(sh('kubectl config view --kubeconfig /nope').output).toBe('error: stat /nope: no such file or directory\n');
    sh('sed -i s/10.0.1.10/10.0.1.21/ /tmp/k');
    expect(sh('kubectl --kubeconfig /tmp/k get pods').output).toBe('The connection to the server 10.0.1.21:6443 was refused - did you specify the right host or port?\n');
    sh('sed -i s/10.0.1.21:6443/api.example.com/ /tmp/k');
    expect(sh('kubectl --kubeconfig /tmp/k get pods').output).toBe('Unable to connect to the server: dial tcp: lookup api.example.com on 127.0.0.53:53: no such host\n');
  });
});
