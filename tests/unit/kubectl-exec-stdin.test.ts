// Piped stdin through `kubectl exec -i` as kubectl v1.29 passes it (pkg/cmd/exec/exec.go:
// only with -i/--stdin is stdin streamed; with -t and stdin not a terminal, SetupTTY prints
// "Unable to use a TTY - input is not a terminal or the right kind of file" and goes on
// without one). A lone shell reads the piped text as its script; `sh -c` and other programs
// read it as stdin.
import { describe, expect, it } from 'vitest';
import { newSession, runLine } from '../../server/shell/index.js';
import { busyboxShell } from '../helpers/busybox-shell.js';
import { handleApiRequest } from '../../server/kubeapi/handler.js';

const shell = busyboxShell;

describe('kubectl exec with piped stdin', () => {
  it('passes stdin with -i and not without', () => {
    const { run } = shell();
    expect(run('echo hi | kubectl exec -i bb -- cat').output).toBe('hi\n');
    expect(run('echo hi | kubectl exec bb -- cat').output).toBe('');
    expect(run("printf 'a\\nb\\nc\\n' | kubectl exec -i bb -- sh -c 'wc -l'").output.trim()).toBe('3');
    expect(run("printf 'a\\nb\\nc\\n' | kubectl exec -i bb -- wc -l").output.trim()).toBe('3');
  });

  it('a lone shell runs the piped script, multi-line commands whole, until exit', () => {
    const { run, session } = shell();
    session.files!['/tmp/s.sh'] = 'echo one\nfor i in 1 2; do\n  echo n$i\ndone\nhostname\nexit 3\necho never\n';
    const r = run('kubectl exec -i bb -- sh < /tmp/s.sh');
    expect(r.output).toBe('one\nn1\nn2\nbb\ncommand terminated with exit code 3\n');
    expect(r.exitCode).toBe(3);
    // The terminal stays on the workstation.
    expect(session.container).toBeUndefined();
    expect(run('echo true | kubectl exec -i bb -- sh').exitCode).toBe(0);
  });

  it('-it with a pipe goes on without a TTY, as kubectl says', () => {
    const { run, session } = shell();
    const r = run('echo hostname | kubectl exec -it bb -- sh');
    expect(r.output).toBe('Unable to use a TTY - input is not a terminal or the right kind of file\nbb\n');
    expect(session.container).toBeUndefined();
  });

  it('a program the image lacks fails as the runtime does', () => {
    const { run } = shell();
    expect(run('echo hi | kubectl exec -i bb -- nope').output).toMatch(/^error: Internal error occurred: .*exec: "nope": executable file not found in \$PATH: unknown\n$/);
  });
});

describe('kubectl attach -i and kubectl run -i with piped stdin', () => {
  it('attach -i: the container\'s shell (stdin open) reads the piped text; a container without stdin ignores it', () => {
    const { run, state } = shell();
    run('kubectl run sh1 --image=busybox --restart=Never --overrides=\'{"spec":{"containers":[{"name":"sh1","image":"busybox","stdin":true,"command":["sh"]}]}}\'');
    run('sleep 10');
    expect(state.pods['default/sh1']!.status.containerStatuses[0]!.state.kind).toBe('running');
    const r = run('echo hostname | kubectl attach -i sh1');
    expect(r.output).toBe("If you don't see a command prompt, try pressing enter.\nsh1\n");
    expect(r.exitCode).toBe(0);
    // stdin open, not only once: the shell runs on.
    expect(state.pods['default/sh1']!.status.containerStatuses[0]!.state.kind).toBe('running');
    expect(run('kubectl get pod sh1 -o jsonpath={.spec.containers[0].stdin}').output).toBe('true');
  });

  it('run -i --rm: the shell runs the piped script, ends at its end, the pod goes', () => {
    const { run, state } = shell();
    const r = run("printf 'hostname\\nexit 3\\n' | kubectl run -i --rm --restart=Never one --image=busybox -- sh");
    expect(r.output).toBe("If you don't see a command prompt, try pressing enter.\none\npod \"one\" deleted\npod default/one terminated (Error)\n");
    expect(r.exitCode).toBe(3);
    expect(state.pods['default/one']).toBeUndefined();
    const ok = run('echo hostname | kubectl run -i --rm --restart=Never two --image=busybox -- sh');
    expect(ok).toMatchObject({ output: "If you don't see a command prompt, try pressing enter.\ntwo\npod \"two\" deleted\n", exitCode: 0 });
  });
});

describe('the API\'s attach to a container\'s shell (pods/attach with attach: true, kubeapi/exec.ts)', () => {
  const post = (state: ReturnType<typeof shell>['state'], sub: 'exec' | 'attach', body: Record<string, unknown>) =>
    handleApiRequest(state, { method: 'POST', path: `/api/v1/namespaces/default/pods/one/${sub}`, query: {}, accept: 'application/json', contentType: 'application/json', body: body as never });

  it('runs stdin in the container\'s shell, reports no exit status, and ends a stdinOnce process with the shell\'s status', () => {
    const { run, state } = shell();
    run('kubectl run one --image=busybox --restart=Never --overrides=\'{"spec":{"containers":[{"name":"one","image":"busybox","stdin":true,"stdinOnce":true,"command":["sh"]}]}}\'');
    run('sleep 10');
    expect(post(state, 'exec', { command: ['sh'], attach: true, stdin: 'hostname\n' }).status).toBe(400);
    expect(post(state, 'attach', { command: ['sh'], stdin: 'hostname\n' }).status).toBe(400);
    const answer = post(state, 'attach', { command: ['sh'], attach: true, stdin: 'hostname\nexit 2\n' });
    expect(answer).toMatchObject({ status: 200, body: { stdout: 'one\n', exitCode: 0 } });
    expect(state.pods['default/one']!.status.containerStatuses[0]!.state).toMatchObject({ kind: 'terminated', exitCode: 2, reason: 'Error' });
    // The process ended: nothing more to attach to.
    expect(post(state, 'attach', { command: ['sh'], attach: true, stdin: 'hostname\n' }).status).toBe(404);
  });
});
