// The kube API listener's per-address connection cap (server/http/kube-api.ts, connection-cap.ts):
// one address cannot hold every connection; past MAX_CONNECTIONS_PER_ADDRESS its next one is
// closed at once while another address is still served, and a closed one frees its place.
// X-Forwarded-For is not believed: a client naming another address is still counted as itself.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { buildKubeApi, clusterBackend, MAX_CONNECTIONS_PER_ADDRESS, selfSignedCert } from '../../server/http/kube-api.js';

const token = 'cap-token';
const opened: Socket[] = [];
let close: (() => Promise<void>) | undefined;

afterEach(async () => {
  for (const s of opened.splice(0)) s.destroy();
  await close?.();
});

async function listen(): Promise<number> {
  const state = createCluster(demoClusterSpec, 1);
  const app = buildKubeApi({ backend: clusterBackend({ state: () => state, token }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  close = () => app.close();
  return (app.server.address() as { port: number }).port;
}

/** A connection from `from` (127.0.0.0/8 is all loopback): resolves once connected. */
function open(port: number, from: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: from }, () => resolve(socket));
    socket.once('error', reject);
    opened.push(socket);
  });
}

/** Sends a GET on the socket and reads until the server closes it or the answer's body is complete. */
function get(socket: Socket, forwardedFor?: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = (): void => resolve(text);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const length = /content-length: (\d+)/i.exec(head);
      if (length && Buffer.byteLength(body) >= Number(length[1])) done();
    });
    socket.once('close', done);
    socket.write(`GET /version HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n${forwardedFor ? `X-Forwarded-For: ${forwardedFor}\r\n` : ''}\r\n`);
  });
}

const closed = (socket: Socket): Promise<void> => new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

describe('kube API connections per client address', () => {
  it('closes the connection one address opens past the cap; another address is served, and a freed place is taken again', async () => {
    const port = await listen();
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS_PER_ADDRESS }, () => open(port, '127.0.0.1')));
    // The held connections are served.
    expect(await get(held[0]!)).toMatch(/^HTTP\/1\.1 200 /);
    const over = await open(port, '127.0.0.1');
    // Naming another address does not help: the peer's is the one counted.
    const answer = get(over, '198.51.100.9');
    await closed(over);
    expect(await answer).toBe('');
    expect(await get(await open(port, '127.0.0.2'))).toMatch(/^HTTP\/1\.1 200 /);
    held[1]!.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(await get(await open(port, '127.0.0.1'))).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('closes a connection whose TLS handshake never finishes within 10 s (Node\'s default held it 120 s, and with it the address\'s place)', async () => {
    const state = createCluster(demoClusterSpec, 1);
    const app = buildKubeApi({ backend: clusterBackend({ state: () => state, token }), tls: await selfSignedCert(['kubedrill-apiserver']) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    close = () => app.close();
    const silent = await open((app.server.address() as { port: number }).port, '127.0.0.1');
    const started = Date.now();
    await closed(silent);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 20_000);
});
