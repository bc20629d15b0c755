// ingress-nginx (controller v1.9): which Ingresses it takes (its IngressClass, as
// internal/ingress/controller/store validates it), and how it answers a request: the rule
// whose host and path match sends it to the backend Service's ready endpoints (503 when there
// are none), anything else gets the default backend's 404 (http.ts logs the request). Its own
// pods are found by their container's role; its flags are read from the container's args.
import { nextUint32 } from '../rng.js';
import type { ClusterState, JsonValue, Pod, Service, ServicePort, StoredObject } from '../types.js';
import { podAnswers, podByIP, readyEndpoints } from './services.js';

export interface IngressNginxConfig {
  /** --ingress-class (the class name it answers to in the old annotation). */
  ingressClass: string;
  /** --controller-class: the IngressClass spec.controller it owns. */
  controllerClass: string;
  /** --publish-service: whose load balancer address goes into each Ingress's status. */
  publishService?: string;
  watchWithoutClass: boolean;
}

export function ingressNginxConfig(pod: Pod): IngressNginxConfig {
  // The manifests pass the namespace through the downward API: $(POD_NAMESPACE).
  const args = pod.spec.containers.flatMap((c) => [...(c.command ?? []), ...(c.args ?? [])]).map((a) => a.replaceAll('$(POD_NAMESPACE)', pod.metadata.namespace ?? 'default'));
  const flag = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const publish = flag('publish-service');
  return {
    ingressClass: flag('ingress-class') ?? 'nginx',
    controllerClass: flag('controller-class') ?? 'k8s.io/ingress-nginx',
    ...(publish ? { publishService: publish } : {}),
    watchWithoutClass: flag('watch-ingress-without-class') === 'true',
  };
}

type J = JsonValue | undefined;
const obj = (v: J): { [k: string]: JsonValue } => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {});
const list = (v: J): JsonValue[] => (Array.isArray(v) ? v : []);
const text = (v: J): string | undefined => (typeof v === 'string' ? v : undefined);

export const ingressClasses = (state: ClusterState): Record<string, StoredObject> => state.stored?.['IngressClass'] ?? {};

/** Why the controller ignores an Ingress (its error text), or undefined when it takes it. */
export function ingressClassError(state: ClusterState, ing: StoredObject, cfg: IngressNginxConfig): string | undefined {
  const own = (ic: StoredObject | undefined) => ic !== undefined && text(obj(ic.fields['spec'])['controller']) === cfg.controllerClass;
  const className = text(obj(ing.fields['spec'])['ingressClassName']);
  // The controller's informer keeps only the IngressClasses whose controller is its own.
  if (className !== undefined) return own(ingressClasses(state)[className]) ? undefined : `no object matching key "${className}" in local store`;
  const annotation = ing.metadata.annotations['kubernetes.io/ingress.class'];
  if (annotation !== undefined) return annotation === cfg.ingressClass ? undefined : 'ingress class annotation is not equal to the expected by Ingress Controller';
  const hasDefault = Object.values(ingressClasses(state)).some((ic) => own(ic) && ic.metadata.annotations['ingressclass.kubernetes.io/is-default-class'] === 'true');
  return hasDefault || cfg.watchWithoutClass ? undefined : 'ingress does not contain a valid IngressClass';
}

export interface IngressRoute {
  ingress: StoredObject;
  svc: Service | undefined;
  port: ServicePort | undefined;
  /** `ns-svc-port`, as ingress-nginx names an upstream in its access log. */
  upstream: string;
}

function hostMatches(ruleHost: string | undefined, host: string): boolean {
  if (ruleHost === undefined || ruleHost === '') return true;
  if (ruleHost.startsWith('*.')) return host.endsWith(ruleHost.slice(1)) && !host.slice(0, -(ruleHost.length - 1)).includes('.');
  return ruleHost === host;
}

/** Prefix matches by path element (`/api` matches `/api/x`, not `/apix`); Exact only itself. */
function pathMatches(p: { [k: string]: JsonValue }, path: string): number | undefined {
  const want = text(p['path']) ?? '/';
  const clean = path.split('?')[0]!;
  if (text(p['pathType']) === 'Exact') return clean === want ? want.length + 1 : undefined;
  const base = want.endsWith('/') && want !== '/' ? want.slice(0, -1) : want;
  return base === '/' || clean === base || clean.startsWith(`${base}/`) ? base.length : undefined;
}

/** The backend an Ingress the controller takes names for this host and path (longest path wins). */
export function routeRequest(state: ClusterState, cfg: IngressNginxConfig, host: string, path: string): IngressRoute | undefined {
  let best: { route: IngressRoute; score: number } | undefined;
  const ingresses = state.stored?.['Ingress'] ?? {};
  const rules = Object.keys(ingresses).sort().flatMap((key) => {
    const ing = ingresses[key]!;
    if (ingressClassError(state, ing, cfg) !== undefined) return [];
    return list(obj(ing.fields['spec'])['rules']).map(obj).filter((rule) => hostMatches(text(rule['host']), host)).map((rule) => ({ ing, rule }));
  });
  // nginx picks the server block by host first: rules without a host serve only hosts no rule names.
  const named = rules.filter(({ rule }) => (text(rule['host']) ?? '') !== '');
  for (const { ing, rule } of named.length > 0 ? named : rules) {
    for (const p of list(obj(rule['http'])['paths']).map(obj)) {
      const score = pathMatches(p, path);
      if (score === undefined || (best && best.score >= score)) continue;
      const backend = obj(obj(p['backend'])['service']);
      const name = text(backend['name']) ?? '';
      const portRef = obj(backend['port']);
      const svc = state.services[`${ing.metadata.namespace}/${name}`];
      const port = svc?.spec.ports.find((sp) => (typeof portRef['number'] === 'number' ? sp.port === portRef['number'] : sp.name === text(portRef['name'])));
      best = { score, route: { ingress: ing, svc, port, upstream: `${ing.metadata.namespace}-${name}-${String(portRef['number'] ?? text(portRef['name']) ?? '')}` } };
    }
  }
  return best?.route;
}

const errorPage = (status: string) => `<html>\r\n<head><title>${status}</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

export interface IngressAnswer {
  status: number;
  reason: string;
  body: string;
}

/** What ingress-nginx did with a request: the answer, and what its access log says of the upstream. */
export interface IngressOutcome {
  answer: IngressAnswer;
  /** `ns-svc-port`, or upstream-default-backend. */
  upstream: string;
  upstreamAddr: string;
  proxied: boolean;
}

/**
 * ingress-nginx answers one request: proxied to a ready endpoint of the matching Ingress's
 * backend (`answer` serves it there), 503 when it has none, 404 from its default backend
 * when no Ingress it takes matches.
 */
export function ingressServe(state: ClusterState, pod: Pod, host: string, path: string, answer: (backend: Pod, port: number) => IngressAnswer | 'refused'): IngressOutcome {
  const route = routeRequest(state, ingressNginxConfig(pod), host, path);
  if (!route) return { answer: { status: 404, reason: 'Not Found', body: errorPage('404 Not Found') }, upstream: 'upstream-default-backend', upstreamAddr: '127.0.0.1:8181', proxied: false };
  const eps = route.svc && route.port ? readyEndpoints(state, route.svc, route.port) : [];
  // No endpoint: ingress-nginx's placeholder upstream (0.0.0.1) fails the request.
  if (eps.length === 0) return { answer: { status: 503, reason: 'Service Temporarily Unavailable', body: errorPage('503 Service Temporarily Unavailable') }, upstream: route.upstream, upstreamAddr: '0.0.0.1:80', proxied: false };
  const ep = eps[nextUint32(state.rng) % eps.length]!;
  const backend = podByIP(state, ep.ip);
  const r = backend && podAnswers(backend) ? answer(backend, ep.port) : 'refused';
  return r === 'refused'
    ? { answer: { status: 502, reason: 'Bad Gateway', body: errorPage('502 Bad Gateway') }, upstream: route.upstream, upstreamAddr: `${ep.ip}:${ep.port}`, proxied: false }
    : { answer: r, upstream: route.upstream, upstreamAddr: `${ep.ip}:${ep.port}`, proxied: true };
}
