// Directories live in the container's writable layer as files do (cluster/container-layer.ts):
// `kubectl exec POD -- mkdir -p /restore` is seen by the next exec, a shell in the container and
// `kubectl cp`; rmdir, rm -r and mv of a directory change it for all of them; a restart starts
// from the image again, and the layers' shared bound counts directories too.
import { describe, expect, it } from 'vitest';
import { containerLayersBytes } from '../../server/cluster/container-layer.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { busyboxShell } from '../helpers/busybox-shell.js';
import { MAX_CONTAINER_LAYERS_BYTES } from '../../server/shell/vfs.js';

const shell = busyboxShell;

describe('directories in a container\'s writable layer', () => {
  it('mkdir in one exec is there for the next, for a shell in the container and for kubectl cp', () => {
    const { run, state } = shell();
    expect(run('kubectl exec bb -- mkdir -p /restore/db').exitCode).toBe(0);
    expect(run('kubectl exec bb -- ls -d /restore')).toMatchObject({ output: '/restore\n', exitCode: 0 });
    expect(run('kubectl exec bb -- test -d /restore/db').exitCode).toBe(0);
    expect(run('kubectl exec bb -- test -d /nope').exitCode).toBe(1);
    expect(run('kubectl exec bb -- ls /').output).toContain('restore\n');
    expect(run('echo dump > /tmp/d.sql && kubectl cp /tmp/d.sql bb:/restore/db/d.sql').exitCode).toBe(0);
    expect(run('kubectl exec bb -- ls /restore/db').output).toBe('d.sql\n');
    // Another terminal's shell in the container sees them.
    const other = newSession(state);
    runLine(state, other, 'kubectl exec -it bb -- sh');
    expect(runLine(state, other, 'test -d /restore && ls /restore').output).toBe('db\n');
  });

  it('rmdir, rm -r and mv of a directory persist', () => {
    const { run } = shell();
    run('kubectl exec bb -- mkdir -p /a/b /e');
    run('kubectl exec bb -- touch /a/b/f');
    expect(run('kubectl exec bb -- rmdir /a/b').output).toBe("rmdir: failed to remove '/a/b': Directory not empty\ncommand terminated with exit code 1\n");
    expect(run('kubectl exec bb -- rmdir /e').exitCode).toBe(0);
    expect(run('kubectl exec bb -- test -d /e').exitCode).toBe(1);
    expect(run('kubectl exec bb -- mv /a /z').exitCode).toBe(0);
    expect(run('kubectl exec bb -- ls /z/b').output).toBe('f\n');
    expect(run('kubectl exec bb -- test -d /a').exitCode).toBe(1);
    expect(run('kubectl exec bb -- mv /z /z/b').output).toBe("mv: cannot move '/z' to '/z/b/z': Invalid argument\ncommand terminated with exit code 1\n");
    expect(run('kubectl exec bb -- rm -r /z').exitCode).toBe(0);
    expect(run('kubectl exec bb -- ls /z').exitCode).toBe(2);
  });

  it('a restart starts from the image; directories count against the layers\' shared bound', () => {
    const { state, run } = shell();
    run('kubectl exec bb -- mkdir /kept');
    expect(containerLayersBytes(state)).toBe('/kept'.length);
    const pod = state.pods['default/bb']!;
    pod.status.containerStatuses[0]!.restartCount += 1;
    expect(run('kubectl exec bb -- test -d /kept').exitCode).toBe(1);
    const layer = Object.values(state.containerLayers!)[0]!;
    layer.files['/big'] = 'x'.repeat(MAX_CONTAINER_LAYERS_BYTES - 3);
    expect(run('kubectl exec bb -- mkdir /toolong').output).toBe("mkdir: cannot create directory '/toolong': No space left on device\ncommand terminated with exit code 1\n");
  });
});
