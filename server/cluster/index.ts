// Public API of the simulated cluster.
export type * from './types.js';
export { ClusterSpecSchema, type ClusterSpec, type ClusterSpecInput } from './spec.js';
export { createCluster } from './build.js';
export { demoClusterSpec } from './demo.js';
export { tick } from './tick.js';
export { seedRng, nextFloat, randomInt, pick, randomHex, randomSuffix } from './rng.js';
export { parseQuantity, parseCpu, parseBytes, formatCpu, formatBytes, formatHumanBytes, parseDuration } from './quantity.js';
export {
  apiUnavailable, writeRefused, createObject, updateObject, mutateObject, deleteObject, getObject, newUid, objectKey, keyOf,
  NOSPACE_MESSAGE, resourceName, objectsOfKind, type Kind, type KindMap, type DeleteOptions,
} from './api.js';
export { recordEvent, refOf, eventsFor, type InvolvedObject } from './events.js';
export { etcdCompact, etcdDefrag, etcdDisarm, etcdDeleteDataDir } from './etcd.js';
export { containerLogs, wallClock } from './logs.js';
export { setUnitActive, kubeletWorking } from './host.js';
export { containerUsage, imageID } from './controllers/containers.js';
export { templateHash } from './controllers/deployment.js';
export { nodeIP } from './controllers/kubelet.js';
export { allocateServiceIP, allocateNodePort } from './ipam.js';
export { podFromTemplate, podRequests, matchesSelector, qosClass, newMeta, ownerRef } from './objects.js';
export { defaultCorefile } from './addons.js';
