// etcd: background write load grows the revision and the backend; at the quota the
// NOSPACE alarm is raised and every write fails with "mvcc: database space exceeded"
// while reads keep working. The maintenance API below is what etcdctl calls.
import { commitWrite, ETCD_TIMEOUT_MESSAGE, NOSPACE_MESSAGE } from './api.js';
import { etcdDiskFull, syncEtcdDisk } from './host.js';
import { appendLog, etcdLog, klog } from './logs.js';
import { etcdHandshakeFailure, expiredCert } from './pki.js';
import type { ApiResult, ClusterState, EtcdState } from './types.js';

const etcdErr = (message: string): { ok: false; error: { status: number; reason: 'InternalError'; message: string } } => ({
  ok: false, error: { status: 500, reason: 'InternalError', message },
});

const memberID = (state: ClusterState) => state.etcd.members[0]?.id ?? '8e9e05c52164694d';
const hasNospace = (e: EtcdState) => e.alarms.some((a) => a.alarm === 'NOSPACE');
/** The apiserver holds on to failed requests and watch caches while etcd refuses writes. */
const APISERVER_LEAK_PER_SECOND = 3 * 2 ** 20;
const APISERVER_MAX_MEMORY = 3.5 * 2 ** 30;

function log(state: ClusterState, level: 'info' | 'warn' | 'error' | 'fatal', caller: string, msg: string, fields: Record<string, unknown> = {}): void {
  appendLog(state.etcd.logs, etcdLog(state, state.now, level, caller, msg, fields));
}

function raiseNospace(state: ClusterState): void {
  const e = state.etcd;
  if (hasNospace(e)) return;
  e.alarms.push({ memberID: memberID(state), alarm: 'NOSPACE' });
  log(state, 'warn', 'etcdserver/server.go:1130', 'alarm raised', { alarm: 'NOSPACE', from: memberID(state) });
  log(state, 'warn', 'etcdserver/util.go:170', 'apply request took too long', { took: '112.53ms', expected: '100ms', error: NOSPACE_MESSAGE });
}

/** Over quota → NOSPACE. Called after every change of dbSize. */
export function checkQuota(state: ClusterState): void {
  if (state.etcd.dbSize >= state.etcd.quotaBackendBytes) raiseNospace(state);
}

/** Why etcd refuses the apiserver's writes right now (the message the apiserver passes on), or null. */
function refusal(state: ClusterState): string | null {
  if (hasNospace(state.etcd)) return NOSPACE_MESSAGE;
  if (etcdDiskFull(state)) return ETCD_TIMEOUT_MESSAGE;
  return null;
}

const crossed = (state: ClusterState, dtMs: number, periodMs: number) => Math.floor((state.now - dtMs) / periodMs) !== Math.floor(state.now / periodMs);

/** One step of etcd and of the apiserver's health that depends on it. */
export function tickEtcd(state: ClusterState, dtMs: number): void {
  const e = state.etcd;
  const running = e.healthy && !e.dataLost;
  if (running && refusal(state) === null && e.writesPerSecond > 0) {
    const seconds = dtMs / 1000;
    const writes = Math.max(1, Math.round(e.writesPerSecond * seconds));
    commitWrite(state, e.writeBytesPerSecond * seconds);
    e.revision += writes - 1;
    e.raftIndex += writes - 1;
  }
  if (running) checkQuota(state);
  const refused = running ? refusal(state) : null;
  const api = state.controlPlane.apiserver;
  if (refused && api.running) {
    api.memory = Math.min(APISERVER_MAX_MEMORY, api.memory + APISERVER_LEAK_PER_SECOND * (dtMs / 1000));
    if (crossed(state, dtMs, 5000)) {
      const err = refused === NOSPACE_MESSAGE ? `rpctypes.EtcdError{code:0x8, desc:"${NOSPACE_MESSAGE}"}` : `rpctypes.EtcdError{code:0xe, desc:"${ETCD_TIMEOUT_MESSAGE}"}`;
      appendLog(api.logs, klog(state, state.now, 'E', 'status.go:71', `apiserver received an error that is not an metav1.Status: ${err}: ${refused}`));
      appendLog(api.logs, klog(state, state.now, 'E', 'controller.go:193', `"Failed to update lease" err="${refused}"`));
    }
    // etcd itself keeps rejecting the apiserver's writes (its slow-apply warning carries the error).
    if (refused === NOSPACE_MESSAGE && crossed(state, dtMs, 30_000)) {
      const took = `${100 + ((state.now / 1000) * 37) % 900}.${String((state.now / 1000) * 113 % 1000).padStart(3, "0")}ms`;
      log(state, 'warn', 'etcdserver/util.go:170', 'apply request took too long', { took, expected: '100ms', prefix: '', request: `header:<ID:${memberID(state).slice(0, 12)}${String(e.raftIndex % 10000).padStart(4, '0')} > txn:<compare:<> success:<request_put:<key:"/registry/leases/kube-node-lease/${e.nodeName}" value_size:${540 + (e.revision % 40)} >> failure:<>>`, response: '', error: NOSPACE_MESSAGE });
    }
  }
  // A full disk: the WAL cannot grow, so raft stops committing (reads from the store still answer).
  if (running && refused === ETCD_TIMEOUT_MESSAGE && crossed(state, dtMs, 15_000)) {
    const seq = (e.raftIndex >>> 16).toString(16).padStart(16, '0');
    log(state, 'warn', 'wal/wal.go:808', 'failed to write WAL entries', { error: `write ${e.dataDir}/member/wal/${seq}-${e.raftIndex.toString(16).padStart(16, '0')}.wal: no space left on device` });
  }
  if (running && api.running && crossed(state, dtMs, 10_000)) etcdRejectsApiserver(state);
  syncEtcdDisk(state);
}

/**
 * etcd's serving certificate expired: the apiserver's handshake fails on both sides (each
 * side logs it). Returns whether it did.
 */
export function etcdRejectsApiserver(state: ClusterState): boolean {
  const expired = expiredCert(state, 'etcd-server');
  if (!expired) return false;
  log(state, 'warn', 'embed/config_logging.go:169', 'rejected connection', { 'remote-addr': `127.0.0.1:${40_000 + (Math.floor(state.now / 1000) * 7919) % 20_000}`, 'server-name': '', error: 'remote error: tls: bad certificate' });
  appendLog(state.controlPlane.apiserver.logs, klog(state, state.now, 'W', 'logging.go:59', etcdHandshakeFailure(state, expired)));
  return true;
}

/** `etcdctl compact REV`: forget history before REV (frees pages inside the file, not the file). */
export function etcdCompact(state: ClusterState, revision: number): ApiResult<{ revision: number }> {
  const e = state.etcd;
  if (!e.healthy || e.dataLost) return etcdErr('context deadline exceeded');
  if (revision <= e.compactedRevision) return etcdErr('etcdserver: mvcc: required revision has been compacted');
  if (revision > e.revision) return etcdErr('etcdserver: mvcc: required revision is a future revision');
  const live = liveBytes(state);
  const history = Math.max(0, e.dbSizeInUse - live);
  const freedShare = (revision - e.compactedRevision) / Math.max(1, e.revision - e.compactedRevision);
  e.dbSizeInUse = Math.round(live + history * (1 - freedShare));
  e.compactedRevision = revision;
  e.raftIndex++;
  log(state, 'info', 'mvcc/index.go:214', 'compact tree index', { revision });
  log(state, 'info', 'mvcc/kvstore_compaction.go:66', 'finished scheduled compaction', { 'compact-revision': revision, took: '1.021842458s', hash: 2_868_435_162 });
  return { ok: true, value: { revision } };
}

/** `etcdctl defrag`: rewrite the backend so its file shrinks to the data in use. */
export function etcdDefrag(state: ClusterState): ApiResult<{ before: number; after: number }> {
  const e = state.etcd;
  if (!e.healthy || e.dataLost) return etcdErr('context deadline exceeded');
  const before = e.dbSize;
  e.dbSize = e.dbSizeInUse;
  log(state, 'info', 'backend/backend.go:497', 'defragmenting', { path: `${e.dataDir}/member/snap/db`, 'current-db-size-bytes': before });
  log(state, 'info', 'backend/backend.go:549', 'finished defragmenting directory', { path: `${e.dataDir}/member/snap/db`, 'current-db-size-bytes-diff': e.dbSize - before, 'current-db-size-bytes': e.dbSize, took: '4.81204567s' });
  syncEtcdDisk(state);
  return { ok: true, value: { before, after: e.dbSize } };
}

/** `etcdctl alarm disarm`: returns the alarms it cleared; NOSPACE comes back at once if still over quota. */
export function etcdDisarm(state: ClusterState): EtcdState['alarms'] {
  const e = state.etcd;
  const cleared = e.alarms;
  e.alarms = [];
  for (const a of cleared) log(state, 'info', 'etcdserver/server.go:1148', 'alarm disarmed', { alarm: a.alarm, from: a.memberID });
  if (e.healthy && !e.dataLost) checkQuota(state);
  return cleared;
}

/** `rm -rf /var/lib/etcd` on the etcd node: etcd loses all its data (and the cluster with it). */
export function etcdDeleteDataDir(state: ClusterState): void {
  const e = state.etcd;
  e.dataLost = true;
  e.healthy = false;
  e.dbSize = 0;
  e.dbSizeInUse = 0;
  log(state, 'error', 'etcdserver/server.go:2036', 'failed to save raft hard state and entries', { error: `open ${e.dataDir}/member/wal: no such file or directory` });
  log(state, 'fatal', 'etcdmain/etcd.go:204', 'discovery failed', { error: `open ${e.dataDir}/member/snap/db: no such file or directory` });
  appendLog(state.controlPlane.apiserver.logs, klog(state, state.now, 'W', 'logging.go:59', `[core] [Channel #1 SubChannel #2] grpc: addrConn.createTransport failed to connect to {Addr: "127.0.0.1:2379", ServerName: "127.0.0.1", }. Err: connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:2379: connect: connection refused"`));
  syncEtcdDisk(state);
}

/** Bytes of the objects currently stored (what compaction cannot free). */
function liveBytes(state: ClusterState): number {
  const count = Object.keys(state.pods).length * 3_600 + Object.keys(state.replicasets).length * 2_200 + Object.keys(state.deployments).length * 2_400 +
    Object.keys(state.nodes).length * 4_800 + Object.keys(state.services).length * 1_600 + state.events.length * 650 + Object.keys(state.configmaps).length * 2_000;
  return Math.min(state.etcd.dbSizeInUse, count + 2 * 2 ** 20);
}
