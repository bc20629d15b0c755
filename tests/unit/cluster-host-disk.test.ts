// A full disk under etcd's data dir: large files a fault leaves on the control-plane node
// fill the root filesystem (a write that runs out of room stops short), etcd can no longer
// append to its WAL so every write times out while reads answer, and `rm` of the files
// gives the room back.
import { describe, expect, it } from 'vitest';
import { writeRefused } from '../../server/cluster/api.js';
import { etcdDiskFull, writeDataFile } from '../../server/cluster/host.js';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { evaluate } from '../../server/scenarios/predicates.js';
import { newSession, runLine } from '../../server/shell/index.js';

const GiB = 2 ** 30;

function clusterWithBackups() {
  const state = createCluster(demoClusterSpec, 3);
  const root = state.nodes['cp-1']!.host.filesystems.find((f) => f.mount === '/')!;
  const free = root.size - root.used;
  for (let i = 0; i < Math.ceil(free / (4 * GiB)) + 1; i++) writeDataFile(state, 'cp-1', `/var/backups/etcd/snap-${i}.db`, 4 * GiB, state.now - i * 3_600_000);
  const session = newSession(state);
  return { state, root, sh: (line: string) => runLine(state, session, line) };
}

describe('a full disk under etcd', () => {
  it('caps the last file, refuses writes with a timeout (no alarm), keeps reads, and logs the WAL failure', () => {
    const { state, root, sh } = clusterWithBackups();
    expect(root.used).toBe(root.size);
    const sizes = Object.values(state.nodes['cp-1']!.host.dataFiles!).map((f) => f.size);
    expect(sizes.filter((s) => s < 4 * GiB)).toHaveLength(2); // the one that ran out, and the one that found no room
    expect(etcdDiskFull(state)).toBe(true);
    expect(writeRefused(state)?.message).toBe('etcdserver: request timed out');
    expect(evaluate(state, { etcd: { writable: false } })).toBe(true);
    expect(sh('kubectl get nodes').exitCode).toBe(0);
    expect(sh('kubectl scale deploy web --replicas=4').output).toBe('Error from server: etcdserver: request timed out\n');
    tick(state, 30_000);
    expect(state.etcd.alarms).toEqual([]);
    expect(state.etcd.logs.at(-1)!.text).toMatch(/"msg":"failed to write WAL entries","error":"write \/var\/lib\/etcd\/member\/wal\/[0-9a-f]{16}-[0-9a-f]{16}\.wal: no space left on device"\}$/);
  });

  it('shows the files with their sizes and times, refuses rm to a normal user, and rm as root frees the disk', () => {
    const { state, root, sh } = clusterWithBackups();
    sh('ssh cp-1');
    expect(sh('df -h /').output).toMatch(/ 100% \/\n$/);
    expect(sh('ls -l /var/backups/etcd').output).toMatch(/^-rw-r--r-- 1 root root 4294967296 \w{3} +\d+ \d\d:\d\d snap-0\.db$/m);
    expect(sh('rm /var/backups/etcd/snap-0.db').output).toBe("rm: cannot remove '/var/backups/etcd/snap-0.db': Permission denied\n");
    sh('sudo -i');
    expect(sh('rm /var/backups/etcd/snap-0.db').exitCode).toBe(0);
    expect(sh('ls /var/backups/etcd').output).not.toContain('snap-0.db');
    expect(root.used).toBeLessThan(root.size);
    expect(writeRefused(state)).toBeNull();
    expect(sh('rm -r /var/backups/etcd').exitCode).toBe(0);
    expect(sh('ls /var/backups/etcd').exitCode).toBe(2);
    expect(evaluate(state, { disk: { node: 'cp-1', mount: '/', usedBelowFraction: 0.9 } })).toBe(true);
    expect(sh('rm -r /etc/kubernetes').output).toBe("rm: cannot remove '/etc/kubernetes': Operation not permitted\n");
  });
});
