// The simulated cluster's state. Plain data only (no classes, no functions, no Maps) so a
// state can be structured-cloned, serialised to JSON and compared byte for byte.
// Quantities are stored in base units: CPU in millicores, memory and disk in bytes,
// time in milliseconds of simulated time since the scenario started (`ClusterState.now`).
// Objects created before the scenario began have negative timestamps.

export type Millicores = number;
export type Bytes = number;
export type SimTime = number;

export interface ObjectMeta {
  name: string;
  namespace?: string; // absent for cluster-scoped objects (nodes, namespaces)
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  creationTimestamp: SimTime;
  resourceVersion: number; // the etcd revision of its last write
  generation: number;
  ownerReferences: OwnerReference[];
  deletionTimestamp?: SimTime;
  /** Writes a client made through kubectl, per field manager (cluster/managed-fields.ts). */
  managedFields?: ManagedFieldsEntry[];
}

/** metadata.managedFields as recorded: who wrote the object, how, and when last. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Update' | 'Apply';
  subresource?: string;
  time: SimTime;
  /** The fields a narrow write set (`kubectl label` keys, spec.replicas of a scale), as paths; a later entry's take them from earlier ones. */
  fields?: string[][];
}

export interface OwnerReference {
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
}

export interface ResourceList {
  cpu: Millicores;
  memory: Bytes;
  pods?: number;
  ephemeralStorage?: Bytes;
}

export interface ResourceRequirements {
  requests: Partial<ResourceList>;
  limits: Partial<ResourceList>;
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: Taint['effect'];
  /** NoExecute only: how long the pod stays bound after the taint appears. */
  tolerationSeconds?: number;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface NodeCondition {
  type: 'Ready' | 'MemoryPressure' | 'DiskPressure' | 'PIDPressure' | 'NetworkUnavailable';
  status: ConditionStatus;
  reason: string;
  message: string;
  lastHeartbeatTime: SimTime;
  lastTransitionTime: SimTime;
}

/** A node-level daemon (kubelet, kube-proxy, containerd, etcd as a systemd unit…). */
export interface ServiceUnit {
  active: boolean;
  /** `systemctl mask`ed: linked to /dev/null, so start and restart are refused until unmasked. */
  masked?: boolean;
  since: SimTime;
  /** Lines `journalctl -u NAME` shows, oldest first (bounded). */
  journal: LogLine[];
  /**
   * The process exited at start (systemd's `activating (auto-restart)`): its exit status and
   * when systemd tries again (Restart=always), since when it has been failing. Cleared by a
   * start that succeeds or a stop.
   */
  failed?: { exitCode: number; restartAt: SimTime; restarts: number; firstAt: SimTime };
  /** The running (or last) process's PID, as its journal lines show it. */
  pid?: number;
}

/** An active swap area (/proc/swaps). */
export interface SwapArea {
  path: string;
  type: 'file' | 'partition';
  sizeKiB: number;
  usedKiB: number;
  priority: number;
}

export interface LogLine {
  at: SimTime;
  text: string;
}

export interface Node {
  metadata: ObjectMeta;
  spec: {
    podCIDR: string;
    unschedulable: boolean;
    taints: Taint[];
    providerID?: string;
  };
  status: {
    capacity: ResourceList;
    allocatable: ResourceList;
    conditions: NodeCondition[];
    addresses: { type: 'InternalIP' | 'ExternalIP' | 'Hostname'; address: string }[];
    nodeInfo: {
      kubeletVersion: string;
      osImage: string;
      kernelVersion: string;
      containerRuntimeVersion: string;
      architecture: string;
      operatingSystem: string;
    };
  };
  /** What only `ssh NODE` shows: host state outside the Kubernetes API. */
  host: NodeHost;
}

export interface NodeHost {
  units: Record<string, ServiceUnit>; // kubelet, containerd, kube-proxy?, etcd? (by unit name)
  filesystems: Filesystem[];
  /** Files `cat` can show, by absolute path (e.g. /etc/resolv.conf, static pod manifests). */
  files: Record<string, string>;
  /** When a shell last wrote each of `files` or made a directory, by absolute path (shell/vfs.ts `modifiedAt`). */
  fileTimes?: Record<string, SimTime>;
  /** Large files a fault left (backups, dumps), by absolute path: they fill a filesystem, `rm` frees it. */
  dataFiles?: Record<string, { size: Bytes; modified: SimTime }>;
  syslog: LogLine[];
  /** Real CPU / memory use for `kubectl top node` (base units). */
  usage: { cpu: Millicores; memory: Bytes };
  /** Swap areas the kernel uses now (`swapon`), what /proc/swaps lists. */
  swaps?: SwapArea[];
  /** kubeadm certificates whose dates differ from init and the last upgrade (renewed, or moved by a fault), by kubeadm name. */
  certs?: Record<string, { notBefore: SimTime; notAfter: SimTime }>;
  /** The kubelet's eviction manager: when it last saw the disk threshold met, when image GC last ran. */
  diskPressureSeenAt?: SimTime;
  imageGcAt?: SimTime;
  /** Local DNS stub (systemd-resolved) listening on 127.0.0.53: what a loop in CoreDNS hits. */
  resolvConfNameservers: string[];
  /** Secondary IPs the CNI holds on this node (AWS VPC CNI style warm pool); 0 = unlimited. */
  maxPodIPs: number;
  /** Plugin binaries in /opt/cni/bin (name → bytes); absent = not modelled. */
  cniBin?: Record<string, number>;
  /** Since when plugins of the cluster's CNI are missing there (the CNI pod started after that reinstalls them). */
  cniBinMissingSince?: SimTime;
  /** Addresses of the host's virtual links by device (cni0 → "10.244.2.1/24"). */
  links?: Record<string, string>;
  /** The EC2 side of a node on the AWS VPC CNI (network/vpc-cni.ts): its ENI limits, subnet, ipamd's state. */
  vpc?: NodeVpc;
  /** Images already pulled on this node (kubelet skips the pull: "already present on machine"). */
  images: string[];
  /**
   * Kubelet bookkeeping (simulation only): the etcd revision of the last write to a pod
   * bound here, the revision the kubelet last synced at, and when it must look again.
   */
  kubeletSync: { dirtyRevision: number; syncedRevision: number; wakeAt: SimTime };
}

export interface NodeVpc {
  /** EC2 instance type: how many ENIs and addresses per ENI it takes. */
  instanceType: string;
  /** The subnet its ENIs draw addresses from (NetworkState.subnets). */
  subnet: string;
  /**
   * Addresses ipamd's checkpoint holds for sandboxes that no longer exist (a node OOM killed
   * them before the CNI DEL ran), with the pod each was for. ipamd reconciles its checkpoint
   * with the runtime when it starts, so an aws-node pod started after `leakedAt` drops them.
   */
  leaked: { ip: string; pod: string; namespace: string; containerID: string }[];
  leakedAt: SimTime;
  /** /var/log/aws-routed-eni/ipamd.log (zap JSON lines), bounded. */
  ipamdLog: LogLine[];
}

export interface Filesystem {
  source: string;
  mount: string;
  size: Bytes;
  used: Bytes;
  /** Set on the filesystem holding etcd's data dir: `used` = this + etcd's dbSize + its WAL. */
  etcdBaseUsed?: Bytes;
}

export interface Namespace {
  metadata: ObjectMeta;
  status: { phase: 'Active' | 'Terminating' };
}

export interface Probe {
  type: 'http' | 'tcp' | 'exec';
  path?: string;
  port?: number;
  command?: string[];
  initialDelaySeconds: number;
  periodSeconds: number;
  failureThreshold: number;
}

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports: { name?: string; containerPort: number; protocol: 'TCP' | 'UDP' }[];
  resources: ResourceRequirements;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  env: { name: string; value: string }[];
  /** The process reads stdin, which stays open (`kubectl run -i`), closed after the first attach ends (stdinOnce); a TTY is allocated (`-t`). */
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
}

/**
 * How a container behaves in the simulation. This is the model's ground truth of what
 * the program inside does; kubectl never prints it directly.
 */
export interface ContainerBehavior {
  /** Crash this many ms after each start (exit code below); undefined = keeps running. */
  crashAfterMs?: number;
  exitCode?: number;
  /** The terminated state's reason and message when the runtime (not the program) ended it, e.g. StartError. */
  exitReason?: string;
  exitMessage?: string;
  /** Lines printed at start-up, then the crash message if it crashes. */
  startupLogs?: string[];
  crashLogs?: string[];
  /** Memory the program grows to; above the limit the kernel OOM-kills it. */
  memoryUse?: Bytes;
  cpuUse?: Millicores;
  /** Image cannot be pulled (ErrImagePull → ImagePullBackOff). */
  imagePullError?: string;
  /** Readiness probe result while running. */
  ready?: boolean;
  /** Writes an access-log line per request it serves (see network traffic). */
  accessLog?: boolean;
  /** HTTP port the program serves for `curl` (defaults to the first container port). */
  httpPort?: number;
  /** Special programs the network model understands. */
  role?: 'coredns' | 'node-local-dns' | 'etcd' | 'kube-apiserver' | 'kube-scheduler' | 'kube-controller-manager' | 'kube-proxy' | 'cni' | 'app' | 'process' | 'metallb-controller' | 'metallb-speaker' | 'ingress-nginx';
}

export type ContainerStateValue =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: SimTime }
  | { kind: 'terminated'; reason: string; exitCode: number; startedAt: SimTime; finishedAt: SimTime; message?: string };

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: ContainerStateValue;
  lastState?: ContainerStateValue;
  /** When kubelet may start it again (CrashLoopBackOff back-off). */
  backOffUntil?: SimTime;
  /** The current back-off step (10 s, 20 s, … 5 min) for crash or image-pull retries. */
  backOffMs?: number;
  /** Current log of this instance and of the previous one (`--previous`). Bounded. */
  logs: LogLine[];
  previousLogs: LogLine[];
  /** A running process's script followed this far (cluster/processes.ts): the next slice starts here. */
  follow?: ProcessResume;
}

/** A status a client wrote on a modelled kind (status-writes.ts). */
export interface StatusWrite {
  /** The object written (a new one of the same name starts clean). */
  uid: string;
  written: { [key: string]: JsonValue };
  /** When the owner writes its own status back. */
  until: SimTime;
}

/**
 * Where a container's script was paused: its process clock (ms after the start), the loop, and
 * the shell's session there (plain data the shell alone reads, at most 64 KiB as JSON).
 */
export interface ProcessResume {
  /** When the process started (cluster time): its clock counts from there. */
  startedAt: number;
  elapsedMs: number;
  /** The paused loop's place in the script's list: the next slice runs from there. */
  from: number;
  session: Record<string, unknown>;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface PodCondition {
  type: 'PodScheduled' | 'Initialized' | 'ContainersReady' | 'Ready' | 'PodReadyToStartContainers';
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastTransitionTime: SimTime;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface PodDNSConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name: string; value?: string }[];
}

export interface PodSpec {
  containers: ContainerSpec[];
  nodeName?: string;
  nodeSelector: Record<string, string>;
  /** requiredDuringSchedulingIgnoredDuringExecution, OR of terms, AND inside a term. */
  nodeAffinity?: NodeSelectorRequirement[][];
  tolerations: Toleration[];
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  hostNetwork: boolean;
  dnsPolicy: 'ClusterFirst' | 'Default' | 'ClusterFirstWithHostNet';
  /** Extra resolv.conf settings (nameservers, searches, options such as ndots or single-request-reopen). */
  dnsConfig?: PodDNSConfig;
  priorityClassName?: string;
  serviceAccountName: string;
  schedulerName: string;
  terminationGracePeriodSeconds: number;
  /** The kubelet fails the pod this long after it started (Terminating quota scope). */
  activeDeadlineSeconds?: number;
  /** The pod's persistentVolumeClaim volumes (other volume kinds are not modelled). */
  claims?: { volume: string; claimName: string; readOnly?: boolean }[];
  /** Debug containers added through the ephemeralcontainers subresource (cluster/ephemeral.ts). */
  ephemeralContainers?: EphemeralContainerSpec[];
  /** hostPath volumes, each mounted in every container (a static pod's manifest). */
  hostPaths?: HostPathVolume[];
}

/** core/v1 EphemeralContainer: a container without ports, probes or resources, maybe in another container's process namespace. */
export interface EphemeralContainerSpec extends ContainerSpec {
  targetContainerName?: string;
}

export interface HostPathVolume { volume: string; path: string; type: string; mountPath: string; readOnly?: boolean }

export interface Pod {
  metadata: ObjectMeta;
  spec: PodSpec;
  status: {
    phase: PodPhase;
    conditions: PodCondition[];
    containerStatuses: ContainerStatus[];
    ephemeralContainerStatuses?: ContainerStatus[];
    podIP?: string;
    hostIP?: string;
    startTime?: SimTime;
    qosClass: 'Guaranteed' | 'Burstable' | 'BestEffort';
    reason?: string; // e.g. Evicted
    message?: string;
    nominatedNodeName?: string;
  };
  /** Behaviour per container name (simulation ground truth). */
  behavior: Record<string, ContainerBehavior>;
  /** Static pods are owned by the node's kubelet (mirror pods), not by the apiserver. */
  static?: boolean;
  /** Scheduler queue bookkeeping for an unschedulable pod (simulation only). */
  schedule?: { attempts: number; nextAt: SimTime; clusterSig: string };
}

export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: PodSpec;
  behavior: Record<string, ContainerBehavior>;
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions?: NodeSelectorRequirement[];
}

export interface Deployment {
  metadata: ObjectMeta;
  spec: {
    replicas: number;
    selector: LabelSelector;
    template: PodTemplate;
    strategy: { type: 'RollingUpdate' | 'Recreate'; maxSurge: string | number; maxUnavailable: string | number };
    revisionHistoryLimit: number;
    paused: boolean;
    progressDeadlineSeconds: number;
  };
  status: {
    observedGeneration: number;
    replicas: number;
    updatedReplicas: number;
    readyReplicas: number;
    availableReplicas: number;
    unavailableReplicas: number;
    conditions: { type: 'Available' | 'Progressing' | 'ReplicaFailure'; status: ConditionStatus; reason: string; message: string; lastUpdateTime: SimTime; lastTransitionTime: SimTime }[];
  };
}

export interface ReplicaSet {
  metadata: ObjectMeta; // annotations['deployment.kubernetes.io/revision']
  spec: { replicas: number; selector: LabelSelector; template: PodTemplate };
  status: { replicas: number; readyReplicas: number; availableReplicas: number; fullyLabeledReplicas: number; observedGeneration: number };
}

export interface DaemonSet {
  metadata: ObjectMeta;
  spec: { selector: LabelSelector; template: PodTemplate };
  status: {
    desiredNumberScheduled: number;
    currentNumberScheduled: number;
    numberReady: number;
    updatedNumberScheduled: number;
    numberAvailable: number;
    numberMisscheduled: number;
    /** The generation the controller last synced; absent: the object's own (older snapshots). */
    observedGeneration?: number;
  };
}

export interface ServicePort {
  name?: string;
  protocol: 'TCP' | 'UDP';
  port: number;
  targetPort: number | string;
  nodePort?: number;
}

export interface Service {
  metadata: ObjectMeta;
  spec: {
    type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
    clusterIP: string; // 'None' for headless
    ports: ServicePort[];
    selector?: Record<string, string>;
    externalTrafficPolicy?: 'Cluster' | 'Local';
    sessionAffinity: 'None' | 'ClientIP';
  };
  status: { loadBalancer: { ingress: { ip?: string; hostname?: string }[] } };
}

export interface EndpointAddress {
  ip: string;
  nodeName?: string;
  targetRef?: { kind: 'Pod'; name: string; namespace: string; uid: string };
}

export interface Endpoints {
  metadata: ObjectMeta;
  subsets: {
    addresses: EndpointAddress[];
    notReadyAddresses: EndpointAddress[];
    ports: { name?: string; port: number; protocol: 'TCP' | 'UDP' }[];
  }[];
}

export interface ConfigMap {
  metadata: ObjectMeta;
  data: Record<string, string>;
}

/** A core/v1 Event, aggregated like the real event recorder (count, first/last seen). */
export interface ClusterEvent {
  metadata: ObjectMeta;
  involvedObject: { kind: string; name: string; namespace?: string; uid: string; fieldPath?: string };
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
  source: { component: string; host?: string };
  count: number;
  firstTimestamp: SimTime;
  lastTimestamp: SimTime;
}

/** A JSON value as the API carries it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * An object of a kind the simulation keeps without behaviour (stored-kinds.ts): its
 * metadata like every object, and the rest of its Kubernetes JSON (spec, data, rules…) as is.
 */
export interface StoredObject {
  kind: string;
  metadata: ObjectMeta;
  /** Top-level fields other than apiVersion, kind and metadata. */
  fields: { [key: string]: JsonValue };
  /** Jobs, CronJobs and StatefulSets: their pod template as the simulation runs it (read from the JSON when written). */
  template?: PodTemplate;
  /** HorizontalPodAutoscalers: the controller's recent recommendations (its scale-down stabilization window). */
  recommendations?: { at: SimTime; replicas: number }[];
}

export interface EtcdMember {
  id: string; // 16 hex digits
  name: string;
  peerURL: string;
  clientURL: string;
  isLearner: boolean;
}

export interface EtcdState {
  healthy: boolean;
  version: string;
  revision: number;
  compactedRevision: number;
  raftIndex: number;
  raftTerm: number;
  /** Physical size of the backend file; only defrag shrinks it. */
  dbSize: Bytes;
  /** Live data; compaction lowers it (freed pages stay inside dbSize until defrag). */
  dbSizeInUse: Bytes;
  quotaBackendBytes: Bytes;
  alarms: { memberID: string; alarm: 'NOSPACE' | 'CORRUPT' }[];
  members: EtcdMember[];
  leaderID: string;
  /** Background write load (bytes/s of history) a scenario may set; leaks revisions. */
  writeBytesPerSecond: number;
  writesPerSecond: number;
  /** Node that hosts the etcd static pod and its data dir. */
  nodeName: string;
  dataDir: string;
  /** The data dir was deleted on the host: etcd is gone, the cluster with it. */
  dataLost: boolean;
  /** etcd's own log (JSON lines, as `kubectl logs etcd-NODE` / `crictl logs` show). Bounded. */
  logs: LogLine[];
}

export type ComponentName = 'kube-apiserver' | 'kube-scheduler' | 'kube-controller-manager' | 'etcd';

export interface ControlPlaneComponent {
  /** The process is up (its static pod container runs). */
  running: boolean;
  /** Recent log lines (bounded), what `kubectl logs` / `crictl logs` on the node show. */
  logs: LogLine[];
}

export interface ControlPlane {
  apiserver: ControlPlaneComponent & {
    endpoint: string; // https://IP:6443
    /** Memory the apiserver holds; it grows while etcd keeps failing writes. */
    memory: Bytes;
    /** Whether it authenticated the last request of the workstation's kubectl (and when). */
    workstationAuth?: { at: SimTime; ok: boolean };
  };
  scheduler: ControlPlaneComponent;
  controllerManager: ControlPlaneComponent;
}

/** A source of requests hitting a service from outside (documentation-range IPs). */
export interface TrafficClient {
  ip: string;
  service: { namespace: string; name: string };
  /** Reaches the cluster through this node's NodePort / the load balancer, or from inside it (the ClusterIP). */
  via: 'nodeport' | 'loadbalancer' | 'cluster';
  requestsPerMinute: number;
  paths: string[];
  userAgent: string;
  /** In-cluster clients: the pods it runs in (network policies apply to them; the first running one logs failures). */
  from?: { namespace: string; labels: Record<string, string> };
  /** Host header, for a client of an ingress controller. */
  host?: string;
  /** What the app saw of this client's latest served request (simulated ms, source address, X-Forwarded-For). */
  lastServed?: { at: SimTime; source: string; forwardedFor?: string };
}

export interface ConntrackEntry {
  protocol: 'tcp' | 'udp';
  src: string;
  sport: number;
  dst: string;
  dport: number;
  replySrc: string;
  replySport: number;
  replyDst: string;
  replyDport: number;
  state: string;
  expiresAt: SimTime;
  node: string;
}

/** One DNS query over UDP and what came back (`answers` empty and `rcode` 'timeout': no reply). */
export interface DnsQuery {
  at: SimTime;
  node: string;
  src: string;
  server: string;
  name: string;
  type: string;
  rcode: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'timeout';
  answers: string[];
  authoritative: boolean;
}

export interface NetworkState {
  /** Who gives LoadBalancer Services their address (spec.network.provider). */
  provider?: 'aws' | 'bare-metal';
  /** MetalLB layer 2: the node announcing each Service ("ns/name"), as its speakers last agreed (controllers/metallb.ts). */
  announced?: Record<string, string>;
  serviceCIDR: string;
  clusterCIDR: string;
  dnsServiceIP: string;
  clusterDomain: string;
  /** kube-proxy mode on every node. */
  proxyMode: 'iptables' | 'ipvs';
  cni: { name: string; version: string; healthy: boolean };
  traffic: TrafficClient[];
  conntrack: ConntrackEntry[];
  /** The latest DNS queries sent (by pods, nodes and the tools players run), oldest first, for tcpdump. */
  dnsQueries?: DnsQuery[];
  /** VPC subnets nodes on the AWS VPC CNI draw pod addresses from, by id; `used`: addresses held outside the cluster. */
  subnets?: Record<string, { cidr: string; used: number }>;
  /** External names the simulated internet answers (name -> IP). */
  externalDNS: Record<string, string>;
  /** Next free addresses, so allocation is deterministic. */
  nextServiceIP: number;
  nextNodePort: number;
  /** iptables rule counters per node, keyed "node|chain>target[#tag]": [packets, bytes]. Fed by traffic. */
  counters?: Record<string, [number, number]>;
  /** Requests served and failed per client ("ns/svc|client IP"), in buckets of HEALTH_BUCKET_MS, oldest first. */
  health?: Record<string, HealthBucket[]>;
  /** When someone flushed a node's nat table (`iptables -t nat -F`), by node (pod-lookup.ts: until kube-proxy writes it again). */
  natFlushed?: Record<string, SimTime>;
  /** DNS queries per second of the whole (unsimulated) cluster and their share for outside names (dns-delay.ts). */
  dnsLoad?: { qps: number; externalShare: number };
  /** Kernel counters DNS traffic moves, by node, since boot (dns-delay.ts; `conntrack -S`, `ethtool -S`). */
  dnsCounters?: Record<string, NodeDnsCounters>;
}

export interface NodeDnsCounters {
  /** Conntrack statistics summed over the node's CPUs. */
  found: number;
  invalid: number;
  insertFailed: number;
  /** Kernels from 5.x keep both clashing UDP entries instead of dropping one. */
  clashResolve: number;
  drop: number;
  searchRestart: number;
  /** ENA driver: packets to link-local services (the VPC resolver) dropped over the ENI's PPS allowance. */
  linklocalExceeded: number;
}

/** What a traffic client got in one bucket of simulated time (starting at `at`). */
export interface HealthBucket {
  at: SimTime;
  served: number;
  failed: number;
}

/** What the world held when the incident began, to tell damage done since (scoring/damage.ts). */
export interface WorldBaseline {
  nodes: string[];
  namespaces: string[];
  /** "ns/name" of deployments and daemonsets. */
  deployments: string[];
  /** Desired replicas of each deployment. */
  replicas: Record<string, number>;
  daemonsets: string[];
  services: string[];
  /** Control-plane components running at the start. */
  controlPlane: string[];
}

export interface RngState {
  /** 128-bit xoshiro-style state as four uint32 values. */
  s: [number, number, number, number];
}

/** What the apiserver admits, so that no player can grow the simulation without bound. */
export interface ClusterLimits {
  /** Most objects of a kind per namespace: the `object-counts` ResourceQuota every namespace has. */
  quota: { pods: number; services: number; configmaps: number; deployments: number; replicasets: number; daemonsets: number };
  /** Most API objects (every kind, namespaces and nodes included) the simulation holds in all. */
  maxObjects: number;
}

export interface ClusterState {
  /** Simulated ms since the scenario began. Only tick() advances it. */
  now: SimTime;
  /**
   * The steps left for containers' scripts as they start (shell/exec/process.ts), refilled
   * with simulated time: background work no typed line pays for. Kept in the state so a
   * room rebuilt from a snapshot defers the same starts as the live one. Absent: full.
   */
  processSteps?: { at: SimTime; steps: number };
  /** Statuses clients wrote on modelled kinds, by `Kind/key`, until their owners write theirs back (status-writes.ts). */
  statusWrites?: Record<string, StatusWrite>;
  /**
   * What each image of the built cluster runs (its simulated behaviour), so an object
   * created again from its own manifest (delete and recreate, rollback to an image) runs the
   * same program; an image nobody described runs a well-behaved default.
   */
  imagePrograms?: Record<string, ContainerBehavior>;
  limits: ClusterLimits;
  /** Wall-clock epoch (ms) the simulated time 0 maps to, for printed timestamps. Fixed per scenario. */
  epoch: number;
  rng: RngState;
  nextUid: number;
  clusterName: string;
  /** kubectl context name shown in prompts and `kubectl config current-context`. */
  contextName: string;
  /** The kubeconfig's user when it is not the cluster admin (spec `user`): RBAC applies to it. */
  kubeconfigUser?: { name: string; groups: string[] };
  nodes: Record<string, Node>;
  namespaces: Record<string, Namespace>;
  /** Namespaced objects are keyed "namespace/name". */
  pods: Record<string, Pod>;
  deployments: Record<string, Deployment>;
  replicasets: Record<string, ReplicaSet>;
  daemonsets: Record<string, DaemonSet>;
  services: Record<string, Service>;
  endpoints: Record<string, Endpoints>;
  configmaps: Record<string, ConfigMap>;
  /** Oldest first; bounded (old ones expire like the real 1h TTL). */
  events: ClusterEvent[];
  /** Objects of the kinds kept without behaviour (stored-kinds.ts), by kind, then key. */
  stored?: Record<string, Record<string, StoredObject>>;
  etcd: EtcdState;
  controlPlane: ControlPlane;
  /**
   * The client certificate of the workstation's ~/.kube/config when the room opened (a copy
   * of admin.conf made some time ago); absent: a valid one. A kubeconfig the player writes
   * there replaces it (shell/kubectl/credentials.ts).
   */
  workstationCert?: { notBefore: SimTime; notAfter: SimTime };
  network: NetworkState;
  /** Scenario faults fired so far (id, simulated time), oldest first. Written by server/scenarios only. */
  firedFaults?: { id: string; at: SimTime }[];
  /**
   * Answer-key remediations whose predicate was seen false (at the start, after a fault, on a
   * tick): only those can earn fix points. Written by server/scenarios only.
   */
  brokenRemediations?: string[];
  /** The world when the incident began (scenarios/session.ts); damage is measured against it. */
  baseline?: WorldBaseline;
  /** Who changed the world (cluster/actors.ts): scoring credits fixes and charges damage to them. */
  actors?: ActorRecord;
  /** The field manager of the client command writing now (kubectl's --field-manager default); unset while controllers run. */
  fieldManager?: { manager: string; operation?: 'Apply'; subresource?: string; fields?: string[][] };
  /**
   * While a client's request runs (api.ts `answering`): the errors a condition of the world
   * made the apiserver, or the connection to it, answer — never one that echoes the request's
   * names. The shell shows them as `api` facts (cluster/facts.ts). Unset while controllers run.
   */
  answeredErrors?: ApiError[];
  /** Files written into containers (`kubectl cp`, a shell in one), by `namespace/pod/container` (container-layer.ts). */
  containerLayers?: Record<string, ContainerLayer>;
}

/** A container's writable layer: valid for the container instance (pod uid, restart count) that wrote it. */
export interface ContainerLayer {
  uid: string;
  restarts: number;
  /** File contents by absolute path. */
  files: Record<string, string>;
  /** When each was last written (shell/vfs.ts `modifiedAt`). */
  times?: Record<string, SimTime>;
  /** Directories made in it (mkdir), by absolute path. */
  dirs?: string[];
}

/** Which player's commands changed the world, and what changed while they were the last to. */
export interface ActorRecord {
  /** The last player whose command changed the world. */
  last?: string;
  /** Players who changed the world at least once, with how many commands did. */
  changes: Record<string, number>;
  /** When each player first changed the world (absent in states from before it was kept): what the world lost before was not their doing. */
  firstChangeAt?: Record<string, SimTime>;
  /** Remediation id → the player who was last to change the world when its check last became true. */
  fixedBy: Record<string, string>;
  /** Damage item (scoring/damage.ts) → the player whose command did it. */
  damageBy: Record<string, string>;
}

/** Why an API write failed; the message is the real server's wording. */
export interface ApiError {
  status: number;
  reason: 'NotFound' | 'AlreadyExists' | 'Invalid' | 'Conflict' | 'InternalError' | 'ServiceUnavailable' | 'BadRequest' | 'Forbidden' | 'TooManyRequests' | 'RequestEntityTooLarge';
  message: string;
  /** The Status's details.causes, where the apiserver gives some (an eviction's DisruptionBudget). */
  causes?: { reason: string; message: string; field?: string }[];
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };
