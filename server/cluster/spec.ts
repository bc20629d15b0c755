// The declarative, YAML-authorable description a cluster is built from. Scenario files
// embed it, so every object is strict (unknown keys are errors) and defaults are friendly.
// Quantities are Kubernetes strings ("500m", "2", "512Mi", "1Gi"); durations like "3d".
import { z } from 'zod';
import { parseDuration, parseQuantity } from './quantity.js';

const Quantity = z
  .union([z.string(), z.number()])
  .refine((v) => parseQuantity(v) !== null, { message: 'not a Kubernetes quantity (e.g. "500m", "2", "512Mi", "1Gi")' });
const Duration = z.string().refine((v) => parseDuration(v) !== null, { message: 'not a duration (e.g. "3d", "1h30m", "45s")' });
const Labels = z.record(z.string(), z.string());
const Name = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lowercase RFC 1123 name').max(253);
/** A limit on how many objects there may be. */
const Count = z.number().int().positive();
const IPv4 = z.string().regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/, 'must be an IPv4 address');
/** Documentation ranges (RFC 5737): what synthetic "internet" clients use. */
const DocIP = IPv4.refine((ip) => /^(203\.0\.113|198\.51\.100|192\.0\.2)\./.test(ip), {
  message: 'traffic clients use documentation-range IPs (203.0.113.x, 198.51.100.x, 192.0.2.x)',
});

const TaintSpec = z.strictObject({
  key: z.string(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

const TolerationSpec = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().optional(),
});

const NodeSelectorRequirementSpec = z.strictObject({
  key: z.string(),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
  values: z.array(z.string()).optional(),
});

export const NodeSpecSchema = z.strictObject({
  name: Name,
  role: z.enum(['control-plane', 'worker']).default('worker'),
  ip: IPv4.optional(), // default 10.0.0.(10 + index)
  cpu: Quantity.default('4'),
  /** The machine's RAM; the node reports the kernel's MemTotal, a few % less (build.ts memTotal). */
  memory: Quantity.default('16Gi'),
  maxPods: z.number().int().positive().default(110),
  labels: Labels.default({}),
  /** Default for control-plane nodes: node-role.kubernetes.io/control-plane:NoSchedule. */
  taints: z.array(TaintSpec).optional(),
  unschedulable: z.boolean().default(false),
  podCIDR: z.string().optional(), // default 10.244.<index>.0/24
  disk: z.strictObject({ size: Quantity.default('80Gi'), used: Quantity.default('18Gi') }).prefault({}),
  /** Pod IPs the CNI can hand out on this node (AWS VPC CNI ENI limit); 0 = unlimited. Ignored when instanceType is known. */
  maxPodIPs: z.number().int().nonnegative().default(0),
  /**
   * EC2 instance type (node.kubernetes.io/instance-type). On the AWS VPC CNI its ENI × IP
   * limits and the node's subnet bound the pod addresses (network/vpc-cni.ts).
   */
  instanceType: z.string().optional(),
  /** The VPC subnet (network.subnets id) the node's ENIs take addresses from. */
  subnet: z.string().optional(),
  /** Addresses ipamd still holds for sandboxes a node OOM killed before their CNI DEL (stale IPAM state). */
  leakedPodIPs: z.number().int().nonnegative().default(0),
  /**
   * What the CNI left on the host (network/cni-config.ts): extra files in /etc/cni/net.d (name →
   * text; the first in lexical order is the one the runtime uses), plugin binaries missing from
   * /opt/cni/bin, and the address the cni0 bridge still carries.
   */
  cniHost: z.strictObject({
    configs: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/, 'a file name'), z.string()).default({}),
    missingPlugins: z.array(z.string()).default([]),
    cni0: z.string().optional(),
  }).optional(),
  /** When the leak happened (how long ago, e.g. "7h"). */
  leakedAgo: Duration.default('6h'),
  /**
   * The kubelet's resolvConf: the file whose nameservers pods with dnsPolicy: Default
   * (CoreDNS) get. kubeadm uses systemd-resolved's upstream file; `/etc/resolv.conf` on
   * such a host is the 127.0.0.53 stub, which makes CoreDNS's `forward . /etc/resolv.conf` loop.
   */
  resolvConf: z.enum(['/run/systemd/resolve/resolv.conf', '/etc/resolv.conf']).default('/run/systemd/resolve/resolv.conf'),
  /** The node's kernel (nodeInfo.kernelVersion, `uname -r`); before 5.x, UDP conntrack insertion races drop DNS queries. */
  kernel: z.string().optional(),
  /** Virtual links the host carries (device → address), e.g. NodeLocal DNSCache's `nodelocaldns: 169.254.20.10/32`. */
  links: z.record(z.string().regex(/^[a-z0-9.-]{1,15}$/, 'an interface name'), z.string()).optional(),
  /** The kubelet's clusterDNS: the nameservers of ClusterFirst pods' resolv.conf; default the cluster DNS Service IP. */
  clusterDNS: z.array(IPv4).min(1).optional(),
  kubeletRunning: z.boolean().default(true),
  containerdRunning: z.boolean().default(true),
  age: Duration.default('12d'),
});

const ProbeSpec = z.strictObject({
  type: z.enum(['http', 'tcp', 'exec']).default('http'),
  path: z.string().optional(),
  port: z.number().int().optional(),
  command: z.array(z.string()).optional(),
  initialDelaySeconds: z.number().int().nonnegative().default(0),
  periodSeconds: z.number().int().positive().default(10),
  failureThreshold: z.number().int().positive().default(3),
});

const ResourcesSpec = z.strictObject({ cpu: Quantity.optional(), memory: Quantity.optional() });

/** What the program in the container does (ContainerBehavior, with quantities/durations as text). */
export const BehaviorSpecSchema = z.strictObject({
  crashAfter: Duration.optional(),
  exitCode: z.number().int().optional(),
  startupLogs: z.array(z.string()).optional(),
  crashLogs: z.array(z.string()).optional(),
  memoryUse: Quantity.optional(),
  cpuUse: Quantity.optional(),
  imagePullError: z.string().optional(),
  ready: z.boolean().optional(),
  accessLog: z.boolean().optional(),
  httpPort: z.number().int().optional(),
  role: z.enum(['coredns', 'node-local-dns', 'etcd', 'kube-apiserver', 'kube-scheduler', 'kube-controller-manager', 'kube-proxy', 'cni', 'app', 'metallb-controller', 'metallb-speaker', 'ingress-nginx']).optional(),
});

const ContainerPortSpec = z.union([
  z.number().int(),
  z.strictObject({ name: z.string().optional(), containerPort: z.number().int(), protocol: z.enum(['TCP', 'UDP']).default('TCP') }),
]);

export const ContainerSpecSchema = z.strictObject({
  name: Name.optional(), // default: the workload's name
  image: z.string(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  ports: z.array(ContainerPortSpec).default([]),
  requests: ResourcesSpec.optional(),
  limits: ResourcesSpec.optional(),
  readinessProbe: ProbeSpec.optional(),
  livenessProbe: ProbeSpec.optional(),
  env: z.record(z.string(), z.string()).default({}),
  behavior: BehaviorSpecSchema.prefault({}),
});

/** Fields shared by every workload's pod template. */
const PodTemplateFields = {
  labels: Labels.optional(), // default { app: <name> }
  annotations: Labels.default({}),
  containers: z.array(ContainerSpecSchema).min(1),
  nodeSelector: Labels.default({}),
  /** requiredDuringScheduling node affinity: OR of terms, AND inside a term. */
  nodeAffinity: z.array(z.array(NodeSelectorRequirementSpec)).optional(),
  tolerations: z.array(TolerationSpec).default([]),
  hostNetwork: z.boolean().default(false),
  dnsPolicy: z.enum(['ClusterFirst', 'Default', 'ClusterFirstWithHostNet']).optional(),
  dnsConfig: z.strictObject({
    nameservers: z.array(IPv4).optional(),
    searches: z.array(z.string()).optional(),
    options: z.array(z.strictObject({ name: z.string(), value: z.string().optional() })).optional(),
  }).optional(),
  priorityClassName: z.string().optional(),
  serviceAccountName: z.string().default('default'),
  terminationGracePeriodSeconds: z.number().int().nonnegative().default(30),
  restartPolicy: z.enum(['Always', 'OnFailure', 'Never']).default('Always'),
  age: Duration.default('3d'),
};

export const DeploymentSpecSchema = z.strictObject({
  namespace: Name.default('default'),
  name: Name,
  replicas: z.number().int().nonnegative().default(1),
  ...PodTemplateFields,
  strategy: z
    .strictObject({
      type: z.enum(['RollingUpdate', 'Recreate']).default('RollingUpdate'),
      maxSurge: z.union([z.string(), z.number()]).default('25%'),
      maxUnavailable: z.union([z.string(), z.number()]).default('25%'),
    })
    .prefault({}),
  revisionHistoryLimit: z.number().int().nonnegative().default(10),
  progressDeadlineSeconds: z.number().int().positive().default(600),
});

export const DaemonSetSpecSchema = z.strictObject({
  namespace: Name.default('default'),
  name: Name,
  ...PodTemplateFields,
});

/** A bare pod (e.g. something started with kubectl run before the incident). */
export const PodSpecSchema = z.strictObject({
  namespace: Name.default('default'),
  name: Name,
  nodeName: z.string().optional(),
  ...PodTemplateFields,
});

export const ServiceSpecSchema = z.strictObject({
  namespace: Name.default('default'),
  name: Name,
  type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).default('ClusterIP'),
  clusterIP: z.string().optional(), // allocated from the service CIDR if absent; 'None' = headless
  ports: z
    .array(
      z.strictObject({
        name: z.string().optional(),
        protocol: z.enum(['TCP', 'UDP']).default('TCP'),
        port: z.number().int(),
        targetPort: z.union([z.number().int(), z.string()]).optional(), // default: port
        nodePort: z.number().int().min(30000).max(32767).optional(),
      }),
    )
    .min(1),
  selector: Labels.optional(),
  externalTrafficPolicy: z.enum(['Cluster', 'Local']).default('Cluster'),
  sessionAffinity: z.enum(['None', 'ClientIP']).default('None'),
  /** LoadBalancer ingress (hostname like an AWS ELB, or an IP). */
  loadBalancer: z.strictObject({ ip: z.string().optional(), hostname: z.string().optional() }).optional(),
  labels: Labels.default({}),
  /** E.g. the AWS load balancer's kind and settings (`service.beta.kubernetes.io/aws-load-balancer-type`). */
  annotations: Labels.default({}),
  age: Duration.default('3d'),
});

export const ConfigMapSpecSchema = z.strictObject({
  namespace: Name.default('default'),
  name: Name,
  data: z.record(z.string(), z.string()).default({}),
  labels: Labels.default({}),
  age: Duration.default('3d'),
});

export const EtcdSpecSchema = z.strictObject({
  version: z.string().default('3.5.12'),
  quotaBackendBytes: Quantity.default('2Gi'),
  dbSize: Quantity.default('24Mi'),
  dbSizeInUse: Quantity.optional(), // default: dbSize
  revision: z.number().int().positive().default(184_223),
  compactedRevision: z.number().int().nonnegative().optional(), // default: revision - 1000
  /** Background history growth: revisions per second and bytes per second (e.g. "200Ki"). */
  writesPerSecond: z.number().nonnegative().default(2),
  writeBytesPerSecond: Quantity.default('1Ki'),
  dataDir: z.string().default('/var/lib/etcd'),
  /** Separate disk for the data dir (size); absent = on the root filesystem. */
  disk: Quantity.optional(),
});

const TrafficClientSpec = z.strictObject({
  ip: DocIP,
  service: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, 'NAMESPACE/NAME'),
  via: z.enum(['nodeport', 'loadbalancer', 'cluster']).default('loadbalancer'),
  requestsPerMinute: z.number().nonnegative().default(6),
  paths: z.array(z.string()).default(['/']),
  userAgent: z.string().default('curl/8.5.0'),
  /**
   * An in-cluster client's own pods (namespace and labels): policies see its requests as theirs,
   * and the first running one logs each failed request as a Go HTTP client does.
   */
  from: z.strictObject({ namespace: Name, labels: z.record(z.string(), z.string()) }).optional(),
  /** The Host header (a client of an ingress controller asks for a site by name). */
  host: z.string().optional(),
});

export const NetworkSpecSchema = z.strictObject({
  /** Who gives LoadBalancer Services an address: the AWS cloud provider (an ELB name at once) or, on bare metal, nothing unless MetalLB runs (controllers/metallb.ts). */
  provider: z.enum(['aws', 'bare-metal']).default('aws'),
  proxyMode: z.enum(['iptables', 'ipvs']).default('iptables'),
  cni: z
    .strictObject({
      name: z.enum(['aws-node', 'calico', 'flannel', 'cilium']).default('aws-node'),
      version: z.string().optional(),
      healthy: z.boolean().default(true),
      /** Environment of the CNI DaemonSet's container on top of its defaults (aws-node: WARM_IP_TARGET, ENABLE_PREFIX_DELEGATION…). */
      env: z.record(z.string(), z.string()).default({}),
    })
    .prefault({}),
  /** VPC subnets (AWS VPC CNI): `used` counts addresses taken outside the cluster (other instances, load balancers, endpoints). */
  subnets: z.array(z.strictObject({ id: z.string().min(1), cidr: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'a CIDR like 10.0.3.0/24'), used: z.number().int().nonnegative().default(0) })).default([]),
  serviceCIDR: z.string().default('10.96.0.0/12'),
  clusterCIDR: z.string().default('10.244.0.0/16'),
  dnsServiceIP: IPv4.default('10.96.0.10'),
  clusterDomain: z.string().default('cluster.local'),
  traffic: z.array(TrafficClientSpec).default([]),
  externalDNS: z.record(z.string(), IPv4).default({}),
  /**
   * The DNS queries every pod of the (larger, unsimulated) cluster sends per second, and the
   * share of them for names outside the cluster (network/dns-delay.ts: CoreDNS capacity,
   * the VPC resolver's packets-per-second allowance).
   */
  dnsLoad: z.strictObject({ qps: z.number().nonnegative().default(0), externalShare: z.number().min(0).max(1).default(0.3) }).prefault({}),
});

export const AddonsSpecSchema = z.strictObject({
  /** CoreDNS deployment + kube-dns service + the coredns ConfigMap. */
  coredns: z
    .strictObject({
      enabled: z.boolean().default(true),
      replicas: z.number().int().nonnegative().default(2),
      image: z.string().default('registry.k8s.io/coredns/coredns:v1.11.1'),
      /** Replaces the default Corefile (e.g. a forward loop). */
      corefile: z.string().optional(),
      /** A CPU limit on the coredns container (none by default, as kubeadm ships it). */
      cpuLimit: Quantity.optional(),
    })
    .prefault({}),
  kubeProxy: z.boolean().default(true),
  cni: z.boolean().default(true),
  /**
   * metrics-server (Deployment, Service, RBAC and the v1beta1.metrics.k8s.io APIService), as
   * kubeadm clusters with the add-on and EKS clusters have it: `kubectl top` and HPAs read
   * metrics only while its pod is Ready (cluster/metrics.ts). A world without it (false)
   * answers `kubectl top` with "error: Metrics API not available", as a real one does.
   */
  metricsServer: z.boolean().default(true),
});

export const ClusterSpecSchema = z.strictObject({
  name: Name.default('kubedrill'),
  /**
   * Who the workstation's kubeconfig authenticates as; default kubernetes-admin (allowed
   * everything). A limited user meets RBAC: kubectl's requests are checked against the
   * cluster's Roles and bindings and refused with the apiserver's Forbidden message.
   */
  user: z.strictObject({ name: z.string().min(1), groups: z.array(z.string()).default([]) }).optional(),
  /** kubectl context; default "kubernetes-admin@<name>". */
  context: z.string().optional(),
  /** Wall-clock ms that simulated t=0 maps to (printed timestamps). */
  epoch: z.number().int().default(Date.UTC(2024, 5, 3, 9, 0, 0)),
  kubernetesVersion: z.string().default('v1.29.4'),
  nodes: z.array(NodeSpecSchema).min(1),
  namespaces: z.array(Name).default([]),
  deployments: z.array(DeploymentSpecSchema).default([]),
  daemonsets: z.array(DaemonSetSpecSchema).default([]),
  pods: z.array(PodSpecSchema).default([]),
  services: z.array(ServiceSpecSchema).default([]),
  configmaps: z.array(ConfigMapSpecSchema).default([]),
  /**
   * Other API objects as Kubernetes manifests (kinds kept as JSON: Ingress, IngressClass,
   * MetalLB's IPAddressPool…), laid down before the cluster settles; `metadata.age` backdates one.
   */
  objects: z.array(z.looseObject({ kind: z.string(), metadata: z.looseObject({ name: Name, namespace: Name.optional(), age: Duration.optional() }) })).default([]),
  /**
   * What images run that no workload runs yet (a release's new tag, a tag that was never
   * pushed): a workload set to one of them runs this program (state.imagePrograms).
   */
  images: z.record(z.string().min(1), BehaviorSpecSchema).default({}),
  etcd: EtcdSpecSchema.prefault({}),
  controlPlane: z
    .strictObject({
      apiserver: z.boolean().default(true),
      scheduler: z.boolean().default(true),
      controllerManager: z.boolean().default(true),
      etcd: z.boolean().default(true),
    })
    .prefault({}),
  network: NetworkSpecSchema.prefault({}),
  addons: AddonsSpecSchema.prefault({}),
  /**
   * What the apiserver admits: object counts per namespace (an `object-counts` ResourceQuota)
   * and in all. A drill cluster needs far less; a player's `--replicas=100000` stops here.
   */
  limits: z
    .strictObject({
      quota: z
        .strictObject({
          pods: Count.default(500),
          services: Count.default(500),
          configmaps: Count.default(500),
          deployments: Count.default(500),
          replicasets: Count.default(2000),
          daemonsets: Count.default(100),
        })
        .prefault({}),
      maxObjects: Count.default(20_000),
    })
    .prefault({}),
});

/** What an author writes (defaults optional). */
export type ClusterSpecInput = z.input<typeof ClusterSpecSchema>;
/** After parsing: every default filled in. */
export type ClusterSpec = z.infer<typeof ClusterSpecSchema>;
export type NodeSpec = z.infer<typeof NodeSpecSchema>;
export type DeploymentSpec = z.infer<typeof DeploymentSpecSchema>;
export type DaemonSetSpec = z.infer<typeof DaemonSetSpecSchema>;
export type BarePodSpec = z.infer<typeof PodSpecSchema>;
export type ContainerSpecInput = z.infer<typeof ContainerSpecSchema>;
export type BehaviorSpec = z.infer<typeof BehaviorSpecSchema>;
