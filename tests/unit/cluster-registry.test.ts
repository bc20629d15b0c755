// What the registries hold (cluster/registry.ts): a tag nobody pushed, a typo'd repository or a
// registry host that does not resolve fails the kubelet's pull, ErrImagePull then
// ImagePullBackOff, with the events of kubelet images/image_manager.go EnsureImageExists
// (`Pulling image "…"`, `Failed to pull image "…": <CRI error>`, `Error: ErrImagePull`,
// `Back-off pulling image "…"`, `Error: ImagePullBackOff`) and containerd's resolver errors
// (remotes/docker/resolver.go: "<ref>: not found"; Docker Hub's "pull access denied…").
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { parseImageRef, pullError } from '../../server/cluster/registry.js';
import { newSession, runLine } from '../../server/shell/index.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return { state, run: (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) }).output };
}

const notFound = (name: string) => `rpc error: code = NotFound desc = failed to pull and unpack image "${name}": failed to resolve reference "${name}": ${name}: not found`;

describe('the registries', () => {
  const { state } = shell();
  const node = state.nodes['worker-1']!;
  const pull = (image: string) => pullError(state, node, image);

  it('normalizes references as containerd does', () => {
    expect(parseImageRef('nginx')).toEqual({ domain: 'docker.io', path: 'library/nginx', tag: 'latest' });
    expect(parseImageRef('curlimages/curl:8.5.0')).toEqual({ domain: 'docker.io', path: 'curlimages/curl', tag: '8.5.0' });
    expect(parseImageRef('localhost:5000/app:1')).toEqual({ domain: 'localhost:5000', path: 'app', tag: '1' });
    expect(parseImageRef('registry.k8s.io/pause@sha256:ab')).toEqual({ domain: 'registry.k8s.io', path: 'pause', tag: 'latest', digest: 'sha256:ab' });
  });

  it('pulls common public images with tags that exist, and the images the cluster runs', () => {
    for (const image of ['nginx:1.25', 'nginx:1.25.3-alpine', 'nginx', 'docker.io/library/nginx:stable', 'busybox', 'busybox:1.36.1', 'alpine:3.19', 'ubuntu:22.04',
      'nicolaka/netshoot:v0.13', 'registry.k8s.io/e2e-test-images/agnhost:2.39', 'python:3.12-slim-bookworm', 'node:20-alpine3.19', 'ubuntu:jammy-20240227', 'registry.k8s.io/etcd:3.5.12-0', 'praqma/network-multitool', 'quay.io/some/tool:1.0',
      'ghcr.io/acme/orders-api:1.4.2', 'registry.k8s.io/kube-proxy:v1.29.4',
      // Long-lived lines' patches, and older major versions still on Docker Hub.
      'mysql:8.0.36', 'httpd:2.4.58', 'postgres:9.6.24', 'node:16', 'node:14-alpine', 'postgres:11', 'python:2.7', 'ubuntu:16.04', 'ubuntu:xenial', 'redis:4.0', 'debian:9', 'centos:6']) {
      expect(pull(image), image).toBeUndefined();
    }
  });

  it('does not find a tag that was never pushed', () => {
    expect(pull('nginx:1.99.99')).toBe(notFound('docker.io/library/nginx:1.99.99'));
    expect(pull('nginx:doesnotexist')).toBe(notFound('docker.io/library/nginx:doesnotexist'));
    expect(pull('busybox:lates')).toBe(notFound('docker.io/library/busybox:lates'));
    expect(pull('alpine:3')).toBeUndefined();
    expect(pull('alpine:4.0')).toBe(notFound('docker.io/library/alpine:4.0'));
    expect(pull('nginx:1.25-alpne')).toBe(notFound('docker.io/library/nginx:1.25-alpne'));
    // Another tag of the scenario's own repository; a system image's other releases exist.
    expect(pull('ghcr.io/acme/orders-api:9.9.9')).toBe(notFound('ghcr.io/acme/orders-api:9.9.9'));
    expect(pull('registry.k8s.io/kube-proxy:v1.29.5')).toBeUndefined();
    expect(pull('registry.k8s.io/kube-proxy:v1.99.0')).toBe(notFound('registry.k8s.io/kube-proxy:v1.99.0'));
  });

  it('finds no tag longer than a reference allows, at once (the kubelet retries a pull on every back-off)', () => {
    // distribution/reference's grammar: tag := [\w][\w.-]{0,127}. A 15 000-digit tag took 450 ms a pull.
    const long = `nginx:1.25-${'1'.repeat(15_000)}x`;
    const started = performance.now();
    expect(pull(long)).toBe(notFound(`docker.io/library/${long}`));
    expect(performance.now() - started).toBeLessThan(50);
    expect(pull(`nginx:alpine-${'1'.repeat(121)}`)).toBeUndefined(); // 128 characters: a build number
  });

  it('refuses a Docker Hub name a letter or two from a common image, and a registry that does not resolve', () => {
    expect(pull('ngnix')).toBe('rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/ngnix:latest": failed to resolve reference "docker.io/library/ngnix:latest": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed');
    expect(pull('registy.k8s.io/pause:3.9')).toBe('rpc error: code = Unknown desc = failed to pull and unpack image "registy.k8s.io/pause:3.9": failed to resolve reference "registy.k8s.io/pause:3.9": failed to do request: Head "https://registy.k8s.io/v2/pause/manifests/3.9": dial tcp: lookup registy.k8s.io on 10.0.0.2:53: no such host');
  });
});

describe('a pod whose image cannot be pulled', () => {
  it('goes ErrImagePull then ImagePullBackOff, and describe shows the kubelet\'s events', () => {
    const { run } = shell();
    expect(run('kubectl run t --image=nginx:1.99.99')).toBe('pod/t created\n');
    run('sleep 3');
    expect(run('kubectl get pod t --no-headers')).toMatch(/^t +0\/1 +(ErrImagePull|ImagePullBackOff) +0 +3s\n$/);
    run('sleep 20');
    expect(run('kubectl get pod t -o jsonpath="{.status.containerStatuses[0].state.waiting.reason}: {.status.containerStatuses[0].state.waiting.message}"'))
      .toBe('ImagePullBackOff: Back-off pulling image "nginx:1.99.99"');
    const events = run('kubectl describe pod t').split('Events:\n')[1]!;
    expect(events).toContain('kubelet            Pulling image "nginx:1.99.99"\n');
    expect(events).toContain(`kubelet            Failed to pull image "nginx:1.99.99": ${notFound('docker.io/library/nginx:1.99.99')}\n`);
    expect(events).toMatch(/Warning +Failed .* kubelet +Error: ErrImagePull\n/);
    expect(events).toMatch(/Warning +Failed .* kubelet +Error: ImagePullBackOff\n/);
    expect(events).toMatch(/Normal +BackOff .* kubelet +Back-off pulling image "nginx:1.99.99"\n/);
  });

  it('stalls a rollout to a tag that does not exist; setting a real tag rolls it out', () => {
    const { run } = shell();
    run('kubectl set image deploy/web nginx=nginx:doesnotexist; sleep 20');
    const pods = run('kubectl get pods -l app=web --no-headers');
    expect(pods.match(/ImagePullBackOff/g)).toHaveLength(1);
    expect(pods.match(/1\/1 +Running/g)).toHaveLength(3);
    run('kubectl set image deploy/web nginx=nginx:1.25; sleep 60');
    expect(run('kubectl get deploy web --no-headers')).toMatch(/^web +3\/3 +3 +3 /);
    expect(run('kubectl get pods -l app=web --no-headers')).not.toMatch(/ImagePull/);
  });
});
