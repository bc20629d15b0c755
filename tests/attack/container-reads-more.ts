// ATTACK probe (more container commands over a full layer). Run: node --import tsx tests/attack/container-reads-more.ts
// ATTACK (open): reads in a container go over the whole layer uncharged (vfs placeOf().all() per readFile/isDirectory).
// Run: node --import tsx tests/attack/container-reads.ts  (prints ms per command over a 320-file layer)
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { handleApiRequest } from '../../server/kubeapi/handler.js';
import { newSession, runLine } from '../../server/shell/index.js';
function header(name: string, size: number, type = '0'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write('0000644\0', 100); h.write('0000000\0', 108); h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124); h.write('00000000000\0', 136);
  h.write('        ', 148); h.write(type, 156); h.write('ustar\x0000', 257, 'latin1');
  let s = 0; for (let i = 0; i < 512; i++) s += h[i]!;
  h.write(s.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}
const state = createCluster(demoClusterSpec, 1);
const session = newSession(state);
const run = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
const web = run('kubectl get pods -o name').output.split('\n').filter((l) => l).map((l) => l.slice(4)).find((p) => p.startsWith('web-'))!;
const exec = (command: string[], stdin?: string) => {
  const t = performance.now();
  const a = handleApiRequest(state, { method: 'POST', path: `/api/v1/namespaces/default/pods/${web}/exec`, query: {}, accept: 'application/json', contentType: 'application/json', body: { command, ...(stdin !== undefined ? { stdin } : {}) } });
  return { ms: Math.round(performance.now() - t), exit: (a.body as any).exitCode, out: String((a.body as any).stdout ?? '').slice(0, 80) };
};
let n = 0;
for (let r = 0; r < 40; r++) {
  const parts: Buffer[] = [];
  for (let i = 0; i < 8; i++) parts.push(header(`d${r}/f${n++}`, 0));
  parts.push(Buffer.alloc(1024));
  exec(['tar', '-xmf', '-', '-C', '/tmp'], Buffer.concat(parts).toString('latin1'));
}
const g = Array(20).fill('/tmp/*/*').join(' ');
for (const c of ['ls -d ' + Array(40).fill('/tmp/*/').join(' '), 'for f in /tmp/*/*; do test -f $f; done', 'for f in /tmp/*/*; do [ -d $f ] && echo d; done', 'echo ' + Array(30).fill('/tmp/*/*').join(' ') + ' | wc -c', 'du -a /tmp', 'ls -la ' + Array(8).fill('/tmp/d1 /tmp/d2 /tmp/d3 /tmp/d4').join(' '), 'cp -r /tmp /tmp2', 'mv /tmp/d1 /tmp/e1', 'rm -rf /tmp']) {
  { const r = exec(['sh', '-c', c]); console.log(c.slice(0, 30), r.ms, r.exit); }
}
const t = performance.now(); const o = run(`kubectl cp ${web}:/tmp tmpcopy`); console.log('shell kubectl cp', Math.round(performance.now() - t), o.exitCode);
