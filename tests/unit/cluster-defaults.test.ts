// The objects a kubeadm- or EKS-built v1.29 cluster has without anyone creating them, and
// the realism tells a reviewer saw, one row each: every row fails if its item regresses.
// References: kubeadm v1.29 (phases/addons, uploadconfig, bootstrap-token clusterinfo;
// app/phases/controlplane volumes.go; etcd/local.go), kube-controller-manager's
// root-ca-cert-publisher, serviceaccounts and endpointslice controllers, kube-aggregator
// available_controller.go (v1.29 reads Endpoints: "endpoints for service/%s in %q have no
// addresses with port name %q"), metrics-server v0.7.1 components.yaml, kubectl v1.29
// pkg/describe/describe.go (describeContainerCommand, describeContainerVolumes sorted by mount
// path, printHostPathVolumeSource) and pkg/cmd/logs (the "Found N pods" note on stderr first),
// pkg/cmd/drain (the DaemonSet warning right after "cordoned").
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import type { ClusterSpecInput, ClusterState, Pod } from '../../server/cluster/index.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { advance, startScenario } from '../../server/scenarios/session.js';
import { pinInstance } from '../../server/scenarios/variant.js';
import { newSession, runLine } from '../../server/shell/index.js';

function world(spec: ClusterSpecInput = demoClusterSpec) {
  const state = createCluster(spec, 7);
  const session = newSession(state);
  const run = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
  return { state, run };
}

/** A kubeadm cluster on bare metal with Calico: not the AWS flavour. */
const calico = { ...structuredClone(demoClusterSpec), network: { ...structuredClone(demoClusterSpec.network), provider: 'bare-metal', cni: { name: 'calico' } } } as ClusterSpecInput;

const aws = world();
const kubeadm = world(calico);
const out = (w: ReturnType<typeof world>, line: string) => w.run(line).output;

/** Every scenario's first cause, under each option of its node-name dressing. */
const { scenarios } = loadScenarioDir();
const scenarioWorlds = scenarios.flatMap((s) => {
  const nodes = s.dressing.find((d) => d.name === 'nodes');
  return Array.from({ length: nodes?.options.length ?? 1 }, (_, i) => {
    const { scenario, seed } = pinInstance(s, s.variants[0]!.id, nodes ? { nodes: i } : {});
    const state = startScenario(scenario, seed);
    advance(state, scenario, 120_000);
    return { name: `${s.id}#${i}`, state };
  });
});

describe('default objects a real cluster has', () => {
  const rows: [string, () => void][] = [
    ['kube-root-ca.crt in every namespace, the cluster CA cluster-info publishes too; a new namespace gets one', () => {
      for (const w of [aws, kubeadm]) {
        for (const ns of Object.keys(w.state.namespaces)) expect(w.state.configmaps[`${ns}/kube-root-ca.crt`]?.data['ca.crt'], ns).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]{900,}-----END CERTIFICATE-----\n$/);
        const ca = w.state.configmaps['default/kube-root-ca.crt']!.data['ca.crt']!;
        expect(w.state.configmaps['kube-public/cluster-info']!.data.kubeconfig).toContain(`certificate-authority-data: ${Buffer.from(ca).toString('base64')}\n`);
      }
      const w = world();
      w.run('kubectl create ns shop');
      w.run('sleep 2');
      expect(out(w, 'kubectl -n shop get cm kube-root-ca.crt -o jsonpath=\'{.data.ca\\.crt}\'')).toBe(w.state.configmaps['default/kube-root-ca.crt']!.data['ca.crt']);
    }],
    ['a default ServiceAccount in every namespace, a new one included', () => {
      for (const w of [aws, kubeadm]) for (const ns of Object.keys(w.state.namespaces)) expect(w.state.stored!['ServiceAccount']![`${ns}/default`], ns).toBeDefined();
      const w = world();
      w.run('kubectl create ns shop');
      w.run('sleep 2');
      expect(out(w, 'kubectl -n shop get sa')).toMatch(/^NAME {6}SECRETS   AGE\ndefault   0 {9}\ds\n$/);
    }],
    ['kubeadm\'s ConfigMaps: kube-proxy, kubeadm-config, kubelet-config in kube-system; cluster-info in kube-public', () => {
      for (const w of [aws, kubeadm]) {
        expect(Object.keys(w.state.configmaps)).toEqual(expect.arrayContaining(['kube-system/kube-proxy', 'kube-system/kubeadm-config', 'kube-system/kubelet-config', 'kube-public/cluster-info']));
        expect(w.state.configmaps['kube-system/kubeadm-config']!.data.ClusterConfiguration).toContain('kind: ClusterConfiguration\n');
        expect(w.state.configmaps['kube-system/kubelet-config']!.data.kubelet).toContain('kind: KubeletConfiguration');
        expect(w.state.configmaps['kube-system/kube-proxy']!.data['config.conf']).toContain('kind: KubeProxyConfiguration\n');
      }
    }],
    ['a Lease per node in kube-node-lease and the leader-election Leases in kube-system', () => {
      for (const w of [aws, kubeadm]) {
        expect(out(w, 'kubectl -n kube-node-lease get lease -o name')).toBe(Object.keys(w.state.nodes).sort().map((n) => `lease.coordination.k8s.io/${n}\n`).join(''));
        expect(out(w, 'kubectl -n kube-system get lease -o name')).toMatch(/^lease\.coordination\.k8s\.io\/apiserver-[a-z0-9]{26}\nlease\.coordination\.k8s\.io\/kube-controller-manager\nlease\.coordination\.k8s\.io\/kube-scheduler\n$/);
      }
    }],
    ['an EndpointSlice for every Service, following its Endpoints, made with a new Service and gone with it', () => {
      for (const w of [aws, kubeadm]) {
        const slices = Object.values(w.state.stored!['EndpointSlice']!);
        for (const svc of Object.values(w.state.services)) {
          expect(slices.filter((s) => s.metadata.namespace === svc.metadata.namespace && s.metadata.labels['kubernetes.io/service-name'] === svc.metadata.name), svc.metadata.name).toHaveLength(1);
        }
      }
      const w = world();
      w.run('kubectl create deploy shop --image=nginx --replicas=2');
      w.run('kubectl expose deploy shop --port=80');
      w.run('sleep 5');
      const ips = Object.values(w.state.pods).filter((p) => p.metadata.labels.app === 'shop').map((p) => p.status.podIP).sort();
      expect(out(w, 'kubectl get endpointslices -l kubernetes.io/service-name=shop --no-headers')).toMatch(new RegExp(`^shop-[a-z0-9]{5}   IPv4   80    ${ips.join(',').replace(/\./g, '\\.')}   \\ds\n$`));
      w.run('kubectl scale deploy shop --replicas=1');
      w.run('sleep 5');
      expect(out(w, 'kubectl get endpointslices -l kubernetes.io/service-name=shop -o jsonpath={.items[0].endpoints[*].addresses[0]}').split(' ')).toHaveLength(1);
      w.run('kubectl delete svc shop');
      w.run('sleep 2');
      expect(out(w, 'kubectl get endpointslices -l kubernetes.io/service-name=shop')).toBe('No resources found in default namespace.\n');
    }],
    ['the system ClusterRoles and ClusterRoleBindings', () => {
      for (const w of [aws, kubeadm]) {
        for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:node', 'system:kube-scheduler', 'system:kube-controller-manager', 'system:coredns']) expect(w.state.stored!['ClusterRole']![name], name).toBeDefined();
        for (const name of ['cluster-admin', 'kubeadm:cluster-admins', 'system:basic-user', 'kubeadm:node-proxier']) expect(w.state.stored!['ClusterRoleBinding']![name], name).toBeDefined();
      }
    }],
    ['PriorityClasses system-node-critical and system-cluster-critical', () => {
      expect(out(aws, 'kubectl get pc --no-headers')).toMatch(/^system-cluster-critical   2000000000   false +\d+d\nsystem-node-critical      2000001000   false +\d+d\n$/);
    }],
    ['a default StorageClass (gp2 on AWS)', () => {
      expect(out(aws, 'kubectl get sc --no-headers')).toMatch(/^gp2 \(default\) +kubernetes\.io\/aws-ebs +Delete +WaitForFirstConsumer +false +\d+d\n$/);
      expect(out(kubeadm, 'kubectl get sc -o name')).toBe('storageclass.storage.k8s.io/standard\n');
    }],
    ['metrics-server: Deployment, Service, RBAC and an Available APIService; top answers', () => {
      for (const w of [aws, kubeadm]) {
        expect(out(w, 'kubectl -n kube-system get deploy metrics-server --no-headers')).toMatch(/^metrics-server   1\/1   1     1     41d\n$/);
        expect(out(w, 'kubectl -n kube-system get svc metrics-server --no-headers')).toMatch(/^metrics-server   ClusterIP   [\d.]+   <none>   443\/TCP   41d\n$/);
        expect(out(w, 'kubectl get apiservice v1beta1.metrics.k8s.io --no-headers')).toBe('v1beta1.metrics.k8s.io   kube-system/metrics-server   True   41d\n');
        expect(w.state.stored!['ClusterRole']!['system:aggregated-metrics-reader']).toBeDefined();
        expect(w.state.stored!['ClusterRoleBinding']!['metrics-server:system:auth-delegator']).toBeDefined();
        expect(w.state.stored!['RoleBinding']!['kube-system/metrics-server-auth-reader']).toBeDefined();
        expect(out(w, 'kubectl top nodes')).toMatch(/^NAME +CPU\(cores\) +CPU% +MEMORY\(bytes\) +MEMORY% +\ncp-1 /);
      }
    }],
    ['metrics-server down: the aggregator records MissingEndpoints and top fails; a cluster without it has no APIService', () => {
      const w = world();
      w.run('kubectl -n kube-system scale deploy metrics-server --replicas=0');
      w.run('sleep 35');
      expect(out(w, 'kubectl get apiservice v1beta1.metrics.k8s.io --no-headers')).toBe('v1beta1.metrics.k8s.io   kube-system/metrics-server   False (MissingEndpoints)   41d\n');
      expect(out(w, 'kubectl get apiservice v1beta1.metrics.k8s.io -o jsonpath={.status.conditions[0].message}')).toBe('endpoints for service/metrics-server in "kube-system" have no addresses with port name "https"');
      expect(out(w, 'kubectl top pods')).toBe('error: Metrics API not available\n');
      const none = world({ ...structuredClone(demoClusterSpec), addons: { metricsServer: false } } as ClusterSpecInput);
      expect(out(none, 'kubectl get apiservice v1beta1.metrics.k8s.io')).toBe('Error from server (NotFound): apiservices.apiregistration.k8s.io "v1beta1.metrics.k8s.io" not found\n');
      expect(out(none, 'kubectl top nodes')).toBe('error: Metrics API not available\n');
    }],
    ['on the AWS flavour, aws-auth and the VPC CNI\'s CRDs; not on kubeadm with Calico', () => {
      expect(out(aws, 'kubectl -n kube-system get cm aws-auth -o jsonpath={.data.mapRoles}')).toMatch(/^- groups:\n {2}- system:bootstrappers\n {2}- system:nodes\n {2}rolearn: arn:aws:iam::\d{12}:role\/\S+\n {2}username: system:node:\{\{EC2PrivateDNSName\}\}\n$/);
      expect(out(aws, 'kubectl get crd -o name')).toBe('customresourcedefinition.apiextensions.k8s.io/eniconfigs.crd.k8s.amazonaws.com\ncustomresourcedefinition.apiextensions.k8s.io/policyendpoints.networking.k8s.aws\n');
      expect(out(aws, 'kubectl get eniconfigs')).toBe('No resources found\n');
      expect(out(aws, 'kubectl api-versions')).toContain('\ncrd.k8s.amazonaws.com/v1alpha1\n');
      expect(out(aws, 'kubectl api-resources --api-group=networking.k8s.aws --no-headers')).toMatch(/^policyendpoints +networking\.k8s\.aws\/v1alpha1 +true +PolicyEndpoint\n$/);
      expect(out(kubeadm, 'kubectl api-versions')).not.toContain('amazonaws');
      expect(kubeadm.state.configmaps['kube-system/aws-auth']).toBeUndefined();
      expect(out(kubeadm, 'kubectl get crd')).toBe('No resources found\n');
    }],
  ];
  it.each(rows)('%s', (_name, check) => check());
});

const staticPods = (state: ClusterState): Pod[] => Object.values(state.pods).filter((p) => p.static);
const V4_UID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A hex string without the repeating runs a weak generator leaves (a 3-char group 4 times or more). */
const unpatterned = (hex: string) => !/(...).*\1.*\1.*\1/.test(hex);

describe('realism tells', () => {
  const rows: [string, () => void][] = [
    ['node names like ip-10-0-3-11 match their InternalIP (every scenario, every node-name dressing)', () => {
      let seen = 0;
      for (const { name, state } of scenarioWorlds) {
        for (const node of Object.values(state.nodes)) {
          const m = /^ip-(\d+)-(\d+)-(\d+)-(\d+)(\.|$)/.exec(node.metadata.name);
          if (!m) continue;
          seen++;
          expect(node.status.addresses.find((a) => a.type === 'InternalIP')?.address, `${name} ${node.metadata.name}`).toBe(m.slice(1, 5).join('.'));
        }
      }
      expect(seen).toBeGreaterThan(0);
    }],
    ['no pod is older than its node', () => {
      for (const { name, state } of [...scenarioWorlds, { name: 'demo', state: aws.state }]) {
        for (const pod of Object.values(state.pods)) {
          const node = pod.spec.nodeName ? state.nodes[pod.spec.nodeName] : undefined;
          if (node) expect(pod.metadata.creationTimestamp, `${name} ${pod.metadata.name}`).toBeGreaterThanOrEqual(node.metadata.creationTimestamp);
        }
      }
      // demo's worker-2 joined 17 days ago, long after the add-ons: its DaemonSet pods are 16d, not 40d.
      expect(out(aws, 'kubectl -n kube-system get pods --field-selector spec.nodeName=worker-2 -l k8s-app=kube-proxy --no-headers')).toMatch(/ 16d\n$/);
    }],
    ['uids are version-4 UUIDs; resourceVersions are distinct revisions, never 0', () => {
      for (const { name, state } of [{ name: 'demo', state: aws.state }, ...scenarioWorlds.slice(0, 3)]) {
        const metas = [state.nodes, state.namespaces, state.pods, state.deployments, state.replicasets, state.daemonsets, state.services, state.endpoints, state.configmaps, ...Object.values(state.stored ?? {})]
          .flatMap((c) => Object.values(c as Record<string, { metadata: { uid: string; resourceVersion: number; name: string } }>)).map((o) => o.metadata);
        for (const m of metas) {
          expect(m.uid, `${name} ${m.name}`).toMatch(V4_UID);
          expect(m.resourceVersion, `${name} ${m.name}`).toBeGreaterThan(0);
        }
        expect(new Set(metas.map((m) => m.resourceVersion)).size, name).toBe(metas.length);
      }
    }],
    ['image digests and container IDs are 64 hex digits without patterns', () => {
      for (const pod of Object.values(aws.state.pods)) {
        for (const cs of pod.status.containerStatuses) {
          expect(cs.imageID, pod.metadata.name).toMatch(/@sha256:[0-9a-f]{64}$/);
          expect(unpatterned(cs.imageID.split(':').at(-1)!), cs.imageID).toBe(true);
          expect(cs.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
        }
      }
    }],
    ['log timestamps: RFC 3339 with nanoseconds, each line its own instant, klog microseconds not zero runs', () => {
      const lines = out(aws, 'kubectl -n kube-system logs ds/kube-proxy --timestamps').trim().split('\n').slice(1);
      expect(lines.length).toBeGreaterThan(3);
      const stamps = lines.map((l) => /^(\S+) [IWE]\d{4} [\d:]{8}\.(\d{6}) /.exec(l)!);
      for (const s of stamps) expect(s[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:]{8}\.\d{9}Z$/);
      expect(new Set(stamps.map((s) => s[1])).size).toBe(stamps.length);
      expect(stamps.filter((s) => s[2]!.endsWith('000')).length).toBeLessThan(stamps.length);
    }],
    ['static pods look like mirror pods: kubelet and kubeadm annotations, the manifest\'s hostPath volumes, no service-account volume or field', () => {
      for (const pod of staticPods(aws.state)) {
        expect(Object.keys(pod.metadata.annotations)).toEqual(expect.arrayContaining(['kubernetes.io/config.hash', 'kubernetes.io/config.mirror', 'kubernetes.io/config.seen', 'kubernetes.io/config.source']));
        expect(pod.metadata.annotations['kubernetes.io/config.seen']).toMatch(/^\d{4}-\d\d-\d\dT[\d:]{8}\.\d{9}Z$/);
      }
      const yaml = out(aws, 'kubectl -n kube-system get pod etcd-cp-1 -o yaml');
      expect(yaml).toContain('    kubeadm.kubernetes.io/etcd.advertise-client-urls: https://10.0.1.10:2379\n');
      expect(yaml).toContain('    volumeMounts:\n    - mountPath: /var/lib/etcd\n      name: etcd-data\n    - mountPath: /etc/kubernetes/pki/etcd\n      name: etcd-certs\n');
      expect(yaml).toContain('  volumes:\n  - hostPath:\n      path: /etc/kubernetes/pki/etcd\n      type: DirectoryOrCreate\n    name: etcd-certs\n  - hostPath:\n      path: /var/lib/etcd\n      type: DirectoryOrCreate\n    name: etcd-data\n');
      expect(yaml).not.toContain('serviceAccount');
      const described = out(aws, 'kubectl -n kube-system describe pod kube-scheduler-cp-1');
      expect(described).toContain('    Command:\n      kube-scheduler\n      --authentication-kubeconfig=/etc/kubernetes/scheduler.conf\n');
      expect(described).toContain('    Mounts:\n      /etc/kubernetes/scheduler.conf from kubeconfig (ro)\nConditions:');
      expect(described).toContain('Volumes:\n  kubeconfig:\n    Type:          HostPath (bare host directory volume)\n    Path:          /etc/kubernetes/scheduler.conf\n    HostPathType:  FileOrCreate\nQoS Class:');
      expect(described).not.toContain('kube-api-access');
      // The manifests on the node say the same.
      expect(aws.state.nodes['cp-1']!.host.files['/etc/kubernetes/manifests/kube-scheduler.yaml']).toContain('    volumeMounts:\n    - mountPath: /etc/kubernetes/scheduler.conf\n      name: kubeconfig\n      readOnly: true\n');
    }],
    ['describe prints a section only when kubectl would: an unscheduled pod has no container state lines', () => {
      const w = world();
      w.run('kubectl create deploy stuck --image=nginx');
      w.run('kubectl patch deploy stuck -p \'{"spec":{"template":{"spec":{"nodeSelector":{"disk":"none"}}}}}\'');
      w.run('sleep 3');
      const pod = Object.values(w.state.pods).find((p) => p.metadata.labels.app === 'stuck' && !p.spec.nodeName)!;
      const described = out(w, `kubectl describe pod ${pod.metadata.name}`);
      // describe.go describeContainers prints these only for a container with a status (the real kubectl v1.29.4 agrees).
      for (const line of ['Container ID:', 'Image ID:', 'State:', 'Ready:', 'Restart Count:']) expect(described).not.toContain(line);
      expect(described).toContain('    Image:        nginx\n    Port:         <none>\n    Host Port:    <none>\n    Environment:  <none>\n');
      expect(described).toContain('Conditions:\n  Type           Status\n  PodScheduled   False \n');
    }],
    ['stderr and stdout in the order kubectl writes them: logs\' "Found N pods" first, drain\'s warning right after "cordoned"', () => {
      const w = world();
      expect(out(w, 'kubectl logs deploy/web --tail=1')).toMatch(/^Found 3 pods, using pod\/web-\S+\n\S/);
      expect(out(w, 'kubectl logs deploy/web --tail=1 2>/dev/null')).not.toContain('Found');
      expect(out(w, 'kubectl drain worker-2 --ignore-daemonsets')).toMatch(/^node\/worker-2 cordoned\nWarning: ignoring DaemonSet-managed Pods: [^\n]+\nevicting pod [\s\S]*node\/worker-2 drained\n$/);
    }],
    ['the etcd image has etcdctl and no shell or utilities', () => {
      const w = world();
      expect(out(w, 'kubectl -n kube-system exec etcd-cp-1 -- etcdctl version')).toBe('etcdctl version: 3.5.12\nAPI version: 3.5\n');
      expect(out(w, 'kubectl -n kube-system exec etcd-cp-1 -- etcdctl --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key endpoint health'))
        .toMatch(/^127\.0\.0\.1:2379 is healthy: successfully committed proposal: took = /);
      for (const program of ['sh', 'ls', 'cat']) expect(out(w, `kubectl -n kube-system exec etcd-cp-1 -- ${program} /`)).toContain(`exec: "${program}": executable file not found in $PATH: unknown\n`);
    }],
    ['logs and exec do not answer from a node whose kubelet is stopped: the apiserver\'s dial to :10250 fails', () => {
      const w = world();
      const pod = Object.values(w.state.pods).find((p) => p.metadata.labels.app === 'api' && p.spec.nodeName === 'worker-1')!;
      w.run('ssh worker-1');
      w.run('sudo systemctl stop kubelet');
      w.run('exit');
      expect(out(w, `kubectl logs ${pod.metadata.name} --tail=1`)).toBe(`Error from server: Get "https://10.0.1.21:10250/containerLogs/default/${pod.metadata.name}/api?tailLines=1": dial tcp 10.0.1.21:10250: connect: connection refused\n`);
      expect(out(w, `kubectl exec ${pod.metadata.name} -- cat /etc/hostname`)).toBe('Error from server: error dialing backend: dial tcp 10.0.1.21:10250: connect: connection refused\n');
    }],
    ['a container OOMKilled in any scenario left the kernel\'s OOM line in its node\'s syslog', () => {
      for (const { name, state } of scenarioWorlds) {
        for (const pod of Object.values(state.pods)) {
          for (const cs of pod.status.containerStatuses) {
            const last = cs.state.kind === 'terminated' ? cs.state : cs.lastState;
            if (last?.kind !== 'terminated' || last.reason !== 'OOMKilled') continue;
            const syslog = state.nodes[pod.spec.nodeName!]!.host.syslog.map((l) => l.text).join('\n');
            expect(syslog, `${name} ${pod.metadata.name}`).toMatch(/kernel: (\[[\d. ]+\] )?(Memory cgroup )?[Oo]ut of memory: Killed process \d+ /);
          }
        }
      }
    }],
  ];
  it.each(rows)('%s', (_name, check) => check());
});
