// API kinds the simulation keeps as plain Kubernetes JSON, without controller behaviour
// (yet): secrets, RBAC, storage, batch… Each row is what v1.29's `kubectl api-resources`
// prints for it; the objects live in `state.stored[kind]` and are written through api.ts.

export interface StoredKindInfo {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  /** '' for the core group. */
  group: string;
  version: string;
  namespaced: boolean;
  /** A custom resource: served only while its CustomResourceDefinition exists (an add-on installed it). */
  crd?: true;
}

const row = <K extends string>(kind: K, plural: string, shortNames: string[], group: string, version: string, namespaced: boolean): StoredKindInfo & { kind: K } =>
  ({ kind, plural, singular: kind.toLowerCase(), shortNames, group, version, namespaced });

const crd = <K extends string>(kind: K, plural: string, shortNames: string[], group: string, version: string, namespaced: boolean): StoredKindInfo & { kind: K } =>
  ({ ...row(kind, plural, shortNames, group, version, namespaced), crd: true });

export const STORED_KINDS = [
  row('ComponentStatus', 'componentstatuses', ['cs'], '', 'v1', false),
  row('LimitRange', 'limitranges', ['limits'], '', 'v1', true),
  row('PersistentVolumeClaim', 'persistentvolumeclaims', ['pvc'], '', 'v1', true),
  row('PersistentVolume', 'persistentvolumes', ['pv'], '', 'v1', false),
  row('PodTemplate', 'podtemplates', [], '', 'v1', true),
  row('ReplicationController', 'replicationcontrollers', ['rc'], '', 'v1', true),
  row('ResourceQuota', 'resourcequotas', ['quota'], '', 'v1', true),
  row('Secret', 'secrets', [], '', 'v1', true),
  row('ServiceAccount', 'serviceaccounts', ['sa'], '', 'v1', true),
  row('MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', [], 'admissionregistration.k8s.io', 'v1', false),
  row('ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', [], 'admissionregistration.k8s.io', 'v1', false),
  row('CustomResourceDefinition', 'customresourcedefinitions', ['crd', 'crds'], 'apiextensions.k8s.io', 'v1', false),
  row('APIService', 'apiservices', [], 'apiregistration.k8s.io', 'v1', false),
  row('ControllerRevision', 'controllerrevisions', [], 'apps', 'v1', true),
  row('StatefulSet', 'statefulsets', ['sts'], 'apps', 'v1', true),
  row('HorizontalPodAutoscaler', 'horizontalpodautoscalers', ['hpa'], 'autoscaling', 'v2', true),
  row('CronJob', 'cronjobs', ['cj'], 'batch', 'v1', true),
  row('Job', 'jobs', [], 'batch', 'v1', true),
  row('CertificateSigningRequest', 'certificatesigningrequests', ['csr'], 'certificates.k8s.io', 'v1', false),
  row('Lease', 'leases', [], 'coordination.k8s.io', 'v1', true),
  row('EndpointSlice', 'endpointslices', [], 'discovery.k8s.io', 'v1', true),
  row('IngressClass', 'ingressclasses', [], 'networking.k8s.io', 'v1', false),
  row('Ingress', 'ingresses', ['ing'], 'networking.k8s.io', 'v1', true),
  row('NetworkPolicy', 'networkpolicies', ['netpol'], 'networking.k8s.io', 'v1', true),
  row('RuntimeClass', 'runtimeclasses', [], 'node.k8s.io', 'v1', false),
  row('PodDisruptionBudget', 'poddisruptionbudgets', ['pdb'], 'policy', 'v1', true),
  row('ClusterRoleBinding', 'clusterrolebindings', [], 'rbac.authorization.k8s.io', 'v1', false),
  row('ClusterRole', 'clusterroles', [], 'rbac.authorization.k8s.io', 'v1', false),
  row('RoleBinding', 'rolebindings', [], 'rbac.authorization.k8s.io', 'v1', true),
  row('Role', 'roles', [], 'rbac.authorization.k8s.io', 'v1', true),
  row('PriorityClass', 'priorityclasses', ['pc'], 'scheduling.k8s.io', 'v1', false),
  row('CSIDriver', 'csidrivers', [], 'storage.k8s.io', 'v1', false),
  row('CSINode', 'csinodes', [], 'storage.k8s.io', 'v1', false),
  row('StorageClass', 'storageclasses', ['sc'], 'storage.k8s.io', 'v1', false),
  row('VolumeAttachment', 'volumeattachments', [], 'storage.k8s.io', 'v1', false),
  // MetalLB v0.13's custom resources (the kinds its controller and speakers read, controllers/metallb.ts).
  crd('IPAddressPool', 'ipaddresspools', [], 'metallb.io', 'v1beta1', true),
  crd('L2Advertisement', 'l2advertisements', [], 'metallb.io', 'v1beta1', true),
  // The AWS VPC CNI v1.18's custom resources (its chart's crds/): custom networking and the network policy agent.
  crd('ENIConfig', 'eniconfigs', [], 'crd.k8s.amazonaws.com', 'v1alpha1', false),
  crd('PolicyEndpoint', 'policyendpoints', [], 'networking.k8s.aws', 'v1alpha1', true),
];

export type StoredKind = (typeof STORED_KINDS)[number]['kind'];

const BY_KIND = new Map<string, StoredKindInfo>(STORED_KINDS.map((k) => [k.kind, k]));

export const storedKindInfo = (kind: string): StoredKindInfo | undefined => BY_KIND.get(kind);
export const isStoredKind = (kind: string): kind is StoredKind => BY_KIND.has(kind);
export const storedApiVersion = (k: StoredKindInfo): string => (k.group ? `${k.group}/${k.version}` : k.version);

/** Whether the cluster serves a kind: built in, or a custom kind whose CustomResourceDefinition is there. */
export const kindServed = (stored: Record<string, Record<string, unknown>> | undefined, info: StoredKindInfo): boolean =>
  !info.crd || stored?.['CustomResourceDefinition']?.[`${info.plural}.${info.group}`] !== undefined;

/** The CustomResourceDefinition's fields that serve a custom kind. */
export const crdFields = (info: StoredKindInfo) => ({
  spec: {
    group: info.group, names: { kind: info.kind, listKind: `${info.kind}List`, plural: info.plural, singular: info.singular },
    scope: info.namespaced ? 'Namespaced' : 'Cluster', versions: [{ name: info.version, served: true, storage: true }],
  },
});
