// service-unreachable: what tells its four causes apart is observed however it is looked at,
// and near misses do not count; the storefront's own log tells refused from dropped.
import { describe, expect, it } from 'vitest';
import { playSteps } from '../../server/cli/scenarios-command.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { pinInstance } from '../../server/scenarios/variant.js';
import { observedBy } from '../../server/scoring/score.js';

const loaded = loadScenarioDir().scenarios.find((s) => s.id === 'service-unreachable')!;

/** Under the first dressing: namespace shop, app orders, storefront in web. */
function play(variant: string, lines: string[]) {
  const { scenario, seed } = pinInstance(loaded, variant, { names: 0 });
  return { scenario, ...playSteps(scenario, seed, [{ wait: 60 }, ...lines]) };
}

function observes(variant: string, id: string, line: string): boolean {
  const { scenario, commands } = play(variant, [line]);
  const item = scenario.answer.evidence.find((e) => e.id === id);
  if (!item) throw new Error(`${variant} has no evidence ${id}`);
  return observedBy(item, commands) !== undefined;
}

describe('service-unreachable', () => {
  it('selector: the Service\'s selector against the pods\' labels', () => {
    for (const line of ['kubectl describe svc orders -n shop', 'kubectl get svc -n shop -o wide', 'kubectl get svc orders -n shop -o yaml']) expect(observes('selector', 'selector-label', line), line).toBe(true);
    expect(observes('selector', 'selector-label', 'kubectl get svc -n shop')).toBe(false);
  });

  it('readiness: the probe failures in the events; a pod listing shows 0/1 but not why', () => {
    for (const line of ['kubectl describe pods -n shop', 'kubectl get events -n shop', 'kubectl describe pods -n shop | grep Readiness']) expect(observes('readiness', 'not-ready', line), line).toBe(true);
    expect(observes('readiness', 'not-ready', 'kubectl get pods -n shop')).toBe(false);
    expect(observes('readiness', 'pods-unready', 'kubectl get pods -n shop')).toBe(true);
    // The kubelet's prober reports net/http's error for an HTTP probe nothing answers (kubernetes pkg/probe/http).
    const events = play('readiness', ['kubectl get events -n shop --field-selector reason=Unhealthy']).commands.at(-1)!.output;
    expect(events).toMatch(/Warning\s+Unhealthy\s+pod\/orders-\S+\s+Readiness probe failed: Get "http:\/\/(10\.\d+\.\d+\.\d+):8081\/healthz": dial tcp \1:8081: connect: connection refused\n/);
  });

  it('targetport: the endpoints\' port and the Service\'s targetPort', () => {
    for (const line of ['kubectl get endpoints orders -n shop -o yaml', 'kubectl describe svc orders -n shop', 'kubectl get svc orders -n shop -o yaml']) expect(observes('targetport', 'endpoint-port', line), line).toBe(true);
    expect(observes('targetport', 'endpoint-port', 'kubectl get svc -n shop')).toBe(false);
  });

  it('netpol: the policy listed or described, not filtered away', () => {
    for (const line of ['kubectl get networkpolicy -n shop', 'kubectl get netpol -A', 'kubectl describe netpol -n shop']) expect(observes('netpol', 'deny-policy', line), line).toBe(true);
    expect(observes('netpol', 'deny-policy', 'kubectl get netpol -A | grep -v default-deny')).toBe(false);
  });

  it('the storefront logs refused calls for a broken Service, timed-out ones behind a policy', () => {
    const refused = play('targetport', ['kubectl logs -n web deploy/storefront --tail=1']).commands.at(-1)!.output;
    // kubectl names the pod it picked first ("Found 2 pods, using pod/…"), on stderr.
    expect(refused).toMatch(/^Found \d+ pods, using pod\/storefront-\S+\n\{"level":"error","ts":"2024-06-03T09:00:\d\d\.\d{3}Z","msg":"upstream request failed","upstream":"orders","status":503,"error":"Get \\"http:\/\/orders\.shop\.svc\.cluster\.local\/api\/v1\/[a-z/]+\\": dial tcp 10\.\d+\.\d+\.\d+:80: connect: connection refused"\}\n/);
    const dropped = play('netpol', ['kubectl logs -n web deploy/storefront --tail=1', 'kubectl exec -n web deploy/storefront -- curl -sS -m 3 http://orders.shop/']).commands;
    expect(dropped.at(-2)!.output).toContain(': i/o timeout"}');
    expect(dropped.at(-1)!.output).toContain('curl: (28) Connection timed out after 3001 milliseconds');
  });
});
