import { describe, expect, it } from 'vitest';
import {
  apiUnavailable, createCluster, deleteObject, demoClusterSpec, etcdCompact, etcdDefrag, etcdDeleteDataDir, etcdDisarm, getObject, mutateObject, tick,
} from '../../server/cluster/index.js';

const MiB = 2 ** 20;

function fillingCluster() {
  return createCluster({ ...demoClusterSpec, etcd: { quotaBackendBytes: '100Mi', dbSize: '96Mi', dbSizeInUse: '90Mi', writesPerSecond: 40, writeBytesPerSecond: '256Ki' } }, 21);
}

describe('etcd', () => {
  it('fills up → NOSPACE → writes fail, reads work → compact + defrag + disarm → writes work', () => {
    const s = fillingCluster();
    expect(s.etcd.alarms).toEqual([]);
    const startRev = s.etcd.revision;
    tick(s, 20_000);
    expect(s.etcd.revision).toBeGreaterThan(startRev + 500); // 40 writes/s until the alarm (~16 s)
    expect(s.etcd.alarms).toEqual([{ memberID: s.etcd.members[0]!.id, alarm: 'NOSPACE' }]);
    expect(s.etcd.logs.some((l) => JSON.parse(l.text).msg === 'alarm raised')).toBe(true);

    // writes fail with etcd's own message, deletes too; reads keep working
    const scale = mutateObject(s, 'Deployment', 'default/web', (d) => void (d.spec.replicas = 5));
    expect(scale).toEqual({ ok: false, error: { status: 500, reason: 'InternalError', message: 'etcdserver: mvcc: database space exceeded' } });
    expect(s.deployments['default/web']!.spec.replicas).toBe(3);
    expect(deleteObject(s, 'Pod', Object.keys(s.pods).find((k) => k.startsWith('default/web-'))!).ok).toBe(false);
    expect(getObject(s, 'Deployment', 'default/web')).toBeDefined();
    expect(apiUnavailable(s)).toBeNull();

    // the apiserver suffers: errors in its log, memory grows; the history stops growing
    const mem = s.controlPlane.apiserver.memory;
    const frozenRev = s.etcd.revision;
    tick(s, 10_000);
    expect(s.controlPlane.apiserver.memory).toBeGreaterThan(mem);
    expect(s.etcd.revision).toBe(frozenRev);
    expect(s.controlPlane.apiserver.logs.at(-1)!.text).toContain('etcdserver: mvcc: database space exceeded');

    // compaction frees pages inside the file but not the file
    const before = { size: s.etcd.dbSize, inUse: s.etcd.dbSizeInUse };
    expect(etcdCompact(s, s.etcd.revision)).toEqual({ ok: true, value: { revision: frozenRev } });
    expect(s.etcd.dbSizeInUse).toBeLessThan(before.inUse);
    expect(s.etcd.dbSize).toBe(before.size);
    // disarming while still over quota: the alarm comes straight back
    expect(etcdDisarm(s)).toHaveLength(1);
    expect(s.etcd.alarms).toHaveLength(1);

    const defrag = etcdDefrag(s);
    expect(defrag.ok && defrag.value.before === before.size && defrag.value.after < 100 * MiB).toBe(true);
    expect(etcdDisarm(s)).toEqual([{ memberID: s.etcd.members[0]!.id, alarm: 'NOSPACE' }]);
    expect(s.etcd.alarms).toEqual([]);
    expect(mutateObject(s, 'Deployment', 'default/web', (d) => void (d.spec.replicas = 4)).ok).toBe(true);
    tick(s, 5000);
    expect(Object.values(s.pods).filter((p) => p.metadata.name.startsWith('web-') && p.status.phase === 'Running')).toHaveLength(4);
  });

  it('compact refuses old and future revisions with the real errors', () => {
    const s = fillingCluster();
    expect(etcdCompact(s, s.etcd.compactedRevision)).toMatchObject({ ok: false, error: { message: 'etcdserver: mvcc: required revision has been compacted' } });
    expect(etcdCompact(s, s.etcd.revision + 10)).toMatchObject({ ok: false, error: { message: 'etcdserver: mvcc: required revision is a future revision' } });
  });

  it('every API write bumps the revision and stamps resourceVersion', () => {
    const s = createCluster(demoClusterSpec, 1);
    s.etcd.writesPerSecond = 0;
    const rev = s.etcd.revision;
    const size = s.etcd.dbSize;
    const res = mutateObject(s, 'Deployment', 'default/api', (d) => void (d.spec.replicas = 2));
    expect(res.ok && res.value.metadata.resourceVersion).toBe(rev + 1);
    expect(s.etcd.dbSize).toBeGreaterThan(size);
  });

  it('the etcd data disk follows the database size', () => {
    const s = fillingCluster();
    const root = () => s.nodes['cp-1']!.host.filesystems.find((f) => f.mount === '/')!;
    const used = root().used;
    tick(s, 10_000);
    expect(root().used).toBeGreaterThan(used);
  });

  it('deleting the data dir takes the apiserver down: connection refused', () => {
    const s = createCluster(demoClusterSpec, 1);
    etcdDeleteDataDir(s);
    expect(apiUnavailable(s)).toEqual({ status: 0, reason: 'ServiceUnavailable', message: 'The connection to the server 10.0.1.10:6443 was refused - did you specify the right host or port?' });
    expect(mutateObject(s, 'Deployment', 'default/web', () => undefined).ok).toBe(false);
  });
});
