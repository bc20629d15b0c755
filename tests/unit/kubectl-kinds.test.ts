import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { kubectlRunner, session } from '../helpers/kubectl-fixture.js';

const cluster = () => createCluster(demoClusterSpec, 7);

describe('smoke', () => {
  it('prints', async () => {
    const run = await kubectlRunner(cluster(), session());
    for (const line of ['kubectl get sa -A', 'kubectl get secrets', 'kubectl get cm -A', 'kubectl get leases -A', 'kubectl get endpointslices -A', 'kubectl get clusterrolebindings -o wide', 'kubectl get sc', 'kubectl get pc', 'kubectl get cs', 'kubectl get apiservices', 'kubectl get csinodes', 'kubectl get roles -A', 'kubectl get lease kube-scheduler -n kube-system -o yaml']) {
      const r = run(line);
      console.log(`$ ${line}\n${r.stdout}${r.stderr}`);
    }
  });
});
