// metrics-server, `kubectl top` and HorizontalPodAutoscalers. References (kubernetes v1.29):
// - kubectl pkg/cmd/top: "error: Metrics API not available" when metrics.k8s.io does not answer.
// - pkg/controller/podautoscaler/horizontal.go and replica_calculator.go: desired =
//   ceil(ready pods × utilization / target), tolerance 0.1, scale-down stabilization 300 s,
//   conditions (SucceededGetScale, ValidMetricFound, FailedGetResourceMetric…) and events
//   (SuccessfulRescale "New size: N; reason: …", FailedGetResourceMetric, FailedComputeMetricsReplicas).
// - kubectl pkg/cmd/autoscale/autoscale.go: messages and `horizontalpodautoscaler.autoscaling/NAME autoscaled`.
// - pkg/printers/internalversion/printers.go printHorizontalPodAutoscaler (NAME REFERENCE TARGETS
//   MINPODS MAXPODS REPLICAS AGE); kubectl describe.go describeHorizontalPodAutoscalerV2.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import type { ClusterSpecInput } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

/** The demo cluster with metrics-server, its `web` pods requesting 100m and using `cpuUse`. */
function shell(cpuUse = '90m') {
  const spec = structuredClone(demoClusterSpec) as ClusterSpecInput & { addons?: Record<string, unknown> };
  spec.addons = { ...spec.addons, metricsServer: true };
  const web = spec.deployments![0]!.containers[0]!;
  web.requests = { cpu: '100m', memory: '64Mi' };
  web.behavior = { ...web.behavior, cpuUse };
  const state = createCluster(spec, 1);
  const session = newSession(state);
  const run = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
  return { state, run };
}

describe('metrics-server and kubectl top', () => {
  it('runs in kube-system; top answers from it and fails the real way once it is scaled to 0', () => {
    const { run } = shell();
    expect(run('kubectl get deploy metrics-server -n kube-system --no-headers').output).toMatch(/^metrics-server   1\/1   1     1     41d\n$/);
    expect(run('kubectl top pod -l app=web').output).toMatch(/^NAME +CPU\(cores\) +MEMORY\(bytes\) +\nweb-\S+ +90m /);
    run('kubectl scale deploy metrics-server -n kube-system --replicas=0');
    run('sleep 35');
    const top = run('kubectl top pods');
    expect(top.output).toBe('error: Metrics API not available\n');
    expect(top.exitCode).toBe(1);
    expect(run('kubectl top nodes').output).toBe('error: Metrics API not available\n');
  });
});

describe('the HPA controller', () => {
  it('kubectl autoscale makes the HPA; it scales up by ceil(pods × current/target), at most doubling per 15 s, up to max', () => {
    const { run } = shell('90m');
    expect(run('kubectl autoscale deploy web --min=2 --max=10 --cpu-percent=50').output).toBe('horizontalpodautoscaler.autoscaling/web autoscaled\n');
    expect(run('kubectl get hpa').output).toBe('NAME   REFERENCE        TARGETS         MINPODS   MAXPODS   REPLICAS   AGE\nweb    Deployment/web   <unknown>/50%   2         10        0          0s\n');
    run('sleep 16');
    // 3 pods at 90 % of 50 %: ceil(3 × 1.8) = 6.
    expect(run('kubectl get hpa web --no-headers').output).toMatch(/^web   Deployment\/web   90%\/50%   2     10    3     1\ds\n$/);
    expect(run('kubectl get deploy web -o jsonpath="{.spec.replicas}"').output).toBe('6');
    expect(run('kubectl describe hpa web').output).toMatch(new RegExp([
      '^Name:                                                  web',
      'Namespace:                                             default',
      'Labels:                                                <none>',
      'Annotations:                                           <none>',
      'CreationTimestamp:                                     \\w{3}, \\d\\d \\w{3} \\d{4} [\\d:]{8} \\+0000',
      'Reference:                                             Deployment/web',
      'Metrics:                                               \\( current / target \\)',
      '  resource cpu on pods  \\(as a percentage of request\\):  90% \\(90m\\) / 50%',
      'Min replicas:                                          2',
      'Max replicas:                                          10',
      'Deployment pods:                                       3 current / 6 desired',
      'Conditions:',
      '  Type            Status  Reason              Message',
      '  ----            ------  ------              -------',
      '  AbleToScale     True    SucceededRescale    the HPA controller was able to update the target scale to 6',
      '  ScalingActive   True    ValidMetricFound    the HPA was able to successfully calculate a replica count from cpu resource utilization \\(percentage of request\\)',
      '  ScalingLimited  False   DesiredWithinRange  the desired count is within the acceptable range',
      'Events:',
      '  Type    Reason             Age   From                       Message',
      '  ----    ------             ----  ----                       -------',
      '  Normal  SuccessfulRescale  \\ds    horizontal-pod-autoscaler  New size: 6; reason: cpu resource utilization \\(percentage of request\\) above target\n$',
    ].join('\n')));
    run('sleep 60');
    expect(run('kubectl get deploy web -o jsonpath="{.spec.replicas}"').output).toBe('10');
    expect(run('kubectl describe hpa web').output).toContain('  ScalingLimited  True    TooManyReplicas   the desired replica count is more than the maximum replica count\n');
  });

  it('keeps the size within the 0.1 tolerance, and scales down only after the 300 s stabilization window', () => {
    const { run } = shell('54m');
    run('kubectl autoscale deploy web --min=1 --max=10 --cpu-percent=50');
    run('sleep 30');
    // 54 % of 50 %: a ratio of 1.08, within the tolerance (55 % would be 1.1000000000000001, outside, as in Go).
    expect(run('kubectl get deploy web -o jsonpath="{.spec.replicas}"').output).toBe('3');
    run('kubectl patch hpa web --type=merge -p \'{"spec":{"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":90}}}]}}\'');
    run('sleep 120');
    // 54/90 → ceil(3 × 0.6) = 2, held back by the window.
    expect(run('kubectl get deploy web -o jsonpath="{.spec.replicas}"').output).toBe('3');
    expect(run('kubectl get hpa web -o jsonpath="{.status.conditions[0].reason}"').output).toBe('ScaleDownStabilized');
    run('sleep 200');
    expect(run('kubectl get deploy web -o jsonpath="{.spec.replicas}"').output).toBe('2');
    expect(run('kubectl get events --field-selector reason=SuccessfulRescale -o jsonpath="{.items[*].message}"').output).toBe('New size: 2; reason: All metrics below target');
  });

  it('shows <unknown> and FailedGetResourceMetric while metrics-server is down, and keeps the size', () => {
    const { run } = shell('90m');
    run('kubectl scale deploy metrics-server -n kube-system --replicas=0');
    run('kubectl autoscale deploy web --max=10 --cpu-percent=50');
    run('sleep 35');
    expect(run('kubectl get hpa web --no-headers').output).toMatch(/^web   Deployment\/web   <unknown>\/50%   1     10    3     3\ds\n$/);
    expect(run('kubectl get deploy web -o jsonpath="{.spec.replicas}"').output).toBe('3');
    const described = run('kubectl describe hpa web').output;
    expect(described).toContain('  resource cpu on pods  (as a percentage of request):  <unknown> / 50%\n');
    expect(described).toContain('  ScalingActive  False   FailedGetResourceMetric  the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server is currently unable to handle the request (get pods.metrics.k8s.io)\n');
    expect(described).toMatch(/Warning  FailedComputeMetricsReplicas  \d+s \(x2 over \d+s\)  horizontal-pod-autoscaler  invalid metrics \(1 invalid out of 1\), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics/);
  });

  it('says which container has no request, and refuses a bad --max', () => {
    const { run } = shell();
    expect(run('kubectl autoscale deploy web --min=3').output).toBe('error: --max=MAXPODS is required and must be at least 1, max: -1\n');
    expect(run('kubectl autoscale deploy web --min=5 --max=2').output).toBe('error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: 2, min: 5\n');
    run('kubectl create deployment nr --image=nginx:1.25.3 --replicas=2');
    run('kubectl autoscale deploy nr --max=4');
    run('sleep 16');
    expect(run('kubectl get hpa nr -o jsonpath="{.status.conditions[1].message}"').output).toMatch(/^the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container nginx of Pod nr-\S+$/);
    expect(run('kubectl get hpa nr --no-headers').output).toMatch(/^nr    Deployment\/nr   <unknown>\/80%   1     4     2 /);
  });
});
