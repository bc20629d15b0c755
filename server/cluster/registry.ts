// What the registries hold, as the kubelet's pull (containerd's resolver) finds it. The
// cluster cannot list Docker Hub, so the rule is:
//  - an image the cluster knows pulls (or fails) as it says: the scenario's images and
//    workloads (state.imagePrograms, a never-pushed tag's imagePullError; everything the build
//    runs) and every image a node already holds;
//  - another tag of one of the scenario's own repositories (its programs') was never pushed: NotFound;
//  - a common public image (CATALOGUE) pulls with a tag that exists: `latest`, a word the
//    image is tagged with (`alpine`, `bookworm`…) or a version up to its newest line
//    (`nginx:1.25`, `busybox:1.36.1`); any other tag (`nginx:1.99.99`, `nginx:lates`) is NotFound;
//  - a Docker Hub name one or two letters from a catalogue image (`ngnix`) does not exist:
//    pull access denied; any other repository on a public registry pulls;
//  - a registry host nobody runs (`registy.k8s.io`) fails in DNS; another repository on a
//    scenario's private registry is NotFound.
import type { ClusterState, Node } from './types.js';

/** A reference as containerd normalizes it (docker/reference ParseNormalizedNamed). */
export interface ImageRef {
  domain: string;
  /** The path under the domain (`library/nginx`). */
  path: string;
  tag: string;
  digest?: string;
}

export function parseImageRef(image: string): ImageRef {
  const [nameTag, digest] = image.split('@') as [string, string | undefined];
  const slash = nameTag.indexOf('/');
  const first = slash < 0 ? '' : nameTag.slice(0, slash);
  const hosted = first.includes('.') || first.includes(':') || first === 'localhost';
  const rest = hosted ? nameTag.slice(slash + 1) : nameTag;
  const colon = rest.lastIndexOf(':');
  const name = colon < 0 ? rest : rest.slice(0, colon);
  const tag = colon < 0 ? 'latest' : rest.slice(colon + 1);
  const domain = hosted ? first : 'docker.io';
  const path = domain === 'docker.io' && !name.includes('/') ? `library/${name}` : name;
  return { domain, path, tag, ...(digest ? { digest } : {}) };
}

/** `docker.io/library/nginx:1.25`: the name containerd reports in its errors. */
export function fullName(ref: ImageRef): string {
  return `${ref.domain}/${ref.path}${ref.digest ? `@${ref.digest}` : `:${ref.tag}`}`;
}

/** Public registries: any repository there may exist. */
const PUBLIC_REGISTRIES = new Set(['docker.io', 'registry.k8s.io', 'k8s.gcr.io', 'gcr.io', 'quay.io', 'ghcr.io', 'public.ecr.aws', 'mcr.microsoft.com', 'registry.gitlab.com', 'nvcr.io']);

/**
 * Common public images and their tags: the newest minor of each major version line (a
 * version up to it exists, with a patch of at most MAX_PATCH), and the words they are tagged
 * with, alone or after a version (`1.25-alpine`, `3.12-slim-bookworm`).
 */
interface Tags { lines: Record<number, number>; words?: string[]; v?: boolean }
// Long-lived lines reach high patches (mysql 8.0.40, httpd 2.4.62, postgres 9.6.24): a bound of 20 refused them.
const MAX_PATCH = 99;
const DEBIAN = ['slim', 'bookworm', 'bullseye', 'buster', 'alpine'];
const CATALOGUE: Record<string, Tags> = {
  'docker.io/library/nginx': { lines: { 1: 27 }, words: ['stable', 'mainline', 'alpine', 'slim', 'perl', 'otel', 'bookworm', 'bullseye'] },
  'docker.io/library/busybox': { lines: { 1: 37 }, words: ['stable', 'musl', 'glibc', 'uclibc'] },
  'docker.io/library/alpine': { lines: { 3: 21 }, words: ['edge'] },
  'docker.io/library/ubuntu': { lines: { 14: 4, 16: 4, 18: 4, 20: 10, 22: 10, 23: 10, 24: 10 }, words: ['trusty', 'xenial', 'bionic', 'focal', 'jammy', 'noble', 'rolling', 'devel'] },
  'docker.io/library/debian': { lines: { 8: 11, 9: 13, 10: 13, 11: 11, 12: 8 }, words: ['stable', 'testing', 'buster', 'bullseye', 'bookworm', 'trixie', 'slim'] },
  'docker.io/library/httpd': { lines: { 2: 4 }, words: ['alpine', 'bookworm'] },
  'docker.io/library/redis': { lines: { 3: 2, 4: 0, 5: 0, 6: 2, 7: 4 }, words: ['alpine', 'bookworm'] },
  'docker.io/library/postgres': { lines: { 9: 6, 10: 23, 11: 22, 12: 22, 13: 18, 14: 15, 15: 10, 16: 6, 17: 2 }, words: ['alpine', 'bookworm', 'bullseye'] },
  'docker.io/library/mysql': { lines: { 5: 7, 8: 4, 9: 1 }, words: ['lts', 'innovation', 'oracle', 'debian'] },
  'docker.io/library/python': { lines: { 2: 7, 3: 13 }, words: DEBIAN },
  'docker.io/library/node': { lines: { 10: 24, 12: 22, 14: 21, 16: 20, 18: 20, 20: 18, 22: 12, 23: 4 }, words: [...DEBIAN, 'lts'] },
  'docker.io/library/golang': { lines: { 1: 23 }, words: DEBIAN },
  'docker.io/library/centos': { lines: { 6: 10, 7: 9, 8: 4 } },
  'docker.io/library/registry': { lines: { 2: 8 } },
  'docker.io/curlimages/curl': { lines: { 7: 88, 8: 11 } },
  'docker.io/nicolaka/netshoot': { lines: { 0: 13 }, v: true },
  'docker.io/bitnami/kubectl': { lines: { 1: 31 }, words: ['debian'] },
  'registry.k8s.io/pause': { lines: { 3: 10 } },
  'registry.k8s.io/kube-apiserver': { lines: { 1: 31 }, v: true },
  'registry.k8s.io/kube-controller-manager': { lines: { 1: 31 }, v: true },
  'registry.k8s.io/kube-scheduler': { lines: { 1: 31 }, v: true },
  'registry.k8s.io/kube-proxy': { lines: { 1: 31 }, v: true },
  'registry.k8s.io/etcd': { lines: { 3: 5 } },
  'registry.k8s.io/coredns/coredns': { lines: { 1: 11 }, v: true },
  'registry.k8s.io/metrics-server/metrics-server': { lines: { 0: 7 }, v: true },
  'registry.k8s.io/e2e-test-images/agnhost': { lines: { 2: 53 } },
  'registry.k8s.io/e2e-test-images/jessie-dnsutils': { lines: { 1: 7 } },
  'registry.k8s.io/busybox': { lines: { 1: 28 } },
};

/** The longest tag a reference may have (distribution/reference's grammar: [\w][\w.-]{0,127}). */
const MAX_TAG_CHARS = 128;

/** Tag `tag` exists for `tags`. */
function tagged(tags: Tags, tag: string): boolean {
  // None longer exists; and the version pattern below backtracks on a long run of digits (a pull of a 15 000-digit tag took 450 ms).
  if (tag.length > MAX_TAG_CHARS) return false;
  const words = new Set(['latest', ...(tags.words ?? [])]);
  // A part after the version: a word the image uses, alone or versioned (`alpine3.19`), or a build number (`-0`, `-20240227`).
  const part = (w: string): boolean => words.has(w.replace(/\d+(\.\d+)*$/, '')) || /^\d+(\.\d+)*$/.test(w);
  const m = /^(v?)(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([a-z0-9.-]+))?$/.exec(tag);
  if (!m) return words.has(tag.split('-')[0]!) && tag.split('-').every(part);
  const [, v, major, minor, patch, suffix] = m;
  const newest = tags.lines[Number(major)];
  if (newest === undefined || Boolean(v) !== Boolean(tags.v)) return false;
  if (minor !== undefined && Number(minor) > newest) return false;
  if (patch !== undefined && Number(patch) > MAX_PATCH) return false;
  return suffix === undefined || suffix.split('-').every(part);
}

/** Edit distance with transpositions (optimal string alignment): enough to tell `ngnix` from `nginx`. */
function near(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 2) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const swap = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? prev[j - 2]! : Infinity;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1), swap);
    }
    prev = row;
  }
  return prev[b.length]! <= 2;
}

/** The scenario's images (whose repositories hold only those tags), and every image the cluster knows exists: those and what the nodes hold. */
function knownImages(state: ClusterState): { scenario: ImageRef[]; all: Set<string> } {
  const scenario = Object.keys(state.imagePrograms ?? {}).map(parseImageRef);
  const all = new Set(scenario.map(fullName));
  for (const node of Object.values(state.nodes)) for (const image of node.host.images) all.add(fullName(parseImageRef(image)));
  return { scenario, all };
}

/**
 * Why the kubelet on `node` cannot pull `image` (containerd's error as the CRI returns it), or
 * undefined when it pulls. A known image's own imagePullError is its program's business.
 */
export function pullError(state: ClusterState, node: Node, image: string): string | undefined {
  // The build is still laying the scenario's own workloads down (it learns their images at its end): they exist.
  if (state.imagePrograms === undefined) return undefined;
  const ref = parseImageRef(image);
  const name = fullName(ref);
  const known = knownImages(state);
  if (known.all.has(name)) return undefined;
  const repo = `${ref.domain}/${ref.path}`;
  const failed = (code: string, why: string) => `rpc error: code = ${code} desc = failed to pull and unpack image "${name}": failed to resolve reference "${name}": ${why}`;
  const notFound = failed('NotFound', `${name}: not found`);
  const tags = CATALOGUE[repo];
  if (tags) return ref.digest || tagged(tags, ref.tag) ? undefined : notFound;
  if (known.scenario.some((r) => `${r.domain}/${r.path}` === repo)) return ref.digest ? undefined : notFound;
  if (ref.domain === 'docker.io' && Object.keys(CATALOGUE).some((r) => r.startsWith('docker.io/') && near(r.slice('docker.io/'.length), ref.path))) {
    return failed('Unknown', 'pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed');
  }
  if (PUBLIC_REGISTRIES.has(ref.domain)) return undefined;
  if (known.scenario.some((r) => r.domain === ref.domain)) return notFound;
  const resolver = node.host.resolvConfNameservers[0] ?? '127.0.0.53';
  return failed('Unknown', `failed to do request: Head "https://${ref.domain}/v2/${ref.path}/manifests/${ref.digest ?? ref.tag}": dial tcp: lookup ${ref.domain} on ${resolver}:53: no such host`);
}
