// curl and `nc -zv` after `ssh NODE`: the node's own listeners (the sockets ss/lsof list) answer
// like the real components; other addresses go through the cluster network from the host.
// Texts: curl's error strings (lib/strerror.c, e.g. "(60) SSL certificate problem: unable to get
// local issuer certificate" with its sslcerts.html advice), Go net/http's "Client sent an HTTP
// request to an HTTPS server." and "404 page not found", netcat-openbsd's
// "Connection to HOST PORT port [tcp/*] succeeded!" / "nc: connect to HOST port PORT (tcp) failed: ...".
import { describe, expect, it } from 'vitest';
import { sshTo } from '../helpers/node-shell.js';

const onNode = (node: string) => sshTo(node, false);


describe('curl on a node', () => {
  it('reaches the kubelet and apiserver health endpoints, with TLS where they serve TLS', () => {
    const { sh } = onNode('cp-1');
    expect(sh('curl -s localhost:10248/healthz')).toMatchObject({ output: 'ok', exitCode: 0 });
    expect(sh('curl -sk https://localhost:6443/livez')).toMatchObject({ output: 'ok', exitCode: 0 });
    expect(sh('curl -sk https://127.0.0.1:6443/api').output).toContain('forbidden: User \\"system:anonymous\\" cannot get path \\"/api\\"');
    const noK = sh('curl -s -S https://127.0.0.1:6443/healthz');
    expect(noK.exitCode).toBe(60);
    expect(noK.output).toMatch(/^curl: \(60\) SSL certificate problem: unable to get local issuer certificate\nMore details here: https:\/\/curl\.se\/docs\/sslcerts\.html\n/);
    expect(sh('curl -s http://localhost:6443/')).toMatchObject({ output: 'Client sent an HTTP request to an HTTPS server.\n', exitCode: 0 });
    expect(sh('curl -sk https://localhost:10250/pods').output).toBe('Unauthorized');
    expect(sh('curl -s localhost:10248/nope').output).toBe('404 page not found\n');
    expect(sh('curl -sI localhost:10248/healthz').output).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Type: text\/plain; charset=utf-8\r\n/);
  });

  it('needs a client certificate for etcd', () => {
    const { sh } = onNode('cp-1');
    expect(sh('curl -sk https://127.0.0.1:2379/health').exitCode).toBe(56);
    expect(sh('curl -sk --cert /etc/kubernetes/pki/etcd/server.crt --key /etc/kubernetes/pki/etcd/server.key https://127.0.0.1:2379/health').output).toBe('{"health":"true","reason":""}');
  });

  it('is refused where nothing listens, and follows the model when the kubelet stops', () => {
    const { sh } = onNode('worker-1');
    expect(sh('curl -sS localhost:8080')).toMatchObject({ output: 'curl: (7) Failed to connect to localhost port 8080 after 0 ms: Connection refused\n', exitCode: 7 });
    sh('sudo systemctl stop kubelet');
    expect(sh('curl -s localhost:10248/healthz').exitCode).toBe(7);
  });

  it('reaches another node by address, but not its loopback-only listeners', () => {
    const { sh } = onNode('worker-1');
    expect(sh('curl -sk https://10.0.1.10:6443/healthz').output).toBe('ok');
    expect(sh('curl -s http://10.0.1.10:10248/healthz').exitCode).toBe(7);
  });

  it('resolves names with the node resolver, not cluster DNS', () => {
    const { sh } = onNode('worker-1');
    expect(sh('curl -s example.com').output).toContain('<h1>Example Domain</h1>');
    expect(sh('curl -sS http://kubernetes.default.svc.cluster.local/').output).toBe('curl: (6) Could not resolve host: kubernetes.default.svc.cluster.local\n');
  });
});

describe('nc -zv on a node', () => {
  it('reports a port check like netcat-openbsd', () => {
    const { sh } = onNode('worker-1');
    expect(sh('nc -zv 10.0.1.10 6443')).toMatchObject({ output: 'Connection to 10.0.1.10 6443 port [tcp/*] succeeded!\n', exitCode: 0 });
    expect(sh('nc -zv 10.0.1.10 22').output).toBe('Connection to 10.0.1.10 22 port [tcp/ssh] succeeded!\n');
    expect(sh('nc -zv localhost 8080')).toMatchObject({ output: 'nc: connect to localhost port 8080 (tcp) failed: Connection refused\n', exitCode: 1 });
    expect(sh('nc -z localhost 8080')).toMatchObject({ output: '', exitCode: 1 });
    expect(sh('nc -zv nosuch.invalid 80').output).toBe('nc: getaddrinfo for host "nosuch.invalid" port 80: Name or service not known\n');
    expect(sh('nc -zv localhost').exitCode).toBe(1);
    // A Service port kube-proxy has no rule for: the SYN goes nowhere.
    expect(sh('nc -zv -w 1 10.96.0.1 444')).toMatchObject({ output: 'nc: connect to 10.96.0.1 port 444 (tcp) timed out: Operation now in progress\n', exitCode: 1 });
  });
});
