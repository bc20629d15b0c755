// `kubectl describe pod`, laid out like kubectl's PodDescriber.
import { formatBytes, formatCpu } from '../../../cluster/quantity.js';
import type { ClusterState, ContainerSpec, ContainerStateValue, ContainerStatus, Pod, Probe, ResourceList } from '../../../cluster/types.js';
import { podAdmission, TOKEN_MOUNT_PATH } from '../../../cluster/pod-admission.js';
import { rfc1123z } from '../age.js';
import { describeWriter, tolerationString, writeAnnotations, writeEvents, writeLabels, writeMultiline, type DescribeWriter } from './writer.js';

export function describePod(state: ClusterState, pod: Pod): string {
  const w = describeWriter();
  const s = pod.status;
  w.write(0, `Name:\t${pod.metadata.name}\n`);
  w.write(0, `Namespace:\t${pod.metadata.namespace}\n`);
  const admission = podAdmission(state, pod);
  w.write(0, `Priority:\t${admission.priority}\n`);
  if (pod.spec.priorityClassName) w.write(0, `Priority Class Name:\t${pod.spec.priorityClassName}\n`);
  if (pod.spec.serviceAccountName) w.write(0, `Service Account:\t${pod.spec.serviceAccountName}\n`);
  w.write(0, `Node:\t${pod.spec.nodeName ? `${pod.spec.nodeName}/${s.hostIP ?? ''}` : '<none>'}\n`);
  if (s.startTime !== undefined) w.write(0, `Start Time:\t${rfc1123z(state, s.startTime)}\n`);
  writeLabels(w, 0, 'Labels', pod.metadata.labels);
  writeAnnotations(w, 0, pod.metadata.annotations);
  if (pod.metadata.deletionTimestamp !== undefined) {
    w.write(0, `Status:\tTerminating (lasts ${Math.max(0, Math.round((state.now - pod.metadata.deletionTimestamp) / 1000))}s)\n`);
    w.write(0, `Termination Grace Period:\t${pod.spec.terminationGracePeriodSeconds}s\n`);
  } else {
    w.write(0, `Status:\t${s.phase}\n`);
  }
  if (s.reason) w.write(0, `Reason:\t${s.reason}\n`);
  if (s.message) w.write(0, `Message:\t${s.message}\n`);
  w.write(0, `IP:\t${s.podIP ?? ''}\n`);
  if (s.podIP) {
    w.write(0, 'IPs:\n');
    w.write(1, `IP:\t${s.podIP}\n`);
  } else {
    w.write(0, 'IPs:\t<none>\n');
  }
  const controller = pod.metadata.ownerReferences.find((o) => o.controller);
  if (controller) w.write(0, `Controlled By:\t${controller.kind}/${controller.name}\n`);
  if (s.nominatedNodeName) w.write(0, `NominatedNodeName:\t${s.nominatedNodeName}\n`);

  w.write(0, 'Containers:\n');
  for (const c of pod.spec.containers) writeContainer(w, state, pod, c, s.containerStatuses.find((cs) => cs.name === c.name));
  // pkg/describe/describe.go describePod: the same layout; they mount no volumes.
  if (pod.spec.ephemeralContainers?.length) {
    w.write(0, 'Ephemeral Containers:\n');
    for (const c of pod.spec.ephemeralContainers) writeContainer(w, state, pod, c, s.ephemeralContainerStatuses?.find((cs) => cs.name === c.name), false);
  }

  w.write(0, 'Conditions:\n');
  w.write(1, 'Type\tStatus\n');
  for (const type of ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'] as const) {
    const cond = s.conditions.find((c) => c.type === type);
    if (cond) w.write(1, `${cond.type} \t${cond.status} \n`);
  }
  w.write(0, 'Volumes:\n');
  // printPersistentVolumeClaimVolumeSource (pkg/describe/describe.go), in the spec's order before the token volume.
  for (const c of pod.spec.claims ?? []) {
    w.write(1, `${c.volume}:\n`);
    w.write(2, 'Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n');
    w.write(2, `ClaimName:\t${c.claimName}\n`);
    w.write(2, `ReadOnly:\t${c.readOnly === true}\n`);
  }
  // printHostPathVolumeSource, in the manifest's (name) order.
  for (const v of [...pod.spec.hostPaths ?? []].sort((a, b) => a.volume.localeCompare(b.volume))) {
    w.write(1, `${v.volume}:\n`);
    w.write(2, 'Type:\tHostPath (bare host directory volume)\n');
    w.write(2, `Path:\t${v.path}\n`);
    w.write(2, `HostPathType:\t${v.type}\n`);
  }
  // The ServiceAccount admission plugin mounts the token volume, but never into a mirror (static) pod.
  if (admission.tokenVolume) {
    w.write(1, `${admission.tokenVolume}:\n`);
    w.write(2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
    w.write(2, 'TokenExpirationSeconds:\t3607\n');
    w.write(2, 'ConfigMapName:\tkube-root-ca.crt\n');
    w.write(2, 'ConfigMapOptional:\t<nil>\n');
    w.write(2, 'DownwardAPI:\ttrue\n');
  }
  w.write(0, `QoS Class:\t${s.qosClass}\n`);
  writeMultiline(w, 0, 'Node-Selectors', Object.entries(pod.spec.nodeSelector).sort().map(([k, v]) => `${k}=${v}`));
  // Sorted by key (sort.Slice: an insertion sort, so stable, for the few a pod has).
  const byKey = [...pod.spec.tolerations].sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0));
  writeMultiline(w, 0, 'Tolerations', byKey.map(tolerationString));
  writeEvents(w, state, pod.metadata.uid);
  return w.done();
}

/**
 * A container's ports (describe.go describeContainerBasicInfo): `Ports:` when there are
 * several (the list holds a comma), `Port:` otherwise; the same for its host ports.
 */
export function writePorts(w: DescribeWriter, c: ContainerSpec): void {
  if (c.ports.length === 0) {
    w.write(2, 'Port:\t<none>\n');
    w.write(2, 'Host Port:\t<none>\n');
    return;
  }
  const plural = c.ports.length > 1 ? 's' : '';
  w.write(2, `Port${plural}:\t${c.ports.map((p) => `${p.containerPort}/${p.protocol}`).join(', ')}\n`);
  w.write(2, `Host Port${plural}:\t${c.ports.map((p) => `0/${p.protocol}`).join(', ')}\n`);
}

/** kubectl describeContainerCommand: one line per word, each line of a word on its own. */
export function writeContainerCommand(w: DescribeWriter, c: ContainerSpec): void {
  for (const [title, words] of [['Command', c.command], ['Args', c.args]] as const) {
    if (!words?.length) continue;
    w.write(2, `${title}:\n`);
    for (const line of words.flatMap((word) => word.split('\n'))) w.write(3, `${line}\n`);
  }
}

function writeContainer(w: DescribeWriter, state: ClusterState, pod: Pod, c: ContainerSpec, status: ContainerStatus | undefined, tokenMounted = true): void {
  // describeContainerBasicInfo and describeContainers (kubectl v1.29 pkg/describe/describe.go): a
  // container without a status (its pod unscheduled) has no Container ID, Image ID, State, Ready
  // nor Restart Count lines; one with a status has them all, empty or not.
  w.write(1, `${c.name}:\n`);
  if (status) w.write(2, `Container ID:\t${status.containerID}\n`);
  w.write(2, `Image:\t${c.image}\n`);
  if (status) w.write(2, `Image ID:\t${status.imageID}\n`);
  writePorts(w, c);
  writeContainerCommand(w, c);
  if (status) {
    writeState(w, state, 'State', status.state);
    if (status.lastState) writeState(w, state, 'Last State', status.lastState);
    w.write(2, `Ready:\t${status.ready ? 'True' : 'False'}\n`);
    w.write(2, `Restart Count:\t${status.restartCount}\n`);
  }
  writeResources(w, 'Limits', c.resources.limits);
  writeResources(w, 'Requests', c.resources.requests);
  if (c.livenessProbe) w.write(2, `Liveness:\t${probeString(c.livenessProbe)}\n`);
  if (c.readinessProbe) w.write(2, `Readiness:\t${probeString(c.readinessProbe)}\n`);
  if (c.env.length === 0) {
    w.write(2, 'Environment:\t<none>\n');
  } else {
    w.write(2, 'Environment:\n');
    for (const e of c.env) w.write(3, `${e.name}:\t${e.value}\n`);
  }
  // describeContainerVolumes: sorted by mount path, (ro) or (rw).
  const mounts = (pod.spec.hostPaths ?? []).map((v) => [v.mountPath, v.volume, v.readOnly === true] as const);
  const token = podAdmission(state, pod).tokenVolume;
  if (token && tokenMounted) mounts.push([TOKEN_MOUNT_PATH, token, true]);
  w.write(2, mounts.length === 0 ? 'Mounts:\t<none>\n' : 'Mounts:\n');
  for (const [path, volume, ro] of mounts.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) w.write(3, `${path} from ${volume} (${ro ? 'ro' : 'rw'})\n`);
}

function writeState(w: DescribeWriter, state: ClusterState, title: string, s: ContainerStateValue): void {
  switch (s.kind) {
    case 'running':
      w.write(2, `${title}:\tRunning\n`);
      w.write(3, `Started:\t${rfc1123z(state, s.startedAt)}\n`);
      return;
    case 'waiting':
      // describe.go describeStatus prints a waiting state's reason only, not its message.
      w.write(2, `${title}:\tWaiting\n`);
      if (s.reason) w.write(3, `Reason:\t${s.reason}\n`);
      return;
    case 'terminated':
      w.write(2, `${title}:\tTerminated\n`);
      if (s.reason) w.write(3, `Reason:\t${s.reason}\n`);
      if (s.message) w.write(3, `Message:\t${s.message}\n`);
      w.write(3, `Exit Code:\t${s.exitCode}\n`);
      w.write(3, `Started:\t${rfc1123z(state, s.startedAt)}\n`);
      w.write(3, `Finished:\t${rfc1123z(state, s.finishedAt)}\n`);
  }
}

function writeResources(w: DescribeWriter, title: string, r: Partial<ResourceList>): void {
  const entries: string[] = [];
  if (r.cpu !== undefined) entries.push(`cpu:\t${formatCpu(r.cpu)}`);
  if (r.ephemeralStorage !== undefined) entries.push(`ephemeral-storage:\t${formatBytes(r.ephemeralStorage)}`);
  if (r.memory !== undefined) entries.push(`memory:\t${formatBytes(r.memory)}`);
  if (entries.length === 0) return;
  w.write(2, `${title}:\n`);
  for (const e of entries) w.write(3, `${e}\n`);
}

/** `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`. */
export function probeString(p: Probe): string {
  const action = p.type === 'http' ? `http-get http://:${p.port ?? 80}${p.path ?? '/'}`
    : p.type === 'tcp' ? `tcp-socket :${p.port ?? 80}`
      : `exec [${(p.command ?? []).join(' ')}]`;
  return `${action} delay=${p.initialDelaySeconds}s timeout=1s period=${p.periodSeconds}s #success=1 #failure=${p.failureThreshold}`;
}
