// The objects a kubeadm-built v1.29 cluster has besides the workloads: per-namespace
// kube-root-ca.crt and `default` ServiceAccount, kubeadm's ConfigMaps, node and
// leader-election Leases, EndpointSlices, the system RBAC objects, PriorityClasses, the default
// StorageClass, APIServices, CSINodes and ComponentStatuses. They draw their uids and name
// suffixes from their own generator seeded from the scenario's seed, so the cluster's main
// random sequence (pod names, uids of workloads) stays what it was without them.
import { forgetCounts, objectKey } from './api.js';
import { sliceFields, sliceLabels, sliceOwner } from './controllers/endpointslice.js';
import { METRICS_API_SERVICE, metricsApiStatus } from './metrics.js';
import { jsonCopy } from './json.js';
import { pemOf, pkiNode, validity } from './pki.js';
import { randomHex, randomSuffix, seedRng } from './rng.js';
import type { ClusterSpec } from './spec.js';
import { crdFields, STORED_KINDS, storedKindInfo, type StoredKind } from './stored-kinds.js';
import type { ClusterState, ConfigMap, JsonValue, ObjectMeta, RngState, SimTime } from './types.js';

type Fields = { [key: string]: JsonValue };

interface Builder {
  state: ClusterState;
  rng: RngState;
  created: SimTime;
  /** resourceVersion of the next object: they were written early in the cluster's life. */
  revision: number;
}

function uid(rng: RngState): string {
  const h = randomHex(rng, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) & 3]}${h.slice(17, 20)}-${h.slice(20)}`;
}

function meta(b: Builder, name: string, namespace: string | undefined, labels: Record<string, string> = {}, annotations: Record<string, string> = {}, created = b.created): ObjectMeta {
  const m: ObjectMeta = { name, uid: uid(b.rng), labels, annotations, creationTimestamp: created, resourceVersion: (b.revision += 3), generation: 1, ownerReferences: [] };
  if (namespace !== undefined) m.namespace = namespace;
  return m;
}

function put(b: Builder, kind: StoredKind, m: ObjectMeta, fields: Fields): void {
  const stored = (b.state.stored ??= {});
  // A copy: the tables above share arrays, and a shared value would print as a YAML alias.
  // jsonCopy, not structuredClone: the same plain data, a fraction of a build's time.
  (stored[kind] ??= {})[objectKey(m.namespace, m.name)] = { kind, metadata: m, fields: jsonCopy(fields) };
}

function configMap(b: Builder, namespace: string, name: string, data: Record<string, string>, created?: SimTime): void {
  const cm: ConfigMap = { metadata: meta(b, name, namespace, {}, {}, created), data };
  b.state.configmaps[objectKey(namespace, name)] = cm;
}

/** A time as the API prints it (RFC 3339, microseconds for Lease times). */
const microTime = (state: ClusterState, t: SimTime): string => new Date(state.epoch + t).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const rfc3339 = (state: ClusterState, t: SimTime): string => new Date(state.epoch + t).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A CA's certificate as the control-plane node has it in /etc/kubernetes/pki (what kube-root-ca.crt and cluster-info publish). */
export function caPem(state: ClusterState, name: 'ca' | 'front-proxy-ca' = 'ca'): string {
  const node = pkiNode(state);
  return node ? pemOf(state, node, name, validity(node, name)) : '';
}

const CONTROLLER_SERVICE_ACCOUNTS = [
  'attachdetach-controller', 'bootstrap-signer', 'certificate-controller', 'clusterrole-aggregation-controller', 'cronjob-controller',
  'daemon-set-controller', 'deployment-controller', 'disruption-controller', 'endpoint-controller', 'endpointslice-controller',
  'endpointslicemirroring-controller', 'ephemeral-volume-controller', 'expand-controller', 'generic-garbage-collector',
  'horizontal-pod-autoscaler', 'job-controller', 'legacy-service-account-token-cleaner', 'namespace-controller', 'node-controller',
  'persistent-volume-binder', 'pod-garbage-collector', 'pv-protection-controller', 'pvc-protection-controller', 'replicaset-controller',
  'replication-controller', 'resourcequota-controller', 'root-ca-cert-publisher', 'service-account-controller', 'statefulset-controller',
  'token-cleaner', 'ttl-after-finished-controller', 'ttl-controller',
];

const rule = (apiGroups: string[], resources: string[], verbs: string[]): JsonValue => ({ apiGroups, resources, verbs });
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];

/** The bootstrap ClusterRoles (a representative set) with their rules. */
function clusterRoles(): [string, JsonValue[], Record<string, string>][] {
  const bootstrap = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
  const aggregate = (to: string) => ({ ...bootstrap, [`rbac.authorization.k8s.io/aggregate-to-${to}`]: 'true' });
  const workloads = ['pods', 'pods/log', 'pods/status', 'services', 'endpoints', 'events', 'configmaps', 'secrets', 'persistentvolumeclaims', 'serviceaccounts', 'deployments', 'deployments/scale',
    'replicasets', 'replicasets/scale', 'daemonsets', 'statefulsets', 'statefulsets/scale', 'jobs', 'cronjobs', 'ingresses', 'networkpolicies', 'poddisruptionbudgets', 'horizontalpodautoscalers'];
  return [
    ['cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }], bootstrap],
    ['admin', [rule(['', 'apps', 'batch', 'networking.k8s.io', 'policy', 'autoscaling'], workloads, [...READ, ...WRITE]), rule(['rbac.authorization.k8s.io'], ['roles', 'rolebindings'], [...READ, ...WRITE])], bootstrap],
    ['edit', [rule(['', 'apps', 'batch', 'networking.k8s.io', 'policy', 'autoscaling'], workloads, [...READ, ...WRITE])], { ...bootstrap, 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' }],
    ['view', [rule(['', 'apps', 'batch', 'networking.k8s.io', 'policy', 'autoscaling'], workloads.filter((r) => r !== 'secrets'), READ)], { ...bootstrap, 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' }],
    ['system:aggregate-to-admin', [rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create'])], aggregate('admin')],
    ['system:aggregate-to-edit', [rule([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], READ)], aggregate('edit')],
    ['system:aggregate-to-view', [rule([''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'pods', 'replicationcontrollers', 'services'], READ)], aggregate('view')],
    ['system:auth-delegator', [rule(['authentication.k8s.io'], ['tokenreviews'], ['create'])], bootstrap],
    ['system:basic-user', [rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create'])], bootstrap],
    ['system:certificates.k8s.io:certificatesigningrequests:nodeclient', [rule(['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'], ['create'])], bootstrap],
    ['system:controller:deployment-controller', [rule(['apps'], ['deployments'], [...READ, 'update']), rule(['apps'], ['replicasets'], [...READ, ...WRITE])], bootstrap],
    ['system:controller:node-controller', [rule([''], ['nodes'], ['delete', 'get', 'list', 'patch', 'update'])], bootstrap],
    ['system:coredns', [rule([''], ['endpoints', 'services', 'pods', 'namespaces'], ['list', 'watch']), rule(['discovery.k8s.io'], ['endpointslices'], ['list', 'watch'])], {}],
    ['system:discovery', [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }], bootstrap],
    ['system:kube-controller-manager', [rule(['coordination.k8s.io'], ['leases'], ['create', 'get', 'update']), rule([''], ['secrets', 'serviceaccounts'], ['create', 'get', 'list', 'watch'])], bootstrap],
    ['system:kube-dns', [rule([''], ['endpoints', 'services'], ['list', 'watch'])], bootstrap],
    ['system:kube-scheduler', [rule(['coordination.k8s.io'], ['leases'], ['create', 'get', 'update']), rule([''], ['pods/binding', 'bindings'], ['create']), rule([''], ['nodes', 'pods'], READ)], bootstrap],
    ['system:monitoring', [{ nonResourceURLs: ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'], verbs: ['get'] }], bootstrap],
    ['system:node', [rule([''], ['nodes', 'nodes/status'], ['create', 'get', 'list', 'watch', 'patch', 'update']), rule([''], ['pods', 'secrets', 'configmaps'], READ)], bootstrap],
    ['system:node-bootstrapper', [rule(['certificates.k8s.io'], ['certificatesigningrequests'], ['create', 'get', 'list', 'watch'])], bootstrap],
    ['system:node-proxier', [rule([''], ['endpoints', 'services'], ['list', 'watch']), rule(['discovery.k8s.io'], ['endpointslices'], ['list', 'watch'])], bootstrap],
    ['system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }], bootstrap],
    ['system:volume-scheduler', [rule([''], ['persistentvolumes'], ['get', 'list', 'patch', 'update', 'watch'])], bootstrap],
    ['kubeadm:get-nodes', [rule([''], ['nodes'], ['get'])], {}],
  ];
}

type Subject = { kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string };
const group = (name: string): Subject => ({ kind: 'Group', name });
const user = (name: string): Subject => ({ kind: 'User', name });
const sa = (name: string, namespace = 'kube-system'): Subject => ({ kind: 'ServiceAccount', name, namespace });

const CLUSTER_ROLE_BINDINGS: [string, string, Subject[]][] = [
  ['cluster-admin', 'cluster-admin', [group('system:masters')]],
  ['kubeadm:cluster-admins', 'cluster-admin', [group('kubeadm:cluster-admins')]],
  ['kubeadm:get-nodes', 'kubeadm:get-nodes', [group('system:bootstrappers:kubeadm:default-node-token')]],
  ['kubeadm:kubelet-bootstrap', 'system:node-bootstrapper', [group('system:bootstrappers:kubeadm:default-node-token')]],
  ['kubeadm:node-autoapprove-bootstrap', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', [group('system:bootstrappers:kubeadm:default-node-token')]],
  ['kubeadm:node-proxier', 'system:node-proxier', [sa('kube-proxy')]],
  ['system:basic-user', 'system:basic-user', [group('system:authenticated')]],
  ['system:controller:deployment-controller', 'system:controller:deployment-controller', [sa('deployment-controller')]],
  ['system:controller:node-controller', 'system:controller:node-controller', [sa('node-controller')]],
  ['system:coredns', 'system:coredns', [sa('coredns')]],
  ['system:discovery', 'system:discovery', [group('system:authenticated')]],
  ['system:kube-controller-manager', 'system:kube-controller-manager', [user('system:kube-controller-manager')]],
  ['system:kube-dns', 'system:kube-dns', [sa('kube-dns')]],
  ['system:kube-scheduler', 'system:kube-scheduler', [user('system:kube-scheduler')]],
  ['system:monitoring', 'system:monitoring', [group('system:monitoring')]],
  ['system:node', 'system:node', []],
  ['system:node-proxier', 'system:node-proxier', [user('system:kube-proxy')]],
  ['system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]],
  ['system:volume-scheduler', 'system:volume-scheduler', [user('system:kube-scheduler')]],
];

/** kube-system / kube-public Roles and their RoleBindings: [namespace, name, subjects, rules]. */
const ROLES: [string, string, Subject[], JsonValue[]][] = [
  ['kube-public', 'kubeadm:bootstrap-signer-clusterinfo', [user('system:anonymous')], [{ apiGroups: [''], resourceNames: ['cluster-info'], resources: ['configmaps'], verbs: ['get'] }]],
  ['kube-public', 'system:controller:bootstrap-signer', [sa('bootstrap-signer')], [rule([''], ['configmaps'], READ)]],
  ['kube-system', 'extension-apiserver-authentication-reader', [user('system:kube-controller-manager'), user('system:kube-scheduler')], [{ apiGroups: [''], resourceNames: ['extension-apiserver-authentication'], resources: ['configmaps'], verbs: READ }]],
  ['kube-system', 'kube-proxy', [group('system:bootstrappers:kubeadm:default-node-token')], [{ apiGroups: [''], resourceNames: ['kube-proxy'], resources: ['configmaps'], verbs: ['get'] }]],
  ['kube-system', 'kubeadm:kubelet-config', [group('system:nodes'), group('system:bootstrappers:kubeadm:default-node-token')], [{ apiGroups: [''], resourceNames: ['kubelet-config'], resources: ['configmaps'], verbs: ['get'] }]],
  ['kube-system', 'kubeadm:nodes-kubeadm-config', [group('system:bootstrappers:kubeadm:default-node-token'), group('system:nodes')], [{ apiGroups: [''], resourceNames: ['kubeadm-config'], resources: ['configmaps'], verbs: ['get'] }]],
  ['kube-system', 'system::leader-locking-kube-controller-manager', [user('system:kube-controller-manager'), sa('kube-controller-manager')], [{ apiGroups: [''], resourceNames: ['kube-controller-manager'], resources: ['configmaps'], verbs: ['watch', 'get', 'update'] }]],
  ['kube-system', 'system::leader-locking-kube-scheduler', [user('system:kube-scheduler'), sa('kube-scheduler')], [{ apiGroups: [''], resourceNames: ['kube-scheduler'], resources: ['configmaps'], verbs: ['watch', 'get', 'update'] }]],
  ['kube-system', 'system:controller:bootstrap-signer', [sa('bootstrap-signer')], [rule([''], ['secrets'], READ)]],
  ['kube-system', 'system:controller:token-cleaner', [sa('token-cleaner')], [rule([''], ['secrets'], ['delete', 'get', 'list', 'watch'])]],
];

/** Group versions the apiserver serves (the APIService objects and `api-versions`). */
export const SERVED_GROUP_VERSIONS = [
  'v1', 'admissionregistration.k8s.io/v1', 'apiextensions.k8s.io/v1', 'apiregistration.k8s.io/v1', 'apps/v1', 'authentication.k8s.io/v1',
  'authorization.k8s.io/v1', 'autoscaling/v1', 'autoscaling/v2', 'batch/v1', 'certificates.k8s.io/v1', 'coordination.k8s.io/v1',
  'discovery.k8s.io/v1', 'events.k8s.io/v1', 'flowcontrol.apiserver.k8s.io/v1', 'flowcontrol.apiserver.k8s.io/v1beta3', 'networking.k8s.io/v1',
  'node.k8s.io/v1', 'policy/v1', 'rbac.authorization.k8s.io/v1', 'scheduling.k8s.io/v1', 'storage.k8s.io/v1',
];

const subjectsJson = (subjects: Subject[]): JsonValue[] => subjects.map((s): JsonValue => (s.kind === 'ServiceAccount' ? { kind: s.kind, name: s.name, namespace: s.namespace! } : { apiGroup: 'rbac.authorization.k8s.io', kind: s.kind, name: s.name }));

function addRbac(b: Builder): void {
  const auto = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };
  for (const [name, rules, labels] of clusterRoles()) {
    const kubeadm = name.startsWith('kubeadm:') || name === 'system:coredns';
    put(b, 'ClusterRole', meta(b, name, undefined, labels, kubeadm ? {} : auto), { rules });
  }
  for (const [name, role, subjects] of CLUSTER_ROLE_BINDINGS) {
    const kubeadm = name.startsWith('kubeadm:') || name === 'system:coredns';
    const fields: Fields = { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role } };
    if (subjects.length > 0) fields.subjects = subjectsJson(subjects);
    put(b, 'ClusterRoleBinding', meta(b, name, undefined, kubeadm ? {} : { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, kubeadm ? {} : auto), fields);
  }
  for (const [namespace, name, subjects, rules] of ROLES) {
    put(b, 'Role', meta(b, name, namespace), { rules });
    put(b, 'RoleBinding', meta(b, name, namespace), { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: subjectsJson(subjects) });
  }
}

function addServiceAccounts(b: Builder): void {
  const { state } = b;
  const names = new Set<string>();
  for (const ns of Object.keys(state.namespaces)) names.add(objectKey(ns, 'default'));
  for (const name of CONTROLLER_SERVICE_ACCOUNTS) names.add(objectKey('kube-system', name));
  for (const w of [...Object.values(state.deployments), ...Object.values(state.daemonsets)]) {
    const account = w.spec.template.spec.serviceAccountName;
    if (account && account !== 'default') names.add(objectKey(w.metadata.namespace!, account));
  }
  for (const key of [...names].sort()) {
    const [namespace, name] = key.split('/') as [string, string];
    put(b, 'ServiceAccount', meta(b, name, namespace, {}, {}, state.namespaces[namespace]?.metadata.creationTimestamp ?? b.created), {});
  }
}

function addConfigMaps(b: Builder, spec: ClusterSpec): void {
  const { state } = b;
  const ca = caPem(state);
  for (const ns of Object.values(state.namespaces)) configMap(b, ns.metadata.name, 'kube-root-ca.crt', { 'ca.crt': ca }, ns.metadata.creationTimestamp);
  const server = state.controlPlane.apiserver.endpoint;
  const net = state.network;
  configMap(b, 'kube-public', 'cluster-info', {
    kubeconfig: `apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: ${Buffer.from(ca).toString('base64')}\n    server: ${server}\n  name: ""\ncontexts: null\ncurrent-context: ""\nkind: Config\npreferences: {}\nusers: null\n`,
  });
  configMap(b, 'kube-system', 'kubeadm-config', {
    ClusterConfiguration: `apiServer:\n  extraArgs:\n    authorization-mode: Node,RBAC\n  timeoutForControlPlane: 4m0s\napiVersion: kubeadm.k8s.io/v1beta3\ncertificatesDir: /etc/kubernetes/pki\nclusterName: ${state.clusterName}\ncontrollerManager: {}\ndns: {}\netcd:\n  local:\n    dataDir: ${state.etcd.dataDir}\nimageRepository: registry.k8s.io\nkind: ClusterConfiguration\nkubernetesVersion: ${spec.kubernetesVersion}\nnetworking:\n  dnsDomain: ${net.clusterDomain}\n  podSubnet: ${net.clusterCIDR}\n  serviceSubnet: ${net.serviceCIDR}\nscheduler: {}\n`,
  });
  const cp = state.nodes[state.etcd.nodeName];
  configMap(b, 'kube-system', 'kubelet-config', { kubelet: cp?.host.files['/var/lib/kubelet/config.yaml'] ?? '' });
  configMap(b, 'kube-system', 'kube-proxy', {
    'config.conf': `apiVersion: kubeproxy.config.k8s.io/v1alpha1\nbindAddress: 0.0.0.0\nclusterCIDR: ${net.clusterCIDR}\nkind: KubeProxyConfiguration\nmetricsBindAddress: ""\nmode: "${net.proxyMode}"\n`,
    'kubeconfig.conf': `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt\n    server: ${server}\n  name: default\ncontexts:\n- context:\n    cluster: default\n    namespace: default\n    user: default\n  name: default\ncurrent-context: default\nusers:\n- name: default\n  user:\n    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n`,
  });
  configMap(b, 'kube-system', 'extension-apiserver-authentication', {
    'client-ca-file': ca, 'requestheader-allowed-names': '["front-proxy-client"]', 'requestheader-client-ca-file': caPem(state, 'front-proxy-ca'),
    'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]', 'requestheader-group-headers': '["X-Remote-Group"]', 'requestheader-username-headers': '["X-Remote-User"]',
  });
}

function addLeases(b: Builder): void {
  const { state } = b;
  const renew = microTime(state, state.now - 2_000);
  for (const node of Object.values(state.nodes)) {
    const m = meta(b, node.metadata.name, 'kube-node-lease', {}, {}, node.metadata.creationTimestamp);
    m.ownerReferences = [{ kind: 'Node', name: node.metadata.name, uid: node.metadata.uid, controller: false }];
    put(b, 'Lease', m, { spec: { holderIdentity: node.metadata.name, leaseDurationSeconds: 40, renewTime: renew } });
  }
  const cp = state.etcd.nodeName;
  for (const name of ['kube-controller-manager', 'kube-scheduler']) {
    put(b, 'Lease', meta(b, name, 'kube-system'), {
      spec: { acquireTime: microTime(state, b.created + 60_000), holderIdentity: `${cp}_${uid(b.rng)}`, leaseDurationSeconds: 15, leaseTransitions: 0, renewTime: renew },
    });
  }
  const apiserverId = `apiserver-${randomSuffix(b.rng, 26).toLowerCase()}`;
  put(b, 'Lease', meta(b, apiserverId, 'kube-system', { 'apiserver.kubernetes.io/identity': 'kube-apiserver', 'kubernetes.io/hostname': cp }), {
    spec: { holderIdentity: `${apiserverId}_${uid(b.rng)}`, leaseDurationSeconds: 3600, renewTime: renew },
  });
}

function addEndpointSlices(b: Builder): void {
  const { state } = b;
  for (const [key, svc] of Object.entries(state.services)) {
    const isApiserver = key === 'default/kubernetes';
    const m = meta(b, isApiserver ? 'kubernetes' : `${svc.metadata.name}-${randomSuffix(b.rng, 5)}`, svc.metadata.namespace, sliceLabels(svc), {}, svc.metadata.creationTimestamp);
    if (!isApiserver) m.ownerReferences = sliceOwner(svc);
    put(b, 'EndpointSlice', m, sliceFields(svc, state.endpoints[key]));
  }
}

function addClusterScoped(b: Builder, spec: ClusterSpec): void {
  const { state } = b;
  for (const [name, value, description] of [
    ['system-cluster-critical', 2000000000, 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.'],
    ['system-node-critical', 2000001000, 'Used for system critical pods that must not be moved from their current node.'],
  ] as const) {
    put(b, 'PriorityClass', meta(b, name, undefined), { description, preemptionPolicy: 'PreemptLowerPriority', value });
  }
  const aws = spec.network.cni.name === 'aws-node';
  put(b, 'StorageClass', meta(b, aws ? 'gp2' : 'standard', undefined, {}, { 'storageclass.kubernetes.io/is-default-class': 'true' }), aws
    ? { parameters: { fsType: 'ext4', type: 'gp2' }, provisioner: 'kubernetes.io/aws-ebs', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' }
    : { provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' });
  for (const node of Object.values(state.nodes)) {
    const m = meta(b, node.metadata.name, undefined, {}, { 'storage.alpha.kubernetes.io/migrated-plugins': 'kubernetes.io/aws-ebs,kubernetes.io/azure-disk,kubernetes.io/azure-file,kubernetes.io/cinder,kubernetes.io/gce-pd,kubernetes.io/vsphere-volume' }, node.metadata.creationTimestamp);
    m.ownerReferences = [{ kind: 'Node', name: node.metadata.name, uid: node.metadata.uid, controller: false }];
    put(b, 'CSINode', m, { spec: { drivers: null } });
  }
  for (const gv of SERVED_GROUP_VERSIONS) {
    const [groupName, version] = gv.includes('/') ? gv.split('/') as [string, string] : ['', gv];
    put(b, 'APIService', meta(b, `${version}.${groupName}`, undefined, { 'kube-aggregator.kubernetes.io/automanaged': 'onstart' }), {
      spec: { group: groupName, groupPriorityMinimum: 18000, version, versionPriority: 15 },
      status: { conditions: [{ lastTransitionTime: rfc3339(state, b.created), message: 'Local APIServices are always available', reason: 'Local', status: 'True', type: 'Available' }] },
    });
  }
  for (const name of ['controller-manager', 'etcd-0', 'scheduler']) put(b, 'ComponentStatus', meta(b, name, undefined), {});
}

/**
 * What an EKS cluster has besides: the aws-auth ConfigMap mapping the node role to the
 * system:nodes group (as eksctl and managed node groups write it), and the VPC CNI's CRDs.
 */
function addAws(b: Builder): void {
  const account = String(100_000_000_000 + Math.floor((parseInt(randomHex(b.rng, 8), 16) / 2 ** 32) * 899_999_999_999));
  const role = `arn:aws:iam::${account}:role/eksctl-${b.state.clusterName}-nodegroup-NodeInstanceRole-${randomSuffix(b.rng, 12).toUpperCase()}`;
  configMap(b, 'kube-system', 'aws-auth', { mapRoles: `- groups:\n  - system:bootstrappers\n  - system:nodes\n  rolearn: ${role}\n  username: system:node:{{EC2PrivateDNSName}}\n` });
  for (const kind of ['ENIConfig', 'PolicyEndpoint']) {
    const info = storedKindInfo(kind)!;
    put(b, 'CustomResourceDefinition', meta(b, `${info.plural}.${info.group}`, undefined), crdFields(info));
  }
}

/** metrics-server's RBAC and APIService (kubernetes-sigs/metrics-server v0.7.1 components.yaml). */
function addMetricsServer(b: Builder): void {
  const labels = { 'k8s-app': 'metrics-server' };
  const binding = (kind: 'ClusterRole' | 'Role', role: string): Fields => ({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role }, subjects: subjectsJson([sa('metrics-server')]) });
  put(b, 'ClusterRole', meta(b, 'system:aggregated-metrics-reader', undefined, {
    ...labels, 'rbac.authorization.k8s.io/aggregate-to-admin': 'true', 'rbac.authorization.k8s.io/aggregate-to-edit': 'true', 'rbac.authorization.k8s.io/aggregate-to-view': 'true',
  }), { rules: [rule(['metrics.k8s.io'], ['pods', 'nodes'], READ)] });
  put(b, 'ClusterRole', meta(b, 'system:metrics-server', undefined, labels), { rules: [rule([''], ['nodes/metrics'], ['get']), rule([''], ['pods', 'nodes'], READ)] });
  put(b, 'RoleBinding', meta(b, 'metrics-server-auth-reader', 'kube-system', labels), binding('Role', 'extension-apiserver-authentication-reader'));
  put(b, 'ClusterRoleBinding', meta(b, 'metrics-server:system:auth-delegator', undefined, labels), binding('ClusterRole', 'system:auth-delegator'));
  put(b, 'ClusterRoleBinding', meta(b, 'system:metrics-server', undefined, labels), binding('ClusterRole', 'system:metrics-server'));
  put(b, 'APIService', meta(b, METRICS_API_SERVICE, undefined, labels), {
    spec: { group: 'metrics.k8s.io', groupPriorityMinimum: 100, insecureSkipTLSVerify: true, service: { name: 'metrics-server', namespace: 'kube-system', port: 443 }, version: 'v1beta1', versionPriority: 100 },
    status: metricsApiStatus(b.state, rfc3339(b.state, b.created + 60_000)),
  });
}

/** Lays down the default objects; `created` is when the cluster was made (its oldest node). */
export function addDefaultObjects(state: ClusterState, spec: ClusterSpec, seed: number, created: SimTime): void {
  const b: Builder = { state, rng: seedRng((seed ^ 0x6b696e64) >>> 0), created, revision: 180 };
  state.stored ??= {};
  for (const k of STORED_KINDS) state.stored[k.kind] ??= {};
  addConfigMaps(b, spec);
  addServiceAccounts(b);
  addRbac(b);
  addLeases(b);
  addEndpointSlices(b);
  addClusterScoped(b, spec);
  if (spec.addons.metricsServer) addMetricsServer(b);
  if (spec.network.cni.name === 'aws-node') addAws(b);
  forgetCounts(state);
}
