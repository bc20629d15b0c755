// `kubedrill api`: serves one simulated cluster's Kubernetes API on localhost and writes a
// kubeconfig for it, so the real kubectl (or any client) can drive the drill: the API
// counterpart of `kubedrill shell`. Simulated time follows the wall clock, checked before each
// request (the scenario's faults fire as it passes).
import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { clusterOrExit, integer, MAX_IDLE_TICK_MS, scenarioOptions } from './cluster-source.js';

interface ApiFlags {
  scenario: string;
  seed: number;
  port: number;
  kubeconfig: string;
}

function port(value: string): number {
  const n = integer(value);
  if (n < 0 || n > 65535) throw new InvalidArgumentError('not a port (0 to 65535).');
  return n;
}

/**
 * A kubeconfig for the API at `server`, named as kubeadm names its admin.conf.
 * `tlsServerName`: the name the certificate is checked against, whatever host `server` names.
 */
export function kubeconfigFor(server: string, token: string, caCert: string, tlsServerName?: string): string {
  return `# kubectl exec, attach (without -i) and port-forward work through this API as kubectl speaks them
# (SPDY/3.1; exec also over WebSocket). port-forward answers HTTP as the pod does in the drill.
apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: ${Buffer.from(caCert).toString('base64')}
    server: ${server}
${tlsServerName !== undefined ? `    tls-server-name: ${tlsServerName}\n` : ''}  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    namespace: default
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
preferences: {}
users:
- name: kubernetes-admin
  user:
    token: ${token}
`;
}

export function addApiCommand(program: Command): Command {
  return scenarioOptions(program
    .command('api')
    .description('serve a simulated cluster\'s Kubernetes API (HTTPS) on localhost and write a kubeconfig for it'))
    .option('-p, --port <port>', 'port on 127.0.0.1 (0: any free one)', port, 0)
    .option('--kubeconfig <file>', 'where to write the kubeconfig', 'kubedrill.kubeconfig')
    .action(async (flags: ApiFlags) => {
      const source = clusterOrExit(flags);
      if (!source) return;
      const { state, advance } = source;
      let last = Date.now();
      const beforeRequest = (): void => {
        const now = Date.now();
        const ms = Math.min(now - last, MAX_IDLE_TICK_MS);
        last = now;
        if (ms > 0) advance(state, ms);
      };
      const token = randomBytes(24).toString('base64url');
      // Loaded on demand, like `serve`: fastify costs what `kubedrill shell` should not pay.
      const { buildKubeApi, clusterBackend, selfSignedCert } = await import('../http/kube-api.js');
      const tls = await selfSignedCert();
      const app = buildKubeApi({ backend: clusterBackend({ state: () => state, token, beforeRequest }), tls });
      const address = await app.listen({ host: '127.0.0.1', port: flags.port });
      writeFileSync(flags.kubeconfig, kubeconfigFor(address, token, tls.cert), { mode: 0o600 });
      // `mode` applies only to a new file: an existing one is narrowed too (it holds the token).
      chmodSync(flags.kubeconfig, 0o600);
      process.stdout.write(`Kubernetes API of scenario ${flags.scenario} (seed ${flags.seed}) at ${address}\nkubeconfig: ${flags.kubeconfig}\n  kubectl --kubeconfig ${flags.kubeconfig} get pods -A\n  kubectl --kubeconfig ${flags.kubeconfig} exec -it POD -- sh\n  kubectl --kubeconfig ${flags.kubeconfig} port-forward svc/NAME 8080:80\n`);
      const stop = (): void => void app.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
