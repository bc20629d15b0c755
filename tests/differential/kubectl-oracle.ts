// The harness of the kubectl oracle (kubectl-api.test.ts): serves a scenario's cluster over the
// Kubernetes API in this process and runs the real kubectl v1.29.4 against it, a bounded
// number of binaries at once (each spends most of its ~300 ms starting and reading discovery,
// so a few in parallel cut the suite's wall time without starving a shared CI machine).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { clusterFor } from '../../server/cli/cluster-source.js';
import { kubeconfigFor } from '../../server/cli/api-command.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { buildKubeApi, clusterBackend, selfSignedCert, type ServingCert } from '../../server/http/kube-api.js';
import { runKubectl } from '../helpers/real-kubectl.js';

export interface Served {
  state: ClusterState;
  app: FastifyInstance;
  kubeconfig: string;
  dir: string;
  /** The served `https://127.0.0.1:PORT`, and the simulated apiserver's endpoint the shell names instead. */
  address: string;
  apiserver: string;
  close: () => Promise<void>;
}

export interface Outcome {
  output: string;
  exitCode: number;
}

/** Real kubectl processes at once: enough to overlap their start-up, few enough for 2 shared cores. */
export const CONCURRENCY = Math.max(2, Math.min(6, availableParallelism() * 2));

let cert: Promise<ServingCert> | undefined;

/** Serves scenario `scenario` after `minutes` of simulated time (its faults fire as time passes). */
export async function serve(scenario: string, seed: number, minutes = 0): Promise<Served> {
  const source = clusterFor(scenario, seed);
  if (!source.ok) throw new Error(source.error);
  for (let i = 0; i < minutes; i++) source.advance(source.state, 60_000);
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-api-'));
  const token = 'differential-suite-token';
  cert ??= selfSignedCert();
  const tls = await cert;
  const app = buildKubeApi({ backend: clusterBackend({ state: () => source.state, token }), tls });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(address, token, tls.cert));
  const close = async (): Promise<void> => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { state: source.state, app, kubeconfig, dir, address, apiserver: source.state.controlPlane.apiserver.endpoint, close };
}

/** A running nginx pod of the default namespace (the demo cluster's web pods): what exec, attach and port-forward suites target. */
export const nginxPod = (served: Served): string =>
  Object.values(served.state.pods).find((p) => p.metadata.namespace === 'default' && p.status.phase === 'Running' && p.spec.containers[0]!.image.startsWith('nginx'))!.metadata.name;

/**
 * Runs the real kubectl on the served API, stderr into the same pipe as stdout (terminal
 * order). `line` is shell text after `kubectl` (sh parses its quotes); `env` adds variables
 * (KUBE_EDITOR for `edit`).
 */
export function realKubectl(kubectl: string, served: Served, line: string, stdin?: string, env: Record<string, string> = {}): Promise<Outcome> {
  return runKubectl(kubectl, served.kubeconfig, served.dir, line, stdin, env);
}

/** `work` over `items`, at most `limit` at once, results in the items' order. */
export async function pooled<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
