// The bare-metal path the lb-pending incident runs on, as a player sees it: MetalLB's
// addresses, events and logs (controller/service.go, speaker layer 2), ingress-nginx's class
// validation, routing and error pages, curl from the workstation on the office LAN, and the
// printers and describers kubectl v1.29 uses for these kinds.
import { describe, expect, it } from 'vitest';
import { playSteps } from '../../server/cli/scenarios-command.js';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { pinInstance } from '../../server/scenarios/variant.js';
import { newSession, runLine } from '../../server/shell/index.js';

const loaded = loadScenarioDir().scenarios.find((s) => s.id === 'lb-pending')!;
// Dressing 0: namespace shop, host shop.acme.internal, nodes cp-1/worker-1/worker-2/edge-1 on 192.168.10.0/24.
const HOST = "-H 'Host: shop.acme.internal'";

function outputs(variant: string, lines: (string | { wait: number })[]): string[] {
  const { scenario, seed } = pinInstance(loaded, variant);
  return playSteps(scenario, seed, [{ wait: 30 }, ...lines]).commands.map((c) => c.output);
}

// ingress-nginx's default backend page (server_tokens off: "nginx" without a version).
const NOT_FOUND = '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

describe('lb-pending: MetalLB', () => {
  it('an exhausted pool leaves EXTERNAL-IP <pending> with AllocationFailed events and controller log lines; a wider pool gives the next address', () => {
    const [svc, events, wide, pools, logs, , after, afterEvents] = outputs('pool-exhausted', [
      'kubectl get svc -n ingress-nginx',
      'kubectl get events -n ingress-nginx',
      'kubectl get events -n ingress-nginx -o wide',
      'kubectl get ipaddresspools -n metallb-system',
      'kubectl logs -n metallb-system deploy/controller --tail=1',
      `kubectl patch ipaddresspool lan-pool -n metallb-system --type merge -p '{"spec":{"addresses":["192.168.10.240-192.168.10.249"]}}'`,
      'kubectl get svc -n ingress-nginx',
      'kubectl get events -n ingress-nginx --field-selector reason=IPAllocated',
    ]);
    // printers.go printService: EXTERNAL-IP <pending> for a LoadBalancer without ingress.
    expect(svc).toMatch(/^ingress-nginx-controller\s+LoadBalancer\s+\S+\s+<pending>\s+80:\d+\/TCP,443:\d+\/TCP\s+55m$/m);
    // The controller has retried every resync since the Service was created 55 minutes ago
    // (printers.go printEvent: LAST SEEN is the last time alone; -o wide has FIRST SEEN and COUNT).
    expect(events).toMatch(/\s+Warning\s+AllocationFailed\s+service\/ingress-nginx-controller\s+Failed to allocate IP for "ingress-nginx\/ingress-nginx-controller": no available IPs\n/);
    expect(wide).toMatch(/\s+Warning\s+AllocationFailed\s+service\/ingress-nginx-controller\s+metallb-controller\s+Failed to allocate IP for "ingress-nginx\/ingress-nginx-controller": no available IPs\s+55m\s+11\s+ingress-nginx-controller\.[0-9a-f]+\n/);
    // MetalLB v0.13's CRD printer columns.
    expect(pools).toBe('NAME       AUTO ASSIGN   AVOID BUGGY IPS   ADDRESSES                           AGE\nlan-pool   true          false             ["192.168.10.240-192.168.10.241"]   150d\n');
    expect(logs).toMatch(/^\{"caller":"service\.go:\d+","error":"no available IPs","level":"error","msg":"IP allocation failed","op":"allocateIPs","ts":"2024-06-03T08:55:00Z"\}\n$/);
    expect(after).toMatch(/\s192\.168\.10\.242\s/);
    expect(afterEvents).toContain('Assigned IP ["192.168.10.242"]');
  });

  it('an address no speaker announces is unreachable from the office; announced from the node with the endpoint once the speaker may run there', () => {
    const [before, ds, events, , after, announced] = outputs('speaker-excluded', [
      `curl -s -S -m 5 ${HOST} http://192.168.10.242/`,
      'kubectl get ds -n metallb-system',
      'kubectl get events -n ingress-nginx',
      `kubectl patch ds speaker -n metallb-system --type json -p '[{"op":"add","path":"/spec/template/spec/tolerations/-","value":{"key":"dedicated","operator":"Equal","value":"ingress","effect":"NoSchedule"}}]'`,
      { wait: 90 },
      `curl -s ${HOST} http://192.168.10.242/`,
      'kubectl get events -n ingress-nginx --field-selector reason=nodeAssigned',
    ]);
    // Nobody answers ARP: the kernel gives up after three tries.
    expect(before).toBe("curl: (7) Failed to connect to 192.168.10.242 port 80 after 3071 ms: Couldn't connect to server\n");
    expect(ds).toMatch(/^speaker\s+3\s+3\s+3\s+3\s+3\s+<none>\s+150d$/m);
    expect(events).toContain('Assigned IP ["192.168.10.242"]');
    expect(events).not.toContain('nodeAssigned');
    expect(after).toBe('{"service":"shop-frontend","status":"ok"}\n');
    expect(announced).toContain('announcing from node "edge-1" with protocol "layer2"');
  });

  it('the custom kinds exist only where MetalLB installed its CRDs', () => {
    const state = createCluster(demoClusterSpec, 7);
    const sess = newSession(state);
    const run = (line: string) => runLine(state, sess, line).output;
    expect(run('kubectl get ipaddresspools -A')).toBe('error: the server doesn\'t have a resource type "ipaddresspools"\n');
    expect(run('kubectl api-resources')).not.toContain('metallb.io');
    expect(run("kubectl apply -f - <<'EOF'\napiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: p\n  namespace: default\nspec:\n  addresses: [10.0.0.1/32]\nEOF"))
      .toBe('error: resource mapping not found for name: "p" namespace: "default" from "STDIN": no matches for kind "IPAddressPool" in version "metallb.io/v1beta1"\nensure CRDs are installed first\n');
    const [resources] = outputs('class-mismatch', ['kubectl api-resources --api-group=metallb.io']);
    expect(resources).toBe('NAME               SHORTNAMES   APIVERSION           NAMESPACED   KIND\nipaddresspools                  metallb.io/v1beta1   true         IPAddressPool\nl2advertisements                metallb.io/v1beta1   true         L2Advertisement\n');
  });
});

describe('lb-pending: ingress-nginx', () => {
  it('ignores an Ingress whose class is not its own (log, no ADDRESS, 404) and serves it once the class is right', () => {
    const [ingress, describeBefore, logs, page, , served, describeAfter] = outputs('class-mismatch', [
      'kubectl get ingress -n shop',
      'kubectl describe ingress -n shop',
      'kubectl logs -n ingress-nginx deploy/ingress-nginx-controller | grep Ignoring | tail -1',
      `curl -s ${HOST} http://192.168.10.242/`,
      `kubectl patch ingress shop-frontend -n shop --type merge -p '{"spec":{"ingressClassName":"nginx"}}'`,
      { wait: 5 },
      `curl -s ${HOST} http://192.168.10.242/`,
      'kubectl describe ingress -n shop',
    ]);
    // printers.go printIngress: NAME CLASS HOSTS ADDRESS PORTS AGE.
    expect(ingress).toBe('NAME            CLASS          HOSTS                ADDRESS   PORTS   AGE\nshop-frontend   nginx-public   shop.acme.internal             80      55m\n');
    // describe.go describeIngressV1.
    expect(describeBefore).toMatch(/^Name:             shop-frontend\nLabels:           <none>\nNamespace:        shop\nAddress:          \nIngress Class:    nginx-public\nDefault backend:  <default>\nRules:\n  Host                Path  Backends\n  ----                ----  --------\n  shop\.acme\.internal  \n                      \/   shop-frontend:80 \(10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080\)\nAnnotations:          <none>\nEvents:               <none>\n$/);
    // internal/ingress/controller/store/store.go, klog.InfoS.
    expect(logs).toMatch(/^I0603 08:50:00\.\d{6}       7 store\.go:\d+\] "Ignoring ingress because of error while validating ingress class" ingress="shop\/shop-frontend" error="no object matching key \\"nginx-public\\" in local store"\n$/);
    expect(page).toBe(NOT_FOUND);
    expect(served).toBe('{"service":"shop-frontend","status":"ok"}\n');
    expect(describeAfter).toContain('Address:          192.168.10.242\nIngress Class:    nginx\n');
    expect(describeAfter).toMatch(/Normal  Sync    \d+s\s+nginx-ingress-controller  Scheduled for sync\n$/);
  });

  it('serves a named host by its own rules: a host-less rule with a longer path does not take its requests (nginx picks the server by host first)', () => {
    const [, , apiPath] = outputs('class-mismatch', [
      `kubectl patch ingress shop-frontend -n shop --type merge -p '{"spec":{"ingressClassName":"nginx"}}'`,
      'kubectl create ingress catch-all -n shop --class=nginx --rule="/api*=nothere:80"',
      { wait: 5 },
      `curl -s ${HOST} http://192.168.10.242/api`,
    ]);
    expect(apiPath).toBe('{"service":"shop-frontend","status":"ok"}\n');
  });

  it('answers 503 while the backend has no ready endpoint, and logs each request in its access-log format', () => {
    const [, , page, log] = outputs('class-mismatch', [
      `kubectl patch ingress shop-frontend -n shop --type merge -p '{"spec":{"ingressClassName":"nginx"}}'`,
      'kubectl scale deployment shop-frontend -n shop --replicas=0',
      `curl -s ${HOST} http://192.168.10.242/`,
      'kubectl logs -n ingress-nginx deploy/ingress-nginx-controller | grep ^198.51.100.10',
    ]);
    expect(page).toBe('<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n');
    expect(log).toMatch(/^198\.51\.100\.10 - - \[03\/Jun\/2024:09:00:\d\d \+0000\] "GET \/ HTTP\/1\.1" 503 190 "-" "curl\/8\.5\.0" 92 0\.002 \[shop-shop-frontend-80\] \[\] 0\.0\.0\.1:80 0 0\.002 503 [0-9a-f]{32}\n$/);
  });
});
