// The kube-system add-ons every cluster gets unless the spec turns them off: CoreDNS
// (deployment, kube-dns service, coredns ConfigMap), kube-proxy, the CNI DaemonSets and
// metrics-server (its RBAC and APIService are in defaults.ts).
import {
  ConfigMapSpecSchema, DaemonSetSpecSchema, DeploymentSpecSchema, ServiceSpecSchema, type ClusterSpec,
} from './spec.js';
import type { z } from 'zod';
import { parseDuration } from './quantity.js';
import { AWS_NODE_ENV } from './network/vpc-cni.js';

export function defaultCorefile(clusterDomain: string): string {
  return `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes ${clusterDomain} in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`;
}

const CNI_IMAGES: Record<string, { ds: string; image: string; version: string; logs: string[] }> = {
  'aws-node': {
    ds: 'aws-node', image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.18.1', version: 'v1.18.1',
    logs: ['Installed /host/opt/cni/bin/loopback', 'Installed /host/opt/cni/bin/portmap', 'Installed /host/opt/cni/bin/bandwidth', 'Installed /host/opt/cni/bin/aws-cni-support.sh',
      'level=info msg="Starting IPAM daemon... "', 'level=info msg="Checking for IPAM connectivity... "',
      'level=info msg="Copying config file... "', 'level=info msg="Successfully copied CNI plugin binary and config file."'],
  },
  calico: {
    ds: 'calico-node', image: 'docker.io/calico/node:v3.27.3', version: 'v3.27.3',
    logs: ['[INFO][9] startup/startup.go 427: Early log level set to info', '[INFO][9] startup/startup.go 443: Using NODENAME environment for node name',
      '[INFO][9] startup/startup.go 777: Auto-detected IPv4 address', '[INFO][9] startup/startup.go 213: Using node name', 'Calico node started successfully'],
  },
  flannel: {
    ds: 'kube-flannel-ds', image: 'docker.io/flannel/flannel:v0.24.2', version: 'v0.24.2',
    logs: ['I main.go:210] CLI flags config: {etcdEndpoints:http://127.0.0.1:4001,http://127.0.0.1:2379 etcdPrefix:/coreos.com/network kubeSubnetMgr:true}', 'I main.go:446] Found network config - Backend type: vxlan', 'I main.go:525] Running backend.'],
  },
  cilium: {
    ds: 'cilium', image: 'quay.io/cilium/cilium:v1.15.4', version: 'v1.15.4',
    logs: ['level=info msg="Cilium 1.15.4 9b3f9a8c 2024-04-11T17:25:42-04:00 go version go1.21.9 linux/amd64" subsys=daemon', 'level=info msg="Daemon initialization completed" bootstrapTime=5.1s subsys=daemon'],
  },
};

export function cniVersion(name: string): string {
  return CNI_IMAGES[name]?.version ?? 'v1.0.0';
}

const systemCritical = [{ operator: 'Exists' as const }];

export interface Addons {
  deployments: z.infer<typeof DeploymentSpecSchema>[];
  daemonsets: z.infer<typeof DaemonSetSpecSchema>[];
  services: z.infer<typeof ServiceSpecSchema>[];
  configmaps: z.infer<typeof ConfigMapSpecSchema>[];
}

export function systemAddons(spec: ClusterSpec): Addons {
  const out: Addons = { deployments: [], daemonsets: [], services: [], configmaps: [] };
  // Add-ons are as old as the oldest node (they came with the cluster).
  const age = spec.nodes.map((n) => n.age).sort((a, b) => (parseDuration(b) ?? 0) - (parseDuration(a) ?? 0))[0]!;
  const { coredns } = spec.addons;
  if (coredns.enabled) {
    out.configmaps.push(ConfigMapSpecSchema.parse({ namespace: 'kube-system', name: 'coredns', age, data: { Corefile: coredns.corefile ?? defaultCorefile(spec.network.clusterDomain) } }));
    out.deployments.push(DeploymentSpecSchema.parse({
      namespace: 'kube-system', name: 'coredns', replicas: coredns.replicas, age, labels: { 'k8s-app': 'kube-dns' },
      priorityClassName: 'system-cluster-critical', serviceAccountName: 'coredns', dnsPolicy: 'Default',
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
      strategy: { type: 'RollingUpdate', maxSurge: '25%', maxUnavailable: 1 },
      containers: [{
        name: 'coredns', image: coredns.image,
        ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }, { name: 'metrics', containerPort: 9153, protocol: 'TCP' }],
        requests: { cpu: '100m', memory: '70Mi' }, limits: { memory: '170Mi', ...(coredns.cpuLimit !== undefined ? { cpu: coredns.cpuLimit } : {}) },
        readinessProbe: { type: 'http', path: '/ready', port: 8181, periodSeconds: 10, failureThreshold: 3 },
        livenessProbe: { type: 'http', path: '/health', port: 8080, initialDelaySeconds: 60, periodSeconds: 10, failureThreshold: 5 },
        behavior: { role: 'coredns', memoryUse: '21Mi', cpuUse: '3m' },
      }],
    }));
    out.services.push(ServiceSpecSchema.parse({
      namespace: 'kube-system', name: 'kube-dns', clusterIP: spec.network.dnsServiceIP, age, selector: { 'k8s-app': 'kube-dns' },
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }, { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 }],
    }));
  }
  if (spec.addons.kubeProxy) {
    const mode = spec.network.proxyMode;
    out.daemonsets.push(DaemonSetSpecSchema.parse({
      namespace: 'kube-system', name: 'kube-proxy', age, labels: { 'k8s-app': 'kube-proxy' }, hostNetwork: true,
      priorityClassName: 'system-node-critical', serviceAccountName: 'kube-proxy', tolerations: systemCritical,
      containers: [{
        name: 'kube-proxy', image: `registry.k8s.io/kube-proxy:${spec.kubernetesVersion}`, command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'],
        requests: { cpu: '100m' },
        behavior: {
          role: 'kube-proxy', memoryUse: '18Mi', cpuUse: '1m',
          startupLogs: [
            `I server_linux.go:${mode === 'ipvs' ? 233 : 69}] "Using ${mode} proxy"`,
            `I server.go:865] "Version info" version="${spec.kubernetesVersion}"`,
            'I config.go:188] "Starting service config controller"',
            'I shared_informer.go:311] Waiting for caches to sync for service config',
            'I config.go:97] "Starting endpoint slice config controller"',
            'I shared_informer.go:318] Caches are synced for endpoint slice config',
            'I shared_informer.go:318] Caches are synced for service config',
          ],
        },
      }],
    }));
  }
  const cni = CNI_IMAGES[spec.network.cni.name];
  if (spec.addons.cni && cni) {
    out.daemonsets.push(DaemonSetSpecSchema.parse({
      namespace: 'kube-system', name: cni.ds, age, labels: { 'k8s-app': cni.ds }, hostNetwork: true,
      priorityClassName: 'system-node-critical', serviceAccountName: cni.ds, tolerations: systemCritical,
      containers: [{ name: cni.ds, image: cni.image, requests: { cpu: '25m' }, env: { ...(spec.network.cni.name === 'aws-node' ? AWS_NODE_ENV : {}), ...spec.network.cni.env }, behavior: { role: 'cni', memoryUse: '42Mi', cpuUse: '3m', startupLogs: cni.logs } }],
    }));
  }
  if (spec.addons.metricsServer) {
    // kubernetes-sigs/metrics-server v0.7.1 components.yaml.
    out.deployments.push(DeploymentSpecSchema.parse({
      namespace: 'kube-system', name: 'metrics-server', replicas: 1, age, labels: { 'k8s-app': 'metrics-server' },
      priorityClassName: 'system-cluster-critical', serviceAccountName: 'metrics-server',
      strategy: { type: 'RollingUpdate', maxSurge: '25%', maxUnavailable: 0 },
      containers: [{
        name: 'metrics-server', image: 'registry.k8s.io/metrics-server/metrics-server:v0.7.1',
        args: ['--cert-dir=/tmp', '--secure-port=10250', '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname', '--kubelet-use-node-status-port', '--metric-resolution=15s'],
        ports: [{ name: 'https', containerPort: 10250, protocol: 'TCP' }], requests: { cpu: '100m', memory: '200Mi' },
        behavior: { memoryUse: '24Mi', cpuUse: '4m', startupLogs: ['I serving.go:374] Generated self-signed cert (/tmp/apiserver.crt, /tmp/apiserver.key)', 'I secure_serving.go:213] Serving securely on [::]:10250'] },
      }],
    }));
    out.services.push(ServiceSpecSchema.parse({
      namespace: 'kube-system', name: 'metrics-server', age, selector: { 'k8s-app': 'metrics-server' }, labels: { 'k8s-app': 'metrics-server' },
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }],
    }));
  }
  return out;
}
