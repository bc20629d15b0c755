// kubectl's write commands plus logs and exec, on the demo cluster through the real shell.
import { editLine } from '../../server/shell/parse.js';
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

function cluster() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return { state, sh: (line: string) => runLine(state, session, line) };
}
const webPods = (state: ReturnType<typeof cluster>['state']) => Object.values(state.pods).filter((p) => p.metadata.labels.app === 'web').map((p) => p.metadata.name).sort();

describe('kubectl scale', () => {
  it('scales a deployment and the controllers follow', () => {
    const { state, sh } = cluster();
    expect(sh('kubectl scale deployment web --replicas=4')).toMatchObject({ output: 'deployment.apps/web scaled\n', exitCode: 0 });
    tick(state, 5000);
    expect(webPods(state)).toHaveLength(4);
    expect(sh('kubectl scale deploy/web').output).toBe('error: required flag(s) "replicas" not set\n');
    // kubectl scale.go skips what the builder could not get; nothing at all is its own error (the real kubectl v1.29.4 agrees, tests/differential).
    expect(sh('kubectl scale deploy nope --replicas=1').output).toBe('error: no objects passed to scale\n');
    expect(sh(`kubectl scale pod ${webPods(state)[0]} --replicas=1`).output).toBe('error: no scaler has been implemented for {"" "Pod"}\n');
  });
});

describe('kubectl delete', () => {
  it('deletes pods gracefully, forcefully, by label, and protects system namespaces', () => {
    const { state, sh } = cluster();
    const [first, second] = webPods(state);
    expect(sh(`kubectl delete pod ${first}`).output).toBe(`pod "${first}" deleted\n`);
    expect(state.pods[`default/${first}`]?.metadata.deletionTimestamp).toBeDefined();
    // The shell prints a command's stdout before its stderr.
    expect(sh(`kubectl delete pod ${second} --grace-period=0 --force`).output).toBe(
      `pod "${second}" force deleted\n` +
      'Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n',
    );
    expect(state.pods[`default/${second}`]).toBeUndefined();
    expect(sh('kubectl delete pod nope')).toMatchObject({ output: 'Error from server (NotFound): pods "nope" not found\n', exitCode: 1 });
    expect(sh('kubectl delete pods')).toMatchObject({ output: 'error: resource(s) were provided, but no name was specified\n', exitCode: 1 });
    expect(sh('kubectl delete pods -l app=api').output).toMatch(/^pod "api-[a-z0-9]+-[a-z0-9]+" deleted\npod "api-[a-z0-9]+-[a-z0-9]+" deleted\n$/);
    expect(sh('kubectl delete ns kube-system')).toMatchObject({ output: 'Error from server (Forbidden): namespaces "kube-system" is forbidden: this namespace may not be deleted\n', exitCode: 1 });
    expect(sh('kubectl delete deploy web').output).toBe('deployment.apps "web" deleted\n');
  });
  it('fails every write while etcd is out of space', () => {
    const { state, sh } = cluster();
    state.etcd.alarms.push({ memberID: state.etcd.members[0]!.id, alarm: 'NOSPACE' });
    const msg = 'Error from server: etcdserver: mvcc: database space exceeded\n';
    expect(sh(`kubectl delete pod ${webPods(state)[0]}`).output).toBe(msg);
    expect(sh('kubectl cordon worker-1').output).toBe(msg);
    expect(sh('kubectl rollout restart deploy/web').output).toBe(msg);
    expect(sh('kubectl label deploy web tier=frontend').output).toBe(msg);
  });
});

describe('node maintenance', () => {
  it('cordons, uncordons and drains with kubectl\'s messages', () => {
    const { state, sh } = cluster();
    expect(sh('kubectl cordon worker-1').output).toBe('node/worker-1 cordoned\n');
    expect(sh('kubectl cordon worker-1').output).toBe('node/worker-1 already cordoned\n');
    expect(sh('kubectl uncordon worker-1').output).toBe('node/worker-1 uncordoned\n');
    expect(sh('kubectl cordon nope')).toMatchObject({ output: 'Error from server (NotFound): nodes "nope" not found\n', exitCode: 1 });
    const refused = sh('kubectl drain worker-2');
    expect(refused.exitCode).toBe(1);
    expect(refused.output).toMatch(/^node\/worker-2 cordoned\nerror: unable to drain node "worker-2" due to error: cannot delete DaemonSet-managed Pods \(use --ignore-daemonsets to ignore\): kube-system\/aws-node-\w+, kube-system\/kube-proxy-\w+, continuing command\.\.\.\nThere are pending nodes to be drained:\n worker-2\n/);
    const drained = sh('kubectl drain worker-2 --ignore-daemonsets');
    expect(drained.exitCode).toBe(0);
    expect(drained.output).toContain('node/worker-2 already cordoned\n');
    expect(drained.output).toMatch(/Warning: ignoring DaemonSet-managed Pods: kube-system\/aws-node-\w+, kube-system\/kube-proxy-\w+\n/);
    expect(drained.output).toMatch(/evicting pod default\/web-\w+-\w+\n/);
    expect(drained.output).toMatch(/pod\/web-\w+-\w+ evicted\n/);
    expect(drained.output).toMatch(/node\/worker-2 drained\n/);
    expect(state.nodes['worker-2']!.spec.unschedulable).toBe(true);
  });
  it('adds and removes taints', () => {
    const { state, sh } = cluster();
    expect(sh('kubectl taint nodes worker-1 dedicated=db:NoSchedule').output).toBe('node/worker-1 tainted\n');
    expect(state.nodes['worker-1']!.spec.taints).toContainEqual({ key: 'dedicated', value: 'db', effect: 'NoSchedule' });
    expect(sh('kubectl taint nodes worker-1 dedicated=web:NoSchedule').output).toBe('error: node worker-1 already has dedicated taint(s) with same effect(s) and --overwrite is false\n');
    expect(sh('kubectl taint node worker-1 dedicated:NoSchedule-').output).toBe('node/worker-1 untainted\n');
    expect(sh('kubectl taint node worker-1 dedicated:NoSchedule-').output).toBe('error: taint "dedicated:NoSchedule" not found\n');
    expect(sh('kubectl taint nodes worker-1 a=b:Sometimes').output).toBe('error: invalid taint effect: Sometimes, unsupported taint effect\n');
  });
  it('labels and annotates', () => {
    const { state, sh } = cluster();
    expect(sh('kubectl label deploy web tier=frontend').output).toBe('deployment.apps/web labeled\n');
    expect(sh('kubectl label deploy web tier=backend').output).toBe("error: 'tier' already has a value (frontend), and --overwrite is false\n");
    expect(sh('kubectl label deploy web tier=backend --overwrite').output).toBe('deployment.apps/web labeled\n');
    expect(sh('kubectl label deploy web tier-').output).toBe('deployment.apps/web unlabeled\n');
    expect(sh('kubectl annotate node worker-1 team=sre').output).toBe('node/worker-1 annotated\n');
    expect(state.nodes['worker-1']!.metadata.annotations.team).toBe('sre');
  });
});

describe('kubectl rollout', () => {
  it('restarts, reports status, history and undo', () => {
    const { state, sh } = cluster();
    expect(sh('kubectl rollout status deploy/web').output).toBe('deployment "web" successfully rolled out\n');
    expect(sh('kubectl rollout restart deployment web').output).toBe('deployment.apps/web restarted\n');
    expect(sh('kubectl rollout status deploy/web').output).toBe('Waiting for deployment spec update to be observed...\n');
    tick(state, 2000);
    expect(sh('kubectl rollout status deploy/web').output).toMatch(/^Waiting for deployment "web" rollout to finish: /);
    tick(state, 120_000);
    expect(sh('kubectl rollout status deploy/web').output).toBe('deployment "web" successfully rolled out\n');
    expect(sh('kubectl rollout history deploy/web').output).toBe('deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n');
    expect(sh('kubectl rollout undo deploy/web').output).toBe('deployment.apps/web rolled back\n');
    expect(sh('kubectl rollout bogus deploy/web').exitCode).toBe(1);
  });

  // The daemon controller keeps a ControllerRevision per template (daemon/update.go
  // constructHistory; an old template that comes back is renumbered the newest), which
  // kubectl's DaemonSetHistoryViewer (history.go printHistory) lists and DaemonSetRollbacker
  // (rollback.go) rolls back to: the revision before the current with no --to-revision.
  it('keeps a daemonset\'s history as ControllerRevisions: history, --revision, undo', () => {
    const { state, sh } = cluster();
    const ks = (line: string) => sh(`kubectl -n kube-system ${line}`).output;
    expect(ks('rollout history ds/kube-proxy')).toBe('daemonset.apps/kube-proxy \nREVISION  CHANGE-CAUSE\n1         <none>\n\n');
    expect(ks('rollout undo ds/kube-proxy')).toBe('error: no last revision to roll back to\n');
    ks('set image ds/kube-proxy kube-proxy=registry.k8s.io/kube-proxy:v1.29.5');
    tick(state, 2000);
    expect(ks('rollout history daemonset kube-proxy')).toBe('daemonset.apps/kube-proxy \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n');
    // history.go printTemplate: DescribePodTemplate through a bare PrefixWriter (tabs, no tabwriter), then a blank line.
    expect(ks('rollout history ds/kube-proxy --revision=2')).toMatch(/^daemonset\.apps\/kube-proxy with revision #2\nPod Template:\n  Labels:\tk8s-app=kube-proxy\n  Service Account:\tkube-proxy\n  Containers:\n   kube-proxy:\n    Image:\tregistry\.k8s\.io\/kube-proxy:v1\.29\.5\n[^]*\n  Priority Class Name:\tsystem-node-critical\n\n$/);
    expect(ks('get controllerrevisions -l k8s-app=kube-proxy --no-headers')).toMatch(/^kube-proxy-\w+ +daemonset\.apps\/kube-proxy +1 +\d+d\nkube-proxy-\w+ +daemonset\.apps\/kube-proxy +2 +\ds\n$/);
    expect(ks('rollout undo ds/kube-proxy --to-revision=7')).toBe('error: unable to find specified revision 7 in history\n');
    expect(ks('rollout undo ds/kube-proxy --to-revision=2')).toBe('daemonset.apps/kube-proxy skipped rollback (current template already matches revision 2)\n');
    expect(ks('rollout undo ds/kube-proxy')).toBe('daemonset.apps/kube-proxy rolled back\n');
    expect(ks('get ds kube-proxy -o jsonpath={.spec.template.spec.containers[0].image}')).toBe('registry.k8s.io/kube-proxy:v1.29.4');
    tick(state, 2000);
    expect(ks('rollout history ds/kube-proxy')).toBe('daemonset.apps/kube-proxy \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n');
    expect(ks('rollout history ds/kube-proxy --revision=3')).toContain('    Image:\tregistry.k8s.io/kube-proxy:v1.29.4\n');
  });

  // daemon/update.go cleanupHistory: beyond revisionHistoryLimit (10) the oldest revisions go.
  it('keeps a daemonset\'s current revision and its 10 before, not every template it had', () => {
    const { state, sh } = cluster();
    const ks = (line: string) => sh(`kubectl -n kube-system ${line}`).output;
    for (let i = 1; i <= 14; i++) {
      ks(`set image ds/kube-proxy kube-proxy=registry.k8s.io/kube-proxy:v1.29.${i}`);
      tick(state, 2000);
    }
    const history = ks('rollout history ds/kube-proxy').trim().split('\n').slice(2).map((l) => Number(l.split(/\s+/)[0]));
    expect(history).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(ks('get controllerrevisions -l k8s-app=kube-proxy --no-headers').trim().split('\n')).toHaveLength(11);
    expect(ks('rollout undo ds/kube-proxy --to-revision=2')).toBe('error: unable to find specified revision 2 in history\n');
  });

  it('restarts every deployment of a namespace, and daemonsets, whose pods are replaced (rollout_restart.go)', () => {
    const { state, sh } = cluster();
    const proxyPods = () => Object.values(state.pods).filter((p) => p.metadata.name.startsWith('kube-proxy-')).map((p) => p.metadata.name).sort();
    const before = proxyPods();
    expect(sh('kubectl rollout restart deployment').output).toMatch(/^(deployment\.apps\/\S+ restarted\n)+$/);
    expect(sh('kubectl rollout restart deployment -n empty-ns')).toMatchObject({ output: 'error: no objects passed to restart\n', exitCode: 1 });
    expect(sh('kubectl rollout restart ds/kube-proxy -n kube-system').output).toBe('daemonset.apps/kube-proxy restarted\n');
    tick(state, 120_000);
    expect(proxyPods().filter((n) => before.includes(n))).toEqual([]);
    expect(sh('kubectl rollout restart svc/kubernetes').output).toBe('error: no restarter has been implemented for {"" "Service"}\n');
  });
});

describe('kubectl logs and exec', () => {
  it('prints logs, with tail, timestamps, a workload and a selector', () => {
    const { state, sh } = cluster();
    const pod = webPods(state)[0]!;
    const all = sh(`kubectl logs ${pod}`).output;
    expect(all).toContain('Configuration complete; ready for start up\n');
    expect(sh(`kubectl logs ${pod} --tail=1`).output.split('\n')).toHaveLength(2);
    expect(sh(`kubectl logs ${pod} --tail=1 --timestamps`).output).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /);
    // kubectl writes the note on stderr before it streams the logs.
    expect(sh('kubectl logs deploy/web').output).toMatch(/^Found 3 pods, using pod\/web-\w+-\w+\n\//);
    expect(sh('kubectl logs -l app=web --prefix --tail=1').output).toMatch(/^\[pod\/web-\w+-\w+\/nginx\] /);
    expect(sh(`kubectl logs ${pod} -p`).output).toBe(`Error from server (BadRequest): previous terminated container "nginx" in pod "${pod}" not found\n`);
    expect(sh(`kubectl logs ${pod} -c nope`).output).toBe(`error: container nope is not valid for pod ${pod}\n`);
    expect(sh('kubectl logs nope').output).toBe('Error from server (NotFound): pods "nope" not found\n');
  });
  it('refuses logs of a container that has not started, and asks for a container name', () => {
    const { state, sh } = cluster();
    const pod = state.pods[`default/${webPods(state)[0]}`]!;
    pod.status.containerStatuses[0]!.state = { kind: 'waiting', reason: 'ContainerCreating' };
    expect(sh(`kubectl logs ${pod.metadata.name}`).output).toBe(`Error from server (BadRequest): container "nginx" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating\n`);
    pod.spec.containers.push({ ...pod.spec.containers[0]!, name: 'sidecar' });
    expect(sh(`kubectl logs ${pod.metadata.name}`).output).toBe(`error: a container name must be specified for pod ${pod.metadata.name}, choose one of: [nginx sidecar]\n`);
  });
  it('runs commands in containers', () => {
    const { state, sh } = cluster();
    const pod = webPods(state)[0]!;
    expect(sh(`kubectl exec ${pod}`).output).toBe('error: you must specify at least one command for the container\n');
    expect(sh(`kubectl exec ${pod} -- cat /etc/resolv.conf`).output).toContain('nameserver 10.96.0.10');
    // Without a terminal, sh reads an empty stdin and ends; with -it the shell opens (shell-interactive.test.ts).
    expect(sh(`kubectl exec ${pod} -- sh`)).toMatchObject({ output: '', exitCode: 0 });
    expect(sh('kubectl exec nope -- ls').output).toBe('Error from server (NotFound): pods "nope" not found\n');
  });
});

describe('create, run, set and edit', () => {
  it('creates objects and changes pod templates', () => {
    const { state, sh } = cluster();
    expect(sh('kubectl create namespace shop').output).toBe('namespace/shop created\n');
    expect(sh('kubectl create namespace shop').output).toBe('Error from server (AlreadyExists): namespaces "shop" already exists\n');
    expect(sh('kubectl create deployment cart --image=nginx:1.25 --replicas=2 -n shop').output).toBe('deployment.apps/cart created\n');
    expect(sh('kubectl create configmap cfg --from-literal=a=1').output).toBe('configmap/cfg created\n');
    expect(sh('kubectl run tmp --image=busybox:1.36 --restart=Never -- sleep 3600').output).toBe('pod/tmp created\n');
    expect(state.pods['default/tmp']!.spec.restartPolicy).toBe('Never');
    tick(state, 5000);
    expect(Object.values(state.pods).filter((p) => p.metadata.namespace === 'shop')).toHaveLength(2);
    expect(sh('kubectl set image deploy/web nginx=nginx:1.26').output).toBe('deployment.apps/web image updated\n');
    expect(sh('kubectl set image deploy/web php=php:8').output).toBe('error: unable to find container named "php"\n');
    expect(sh('kubectl set resources deploy/web --requests=cpu=200m,memory=64Mi --limits=memory=128Mi').output).toBe('deployment.apps/web resource requirements updated\n');
    expect(state.deployments['default/web']!.spec.template.spec.containers[0]!.resources).toEqual({ requests: { cpu: 200, memory: 64 * 2 ** 20 }, limits: { memory: 128 * 2 ** 20 } });
  });
  it('opens the editor on the YAML without an error; the save is applied and reported as kubectl edit does', () => {
    const { state, sh } = cluster();
    const r = sh('kubectl edit deploy web');
    expect(r).toMatchObject({ output: '', exitCode: 0, edit: { title: 'deployments/web -n default', save: 'kubectl edit deployment/web -n default' } });
    expect(r.edit!.text).toContain('kind: Deployment\n');
    expect(sh(editLine(r.edit!.save, r.edit!.text)).output).toBe('Edit cancelled, no changes made.\n');
    expect(sh(editLine(r.edit!.save, r.edit!.text.replace(/replicas: \d+/, 'replicas: 5'))).output).toBe('deployment.apps/web edited\n');
    expect(state.deployments['default/web']!.spec.replicas).toBe(5);
  });
});

describe('kubectl expose and create service', () => {
  // kubectl expose.go createService / polymorphichelpers (selector, ports, protocols from the
  // exposed object; target port = port), create_service.go (ports named PORT-TARGET, app=NAME).
  it('exposes a deployment with its selector and labels, and the Service gets endpoints', () => {
    const { state, sh } = cluster();
    expect(sh('kubectl expose deploy web --port=8080 --target-port=80 --name=web2').output).toBe('service/web2 exposed\n');
    tick(state, 2000);
    expect(sh('kubectl get svc web2 -o jsonpath="{.spec.selector.app} {.spec.ports[0].port}->{.spec.ports[0].targetPort} {.metadata.labels.app}"').output).toBe('web 8080->80 web');
    expect(sh('kubectl get ep web2 -o jsonpath="{.subsets[0].ports[0].port}"').output).toBe('80');
    expect(sh('kubectl expose deploy web').output).toBe('Error from server (AlreadyExists): services "web" already exists\n');
    expect(sh('kubectl expose deploy web --name=np --type=NodePort').output).toBe('service/np exposed\n');
    expect(sh('kubectl get svc np -o jsonpath="{.spec.type} {.spec.ports[0].nodePort}"').output).toMatch(/^NodePort 3\d{4}$/);
  });

  it('refuses what kubectl refuses', () => {
    const { sh } = cluster();
    const node = sh('kubectl get nodes -o jsonpath={.items[0].metadata.name}').output;
    expect(sh(`kubectl expose node ${node}`)).toEqual({ output: 'error: cannot expose a Node\n', exitCode: 1 });
    sh('kubectl run bare --image=nginx --labels=');
    expect(sh('kubectl expose pod bare --port=80').output).toBe('error: couldn\'t retrieve selectors via --selector flag or introspection: the pod has no labels and cannot be exposed\n');
    sh('kubectl run noport --image=nginx');
    expect(sh('kubectl expose pod noport').output).toBe('error: couldn\'t find port via --port flag or introspection\n');
    expect(sh('kubectl expose deploy web --port=abc --name=x').output).toBe('error: strconv.Atoi: parsing "abc": invalid syntax\n');
  });

  it('creates services by type', () => {
    const { sh } = cluster();
    expect(sh('kubectl create service clusterip my-cs --tcp=5678:8080').output).toBe('service/my-cs created\n');
    expect(sh('kubectl get svc my-cs -o jsonpath="{.spec.ports[0].name} {.spec.ports[0].targetPort} {.spec.selector.app}"').output).toBe('5678-8080 8080 my-cs');
    expect(sh('kubectl create service nodeport np --tcp=80:80 --node-port=30080').output).toBe('service/np created\n');
    expect(sh('kubectl get svc np --no-headers').output).toMatch(/^np +NodePort +10\.\S+ +<none> +80:30080\/TCP +0s\n$/);
    expect(sh('kubectl create service clusterip headless --clusterip=None').output).toBe('service/headless created\n');
    expect(sh('kubectl create service clusterip none').output).toBe('error: at least one tcp port specifier must be provided\n');
  });
});

describe('kubectl create token', () => {
  // create_token.go → TokenRequest: a bound service-account JWT (RS256, the claims kube-apiserver's
  // serviceaccount.Claims writes), 1 h by default, at least 10 minutes.
  it('issues a JWT for an existing service account with the real claims', () => {
    const { sh } = cluster();
    sh('kubectl create sa bot');
    const token = sh('kubectl create token bot').output.trim();
    const [header, claims, signature] = token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ alg: 'RS256' });
    const c = JSON.parse(Buffer.from(claims!, 'base64url').toString());
    expect(Object.keys(c)).toEqual(['aud', 'exp', 'iat', 'iss', 'kubernetes.io', 'nbf', 'sub']);
    expect(c.sub).toBe('system:serviceaccount:default:bot');
    expect(c.exp - c.iat).toBe(3600);
    expect(c['kubernetes.io'].serviceaccount.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Buffer.from(signature!, 'base64url')).toHaveLength(256);
    expect(sh('kubectl create token nope').output).toBe('error: failed to create token: serviceaccounts "nope" not found\n');
    expect(sh('kubectl create token bot --duration=1m').output).toBe(
      'error: failed to create token: TokenRequest.authentication.k8s.io "bot" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes\n',
    );
  });
});

describe('--dry-run and -o on generators (create, run, expose)', () => {
  // kubectl's PrintFlagsWithDryRunStrategy: "(dry run)" / "(server dry run)" suffixes; client
  // dry runs print the object before the server (creationTimestamp: null, no uid, status {}).
  it('writes nothing on a dry run and prints the would-be object', () => {
    const { state, sh } = cluster();
    const before = JSON.stringify(state.stored ?? {}) + Object.keys(state.deployments).join();
    const yaml = sh('kubectl create deployment x --image=nginx --dry-run=client -o yaml').output;
    expect(yaml).toMatch(/^apiVersion: apps\/v1\nkind: Deployment\nmetadata:\n {2}creationTimestamp: null\n {2}labels:\n {4}app: x\n {2}name: x\nspec:\n/);
    expect(yaml).not.toMatch(/uid:|resourceVersion:|namespace:/);
    expect(yaml.endsWith('status: {}\n')).toBe(true);
    expect(sh('kubectl create deployment x --image=nginx --dry-run=server -o name').output).toBe('deployment.apps/x\n');
    expect(sh('kubectl create cm c --from-literal=a=b --dry-run=client').output).toBe('configmap/c created (dry run)\n');
    expect(sh('kubectl run tmp --image=busybox --dry-run=server').output).toBe('pod/tmp created (server dry run)\n');
    expect(sh('kubectl expose deploy web --name=w2 --dry-run=client -o jsonpath={.spec.selector.app}').output).toBe('web');
    expect(JSON.stringify(state.stored ?? {}) + Object.keys(state.deployments).join()).toBe(before);
    expect(sh('kubectl get deploy x').exitCode).toBe(1);
    expect(sh('kubectl get pod tmp').exitCode).toBe(1);
  });

  it('charges a dry run for copying the state by what it holds: a drill cluster fits in a line, a huge one does not', () => {
    const { state, sh } = cluster();
    // A job run to completion leaves a pod and events behind; a dry run was then refused as too costly.
    expect(sh('kubectl create job test --image=busybox -- echo hi').exitCode).toBe(0);
    tick(state, 10_000);
    for (let i = 0; i < 40; i++) sh(`kubectl create sa sa-${i}`);
    expect(sh('kubectl create secret generic x --from-literal=a=b --dry-run=client -o yaml')).toMatchObject({ exitCode: 0 });
    expect(sh('kubectl create deployment y --image=nginx --dry-run=server -o name').output).toBe('deployment.apps/y\n');
    // 600 pods: copying them takes longer than a line may run, so it is refused before the copy.
    const big = createCluster({ ...demoClusterSpec, limits: { quota: { pods: 700, replicasets: 50, deployments: 50 }, maxObjects: 5000 }, deployments: [...demoClusterSpec.deployments!, { namespace: 'default', name: 'many', replicas: 600, containers: [{ image: 'nginx:1.25', ports: [80], requests: { cpu: '1m', memory: '1Mi' } }] }] }, 1);
    const started = performance.now();
    const refused = runLine(big, newSession(big), 'kubectl create cm c --from-literal=a=b --dry-run=client -o name');
    expect(refused.output).toMatch(/CPU time limit exceeded/);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('prints the created object with -o, and the usual line without', () => {
    const { sh } = cluster();
    expect(sh('kubectl create secret generic s --from-literal=k=v -o jsonpath={.data.k}').output).toBe('dg==');
    expect(sh('kubectl create deployment y --image=nginx -o name').output).toBe('deployment.apps/y\n');
    expect(sh('kubectl get deploy y').exitCode).toBe(0);
    expect(sh('kubectl create deployment z --image=nginx --dry-run=maybe').output).toBe('error: Invalid dry-run value (maybe). Must be "none", "server", or "client".\n');
  });
});

describe('kubectl certificate approve|deny', () => {
  // certificates.go addConditionIfNeeded; printers.go extractCSRStatus (Approved,Issued);
  // the csrsigning controller issues approved requests of the built-in signers.
  it('approves, the signer issues, and the opposite answer is refused', () => {
    const { state, sh } = cluster();
    sh(`cat <<EOF | kubectl apply -f -
apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: alice
spec:
  request: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K
  signerName: kubernetes.io/kube-apiserver-client
  expirationSeconds: 86400
  usages: [client auth]
EOF`);
    expect(sh('kubectl get csr alice --no-headers').output).toMatch(/^alice +\S+ +kubernetes\.io\/kube-apiserver-client +\S* +24h +Pending\n$/);
    expect(sh('kubectl certificate approve alice').output).toBe('certificatesigningrequest.certificates.k8s.io/alice approved\n');
    tick(state, 2000);
    expect(sh('kubectl get csr alice --no-headers').output).toMatch(/ 24h +Approved,Issued\n$/);
    expect(sh('kubectl get csr alice -o jsonpath={.status.certificate} | base64 -d | head -1').output).toBe('-----BEGIN CERTIFICATE-----\n');
    expect(sh('kubectl certificate approve alice').output).toBe('certificatesigningrequest.certificates.k8s.io/alice approved\n');
    expect(sh('kubectl certificate deny alice')).toEqual({ output: 'error: certificate signing request "alice" is already Approved\n', exitCode: 1 });
    expect(sh('kubectl certificate approve nope').output).toBe('Error from server (NotFound): certificatesigningrequests.certificates.k8s.io "nope" not found\n');
  });
});

describe('kubectl set serviceaccount', () => {
  it('sets the template\'s service account (set_serviceaccount.go), as `set sa` too', () => {
    const { sh } = cluster();
    sh('kubectl create sa bot');
    expect(sh('kubectl set sa deploy/web bot').output).toBe('deployment.apps/web serviceaccount updated\n');
    expect(sh('kubectl get deploy web -o jsonpath={.spec.template.spec.serviceAccountName}').output).toBe('bot');
    expect(sh('kubectl set serviceaccount deploy/web').output).toBe('error: serviceaccount is required\n');
  });
});

describe('review findings', () => {
  it('a forced replace cannot be a dry run (replace.go Validate) and deletes nothing', () => {
    const { sh } = cluster();
    sh('kubectl create cm demo --from-literal=a=b; kubectl get cm demo -o yaml > cm.yaml');
    expect(sh('kubectl replace --force --dry-run=server -f cm.yaml').output).toBe('error: --dry-run can not be used when --force is set\n');
    expect(sh('kubectl get cm demo -o name').output).toBe('configmap/demo\n');
  });

  it('every namespace carries kubernetes.io/metadata.name, as the apiserver sets it', () => {
    const { sh } = cluster();
    sh('kubectl create ns foo');
    expect(sh('kubectl get ns -l kubernetes.io/metadata.name=foo -o name').output).toBe('namespace/foo\n');
  });

  it('looking (diff, create token) does not change the names the cluster gives later', () => {
    const a = cluster();
    const b = cluster();
    a.sh('kubectl get deploy web -o yaml > w.yaml; kubectl diff -f w.yaml; kubectl create sa bot; kubectl create token bot');
    b.sh('kubectl create sa bot');
    a.sh('kubectl scale deploy web --replicas=5');
    b.sh('kubectl scale deploy web --replicas=5');
    tick(a.state, 3000);
    tick(b.state, 3000);
    expect(Object.keys(a.state.pods).sort()).toEqual(Object.keys(b.state.pods).sort());
  });
});

describe('kubectl scale of several objects', () => {
  it('scales names, --all and -l selections, one line each (scale.go visits every resource)', () => {
    const { sh } = cluster();
    expect(sh('kubectl scale deploy --all --replicas=1').output).toBe('deployment.apps/api scaled\ndeployment.apps/web scaled\n');
    expect(sh('kubectl scale deploy -l app=web --replicas=2').output).toBe('deployment.apps/web scaled\n');
    expect(sh('kubectl scale deploy web api --replicas=3').output).toBe('deployment.apps/web scaled\ndeployment.apps/api scaled\n');
    expect(sh('kubectl scale deploy web nope --replicas=3')).toEqual({ output: 'deployment.apps/web scaled\n', exitCode: 0 });
  });
});

describe('create configmap|secret from files, tls and docker-registry secrets, priority classes', () => {
  // create_configmap.go / create_secret.go (--from-file, --from-env-file), create_secret_tls.go,
  // create_secret_docker.go (.dockerconfigjson), create_priorityclass.go.
  it('reads files, directories and env files into data', () => {
    const { sh } = cluster();
    sh("printf 'a=1\\nb=2\\n# c\\n' > app.env; mkdir -p conf; echo one > conf/x.conf; echo two > conf/y.conf");
    expect(sh('kubectl create configmap dir --from-file=conf/').output).toBe('configmap/dir created\n');
    expect(sh("kubectl get cm dir -o jsonpath='{.data}'").output).toBe('{"x.conf":"one\\n","y.conf":"two\\n"}');
    sh('kubectl create configmap envs --from-env-file=app.env --from-literal=z=9');
    expect(sh("kubectl get cm envs -o jsonpath='{.data}'").output).toBe('{"a":"1","b":"2","z":"9"}');
    sh('kubectl create configmap custom --from-file=my.key=app.env');
    expect(sh("kubectl get cm custom -o jsonpath='{.data.my\\.key}'").output).toBe('a=1\nb=2\n# c\n');
    expect(sh('kubectl create configmap nofile --from-file=/nope').output).toBe('error: error reading /nope: no such file or directory\n');
    sh('kubectl create secret generic s --from-file=app.env');
    expect(sh("kubectl get secret s -o jsonpath='{.data.app\\.env}' | base64 -d").output).toBe('a=1\nb=2\n# c\n');
  });

  it('builds tls and docker-registry secrets and priority classes', () => {
    const { sh } = cluster();
    sh('echo plain > x.txt');
    expect(sh('kubectl create secret tls t --cert=x.txt --key=x.txt').output).toBe('error: tls: failed to find any PEM data in certificate input\n');
    expect(sh('kubectl create secret docker-registry reg --docker-server=ghcr.io --docker-username=u --docker-password=p').output).toBe('secret/reg created\n');
    expect(sh("kubectl get secret reg -o jsonpath='{.type}'").output).toBe('kubernetes.io/dockerconfigjson');
    expect(sh("kubectl get secret reg -o jsonpath='{.data.\\.dockerconfigjson}' | base64 -d").output).toBe('{"auths":{"ghcr.io":{"username":"u","password":"p","auth":"dTpw"}}}');
    expect(sh('kubectl create priorityclass high --value=1000 --description="for important"').output).toBe('priorityclass.scheduling.k8s.io/high created\n');
    expect(sh('kubectl get pc high --no-headers').output).toMatch(/^high +1000 +false +0s\n$/);
  });
});

describe('dry runs that read files', () => {
  it('keep the session (the generator reads --from-file and --cert where the line runs)', () => {
    const { sh } = cluster();
    sh('echo a > /tmp/a');
    expect(sh('kubectl create configmap q --from-file=/tmp/a --dry-run=client -o jsonpath={.data.a}').output).toBe('a\n');
    expect(sh('kubectl create secret tls t --cert=/tmp/a --key=/tmp/a --dry-run=client').output).toBe('error: tls: failed to find any PEM data in certificate input\n');
    expect(sh('kubectl get cm q').exitCode).toBe(1);
  });
});
