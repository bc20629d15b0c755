// ATTACK probe: many replicas each running a busy loop: how long does one tick take? Run: node --import tsx tests/attack/busy-deploy.ts [replicas]
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';
const state = createCluster(demoClusterSpec, 1);
const session = newSession(state);
const run = (line: string) => { const t = performance.now(); const r = runLine(state, session, line, { advance: (ms) => tick(state, ms) }); console.log(Math.round(performance.now() - t), 'ms', line.slice(0, 60), JSON.stringify(r.output).slice(0, 100)); };
const n = Number(process.argv[2] ?? 30);
run(`kubectl create deployment busy --image=busybox --replicas=${n} -- sh -c 'i=0; while true; do i=$((i+1)); echo "$i $(date) $(hostname) aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"; done'`);
let worst = 0;
for (let i = 0; i < 60; i++) { const t = performance.now(); tick(state, 1000); const ms = performance.now() - t; worst = Math.max(worst, ms); if (ms > 200) console.log('tick', i, Math.round(ms), 'ms'); }
console.log('worst 1 s tick', Math.round(worst), 'ms');
run('kubectl get deploy busy');
