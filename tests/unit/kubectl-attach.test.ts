// `kubectl attach` as kubectl v1.29 does it (pkg/cmd/attach/attach.go: Validate's argument
// errors, "cannot attach a container in a completed pod; current phase is …", "cannot attach
// to the container: container X not found in pod P" (podcmd.FindOrDefaultContainerByName),
// "error: Unable to use a TTY - container X did not allocate one", the prompt hint on stderr
// unless -q), streaming the container's output from the moment it attaches.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { logLinesSince, newLogCursor } from '../../server/shell/kubectl/commands/logs.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const run = (line: string, interactive = false, on = session) => runLine(state, on, line, { advance: (ms) => tick(state, ms), interactive });
  const web = run('kubectl get pods -o name -l app=web').output.split('\n')[0]!.slice('pod/'.length);
  return { state, session, run, web };
}

describe('kubectl attach', () => {
  it('refuses what kubectl refuses', () => {
    const { run, web } = shell();
    expect(run('kubectl attach').output).toBe('error: at least 1 argument is required for attach\n');
    expect(run('kubectl attach a b c').output).toBe('error: expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw 3: [a b c]\n');
    expect(run('kubectl attach nope').output).toBe('Error from server (NotFound): pods "nope" not found\n');
    expect(run(`kubectl attach ${web} -c nope`).output).toBe(`error: cannot attach to the container: container nope not found in pod ${web}\n`);
    run('kubectl run once --image=busybox --restart=Never -- sh -c "echo hi"');
    run('sleep 20');
    const done = run('kubectl attach once');
    expect(done.output).toBe('error: cannot attach a container in a completed pod; current phase is Succeeded\n');
    expect(done.exitCode).toBe(1);
  });

  it('streams what the container writes from now on (not its past log), bounded outside a terminal', () => {
    const { run, web } = shell();
    const before = run(`kubectl logs ${web}`).output;
    const attached = run(`kubectl attach pods ${web} | head -3`);
    const lines = attached.output.split('\n');
    expect(lines[0]).toBe("If you don't see a command prompt, try pressing enter.");
    expect(lines.slice(1, 4).every((l) => / "GET \S+ HTTP\/1\.1" \d{3} /.test(l))).toBe(true);
    expect(before).not.toContain(lines[1]!);
    // Not piped: the hint still comes first, then the stream.
    expect(run(`kubectl attach ${web}`).output).toMatch(/^If you don't see a command prompt, try pressing enter\.\n\S+ - - \[/);
    expect(run(`kubectl logs ${web}`).output).toContain(lines[1]!);
    // -t to a container that allocated no TTY: kubectl says so and attaches without one; -q silences both.
    const it = run('kubectl attach -it deploy/web | head -2');
    expect(it.output.split('\n').slice(0, 2)).toEqual(['error: Unable to use a TTY - container nginx did not allocate one', "If you don't see a command prompt, try pressing enter."]);
    expect(run('kubectl attach -it -q deploy/web | head -1').output).toMatch(/^\S+ - - \[/);
  });

  it('at a terminal leaves a stream that follows the container', () => {
    const { run, session, web } = shell();
    const r = run(`kubectl attach ${web}`, true);
    expect(r.output).toBe("If you don't see a command prompt, try pressing enter.\n");
    expect(session.stream?.argv).toEqual(['kubectl', 'attach', web]);
    expect(session.stream?.cursor).toMatchObject({ kind: 'logs', container: 'nginx' });
  });

  it('-it to an ephemeral container\'s shell puts a second terminal in it; a finished one refuses', () => {
    const { state, run, web } = shell();
    const first = newSession(state);
    const opened = run(`kubectl debug -it ${web} --image=busybox:1.36`, true, first);
    const name = /debugger-[a-z0-9]{5}/.exec(opened.output)![0];
    const second = newSession(state);
    const attached = run(`kubectl attach -it ${web} -c ${name}`, true, second);
    expect(attached.output).toBe("If you don't see a command prompt, try pressing enter.\n");
    expect(second.container).toMatchObject({ pod: web, container: name });
    expect(run('hostname', true, second).output).toBe(`${web}\n`);
    run('exit', true, second);
    run('exit', true, first);
    // The debug container's shell ended with the first terminal's `exit`.
    expect(run(`kubectl attach -it ${web} -c ${name}`).output).toBe(`error: unable to upgrade connection: container not found ("${name}")\n`);
  });
});

describe('a followed log', () => {
  it('shows lines written at the same moment as the last one it saw (no clock passed between them)', () => {
    const { state, web } = shell();
    const pod = state.pods[`default/${web}`]!;
    const status = pod.status.containerStatuses[0]!;
    status.logs.push({ at: state.now, text: 'first' });
    const cursor = newLogCursor(state, pod, status.name);
    status.logs.push({ at: state.now, text: 'second' }, { at: state.now, text: 'third' });
    expect(logLinesSince(state, 'default', web, cursor)!.map((l) => l.text)).toEqual(['second', 'third']);
    expect(logLinesSince(state, 'default', web, cursor)).toEqual([]);
  });
});
