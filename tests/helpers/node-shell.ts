// A shell session on a node of the demo cluster (after `ssh NODE`, and `sudo -i` when root).
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

export function sshTo(node: string, root = true) {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const sh = (line: string) => runLine(state, session, line);
  sh(`ssh ${node}`);
  if (root) sh('sudo -i');
  return { state, sh };
}
