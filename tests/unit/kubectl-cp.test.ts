// `kubectl cp` both ways, as kubectl v1.29 does it (pkg/cmd/cp/cp.go): `tar cf - PATH` run in
// the container, its stderr on kubectl's stdout (TarPipe's ErrOut is o.Out), `tar -xmf - -C DIR`
// for uploads after `test -d DEST` (checkDestinationIsDir); validation messages from Validate,
// Run and extractFileSpec. tar's own lines: GNU tar 1.34 (create.c dump_file0 calls
// safer_name_suffix, which warns "Removing leading `/' from member names", before it stats;
// "Cannot stat", "Cannot open", "Exiting with failure status due to previous errors", exit 2)
// on Debian images (nginx); busybox 1.36 tar (unsafe_prefix.c "removing leading '/' from member
// names", recursive_action's perror, "error exit delayed from previous errors", exit 1) elsewhere.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { handleApiRequest } from '../../server/kubeapi/handler.js';
import { newSession, runLine } from '../../server/shell/index.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const run = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
  const pods = run('kubectl get pods -o name').output.split('\n').filter((l) => l).map((l) => l.slice('pod/'.length));
  return { run, web: pods.find((p) => p.startsWith('web-'))!, api: pods.find((p) => p.startsWith('api-'))!, other: newSession(state), state };
}

describe('kubectl cp', () => {
  it('copies a file into a pod, where exec and other players\' shells read it, and back', () => {
    const { run, web, state, other } = shell();
    run('printf "listen 8080;\\n" > site.conf');
    expect(run(`kubectl cp site.conf ${web}:/tmp/site.conf`)).toMatchObject({ output: '', exitCode: 0 });
    expect(run(`kubectl exec ${web} -- cat /tmp/site.conf`).output).toBe('listen 8080;\n');
    // The container's layer is the world's: another terminal's shell in it sees the file.
    runLine(state, other, `kubectl exec -it ${web} -- sh`);
    expect(runLine(state, other, 'cat /tmp/site.conf').output).toBe('listen 8080;\n');
    // An existing directory receives the file under its own name.
    expect(run(`kubectl cp site.conf default/${web}:/etc`).exitCode).toBe(0);
    expect(run(`kubectl exec ${web} -- cat /etc/site.conf`).output).toBe('listen 8080;\n');
    const back = run(`kubectl cp ${web}:/tmp/site.conf copy.conf`);
    expect(back).toMatchObject({ output: "tar: Removing leading `/' from member names\n", exitCode: 0 });
    expect(run('cat copy.conf').output).toBe('listen 8080;\n');
    // A directory comes with what is in it.
    expect(run(`kubectl cp ${web}:/etc etc-copy`).exitCode).toBe(0);
    expect(run('ls etc-copy').output).toBe('hostname\nhosts\nresolv.conf\nsite.conf\n');
  });

  it('prints tar\'s errors for missing paths, GNU on Debian images and busybox elsewhere', () => {
    const { run, web, api } = shell();
    expect(run(`kubectl cp ${web}:/etc/nope x`)).toMatchObject({
      output: "tar: Removing leading `/' from member names\ntar: /etc/nope: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\ncommand terminated with exit code 2\n",
      exitCode: 2,
    });
    expect(run(`kubectl cp ${api}:/etc/nope x`)).toMatchObject({ output: 'tar: /etc/nope: No such file or directory\ntar: error exit delayed from previous errors\ncommand terminated with exit code 1\n', exitCode: 1 });
    expect(run(`kubectl cp ${api}:/etc/hostname h`).output).toBe("tar: removing leading '/' from member names\n");
    run('echo x > f');
    expect(run(`kubectl cp f ${web}:/nodir/f`)).toMatchObject({ output: 'tar: /nodir: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\ncommand terminated with exit code 2\n', exitCode: 2 });
    expect(run(`kubectl cp f ${api}:/nodir/f`)).toMatchObject({ output: "tar: can't change directory to '/nodir': No such file or directory\ncommand terminated with exit code 1\n", exitCode: 1 });
    expect(run(`kubectl cp missing ${web}:/tmp`)).toMatchObject({ output: "error: missing doesn't exist in local filesystem\n", exitCode: 1 });
  });

  it('needs tar in the image: distroless control-plane images fail with runc\'s exec error', () => {
    const { run } = shell();
    const out = run('kubectl cp kube-system/etcd-cp-1:/etc/hosts hosts');
    expect(out.output).toMatch(/^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "tar": executable file not found in \$PATH: unknown\n$/);
    expect(out.exitCode).toBe(1);
  });

  it('validates its arguments like cp.go', () => {
    const { run, web, api } = shell();
    expect(run('kubectl cp a').output).toBe('error: source and destination are required\n');
    expect(run('kubectl cp a b').output).toBe('error: one of src or dest must be a remote file specification\n');
    expect(run(`kubectl cp ${web}:/tmp ${api}:/tmp`).output).toBe('error: one of src or dest must be a local file specification\n');
    expect(run('kubectl cp :x y').output).toBe('error: filespec must match the canonical format: [[namespace/]pod:]file/path\n');
    expect(run('kubectl cp a/b/c:/x y').output).toBe('error: filespec must match the canonical format: [[namespace/]pod:]file/path\n');
    expect(run(`kubectl cp ${web}: y`).output).toBe('error: filepath can not be empty\n');
    expect(run('kubectl cp nope:/x y').output).toBe('Error from server (NotFound): pods "nope" not found\n');
    expect(run(`kubectl cp ${web}:/x y -c nope`).output).toBe(`Error from server (BadRequest): container nope is not valid for pod ${web}\n`);
  });
});

// The same tar run by exec, as the real kubectl's cp runs it through the API (server/shell/exec/tar.ts;
// the API's exec with stdin: kubeapi/exec.ts).
describe('tar in a container (what kubectl cp execs)', () => {
  const exec = (state: ReturnType<typeof shell>['state'], pod: string, command: string[], stdin?: string) => {
    const answer = handleApiRequest(state, { method: 'POST', path: `/api/v1/namespaces/default/pods/${pod}/exec`, query: {}, accept: 'application/json', contentType: 'application/json', body: { command, ...(stdin !== undefined ? { stdin } : {}) } });
    return answer.body as { stdout: string; stderr: string; stderrFirst?: string; exitCode: number };
  };

  it('`tar cf - PATH` writes a ustar archive (members without the leading /, checksums valid) that `tar -xmf - -C DIR` unpacks', () => {
    const { run, web, state } = shell();
    const archived = exec(state, web, ['tar', 'cf', '-', '/etc/hostname']);
    expect(archived).toMatchObject({ stderrFirst: "tar: Removing leading `/' from member names\n", stderr: '', exitCode: 0 });
    const bytes = Buffer.from(archived.stdout);
    expect(bytes.toString('latin1', 0, 12)).toBe('etc/hostname');
    expect(bytes.toString('latin1', 257, 262)).toBe('ustar');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : bytes[i]!;
    expect(Number.parseInt(bytes.toString('latin1', 148, 154), 8)).toBe(sum);
    expect(bytes.length).toBe(2048);
    expect(bytes.toString('latin1', 512, 512 + web.length + 1)).toBe(`${web}\n`);
    // Unpacked elsewhere in the container from stdin, as `kubectl cp LOCAL POD:DIR` sends it.
    expect(exec(state, web, ['tar', '-xmf', '-', '-C', '/tmp'], archived.stdout)).toMatchObject({ stdout: '', exitCode: 0 });
    expect(run(`kubectl exec ${web} -- cat /tmp/etc/hostname`).output).toBe(`${web}\n`);
  });

  it('a missing path, a stdin that is not an archive, a missing -C directory: GNU tar\'s words on Debian images', () => {
    const { web, state } = shell();
    expect(exec(state, web, ['tar', 'cf', '-', '/nope'])).toMatchObject({ stderrFirst: "tar: Removing leading `/' from member names\ntar: /nope: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n", exitCode: 2 });
    expect(exec(state, web, ['tar', '-xmf', '-', '-C', '/tmp'], 'x'.repeat(1024))).toMatchObject({ stdout: 'tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n', exitCode: 2 });
    expect(exec(state, web, ['tar', '-xmf', '-', '-C', '/nowhere'], '')).toMatchObject({ stdout: 'tar: /nowhere: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n', exitCode: 2 });
  });
});
