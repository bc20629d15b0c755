// The PV controller (kubernetes pkg/controller/volume/persistentvolume, pv_controller.go) and
// the provisioners behind the default StorageClasses: a Pending claim binds to an Available PV
// of its class that is big enough, or its class's provisioner makes one. A WaitForFirstConsumer
// class waits until the scheduler picked a node for a pod using the claim (the selected-node
// annotation, set by scheduler.ts); the volume is then made where that node is (its zone for
// EBS, the node itself for local-path), so a pod placed elsewhere later meets "volume node
// affinity conflict". A PV whose claim is gone is deleted (reclaimPolicy Delete) or Released;
// a claim deleted while a pod uses it stays Terminating until that pod is gone.
import { createObject, deleteObject, mutateObject, objectKey, objectsOfKind } from '../api.js';
import { recordEvent, refOf } from '../events.js';
import { jsonObject } from '../json.js';
import { newMeta } from '../objects.js';
import { parseBytes } from '../quantity.js';
import { randomHex, SUFFIX_ALPHABET } from '../rng.js';
import type { ClusterState, JsonValue, Node, StoredObject } from '../types.js';
import type { TickContext } from './context.js';
import { claimClassName, claimInUse, isBound, SELECTED_NODE, storageClass, volumeFitsNode, ZONE_LABEL } from '../volumes.js';

type Fields = { [k: string]: JsonValue };

const COMPONENT = 'persistentvolume-controller';
/** The controller's resync period (kube-controller-manager --pvclaimbinder-sync-period). */
const RESYNC_MS = 15_000;
/** In-tree plugins served by a CSI driver since CSI migration (always on in v1.29). */
const MIGRATED: Record<string, string> = { 'kubernetes.io/aws-ebs': 'ebs.csi.aws.com' };
/** Provisioners this simulation runs, by the pod that would run them. */
const PROVISIONER_POD: Record<string, string> = { 'ebs.csi.aws.com': 'ebs-csi-controller-6d5b8c7f9d', 'rancher.io/local-path': 'local-path-provisioner-7c8bdf94b8' };

const str = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: JsonValue | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const requested = (claim: StoredObject): JsonValue | undefined => jsonObject(jsonObject(jsonObject(claim.fields.spec).resources).requests).storage;
const bytesOf = (v: JsonValue | undefined): number => (typeof v === 'string' || typeof v === 'number' ? parseBytes(v) ?? 0 : 0);

export function persistentVolumeController(ctx: TickContext): void {
  const { state } = ctx;
  if (!state.stored?.PersistentVolumeClaim && !state.stored?.PersistentVolume) return;
  // The pvc-protection controller lets a deleted claim go once no pod uses it.
  for (const claim of Object.values(objectsOfKind(state, 'PersistentVolumeClaim'))) {
    if (claim.metadata.deletionTimestamp !== undefined && !claimInUse(state, claim)) deleteObject(state, 'PersistentVolumeClaim', objectKey(claim.metadata.namespace, claim.metadata.name));
  }
  // Every pass is a full one (the work only writes what is missing), so a cloned or restored
  // state goes on exactly like the original; a waiting claim's event is repeated at each resync.
  const resync = Math.floor((state.now - ctx.dt) / RESYNC_MS) !== Math.floor(state.now / RESYNC_MS);
  const claims = objectsOfKind(state, 'PersistentVolumeClaim');
  for (const pv of Object.values(objectsOfKind(state, 'PersistentVolume'))) syncVolume(state, pv, claims);
  for (const claim of Object.values(claims)) {
    if (!isBound(claim) && claim.metadata.deletionTimestamp === undefined) syncClaim(state, claim, resync || state.now - claim.metadata.creationTimestamp <= ctx.dt);
  }
}

/** A new PV becomes Available; one whose claim is gone is deleted or Released. */
function syncVolume(state: ClusterState, pv: StoredObject, claims: Readonly<Record<string, StoredObject>>): void {
  const ref = jsonObject(jsonObject(pv.fields.spec).claimRef);
  const phase = jsonObject(pv.fields.status).phase;
  const name = str(ref.name);
  if (!name) {
    if (phase === undefined) mutateObject(state, 'PersistentVolume', pv.metadata.name, (o) => void (o.fields.status = { phase: 'Available' }));
    return;
  }
  const claim = claims[objectKey(str(ref.namespace), name)];
  if (claim && (ref.uid === undefined || claim.metadata.uid === ref.uid)) return;
  if (phase !== 'Bound' && phase !== undefined) return;
  if (jsonObject(pv.fields.spec).persistentVolumeReclaimPolicy === 'Delete' && pv.metadata.annotations['pv.kubernetes.io/provisioned-by']) {
    deleteObject(state, 'PersistentVolume', pv.metadata.name);
    return;
  }
  mutateObject(state, 'PersistentVolume', pv.metadata.name, (o) => void (o.fields.status = { phase: 'Released' }));
}

function claimEvent(state: ClusterState, claim: StoredObject, type: 'Normal' | 'Warning', reason: string, message: string, component = COMPONENT): void {
  recordEvent(state, refOf('PersistentVolumeClaim', claim), type, reason, message, component);
}

/** `report`: record why the claim still waits (on its creation and at each resync). */
function syncClaim(state: ClusterState, claim: StoredObject, report: boolean): void {
  const className = claimClassName(claim);
  const sc = storageClass(state, className);
  const selected = claim.metadata.annotations[SELECTED_NODE];
  const node = selected ? state.nodes[selected] : undefined;
  const delayed = str(sc?.fields.volumeBindingMode) === 'WaitForFirstConsumer';
  const pv = matchingVolume(state, claim, className, delayed ? node : undefined);
  if (pv && (!delayed || node)) {
    bind(state, claim, pv);
    return;
  }
  if (className === '') {
    if (report) claimEvent(state, claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    return;
  }
  if (!sc) {
    if (report) claimEvent(state, claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
    return;
  }
  if (delayed && !node) {
    if (report) claimEvent(state, claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    return;
  }
  provision(state, claim, sc, node, report);
}

/** The smallest Available PV of the claim's class that holds its request and access modes (and fits the node). */
function matchingVolume(state: ClusterState, claim: StoredObject, className: string, node: Node | undefined): StoredObject | undefined {
  const spec = jsonObject(claim.fields.spec);
  const want = bytesOf(requested(claim));
  const modes = strings(spec.accessModes);
  const named = str(spec.volumeName);
  let best: StoredObject | undefined;
  for (const pv of Object.values(objectsOfKind(state, 'PersistentVolume'))) {
    const pvSpec = jsonObject(pv.fields.spec);
    const ref = jsonObject(pvSpec.claimRef);
    if (named && pv.metadata.name !== named) continue;
    if (ref.name !== undefined && !(ref.name === claim.metadata.name && ref.namespace === claim.metadata.namespace)) continue;
    if (jsonObject(pv.fields.status).phase !== 'Available' || (str(pvSpec.storageClassName) ?? '') !== className) continue;
    const size = bytesOf(jsonObject(pvSpec.capacity).storage);
    if (size < want || !modes.every((m) => strings(pvSpec.accessModes).includes(m))) continue;
    if (node && !volumeFitsNode(pv, node)) continue;
    if (!best || size < bytesOf(jsonObject(jsonObject(best.fields.spec).capacity).storage)) best = pv;
  }
  return best;
}

function bind(state: ClusterState, claim: StoredObject, pv: StoredObject, byController = true): void {
  const pvSpec = jsonObject(pv.fields.spec);
  mutateObject(state, 'PersistentVolume', pv.metadata.name, (o) => {
    o.fields.spec = { ...jsonObject(o.fields.spec), claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: claim.metadata.name, namespace: claim.metadata.namespace!, resourceVersion: String(claim.metadata.resourceVersion), uid: claim.metadata.uid } };
    o.fields.status = { phase: 'Bound' };
    if (byController) o.metadata.annotations['pv.kubernetes.io/bound-by-controller'] = 'yes';
  });
  mutateObject(state, 'PersistentVolumeClaim', objectKey(claim.metadata.namespace, claim.metadata.name), (o) => {
    o.fields.spec = { ...jsonObject(o.fields.spec), volumeName: pv.metadata.name };
    o.metadata.annotations['pv.kubernetes.io/bind-completed'] = 'yes';
    if (byController) o.metadata.annotations['pv.kubernetes.io/bound-by-controller'] = 'yes';
    o.fields.status = { phase: 'Bound', accessModes: strings(pvSpec.accessModes), capacity: { storage: jsonObject(pvSpec.capacity).storage ?? '0' } };
  });
}

/** A name like the external-provisioner's identity, stable for a class: `<driver>_<pod>_<uuid>`. */
function provisionerIdentity(driver: string, sc: StoredObject): string {
  const u = sc.metadata.uid.replace(/-/g, '');
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += SUFFIX_ALPHABET[parseInt(u.slice(i * 2, i * 2 + 2), 16) % SUFFIX_ALPHABET.length];
  return `${driver}_${PROVISIONER_POD[driver]}-${suffix}_${sc.metadata.uid}`;
}

function provision(state: ClusterState, claim: StoredObject, sc: StoredObject, node: Node | undefined, report: boolean): void {
  const provisioner = str(sc.fields.provisioner) ?? '';
  const driver = MIGRATED[provisioner] ?? provisioner;
  const key = objectKey(claim.metadata.namespace, claim.metadata.name);
  if (claim.metadata.annotations['volume.kubernetes.io/storage-provisioner'] !== driver) {
    mutateObject(state, 'PersistentVolumeClaim', key, (o) => {
      o.metadata.annotations['volume.beta.kubernetes.io/storage-provisioner'] = driver;
      o.metadata.annotations['volume.kubernetes.io/storage-provisioner'] = driver;
    });
  }
  const runs = PROVISIONER_POD[driver] !== undefined;
  const failsWithoutNode = driver === 'rancher.io/local-path' && !node;
  // A provisioner that will make the volume now is reported at once; one that cannot, at each resync.
  if (!report && (!runs || failsWithoutNode)) return;
  claimEvent(state, claim, 'Normal', 'ExternalProvisioning',
    `Waiting for a volume to be created either by the external provisioner '${driver}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
  if (!runs) return; // nothing runs that provisioner: the claim stays Pending
  const identity = provisionerIdentity(driver, sc);
  claimEvent(state, claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${key}"`, identity);
  if (failsWithoutNode) {
    claimEvent(state, claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata.name}": configuration error, no node was specified`, identity);
    return;
  }
  const pv = volumeFor(state, claim, sc, driver, provisioner, node);
  if (!createObject(state, 'PersistentVolume', pv).ok) return;
  claimEvent(state, claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata.name}`, identity);
  bind(state, claim, pv);
}

/** EBS allocates whole GiB: a request of 500Mi gives a 1Gi volume. */
function ebsSize(request: JsonValue | undefined): string {
  return `${Math.max(1, Math.ceil(bytesOf(request) / 2 ** 30))}Gi`;
}

/** An Immediate EBS volume goes to one of the cluster's zones (picked by the claim's uid). */
function zoneFor(state: ClusterState, claim: StoredObject, node: Node | undefined): string | undefined {
  if (node) return node.metadata.labels[ZONE_LABEL];
  const zones = [...new Set(Object.values(state.nodes).map((n) => n.metadata.labels[ZONE_LABEL]).filter((z): z is string => z !== undefined))].sort();
  return zones.length > 0 ? zones[parseInt(claim.metadata.uid.slice(0, 8), 16) % zones.length] : undefined;
}

function volumeFor(state: ClusterState, claim: StoredObject, sc: StoredObject, driver: string, provisioner: string, node: Node | undefined): StoredObject {
  const name = `pvc-${claim.metadata.uid}`;
  const cs = jsonObject(claim.fields.spec);
  const meta = newMeta(state, name, undefined);
  const spec: Fields = { accessModes: strings(cs.accessModes) };
  let affinity: { key: string; value: string } | undefined;
  if (driver === 'rancher.io/local-path') {
    meta.annotations = { 'local.path.provisioner/selected-node': node!.metadata.name, 'pv.kubernetes.io/provisioned-by': driver };
    spec.capacity = { storage: requested(claim) ?? '0' };
    spec.hostPath = { path: `/opt/local-path-provisioner/${name}_${claim.metadata.namespace}_${claim.metadata.name}`, type: 'DirectoryOrCreate' };
    affinity = { key: 'kubernetes.io/hostname', value: node!.metadata.name };
  } else {
    const params = jsonObject(sc.fields.parameters);
    const volumeID = `vol-${randomHex(state.rng, 17)}`;
    spec.capacity = { storage: ebsSize(requested(claim)) };
    meta.annotations = { 'pv.kubernetes.io/provisioned-by': provisioner, 'volume.kubernetes.io/provisioner-deletion-secret-name': '', 'volume.kubernetes.io/provisioner-deletion-secret-namespace': '' };
    // A migrated in-tree class gets an in-tree PV (the CSI translation library); a CSI class a CSI one.
    if (provisioner !== driver) {
      meta.annotations['pv.kubernetes.io/migrated-to'] = driver;
      spec.awsElasticBlockStore = { fsType: str(params.fsType) ?? 'ext4', volumeID };
    } else {
      spec.csi = { driver, fsType: str(params['csi.storage.k8s.io/fstype']) ?? 'ext4', volumeAttributes: { 'storage.kubernetes.io/csiProvisionerIdentity': `${state.epoch}-${driver.length}-${driver}` }, volumeHandle: volumeID };
    }
    const zone = zoneFor(state, claim, node);
    if (zone) affinity = { key: ZONE_LABEL, value: zone };
  }
  if (affinity) spec.nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: affinity.key, operator: 'In', values: [affinity.value] }] }] } };
  spec.persistentVolumeReclaimPolicy = str(sc.fields.reclaimPolicy) ?? 'Delete';
  spec.storageClassName = sc.metadata.name;
  spec.volumeMode = str(cs.volumeMode) ?? 'Filesystem';
  return { kind: 'PersistentVolume', metadata: meta, fields: { spec, status: { phase: 'Pending' } } };
}
