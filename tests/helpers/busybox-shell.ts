// A terminal on the demo cluster (the room's clock ticking with its sleeps) with a running
// busybox pod `bb` (`sleep 3600`): what tests of exec into a container start from.
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

export function busyboxShell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const run = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
  run('kubectl run bb --image=busybox -- sleep 3600');
  run('sleep 10');
  return { state, session, run };
}
