// A port-forward's request head trickled in one byte a DATA frame (a hostile client): found
// when its blank line is cut between frames, served once, and scanned in linear time (it was
// joined and searched again at every frame: 32 KiB of one-byte frames took seconds of CPU).
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { spdyPortForward } from '../../server/http/kube-api-spdy.js';
import type { KubeApiSession } from '../../server/http/kube-api.js';
import { dataFrame, HeaderDeflater, synStreamFrame } from '../../server/http/spdy/frames.js';
import type { ApiRequest } from '../../server/kubeapi/handler.js';

function forward() {
  const requests: ApiRequest[] = [];
  const socket = new Duplex({ read() {}, write(_chunk, _enc, done) { done(); } });
  const session = { key: 'k', serve: async (req: ApiRequest) => (requests.push(req), { status: 200, body: { data: '' } }) } as unknown as KubeApiSession;
  spdyPortForward(socket, Buffer.alloc(0), session, '/api/v1/namespaces/default/pods/p/portforward', { take: () => true, open: () => undefined, close: () => undefined, maxSeconds: 60 }, () => undefined);
  const deflater = new HeaderDeflater();
  const open = (id: number, type: string) => socket.emit('data', synStreamFrame(id, deflater.deflate(new Map([['streamtype', type], ['port', '80'], ['requestid', '0']]))));
  open(1, 'error');
  open(3, 'data');
  return { requests, send: (bytes: Buffer) => socket.emit('data', Buffer.concat([...bytes].map((b) => dataFrame(3, Buffer.from([b]), false)))), socket };
}

describe('a port-forward request head trickled a byte a frame', () => {
  it('is answered once its blank line is in, cut between frames', async () => {
    const { requests, send, socket } = forward();
    send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(requests).toHaveLength(0);
    send(Buffer.from('\n'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(requests.map((r) => (r.body as { request: string }).request)).toEqual(['GET / HTTP/1.1\r\nHost: x\r\n\r\n']);
    socket.destroy();
  });

  it('costs its length, not its square', () => {
    const { send, socket } = forward();
    const started = performance.now();
    send(Buffer.alloc(32 * 1024, 'a'));
    expect(performance.now() - started).toBeLessThan(1500);
    socket.destroy();
  });
});
