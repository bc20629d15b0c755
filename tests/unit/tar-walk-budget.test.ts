// `tar cf -` walks a container's layer charged as the shell charges a write's checks (each read
// and listing goes over every file of the layer): a layer of a few hundred files named many
// times in one exec held the event loop for 35 s (measured through the real kubectl). An exec
// without stdin that runs out of steps is stopped (exit 152), not thrown out of the request.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { handleApiRequest } from '../../server/kubeapi/handler.js';
import { newSession, runLine } from '../../server/shell/index.js';

function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write('0000644\0', 100); h.write('0000000\0', 108); h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124); h.write('00000000000\0', 136);
  h.write('        ', 148); h.write('0', 156); h.write('ustar\x0000', 257, 'latin1');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i]!;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** A demo cluster, its web pod, an exec into it, and a shell at the workstation. */
function webPod() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const run = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
  const web = run('kubectl get pods -o name').output.split('\n').find((l) => l.startsWith('pod/web-'))!.slice(4);
  const exec = (command: string[], stdin?: string) => handleApiRequest(state, { method: 'POST', path: `/api/v1/namespaces/default/pods/${web}/exec`, query: {}, accept: 'application/json', contentType: 'application/json', body: { command, ...(stdin !== undefined ? { stdin } : {}) } });
  return { run, web, exec };
}

/** The web pod with 240 empty files in 30 directories of its /tmp (uploaded as tar archives, 8 files each). */
function fullLayer() {
  const pod = webPod();
  let n = 0;
  for (let r = 0; r < 30; r++) {
    const parts = Array.from({ length: 8 }, () => header(`d${r}/f${n++}`, 0));
    pod.exec(['tar', '-xmf', '-', '-C', '/tmp'], Buffer.concat([...parts, Buffer.alloc(1024)]).toString('latin1'));
  }
  return pod;
}

describe('tar cf - over a full layer', () => {
  it('is charged: a walk named many times stops at the line\'s budget, quickly', () => {
    const { exec } = fullLayer();
    const started = performance.now();
    const answer = exec(['tar', 'cf', '-', ...Array(20).fill('/tmp')]);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ exitCode: 152, stderr: expect.stringContaining('tar: CPU time limit exceeded') });
    // One walk of the layer still copies it.
    expect(exec(['tar', 'cf', '-', '/tmp/d0'])).toMatchObject({ status: 200, body: { exitCode: 0 } });
  });

  it('reads and glob listings in a container are charged: cat, ls and head over globs of a full layer stop quickly', () => {
    const { exec, web } = fullLayer();
    const globs = Array(20).fill('/tmp/*/*').join(' ');
    // Each of these held the event loop 1.4-72 s over a 240-320-file layer.
    for (const line of [`cat ${globs}`, `ls ${globs}`, `head ${globs}`, `ls -d ${Array(40).fill('/tmp/*/').join(' ')}`]) {
      const started = performance.now();
      expect(exec(['sh', '-c', line]).body, line).toMatchObject({ exitCode: 152 });
      expect(performance.now() - started, line).toBeLessThan(1500);
    }
    // A few reads still work.
    expect(exec(['sh', '-c', 'cat /tmp/d0/f0 /etc/hostname'])).toMatchObject({ body: { exitCode: 0, stdout: `${web}\n` } });
  });

  it('an exec without stdin that runs out of steps answers exit 152 (it threw out of the request: a 500)', () => {
    const { run, web, exec } = webPod();
    run('printf \'%13000s\' x > big');
    expect(run(`kubectl cp big ${web}:/tmp/big`).exitCode).toBe(0);
    expect(exec(['tar', 'cf', '-', ...Array(250).fill('/tmp/big')])).toMatchObject({ status: 200, body: { exitCode: 152 } });
  });
});
