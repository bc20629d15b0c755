// The pod parts of a manifest (pod spec, containers, probes, tolerations, node affinity,
// templates) back into the model, on top of the stored values so fields the manifest does
// not carry (simulated behaviour, tolerationSeconds) are kept.
import { parseBytes, parseCpu } from '../../cluster/quantity.js';
import type {
  ContainerBehavior, ContainerSpec, NodeSelectorRequirement, PodDNSConfig, PodSpec, PodTemplate, Probe, ResourceList, Toleration,
} from '../../cluster/types.js';
import type { Json } from './manifest.js';
import {
  child, readArray, readBool, readEnum, readInt, readIntOrString, readObject, readString, readStringList, readStringMap,
  type Findings,
} from './manifest-fields.js';

const POD_SPEC_FIELDS = [
  'containers', 'initContainers', 'ephemeralContainers', 'restartPolicy', 'terminationGracePeriodSeconds', 'activeDeadlineSeconds',
  'dnsPolicy', 'dnsConfig', 'nodeSelector', 'serviceAccountName', 'serviceAccount', 'automountServiceAccountToken', 'nodeName',
  'hostNetwork', 'hostPID', 'hostIPC', 'shareProcessNamespace', 'securityContext', 'imagePullSecrets', 'hostname', 'subdomain',
  'affinity', 'schedulerName', 'tolerations', 'hostAliases', 'priorityClassName', 'priority', 'readinessGates', 'runtimeClassName',
  'enableServiceLinks', 'preemptionPolicy', 'overhead', 'topologySpreadConstraints', 'setHostnameAsFQDN', 'os', 'hostUsers',
  'schedulingGates', 'resourceClaims', 'volumes',
] as const;

const CONTAINER_FIELDS = [
  'name', 'image', 'command', 'args', 'workingDir', 'ports', 'envFrom', 'env', 'resources', 'resizePolicy', 'restartPolicy',
  'volumeMounts', 'volumeDevices', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'terminationMessagePath',
  'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty',
] as const;

const PROBE_FIELDS = [
  'exec', 'httpGet', 'tcpSocket', 'grpc', 'initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold',
  'failureThreshold', 'terminationGracePeriodSeconds',
] as const;

const QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** Sets an optional property, or removes it when the manifest leaves it out. */
function setOptional<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

function readResourceList(f: Findings, v: Json | undefined, path: string): Partial<ResourceList> {
  const o = readObject(f, v, path, 'any') ?? {};
  const out: Partial<ResourceList> = {};
  const quantity = (name: string, parse: (q: string | number) => number | null): number | undefined => {
    const raw = o[name];
    if (raw === undefined || raw === null) return undefined;
    const parsed = typeof raw === 'string' || typeof raw === 'number' ? parse(raw) : null;
    if (parsed === null) f.decode.push(QUANTITY_ERROR);
    return parsed ?? undefined;
  };
  setOptional(out, 'cpu', quantity('cpu', parseCpu));
  setOptional(out, 'memory', quantity('memory', parseBytes));
  setOptional(out, 'ephemeralStorage', quantity('ephemeral-storage', parseBytes));
  return out;
}

function readResources(f: Findings, v: Json | undefined, path: string): ContainerSpec['resources'] {
  const o = readObject(f, v, path, ['limits', 'requests', 'claims']) ?? {};
  const resources = { requests: readResourceList(f, o.requests, `${path}.requests`), limits: readResourceList(f, o.limits, `${path}.limits`) };
  for (const name of ['cpu', 'memory'] as const) {
    const request = resources.requests[name];
    const limit = resources.limits[name];
    if (request !== undefined && limit !== undefined && request > limit) {
      const raw = (list: Json | undefined): string => String((list as Record<string, Json>)[name]);
      f.causes.push(`${path}.requests: Invalid value: "${raw(o.requests)}": must be less than or equal to ${name} limit of ${raw(o.limits)}`);
    }
    // The apiserver's defaulting (SetDefaults_Pod): a limit without a request requests the limit.
    if (request === undefined && limit !== undefined) resources.requests[name] = limit;
  }
  return resources;
}

/** A probe port: a number, or a container port's name. */
function probePort(value: number | string | undefined, ports: ContainerSpec['ports']): number | undefined {
  if (typeof value === 'number' || value === undefined) return value;
  return /^\d+$/.test(value) ? Number(value) : ports.find((p) => p.name === value)?.containerPort;
}

function readProbe(f: Findings, v: Json | undefined, path: string, ports: ContainerSpec['ports']): Probe | undefined {
  const o = readObject(f, v, path, PROBE_FIELDS);
  if (!o) return undefined;
  const http = readObject(f, o.httpGet, `${path}.httpGet`, ['path', 'port', 'host', 'scheme', 'httpHeaders']);
  const tcp = readObject(f, o.tcpSocket, `${path}.tcpSocket`, ['port', 'host']);
  const exec = readObject(f, o.exec, `${path}.exec`, ['command']);
  const probe: Probe = {
    type: http ? 'http' : tcp ? 'tcp' : 'exec',
    initialDelaySeconds: readInt(f, o.initialDelaySeconds, `${path}.initialDelaySeconds`) ?? 0,
    periodSeconds: readInt(f, o.periodSeconds, `${path}.periodSeconds`) ?? 10,
    failureThreshold: readInt(f, o.failureThreshold, `${path}.failureThreshold`) ?? 3,
  };
  readInt(f, o.timeoutSeconds, `${path}.timeoutSeconds`);
  readInt(f, o.successThreshold, `${path}.successThreshold`);
  if (http) {
    setOptional(probe, 'path', readString(f, http.path, `${path}.httpGet.path`));
    setOptional(probe, 'port', probePort(readIntOrString(f, http.port, `${path}.httpGet.port`), ports));
  } else if (tcp) {
    setOptional(probe, 'port', probePort(readIntOrString(f, tcp.port, `${path}.tcpSocket.port`), ports));
  } else if (exec) {
    setOptional(probe, 'command', readStringList(f, exec.command, `${path}.exec.command`));
  } else if (!o.grpc) {
    f.causes.push(`${path}: Required value: must specify a handler type`);
  }
  return probe;
}

function readContainer(f: Findings, v: Json, path: string, stored: ContainerSpec[]): ContainerSpec | undefined {
  const o = readObject(f, v, path, CONTAINER_FIELDS);
  if (!o) return undefined;
  const name = readString(f, o.name, `${path}.name`) ?? '';
  const image = readString(f, o.image, `${path}.image`) ?? '';
  if (name === '') f.causes.push(`${path}.name: Required value`);
  if (image === '') f.causes.push(`${path}.image: Required value`);
  const previous = stored.find((c) => c.name === name);
  const c: ContainerSpec = previous ? structuredClone(previous) : { name, image, ports: [], resources: { requests: {}, limits: {} }, env: [] };
  c.image = image;
  setOptional(c, 'command', readStringList(f, o.command, `${path}.command`));
  setOptional(c, 'args', readStringList(f, o.args, `${path}.args`));
  c.ports = readArray(f, o.ports, `${path}.ports`).flatMap((e) => {
    const p = readObject(f, e.value, e.path, ['name', 'containerPort', 'protocol', 'hostPort', 'hostIP']);
    if (!p) return [];
    const port: ContainerSpec['ports'][number] = {
      containerPort: readInt(f, p.containerPort, `${e.path}.containerPort`) ?? 0,
      protocol: readEnum(f, p.protocol, `${e.path}.protocol`, ['TCP', 'UDP'] as const, 'TCP'),
    };
    const portName = readString(f, p.name, `${e.path}.name`);
    return [portName === undefined ? port : { name: portName, ...port }];
  });
  c.env = readArray(f, o.env, `${path}.env`).flatMap((e) => {
    const env = readObject(f, e.value, e.path, ['name', 'value', 'valueFrom']);
    return env ? [{ name: readString(f, env.name, `${e.path}.name`) ?? '', value: readString(f, env.value, `${e.path}.value`) ?? '' }] : [];
  });
  c.resources = readResources(f, o.resources, `${path}.resources`);
  setOptional(c, 'readinessProbe', readProbe(f, o.readinessProbe, `${path}.readinessProbe`, c.ports));
  setOptional(c, 'livenessProbe', readProbe(f, o.livenessProbe, `${path}.livenessProbe`, c.ports));
  readEnum(f, o.imagePullPolicy, `${path}.imagePullPolicy`, ['Always', 'IfNotPresent', 'Never'] as const);
  for (const field of ['stdin', 'stdinOnce', 'tty'] as const) setOptional(c, field, readBool(f, o[field], `${path}.${field}`) || undefined);
  return c;
}

function readTolerations(f: Findings, v: Json | undefined, path: string, stored: Toleration[]): Toleration[] {
  return readArray(f, v, path).flatMap((e) => {
    const o = readObject(f, e.value, e.path, ['key', 'operator', 'value', 'effect', 'tolerationSeconds']);
    if (!o) return [];
    const t: Toleration = {};
    setOptional(t, 'key', readString(f, o.key, `${e.path}.key`));
    setOptional(t, 'operator', readEnum(f, o.operator, `${e.path}.operator`, ['Exists', 'Equal'] as const));
    setOptional(t, 'value', readString(f, o.value, `${e.path}.value`));
    setOptional(t, 'effect', readEnum(f, o.effect, `${e.path}.effect`, ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const));
    // A manifest without tolerationSeconds keeps the stored value of the same toleration.
    const seconds = readInt(f, o.tolerationSeconds, `${e.path}.tolerationSeconds`)
      ?? stored.find((s) => s.key === t.key && s.operator === t.operator && s.value === t.value && s.effect === t.effect)?.tolerationSeconds;
    setOptional(t, 'tolerationSeconds', seconds);
    return [t];
  });
}

function readNodeAffinity(f: Findings, v: Json | undefined, path: string): NodeSelectorRequirement[][] | undefined {
  const affinity = readObject(f, v, path, ['nodeAffinity', 'podAffinity', 'podAntiAffinity']);
  const nodePath = `${path}.nodeAffinity`;
  const node = readObject(f, affinity?.nodeAffinity, nodePath, ['requiredDuringSchedulingIgnoredDuringExecution', 'preferredDuringSchedulingIgnoredDuringExecution']);
  const requiredPath = `${nodePath}.requiredDuringSchedulingIgnoredDuringExecution`;
  const required = readObject(f, node?.requiredDuringSchedulingIgnoredDuringExecution, requiredPath, ['nodeSelectorTerms']);
  if (!required) return undefined;
  return readArray(f, required.nodeSelectorTerms, `${requiredPath}.nodeSelectorTerms`).map((term) => {
    const t = readObject(f, term.value, term.path, ['matchExpressions', 'matchFields']);
    return readArray(f, t?.matchExpressions, `${term.path}.matchExpressions`).flatMap((e) => {
      const x = readObject(f, e.value, e.path, ['key', 'operator', 'values']);
      if (!x) return [];
      const req: NodeSelectorRequirement = {
        key: readString(f, x.key, `${e.path}.key`) ?? '',
        operator: readEnum(f, x.operator, `${e.path}.operator`, ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const, 'In'),
      };
      setOptional(req, 'values', readStringList(f, x.values, `${e.path}.values`));
      return [req];
    });
  });
}

/** The volumes that name a PersistentVolumeClaim (the only volume kind the model keeps). */
function readClaims(f: Findings, v: Json | undefined, path: string): NonNullable<PodSpec['claims']> {
  return readArray(f, v, path).flatMap((e) => {
    const volume = readObject(f, e.value, e.path, 'any');
    const source = readObject(f, volume?.persistentVolumeClaim, `${e.path}.persistentVolumeClaim`, ['claimName', 'readOnly']);
    if (!volume || !source) return [];
    const claimName = readString(f, source.claimName, `${e.path}.persistentVolumeClaim.claimName`) ?? '';
    if (claimName === '') f.causes.push(`${e.path}.persistentVolumeClaim.claimName: Required value`);
    const readOnly = readBool(f, source.readOnly, `${e.path}.persistentVolumeClaim.readOnly`);
    return [{ volume: readString(f, volume.name, `${e.path}.name`) ?? '', claimName, ...(readOnly ? { readOnly } : {}) }];
  });
}

/** `dnsConfig`: nameservers, searches and resolver options (`{name, value}`), as the pod's resolv.conf gets them. */
function readDnsConfig(f: Findings, v: Json | undefined, path: string): PodDNSConfig | undefined {
  if (v === undefined || v === null) return undefined;
  const o = readObject(f, v, path, ['nameservers', 'searches', 'options']) ?? {};
  const config: PodDNSConfig = {};
  setOptional(config, 'nameservers', readStringList(f, o.nameservers, child(path, 'nameservers')));
  setOptional(config, 'searches', readStringList(f, o.searches, child(path, 'searches')));
  if (o.options !== undefined && o.options !== null) {
    config.options = readArray(f, o.options, child(path, 'options')).flatMap((e) => {
      const x = readObject(f, e.value, e.path, ['name', 'value']);
      if (!x) return [];
      const option: { name: string; value?: string } = { name: readString(f, x.name, `${e.path}.name`) ?? '' };
      setOptional(option, 'value', readString(f, x.value, `${e.path}.value`));
      return [option];
    });
  }
  return config;
}

/** A pod spec from the manifest; `stored` is the current one (containers matched by name). */
export function readPodSpec(f: Findings, v: Json | undefined, path: string, stored: PodSpec | undefined): PodSpec {
  const o = readObject(f, v, path, POD_SPEC_FIELDS) ?? {};
  const containers = readArray(f, o.containers, child(path, 'containers'))
    .map((e) => readContainer(f, e.value, e.path, stored?.containers ?? []))
    .filter((c) => c !== undefined);
  if (containers.length === 0) f.causes.push(`${child(path, 'containers')}: Required value`);
  containers.forEach((c, i) => {
    if (containers.findIndex((x) => x.name === c.name) < i) f.causes.push(`${child(path, 'containers')}[${i}].name: Duplicate value: "${c.name}"`);
  });
  const spec: PodSpec = stored ? structuredClone(stored) : {
    containers, nodeSelector: {}, tolerations: [], restartPolicy: 'Always', hostNetwork: false, dnsPolicy: 'ClusterFirst',
    serviceAccountName: 'default', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30,
  };
  spec.containers = containers;
  spec.restartPolicy = readEnum(f, o.restartPolicy, child(path, 'restartPolicy'), ['Always', 'OnFailure', 'Never'] as const, 'Always');
  spec.terminationGracePeriodSeconds = readInt(f, o.terminationGracePeriodSeconds, child(path, 'terminationGracePeriodSeconds')) ?? 30;
  spec.dnsPolicy = readEnum(f, o.dnsPolicy, child(path, 'dnsPolicy'), ['ClusterFirst', 'Default', 'ClusterFirstWithHostNet'] as const, 'ClusterFirst');
  setOptional(spec, 'dnsConfig', readDnsConfig(f, o.dnsConfig, child(path, 'dnsConfig')));
  spec.nodeSelector = readStringMap(f, o.nodeSelector, child(path, 'nodeSelector'));
  spec.serviceAccountName = readString(f, o.serviceAccountName, child(path, 'serviceAccountName'))
    ?? readString(f, o.serviceAccount, child(path, 'serviceAccount')) ?? 'default';
  setOptional(spec, 'nodeName', readString(f, o.nodeName, child(path, 'nodeName')) || undefined);
  spec.hostNetwork = readBool(f, o.hostNetwork, child(path, 'hostNetwork')) ?? false;
  setOptional(spec, 'nodeAffinity', readNodeAffinity(f, o.affinity, child(path, 'affinity')));
  spec.schedulerName = readString(f, o.schedulerName, child(path, 'schedulerName')) ?? 'default-scheduler';
  spec.tolerations = readTolerations(f, o.tolerations, child(path, 'tolerations'), stored?.tolerations ?? []);
  setOptional(spec, 'priorityClassName', readString(f, o.priorityClassName, child(path, 'priorityClassName')) || undefined);
  const deadline = readInt(f, o.activeDeadlineSeconds, child(path, 'activeDeadlineSeconds'));
  // ValidatePodSpec: 1..MaxInt32 (validation.InclusiveRangeError).
  if (deadline !== undefined && (deadline < 1 || deadline > 2147483647)) {
    f.causes.push(`${child(path, 'activeDeadlineSeconds')}: Invalid value: ${deadline}: must be between 1 and 2147483647, inclusive`);
  }
  setOptional(spec, 'activeDeadlineSeconds', deadline);
  const claims = readClaims(f, o.volumes, child(path, 'volumes'));
  setOptional(spec, 'claims', claims.length > 0 ? claims : undefined);
  return spec;
}

/** Simulated behaviour per container: kept for containers that stay, none for new ones. */
export function behaviorFor(spec: PodSpec, stored: Record<string, ContainerBehavior> | undefined): Record<string, ContainerBehavior> {
  return Object.fromEntries(spec.containers.map((c) => [c.name, structuredClone(stored?.[c.name] ?? {})]));
}

/** A pod template (`spec.template`) from the manifest. */
export function readTemplate(f: Findings, v: Json | undefined, path: string, stored: PodTemplate | undefined): PodTemplate {
  const o = readObject(f, v, path, ['metadata', 'spec']);
  const meta = readObject(f, o?.metadata, `${path}.metadata`, ['labels', 'annotations', 'creationTimestamp', 'name', 'namespace', 'generateName']);
  const podSpec = readPodSpec(f, o?.spec, `${path}.spec`, stored?.spec);
  return {
    metadata: {
      labels: readStringMap(f, meta?.labels, `${path}.metadata.labels`),
      annotations: readStringMap(f, meta?.annotations, `${path}.metadata.annotations`),
    },
    spec: podSpec,
    behavior: behaviorFor(podSpec, stored?.behavior),
  };
}
