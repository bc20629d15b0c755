// The workstation's tools against the world: curl to the apiserver address as
// kube-apiserver answers it (TLS first: curl 8's "(60) SSL certificate problem: unable to get
// local issuer certificate" without -k or --cacert, "certificate has expired" with --cacert
// once the serving certificate expired; system:anonymous may read only /healthz, /livez,
// /readyz and /version, the rest is a 403 Status, JSON indented for curl as
// apimachinery's isPrettyPrint does; a client certificate past its dates is a 401), the
// cert-expired and etcd/apiserver-down states showing through; nc (netcat-openbsd), ping
// (iputils), dig (BIND 9.18 via systemd-resolved), ps (procps-ng, "systemd+" for long users),
// openssl s_client (compared with OpenSSL 3.0.19's s_client against a CA-signed leaf served
// without its chain on this machine) and openssl x509 on the kubeconfig's client certificate.
import { describe, expect, it } from 'vitest';
import { playSteps } from '../../server/cli/scenarios-command.js';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { pinInstance } from '../../server/scenarios/variant.js';
import { newSession, runLine } from '../../server/shell/index.js';

function workstation() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return { state, sh: (line: string) => runLine(state, session, line) };
}

const CERT_ADVICE = 'More details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the web page mentioned above.\n';

describe('curl from the workstation to the apiserver and the nodes', () => {
  it('answers as kube-apiserver does: TLS, anonymous health and version, a 403 Status for the rest', () => {
    const { sh } = workstation();
    expect(sh('curl -sS https://10.0.1.10:6443/healthz')).toMatchObject({ exitCode: 60, output: `curl: (60) SSL certificate problem: unable to get local issuer certificate\n${CERT_ADVICE}` });
    expect(sh('curl -sk https://10.0.1.10:6443/livez').output).toBe('ok');
    expect(sh("curl -sk 'https://10.0.1.10:6443/readyz?verbose' | tail -2").output).toBe('[+]shutdown ok\nreadyz check passed\n');
    expect(JSON.parse(sh('curl -sk https://10.0.1.10:6443/version').output)).toMatchObject({ major: '1', gitVersion: expect.stringMatching(/^v1\.29\./) });
    expect(sh('curl -sk https://10.0.1.10:6443/api/v1/namespaces/default/pods').output).toBe('{\n  "kind": "Status",\n  "apiVersion": "v1",\n  "metadata": {},\n  "status": "Failure",\n  "message": "pods is forbidden: User \\"system:anonymous\\" cannot list resource \\"pods\\" in API group \\"\\" in the namespace \\"default\\"",\n  "reason": "Forbidden",\n  "details": {\n    "kind": "pods"\n  },\n  "code": 403\n}');
    expect(sh('curl -sk https://10.0.1.10:6443/').output).toContain('"message": "forbidden: User \\"system:anonymous\\" cannot get path \\"/\\""');
    // --cacert with the cluster CA from the kubeconfig verifies the serving certificate.
    sh("kubectl config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > ca.crt");
    expect(sh('curl -s --cacert ca.crt https://10.0.1.10:6443/healthz').output).toBe('ok');
    expect(sh('curl -sS --cacert nope.crt https://10.0.1.10:6443/healthz').output).toBe('curl: (77) error setting certificate file: nope.crt\n');
    // With the kubeconfig's client certificate the request is the admin's.
    sh("kubectl config view --raw -o jsonpath='{.users[0].user.client-certificate-data}' | base64 -d > admin.crt");
    expect(JSON.parse(sh('curl -s --cacert ca.crt --cert admin.crt --key admin.key https://10.0.1.10:6443/api/v1/namespaces/default/pods').output)).toMatchObject({ kind: 'PodList' });
    // Other nodes' ports: the kubelet's TLS port answers, its loopback-only health port does not.
    expect(sh('curl -sk https://10.0.1.21:10250/pods').output).toBe('Unauthorized');
    expect(sh('curl -sS 10.0.1.21:10248/healthz').output).toBe("curl: (7) Failed to connect to 10.0.1.21 port 10248 after 0 ms: Couldn't connect to server\n");
    expect(sh('curl -sS https://10.0.1.21:6443/healthz').exitCode).toBe(7);
  });

  it('shows the etcd and apiserver outages', () => {
    const { sh, state } = workstation();
    state.etcd.alarms.push({ memberID: '1', alarm: 'NOSPACE' });
    const readyz = sh("curl -sk -w '\\n%{http_code}' 'https://10.0.1.10:6443/readyz'").output;
    expect(readyz).toContain('[-]etcd failed: reason withheld\n');
    expect(readyz).toMatch(/readyz check failed\n\n500$/);
    state.controlPlane.apiserver.running = false;
    tick(state, 5000);
    expect(sh('curl -sSk https://10.0.1.10:6443/healthz')).toMatchObject({ exitCode: 7, output: "curl: (7) Failed to connect to 10.0.1.10 port 6443 after 0 ms: Couldn't connect to server\n" });
    expect(sh('nc -zv 10.0.1.10 6443').output).toBe('nc: connect to 10.0.1.10 port 6443 (tcp) failed: Connection refused\n');
  });

  it('cert-expired: the expired serving certificate shows through --cacert, s_client and -k', () => {
    const loaded = loadScenarioDir().scenarios.find((s) => s.id === 'cert-expired')!;
    const { scenario, seed } = pinInstance(loaded, 'apiserver');
    const { commands } = playSteps(scenario, seed, [{ wait: 20 },
      "kubectl config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > ca.crt",
      'curl -sS --cacert ca.crt https://10.0.1.10:6443/healthz',
      'curl -sk https://10.0.1.10:6443/healthz',
      'openssl s_client -connect 10.0.1.10:6443 -CAfile ca.crt </dev/null 2>&1 | grep -E "verify error|Verify return code"',
    ]);
    const out = commands.map((c) => c.output);
    expect(out[1]).toBe(`curl: (60) SSL certificate problem: certificate has expired\n${CERT_ADVICE}`);
    expect(out[2]).toBe('ok');
    expect(out[3]).toBe('verify error:num=10:certificate has expired\nVerify return code: 10 (certificate has expired)\n');
  });

  it('cert-expired admin-conf: openssl shows the kubeconfig\'s expired client certificate, the apiserver a 401', () => {
    const loaded = loadScenarioDir().scenarios.find((s) => s.id === 'cert-expired')!;
    const { scenario, seed } = pinInstance(loaded, 'admin-conf');
    const { commands } = playSteps(scenario, seed, [{ wait: 20 },
      "grep client-certificate-data ~/.kube/config | awk '{print $2}' | base64 -d | openssl x509 -noout -subject -checkend 0",
      "kubectl config view --raw -o jsonpath='{.users[0].user.client-certificate-data}' | base64 -d > me.crt",
      'curl -sk --cert me.crt --key me.key https://10.0.1.10:6443/api',
      'kubectl proxy &',
      'curl -s localhost:8001/api/v1/nodes | grep -E "message|code"',
    ]);
    const out = commands.map((c) => c.output);
    expect(out[0]).toBe('subject=O = kubeadm:cluster-admins, CN = kubernetes-admin\nCertificate will expire\n');
    expect(out[2]).toBe('{\n  "kind": "Status",\n  "apiVersion": "v1",\n  "metadata": {},\n  "status": "Failure",\n  "message": "Unauthorized",\n  "reason": "Unauthorized",\n  "code": 401\n}');
    expect(out[4]).toBe('  "message": "Unauthorized",\n  "code": 401\n');
  });
});

describe('nc, ping, dig, ps, openssl on the workstation', () => {
  it('checks ports like netcat-openbsd and pings the nodes like iputils', () => {
    const { sh } = workstation();
    expect(sh('nc -zv 10.0.1.10 6443')).toMatchObject({ exitCode: 0, output: 'Connection to 10.0.1.10 6443 port [tcp/*] succeeded!\n' });
    expect(sh('nc -zv worker-1 22').output).toBe('Connection to worker-1 22 port [tcp/ssh] succeeded!\n');
    expect(sh('nc -z -w 2 10.0.1.21 6443').exitCode).toBe(1);
    const ping = sh('ping -c 3 worker-1').output;
    expect(ping).toMatch(/^PING worker-1 \(10\.0\.1\.21\) 56\(84\) bytes of data\.\n64 bytes from 10\.0\.1\.21: icmp_seq=1 ttl=63 time=\d\.\d{3} ms\n(?:.*\n){2}\n--- worker-1 ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss, time 20\d\dms\nrtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms\n$/);
    // Pod addresses are not routed from the office.
    expect(sh('ping -c 2 10.244.1.5')).toMatchObject({ exitCode: 1 });
    expect(sh('ping -c 2 10.244.1.5').output).toContain('2 packets transmitted, 0 received, 100% packet loss');
    expect(sh('ping nosuch')).toMatchObject({ exitCode: 2, output: 'ping: nosuch: Name or service not known\n' });
  });

  it('resolves the nodes but not the cluster\'s names, whose DNS is not reachable from the office', () => {
    const { sh } = workstation();
    expect(sh('dig +short cp-1').output).toBe('10.0.1.10\n');
    const nx = sh('dig kubernetes.default.svc.cluster.local').output;
    expect(nx).toContain(';; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN');
    expect(nx).toContain(';; flags: qr rd ra; QUERY: 1, ANSWER: 0');
    expect(nx).toContain(';; SERVER: 127.0.0.53#53(127.0.0.53) (UDP)');
    expect(sh('dig @10.96.0.10 kubernetes.default.svc.cluster.local +short')).toMatchObject({ exitCode: 9, output: ';; communications error to 10.96.0.10#53: timed out\n'.repeat(3) + ';; no servers could be reached\n' });
  });

  // bind9-dnsutils ships nslookup and host with dig: the same stub resolver, BIND 9.18's layouts.
  it('answers nslookup and host as dig does', () => {
    const { sh } = workstation();
    expect(sh('nslookup cp-1')).toMatchObject({ exitCode: 0, output: 'Server:\t\t127.0.0.53\nAddress:\t127.0.0.53#53\n\nNon-authoritative answer:\nName:\tcp-1\nAddress: 10.0.1.10\n\n' });
    expect(sh('nslookup kubernetes.default')).toMatchObject({ exitCode: 1, output: 'Server:\t\t127.0.0.53\nAddress:\t127.0.0.53#53\n\n** server can\'t find kubernetes.default: NXDOMAIN\n\n' });
    expect(sh('host cp-1')).toMatchObject({ exitCode: 0, output: 'cp-1 has address 10.0.1.10\n' });
    expect(sh('host nope.example.com')).toMatchObject({ exitCode: 1, output: 'Host nope.example.com not found: 3(NXDOMAIN)\n' });
    expect(sh('nslookup kubernetes 10.96.0.10')).toMatchObject({ exitCode: 1, output: ';; connection timed out; no servers could be reached\n\n' });
  });

  it('lists the workstation\'s processes, the background kubectl included', () => {
    const { sh } = workstation();
    expect(sh('ps').output).toMatch(/^ {4}PID TTY {10}TIME CMD\n {3}4242 pts\/0 {4}00:00:00 bash\n +\d+ pts\/0 {4}00:00:00 ps\n$/);
    sh('kubectl proxy &');
    const aux = sh('ps aux').output;
    expect(aux.split('\n')[0]).toBe('USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND');
    expect(aux).toMatch(/\nsystemd\+ +598 /);
    expect(aux).toMatch(/\nplayer +\d+ .* pts\/0 +Sl .* kubectl proxy\n/);
    expect(sh('ps -ef | grep -c "kubectl proxy"').output).toBe('1\n');
  });

  it('openssl: s_client shows the apiserver\'s certificate, x509 reads the kubeconfig\'s', () => {
    const { sh } = workstation();
    const s = sh('openssl s_client -connect 10.0.1.10:6443 -showcerts </dev/null').output;
    expect(s).toMatch(/^Can't use SSL_get_servername\ndepth=0 CN = kube-apiserver\nverify error:num=20:unable to get local issuer certificate\nverify return:1\n/);
    expect(s).toMatch(/\nCONNECTED\(00000003\)\n---\nCertificate chain\n 0 s:CN = kube-apiserver\n {3}i:CN = kubernetes\n {3}a:PKEY: rsaEncryption, 2048 \(bit\); sigalg: RSA-SHA256\n {3}v:NotBefore: \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT; NotAfter: .* GMT\n-----BEGIN CERTIFICATE-----\n/);
    expect(s).toContain('\nVerify return code: 21 (unable to verify the first certificate)\n---\n');
    expect(sh('openssl s_client -connect 10.0.1.21:6443 </dev/null')).toMatchObject({ exitCode: 1, output: expect.stringMatching(/BIO_connect:Connection refused.*\n.*\nconnect:errno=111\n$/) });
    sh("kubectl config view --raw -o jsonpath='{.users[0].user.client-certificate-data}' | base64 -d > me.crt");
    expect(sh('openssl x509 -in me.crt -noout -subject -issuer').output).toBe('subject=O = kubeadm:cluster-admins, CN = kubernetes-admin\nissuer=CN = kubernetes\n');
    expect(sh('openssl x509 -in me.crt -noout -enddate').output).toMatch(/^notAfter=\w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT\n$/);
    expect(sh('openssl x509 -in nope.crt -noout -dates')).toMatchObject({ exitCode: 1, output: 'Could not open file or uri for loading certificate from nope.crt\n' });
  });

  it('reaches every node with ssh', () => {
    const { sh } = workstation();
    expect(sh('for n in $(kubectl get nodes -o name | cut -d/ -f2); do ssh $n hostname; done').output).toBe('cp-1\nworker-1\nworker-2\n');
  });
});

describe("the workstation's /etc", () => {
  it('has an Ubuntu 22.04 machine\'s hosts, resolv.conf (systemd-resolved\'s stub, no search domain), hostname and os-release, root\'s and read-only', () => {
    const { sh } = workstation();
    expect(sh('cat /etc/hosts').output).toBe('127.0.0.1\tlocalhost\n127.0.1.1\tworkstation\n\n# The following lines are desirable for IPv6 capable hosts\n::1     ip6-localhost ip6-loopback\nfe00::0 ip6-localnet\nff00::0 ip6-mcastprefix\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n');
    // systemd 249's stub-resolv.conf: the comment block, then the stub; `search .` without domains.
    expect(sh('grep -v "^#" /etc/resolv.conf').output).toBe('\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n');
    expect(sh('head -1 /etc/resolv.conf; tail -6 /etc/resolv.conf | head -2').output).toBe('# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).\n# See man:systemd-resolved.service(8) for details about the supported modes of\n# operation for /etc/resolv.conf.\n');
    expect(sh('. /etc/os-release; echo "$PRETTY_NAME ($VERSION_CODENAME)"; cat /etc/hostname').output).toBe('Ubuntu 22.04.4 LTS (jammy)\nworkstation\n');
    expect(sh('ls -l /etc/hosts').output).toMatch(/^-rw-r--r-- 1 root root {3}226 /);
    expect(sh('echo x >> /etc/hosts; rm /etc/hosts; cat /etc/hosts | wc -l').output).toBe("bash: /etc/hosts: Permission denied\nrm: cannot remove '/etc/hosts': Permission denied\n9\n");
    // The nodes' stub file is the same systemd text, with their VPC's search domain.
    expect(sh("ssh worker-1 'tail -3 /etc/resolv.conf'").output).toBe('nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch ec2.internal\n');
  });
});
