// ATTACK probe: lines around `sleep infinity` and a pod's looping command. Run: node --import tsx tests/attack/sleep-lines.ts
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';
const state = createCluster(demoClusterSpec, 1);
const session = newSession(state);
const run = (line: string) => {
  const t = performance.now();
  let r: any;
  try { r = runLine(state, session, line, { advance: (ms) => tick(state, ms) }); } catch (e) { console.log('THREW', line, e); return; }
  console.log(String(Math.round(performance.now() - t)).padStart(6), 'ms', JSON.stringify(line).slice(0, 70).padEnd(72), r.exitCode, JSON.stringify(r.output).slice(0, 120), r.stream ? 'STREAM' : '', session.stream ? 'session.stream' : '');
  if (session.stream) { runLine(state, session, '\x03', {}); (session as any).stream = undefined; }
};
for (const line of [
  'sleep infinity | cat', 'x=$(sleep infinity); echo $x', '(sleep infinity)', 'sleep infinity & echo bg', 'timeout 1 sleep infinity; echo $?',
  'sleep infinity; echo after', 'echo $(sleep infinity)$(sleep infinity)', 'kubectl exec deploy/web -- sleep infinity', 'sleep 1e9', 'sleep 99999999999999999999', 'sleep inf', 'sleep -- -1', 'sleep 0x10',
  "kubectl run loop --image=busybox -- sh -c 'while true; do echo $(date) $i; i=$((i+1)); done'",
  "kubectl run loop2 --image=busybox -- sh -c 'while :; do :; done'",
  "kubectl run loop3 --image=busybox -- sh -c 'yes'",
  "kubectl run loop4 --image=busybox -- sh -c 'while true; do sleep 0.001; echo x; done'",
]) run(line);
for (let i = 0; i < 10; i++) { const t = performance.now(); tick(state, 10_000); console.log('tick 10s', Math.round(performance.now() - t), 'ms', 'processSteps', JSON.stringify((state as any).processSteps ?? null).slice(0, 80)); }
run('kubectl logs loop --tail=2'); run('kubectl logs loop4 --tail=2'); run('kubectl logs loop3 --tail=2'); run('kubectl get pods loop loop2 loop3 loop4');
