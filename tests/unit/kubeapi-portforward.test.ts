// pods/portforward, pure (server/kubeapi/portforward.ts): one forwarded connection's request
// answered as the pod's listener answers the shell's curl (cluster/network/http.ts serve), a port
// nothing listens on with containerd's refusal text, and hostile bodies refused with a 400 Status
// that runs nothing.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { handleApiRequest, type ApiRequest } from '../../server/kubeapi/handler.js';
import { MAX_FORWARDED_REQUEST } from '../../server/kubeapi/portforward.js';
import type { Json } from '../../server/shell/kubectl/manifest.js';
import '../../server/shell/index.js';

const state = createCluster(demoClusterSpec, 1);
const pod = Object.values(state.pods).find((p) => p.metadata.namespace === 'default' && p.status.phase === 'Running' && p.spec.containers[0]!.image.startsWith('nginx'))!;
const forward = (body: unknown, name = pod.metadata.name): ApiRequest => ({ method: 'POST', path: `/api/v1/namespaces/default/pods/${name}/portforward`, query: {}, accept: 'application/json', contentType: 'application/json', body: body as Json });
const logs = () => pod.status.containerStatuses[0]!.logs.length;

describe('pods/portforward', () => {
  it('a GET is answered with the pod\'s HTTP response bytes, and logged by the pod as the shell\'s curl is', () => {
    const before = logs();
    const { status, body } = handleApiRequest(state, forward({ port: 80, request: 'GET /nope HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/8.5.0\r\n\r\n' }));
    expect(status).toBe(200);
    const data = (body as { data: string }).data;
    expect(data).toMatch(/^HTTP\/1\.1 404 Not Found\r\nServer: nginx\/[\d.]+\r\n[\s\S]*\r\n\r\n<html>/);
    expect(logs()).toBe(before + 1);
    expect(pod.status.containerStatuses[0]!.logs.at(-1)!.text).toMatch(/^127\.0\.0\.1 - - \[.*\] "GET \/nope HTTP\/1\.1" 404 \d+ "-" "curl\/8\.5\.0"/);
  });

  it('HEAD gets the headers only; a request that is not HTTP gets a 400, logged by no one', () => {
    const head = handleApiRequest(state, forward({ port: 80, request: 'HEAD / HTTP/1.1\r\n\r\n' })).body as { data: string };
    expect(head.data.endsWith('\r\n\r\n')).toBe(true);
    const before = logs();
    expect(handleApiRequest(state, forward({ port: 80, request: '\x16\x03\x01 not http\r\n\r\n' })).body).toEqual({ data: 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n' });
    expect(logs()).toBe(before);
  });

  it('a port nothing listens on: containerd\'s refusal for the error stream, nothing written back', () => {
    const { body } = handleApiRequest(state, forward({ port: 81, request: 'GET / HTTP/1.1\r\n\r\n' }));
    expect(body).toEqual({ data: '', error: expect.stringMatching(/^error forwarding port 81 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace "\/var\/run\/netns\/cni-[0-9a-f-]+": failed to connect to localhost:81 inside namespace "[0-9a-f]{64}", IPv4: dial tcp4 127\.0\.0\.1:81: connect: connection refused IPv6 dial tcp6 \[::1\]:81: connect: connection refused $/) });
  });

  it.each<[string, unknown]>([
    ['port 0', { port: 0 }],
    ['a port past 65535', { port: 70000 }],
    ['a request past its bound', { port: 80, request: 'x'.repeat(MAX_FORWARDED_REQUEST + 1) }],
    ['an unknown field', { port: 80, evil: true }],
    ['not an object', 'GET /'],
  ])('%s is refused with a BadRequest Status, and nothing runs', (_what, body) => {
    const before = logs();
    expect(handleApiRequest(state, forward(body))).toMatchObject({ status: 400, body: { reason: 'BadRequest' } });
    expect(logs()).toBe(before);
  });

  it('a pod that does not exist is NotFound; a GET of the subresource is not allowed', () => {
    expect(handleApiRequest(state, forward({}, 'nope'))).toMatchObject({ status: 404, body: { reason: 'NotFound' } });
    expect(handleApiRequest(state, { ...forward({}), method: 'GET' })).toMatchObject({ status: 405 });
  });
});
