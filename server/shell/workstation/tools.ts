// The network and inspection tools on the player's workstation (an Ubuntu laptop or jump host
// on the office network, routed to the nodes): nc, ping, dig, ps, openssl. Where a connection
// goes is network.ts; formats are the real tools' on this machine and Ubuntu's:
// netcat-openbsd (node/network/curl.ts ncWith), iputils ping ("PING h (ip) 56(84) bytes of
// data.", "--- h ping statistics ---", "rtt min/avg/max/mdev"), BIND 9.18 dig through
// systemd-resolved's stub at 127.0.0.53, procps-ng ps, and OpenSSL 3.0 (`s_client` checked
// against `openssl s_server` with a CA-signed leaf and no chain, as kube-apiserver serves it:
// depth 0 errors 20 and 21, "Verify return code: 21 (unable to verify the first certificate)";
// `x509` over a PEM file such as the client certificate base64-decoded from ~/.kube/config).
import { apiserverUp, getObject } from '../../cluster/api.js';
import { externalAddress, externalAnswer, type DnsOutcome, type DnsType } from '../../cluster/network/dns.js';
import { parseUrl } from '../../cluster/network/http.js';
import { outsideRequest, WORKSTATION_IP } from '../../cluster/network/outside.js';
import { expiredCert, identifyPem, pemBlock, pemOf, pemValidity, pkiNode, serialOf, validity } from '../../cluster/pki.js';
import type { ClusterState, Node } from '../../cluster/types.js';
import { digOutput, hostWith, nslookupWith, parseDig, type Resolver, type Timed } from '../exec/dns-tools.js';
import { listenerAt } from '../jobs.js';
import { stableInt } from '../node/common.js';
import { connectOutcome, ncWith, nodeConnect } from '../node/network/curl.js';
import { certInfo, checkendResult, opensslDate, parseX509Args, x509Fields } from '../node/pki-tools.js';
import { psTable, type Proc } from '../node/procs.js';
import { internalIP } from '../session.js';
import type { CommandContext, CommandResult, ShellCommand } from '../types.js';
import { fail, ok } from '../types.js';
import { readFile } from '../vfs.js';

const isLoopback = (host: string): boolean => host === 'localhost' || host.startsWith('127.');

/** A node by name or address: the workstation's /etc/hosts and DNS know them (ssh reaches them by either). */
function nodeNamed(state: ClusterState, host: string): Node | undefined {
  return getObject(state, 'Node', host) ?? Object.values(state.nodes).find((n) => n.status.addresses.some((a) => a.address === host));
}

/** A TCP connection from the workstation to HOST:PORT. */
function connect(ctx: CommandContext, host: string, port: number, wait: number | undefined): 'connected' | 'refused' | 'timeout' | 'unresolved' {
  if (isLoopback(host)) return listenerAt(ctx.session, port) ? 'connected' : 'refused';
  const node = nodeNamed(ctx.state, host);
  const atNode = node ? nodeConnect(ctx, internalIP(node) ?? host, port) : undefined;
  if (atNode === 'connected' || (atNode === 'refused' && (port < 30000 || port > 32767))) return atNode;
  return connectOutcome(outsideRequest(ctx.state, WORKSTATION_IP, `http://${host}:${port}/`, { method: 'HEAD', ...(wait !== undefined ? { maxTimeSeconds: wait } : {}) }));
}

/** netcat-openbsd's port check. */
export const nc: ShellCommand = (ctx, argv) => ncWith(ctx, argv, 'glibc', (host, port, wait) => connect(ctx, host, port, wait));

/** The workstation's resolver (systemd-resolved → the office DNS): the nodes, the names the outside world has. */
function resolve(state: ClusterState, name: string): string | undefined {
  const bare = name.replace(/\.$/, '');
  if (isLoopback(bare)) return '127.0.0.1';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bare)) return bare;
  const node = getObject(state, 'Node', bare);
  return node ? internalIP(node) : externalAddress(state, bare);
}

/**
 * iputils ping: `-c COUNT`, `-W SECONDS`; replies from the nodes (and loopback), silence elsewhere.
 * `hops`: routers between the caller and the nodes (the workstation's office router; none on a node's own subnet).
 */
export const pingFrom = (hops: number): ShellCommand => (ctx, argv) => {
  let count = 4;
  let host: string | undefined;
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-c') count = Number(args[++i]);
    else if (a === '-W' || a === '-i' || a === '-w' || a === '-s') i++;
    else if (/^-c\d+$/.test(a)) count = Number(a.slice(2));
    else if (!a.startsWith('-')) host = a;
  }
  if (host === undefined) return fail('ping: usage error: Destination address required\n', 1);
  if (!Number.isInteger(count) || count < 1) return fail(`ping: invalid argument: '${count}': out of range: 1 <= value <= 9223372036854775807\n`, 1);
  // A line's ping is bounded (it would run until Ctrl-C without -c); one echo a second.
  count = Math.min(count, 60);
  const ip = resolve(ctx.state, host);
  if (ip === undefined) return fail(`ping: ${host}: Name or service not known\n`, 2);
  const node = nodeNamed(ctx.state, ip);
  const answers = isLoopback(ip) || node !== undefined;
  ctx.passTime?.((count - 1) * 1000);
  let out = `PING ${host} (${ip}) 56(84) bytes of data.\n`;
  const times: number[] = [];
  for (let seq = 1; seq <= count && answers; seq++) {
    const t = isLoopback(ip) ? 0.03 + stableInt(`${seq}`, 0, 40) / 1000 : 0.4 + stableInt(`${ip}/${seq}/${ctx.state.now}`, 0, 900) / 1000;
    times.push(t);
    out += `64 bytes from ${ip}: icmp_seq=${seq} ttl=${isLoopback(ip) ? 64 : 64 - hops} time=${t.toFixed(t < 1 ? 3 : 2)} ms\n`;
  }
  const received = times.length;
  const span = (count - 1) * 1000 + (received > 0 ? stableInt(ip, 1, 9) : 40);
  out += `\n--- ${host} ping statistics ---\n${count} packets transmitted, ${received} received, ${received === 0 ? '100' : '0'}% packet loss, time ${span}ms\n`;
  if (received > 0) {
    const avg = times.reduce((a, b) => a + b, 0) / received;
    const mdev = Math.sqrt(times.reduce((a, b) => a + (b - avg) ** 2, 0) / received);
    out += `rtt min/avg/max/mdev = ${Math.min(...times).toFixed(3)}/${avg.toFixed(3)}/${Math.max(...times).toFixed(3)}/${mdev.toFixed(3)} ms\n`;
  }
  return { stdout: out, stderr: '', exitCode: received > 0 ? 0 : 1 };
};

export const ping = pingFrom(1);

const STUB = '127.0.0.53';

const PUBLIC = ['8.8.8.8', '8.8.4.4', '1.1.1.1', '1.0.0.1', '9.9.9.9'];

/**
 * The workstation's answer for one name: systemd-resolved's stub (no search domains) or a
 * public resolver; a server the office cannot reach times out (three tries of 5 s).
 */
function workstationLookup(state: ClusterState, fqdn: string, type: DnsType, reverseOf: string | undefined, server: string): { outcome: DnsOutcome; ms: number } {
  if (server !== STUB && !PUBLIC.includes(server)) return { outcome: { kind: 'timeout', server }, ms: 15_000 };
  if (type === 'PTR') {
    const node = reverseOf ? nodeNamed(state, reverseOf) : undefined;
    const records = node ? [{ name: fqdn, ttl: 3600, type: 'PTR' as const, data: `${node.metadata.name}.` }] : [];
    return { outcome: records.length > 0 ? { kind: 'answer', server, name: fqdn, records } : { kind: 'nxdomain', server, name: fqdn }, ms: 20 };
  }
  // The nodes by name (the team's DNS has them, ssh uses it), else the simulated internet.
  const node = getObject(state, 'Node', fqdn.slice(0, -1));
  const ip = node ? internalIP(node) : undefined;
  const outcome: DnsOutcome = ip !== undefined
    ? (type === 'A' ? { kind: 'answer', server, name: fqdn, records: [{ name: fqdn, ttl: 0, type: 'A', data: ip }] } : { kind: 'nodata', server, name: fqdn })
    : externalAnswer(state, server, fqdn, type);
  return { outcome, ms: 12 };
}

/** dig through systemd-resolved's stub; a server given with @ must be reachable from the office (the cluster's DNS is not). */
export const dig: ShellCommand = (ctx, argv) => {
  const q = parseDig(argv);
  const server = q.explicit ?? STUB;
  const looked = workstationLookup(ctx.state, q.fqdn.toLowerCase(), q.type, q.reverse, server);
  if (looked.outcome.kind === 'timeout') {
    ctx.passTime?.(looked.ms);
    return digOutput(ctx.state, q, { outcome: looked.outcome, ms: looked.ms, failures: [0, 1, 2].map(() => ({ server, error: 'timed out' })), answerMs: 0 });
  }
  return digOutput(ctx.state, q, { ...looked, failures: [], answerMs: looked.ms }, true);
};

/** The workstation's stub resolver for nslookup and host (bind9-dnsutils, as dig). */
const workstationResolver = (state: ClusterState): Resolver => (name, type, opts) => {
  const isIP = /^\d+\.\d+\.\d+\.\d+$/.test(name);
  const fqdn = (type === 'PTR' && isIP ? `${name.split('.').reverse().join('.')}.in-addr.arpa.` : name.endsWith('.') ? name : `${name}.`).toLowerCase();
  return workstationLookup(state, fqdn, type, type === 'PTR' && isIP ? name : undefined, opts.server ?? STUB);
};

/** BIND 9.18 nslookup and host on the workstation, through the same resolver as dig; a timeout's wait passes, as dig's. */
const timed = (ctx: CommandContext, result: Timed): CommandResult => {
  if ((result.elapsedMs ?? 0) >= 1000) ctx.passTime?.(result.elapsedMs!);
  const { elapsedMs: _elapsed, ...rest } = result;
  return rest;
};
export const nslookup: ShellCommand = (ctx, argv) => timed(ctx, nslookupWith(ctx.state, workstationResolver(ctx.state), argv, 'bind'));
export const host: ShellCommand = (ctx, argv) => timed(ctx, hostWith(workstationResolver(ctx.state), argv));

/** procps-ng ps on the workstation: a laptop's few daemons, the login shell, the jobs it left running. */
export const ps: ShellCommand = (ctx, argv) => {
  const boot = -3 * 86_400_000;
  const login = -2 * 3_600_000;
  const procs: Proc[] = [
    { user: 'root', pid: 1, ppid: 0, start: boot, cpu: 0, rssKb: 12_904, cmd: '/sbin/init splash', comm: 'systemd' },
    { user: 'root', pid: 312, ppid: 1, start: boot, cpu: 0, rssKb: 31_220, cmd: '/lib/systemd/systemd-journald', comm: 'systemd-journal' },
    { user: 'systemd-resolve', pid: 598, ppid: 1, start: boot, cpu: 0, rssKb: 13_812, cmd: '/lib/systemd/systemd-resolved', comm: 'systemd-resolve' },
    { user: 'root', pid: 702, ppid: 1, start: boot, cpu: 0, rssKb: 2_804, cmd: '/usr/sbin/cron -f -P', comm: 'cron' },
    { user: 'root', pid: 741, ppid: 1, start: boot, cpu: 0, rssKb: 7_968, cmd: 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups', comm: 'sshd' },
    { user: 'player', pid: 4242, ppid: 4231, start: login, cpu: 0, rssKb: 5_340, cmd: '-bash', comm: 'bash', tty: 'pts/0' },
    ...(ctx.session.jobs ?? []).map((j): Proc => ({ user: 'player', pid: j.pid, ppid: 4242, start: ctx.state.now, cpu: 0.1, rssKb: 61_420, cmd: j.command, comm: 'kubectl', tty: 'pts/0' })),
  ];
  const me = 4242 + 11 * (ctx.session.history.length + 1);
  procs.push({ user: 'player', pid: me, ppid: 4242, start: ctx.state.now, cpu: 0, rssKb: 3_912, cmd: argv.join(' '), comm: 'ps', tty: 'pts/0' });
  const mine = [{ pid: 4242, cmd: 'bash' }, ...(ctx.session.jobs ?? []).map((j) => ({ pid: j.pid, cmd: 'kubectl' })), { pid: me, cmd: 'ps' }];
  const table = psTable(ctx.state, argv, procs.sort((a, b) => a.pid - b.pid), mine, 16 * 1024 * 1024);
  return typeof table === 'string' ? ok(table) : fail(table.error);
};

/** `openssl x509` over a PEM text (-in FILE or stdin), `openssl s_client -connect HOST:PORT`. */
export const openssl: ShellCommand = (ctx, argv) => {
  const [sub, ...rest] = argv.slice(1);
  if (sub === 'x509') return x509(ctx, rest);
  if (sub === 's_client') return sClient(ctx, rest);
  if (sub === 'version') return ok('OpenSSL 3.0.13 30 Jan 2024 (Library: OpenSSL 3.0.13 30 Jan 2024)\n');
  return fail(`Invalid command '${sub ?? ''}'; type "help" for a list.\n`);
};

function x509(ctx: CommandContext, args: string[]): CommandResult {
  const parsed = parseX509Args(args);
  if ('error' in parsed) return fail(parsed.error);
  const { file, checkend, opts } = parsed;
  let text = ctx.stdin;
  if (file !== undefined) {
    const read = readFile(ctx, 'openssl', file);
    if (!read.ok) return fail(`Could not open file or uri for loading certificate from ${file}\n`);
    text = read.content;
  }
  const from = file ?? '<stdin>';
  const v = pemValidity(ctx.state, text);
  const node = pkiNode(ctx.state);
  if (!v || !node) return fail(`Could not read certificate from ${from}\nUnable to load certificate\n`);
  const known = identifyPem(ctx.state, text);
  const info = known ? certInfo(node, known.name) : undefined;
  const cert = { subject: info?.subject ?? '', issuer: info?.issuer ?? '', ...(info?.sans ? { sans: info.sans } : {}), serial: known ? serialOf(node, known.name, v.notBefore) : 0n, validity: v };
  const out = x509Fields(ctx.state, cert, opts);
  if (checkend !== undefined) return checkendResult(ctx.state, v, out, checkend);
  return ok(out + (opts.includes('-noout') ? '' : pemBlock(text)?.block ?? ''));
}

/** The signature algorithms a Go TLS server asks a client certificate to use, in OpenSSL's names. */
const GO_SIGALGS = 'RSA-PSS+SHA256:ECDSA+SHA256:ed25519:RSA-PSS+SHA384:RSA-PSS+SHA512:RSA+SHA256:RSA+SHA384:RSA+SHA512:ECDSA+SHA384:ECDSA+SHA512';

function sClient(ctx: CommandContext, args: string[]): CommandResult {
  let target: string | undefined;
  let showcerts = false;
  let caFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-connect') target = args[++i];
    else if (a === '-showcerts') showcerts = true;
    else if (a === '-CAfile') caFile = args[++i];
    else if (a === '-servername' || a === '-cert' || a === '-key') i++;
  }
  const u = parseUrl(`https://${target ?? 'localhost:443'}`)!;
  const errno = (text: string, n: number): CommandResult => fail(`${text}connect:errno=${n}\n`, 1);
  const ip = resolve(ctx.state, u.host);
  if (ip === undefined) return errno('40E7A1C4B47F0000:error:10080002:BIO routines:BIO_lookup_ex:system lib:../crypto/bio/bio_addr.c:746:Name or service not known\n', 22);
  const node = nodeNamed(ctx.state, ip);
  const refused = '40E7A1C4B47F0000:error:8000006F:system library:BIO_connect:Connection refused:../crypto/bio/bio_sock2.c:117:calling connect()\n40E7A1C4B47F0000:error:10000067:BIO routines:BIO_connect:connect error:../crypto/bio/bio_sock2.c:119:\n';
  const open = node && nodeConnect(ctx, ip, u.port) === 'connected';
  if (!open) return node || isLoopback(ip) ? errno(refused, 111) : errno('40E7A1C4B47F0000:error:8000006E:system library:BIO_connect:Connection timed out:../crypto/bio/bio_sock2.c:117:calling connect()\n40E7A1C4B47F0000:error:10000067:BIO routines:BIO_connect:connect error:../crypto/bio/bio_sock2.c:119:\n', 110);
  const pki = pkiNode(ctx.state);
  // Only kube-apiserver's port is modelled as a TLS server with a certificate of its own here.
  if (u.port !== 6443 || !pki || !apiserverUp(ctx.state)) return errno(refused, 111);
  const v = validity(pki, 'apiserver');
  const pem = pemOf(ctx.state, pki, 'apiserver', v);
  const date = (at: number) => opensslDate(ctx.state, at);
  const expired = expiredCert(ctx.state, 'apiserver') !== undefined;
  const trusted = caFile !== undefined && readFile(ctx, 'openssl', caFile).ok;
  const [code, why] = trusted ? (expired ? [10, 'certificate has expired'] : [0, 'ok']) : [21, 'unable to verify the first certificate'];
  const verify = trusted
    ? `depth=1 CN = kubernetes\nverify return:1\ndepth=0 CN = kube-apiserver\n${expired ? 'verify error:num=10:certificate has expired\nnotAfter=' + date(v.notAfter) + '\nverify return:1\ndepth=0 CN = kube-apiserver\nnotAfter=' + date(v.notAfter) + '\n' : ''}verify return:1\n`
    : 'depth=0 CN = kube-apiserver\nverify error:num=20:unable to get local issuer certificate\nverify return:1\ndepth=0 CN = kube-apiserver\nverify error:num=21:unable to verify the first certificate\nverify return:1\ndepth=0 CN = kube-apiserver\nverify return:1\n';
  const chain = ` 0 s:CN = kube-apiserver\n   i:CN = kubernetes\n   a:PKEY: rsaEncryption, 2048 (bit); sigalg: RSA-SHA256\n   v:NotBefore: ${date(v.notBefore)}; NotAfter: ${date(v.notAfter)}\n`;
  const stdout = `CONNECTED(00000003)\n---\nCertificate chain\n${chain}${showcerts ? pem : ''}---\nServer certificate\n${showcerts ? '' : pem}subject=CN = kube-apiserver\nissuer=CN = kubernetes\n---\n` +
    `Acceptable client certificate CA names\nCN = kubernetes\nCN = front-proxy-ca\nRequested Signature Algorithms: ${GO_SIGALGS}:RSA+SHA1:ECDSA+SHA1\nShared Requested Signature Algorithms: ${GO_SIGALGS}\n` +
    'Peer signing digest: SHA256\nPeer signature type: RSA-PSS\nServer Temp Key: X25519, 253 bits\n---\nSSL handshake has read 1624 bytes and written 397 bytes\n' +
    `${code === 0 ? 'Verification: OK' : `Verification error: ${why}`}\n---\nNew, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256\nServer public key is 2048 bit\nSecure Renegotiation IS NOT supported\nCompression: NONE\nExpansion: NONE\nNo ALPN negotiated\nEarly data was not sent\nVerify return code: ${code} (${why})\n---\n`;
  // What s_client writes to stderr comes first when both go to one pipe (stdout is buffered).
  return { stdout, stderr: '', stderrFirst: `Can't use SSL_get_servername\n${verify}`, exitCode: 0 };
}
