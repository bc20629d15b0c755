// The kinds kept as JSON (cluster/stored-kinds.ts), the default objects of a kubeadm v1.29
// cluster, api-resources/api-versions, auth and get --raw. Column sets are those of kubectl
// v1.29's server-side printers (kubernetes pkg/printers/internalversion/printers.go).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { STORED_KINDS } from '../../server/cluster/stored-kinds.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { LineBudget } from '../../server/shell/budget.js';
import { kubectlRunner, session } from '../helpers/kubectl-fixture.js';

const cluster = (): ClusterState => createCluster(demoClusterSpec, 7);
const runner = async (state = cluster()) => kubectlRunner(state, session());

const HEADERS: Record<string, string> = {
  secrets: 'NAME TYPE DATA AGE',
  serviceaccounts: 'NAME SECRETS AGE',
  persistentvolumes: 'NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE',
  persistentvolumeclaims: 'NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE',
  resourcequotas: 'NAME AGE REQUEST LIMIT',
  limitranges: 'NAME CREATED AT',
  podtemplates: 'NAME CONTAINERS IMAGES POD LABELS',
  replicationcontrollers: 'NAME DESIRED CURRENT READY AGE',
  statefulsets: 'NAME READY AGE',
  controllerrevisions: 'NAME CONTROLLER REVISION AGE',
  jobs: 'NAME COMPLETIONS DURATION AGE',
  cronjobs: 'NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE',
  ingresses: 'NAME CLASS HOSTS ADDRESS PORTS AGE',
  ingressclasses: 'NAME CONTROLLER PARAMETERS AGE',
  networkpolicies: 'NAME POD-SELECTOR AGE',
  storageclasses: 'NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE',
  csidrivers: 'NAME ATTACHREQUIRED PODINFOONMOUNT STORAGECAPACITY TOKENREQUESTS REQUIRESREPUBLISH MODES AGE',
  csinodes: 'NAME DRIVERS AGE',
  volumeattachments: 'NAME ATTACHER PV NODE ATTACHED AGE',
  roles: 'NAME CREATED AT',
  rolebindings: 'NAME ROLE AGE',
  clusterroles: 'NAME CREATED AT',
  clusterrolebindings: 'NAME ROLE AGE',
  poddisruptionbudgets: 'NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE',
  horizontalpodautoscalers: 'NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE',
  leases: 'NAME HOLDER AGE',
  endpointslices: 'NAME ADDRESSTYPE PORTS ENDPOINTS AGE',
  priorityclasses: 'NAME VALUE GLOBAL-DEFAULT AGE',
  runtimeclasses: 'NAME HANDLER AGE',
  customresourcedefinitions: 'NAME CREATED AT',
  mutatingwebhookconfigurations: 'NAME WEBHOOKS AGE',
  validatingwebhookconfigurations: 'NAME WEBHOOKS AGE',
  certificatesigningrequests: 'NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION',
  apiservices: 'NAME SERVICE AVAILABLE AGE',
  componentstatuses: 'NAME STATUS MESSAGE ERROR',
};

/** One small manifest per kind, to create, list, describe and print. */
function manifestFor(kind: (typeof STORED_KINDS)[number]): string {
  const apiVersion = kind.group ? `${kind.group}/${kind.version}` : kind.version;
  const ns = kind.namespaced ? '\n  namespace: default' : '';
  const body: Record<string, string> = {
    Secret: 'type: Opaque\nstringData:\n  password: hunter2',
    PersistentVolumeClaim: 'spec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n  storageClassName: gp2',
    Job: 'spec:\n  completions: 1\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox',
    CronJob: 'spec:\n  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers:\n          - name: c\n            image: busybox',
    StatefulSet: 'spec:\n  selector:\n    matchLabels:\n      app: t\n  template:\n    metadata:\n      labels:\n        app: t\n    spec:\n      containers:\n      - name: c\n        image: busybox',
    NetworkPolicy: 'spec:\n  podSelector:\n    matchLabels:\n      app: web\n  policyTypes: [Ingress]',
    RoleBinding: 'roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n- kind: ServiceAccount\n  name: default\n  namespace: default',
    PodDisruptionBudget: 'spec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: web',
    RuntimeClass: 'handler: runc',
  };
  return `apiVersion: ${apiVersion}\nkind: ${kind.kind}\nmetadata:\n  name: t-${kind.singular}${ns}\n${body[kind.kind] ?? ''}\n`;
}

describe('kinds kept as JSON', () => {
  it('lists every kind with kubectl v1.29 columns, and -o yaml/name/jsonpath/describe work for each', async () => {
    const state = cluster();
    const { kubectlCommand } = await import('../../server/shell/kubectl/index.js');
    const run = (argv: string[], stdin = '') => kubectlCommand({ state, session: session(), env: {}, stdin, budget: new LineBudget() }, argv);
    for (const kind of STORED_KINDS) {
      if (kind.kind === 'ComponentStatus' || kind.crd) continue;
      const created = run(['kubectl', 'apply', '-f', '-'], manifestFor(kind));
      expect(created.stderr, kind.kind).toBe('');
      const listed = run(['kubectl', 'get', kind.plural]);
      expect(listed.stdout.split('\n')[0]!.split(/\s{2,}/).join(' '), kind.kind).toBe(HEADERS[kind.plural]);
      expect(listed.stdout, kind.kind).toContain(`t-${kind.singular}`);
      const ref = `${kind.plural}/t-${kind.singular}`;
      const yaml = parse(run(['kubectl', 'get', ref, '-o', 'yaml']).stdout) as { kind: string; apiVersion: string; metadata: { name: string; uid: string } };
      expect(yaml.kind).toBe(kind.kind);
      expect(yaml.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(run(['kubectl', 'get', ref, '-o', 'name']).stdout).toBe(`${kind.group ? `${kind.singular}.${kind.group}` : kind.singular}/t-${kind.singular}\n`);
      expect(run(['kubectl', 'get', ref, '-o', 'jsonpath={.metadata.name}']).stdout).toBe(`t-${kind.singular}`);
      expect(run(['kubectl', 'describe', ref]).stdout, kind.kind).toMatch(new RegExp(`^Name:\\s+t-${kind.singular}\\n`));
      expect(run(['kubectl', 'label', ref, 'team=sre']).stdout).toMatch(/labeled\n$/);
      expect(run(['kubectl', 'get', kind.plural, '-l', 'team=sre', '-o', 'name']).stdout).toContain(`t-${kind.singular}`);
      // Applied again: the label another writer added is neither in the manifest nor in the last
      // applied one, so the three-way merge keeps it, as it keeps what the cluster filled in (a
      // PVC's volumeName, a PV's claimRef): kubectl apply says unchanged.
      expect(run(['kubectl', 'apply', '-f', '-'], manifestFor(kind)).stdout, kind.kind)
        .toMatch(/unchanged\n$/);
      expect(run(['kubectl', 'get', kind.plural, '-l', 'team=sre', '-o', 'name']).stdout).toContain(`t-${kind.singular}`);
      expect(run(['kubectl', 'delete', ref]).stdout, kind.kind).toMatch(/deleted\n$/);
      expect(run(['kubectl', 'get', ref]).stderr).toContain('(NotFound)');
    }
  });

  it('prints a Secret, a PVC and a Job like kubectl', async () => {
    const state = cluster();
    const { kubectlCommand } = await import('../../server/shell/kubectl/index.js');
    const run = (argv: string[], stdin = '') => kubectlCommand({ state, session: session(), env: {}, stdin, budget: new LineBudget() }, argv);
    for (const k of STORED_KINDS.filter((x) => ['Secret', 'PersistentVolumeClaim', 'Job', 'NetworkPolicy', 'PodDisruptionBudget', 'RoleBinding', 'Lease'].includes(x.kind))) {
      run(['kubectl', 'apply', '-f', '-'], manifestFor(k));
    }
    expect(run(['kubectl', 'get', 'secrets']).stdout).toBe('NAME       TYPE     DATA   AGE\nt-secret   Opaque   1      0s\n');
    expect(run(['kubectl', 'get', 'secret', 't-secret', '-o', 'jsonpath={.data.password}']).stdout).toBe(Buffer.from('hunter2').toString('base64'));
    expect(run(['kubectl', 'describe', 'secret', 't-secret']).stdout).toBe(
      'Name:         t-secret\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\n\nType:  Opaque\n\nData\n====\npassword:  7 bytes\n');
    // An unbound claim (Pending from its creation): no volume, capacity or access modes yet.
    expect(run(['kubectl', 'get', 'pvc']).stdout).toBe('NAME                      STATUS    VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE\nt-persistentvolumeclaim   Pending                                      gp2            <unset>                 0s\n');
    expect(run(['kubectl', 'get', 'jobs', '-o', 'wide']).stdout.split('\n')[1]).toBe('t-job   0/1                      0s    c            busybox   <none>');
    expect(run(['kubectl', 'get', 'netpol']).stdout).toBe('NAME              POD-SELECTOR   AGE\nt-networkpolicy   app=web        0s\n');
    expect(run(['kubectl', 'get', 'pdb']).stdout).toBe('NAME                    MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE\nt-poddisruptionbudget   1               N/A               0                     0s\n');
    expect(run(['kubectl', 'get', 'rolebinding', '-o', 'wide']).stdout).toBe(
      'NAME            ROLE               AGE   USERS   GROUPS   SERVICEACCOUNTS\nt-rolebinding   ClusterRole/view   0s                     default/default\n');
    // The generic describer (a kind kubectl has no describer for): smart labels, nested fields indented.
    const described = run(['kubectl', 'describe', 'lease', 't-lease']).stdout;
    expect(described).toContain('API Version:  coordination.k8s.io/v1\n');
    expect(described).toMatch(/\nMetadata:\n  Creation Timestamp:  /);
    expect(described).toMatch(/Events:\s+<none>\n$/);
    // A budget has its own (describePodDisruptionBudget).
    expect(run(['kubectl', 'describe', 'pdb', 't-poddisruptionbudget']).stdout).toMatch(/^Name: +t-poddisruptionbudget\nNamespace: +default\nMin available: +1\nSelector: +app=web\nStatus:\n/);
  });

  it('keeps writes going through the apiserver: NOSPACE refuses them with the real error', async () => {
    const state = cluster();
    state.etcd.alarms.push({ memberID: '1', alarm: 'NOSPACE' });
    const { kubectlCommand } = await import('../../server/shell/kubectl/index.js');
    const r = kubectlCommand({ state, session: session(), env: {}, budget: new LineBudget(), stdin: manifestFor(STORED_KINDS.find((k) => k.kind === 'Secret')!) }, ['kubectl', 'apply', '-f', '-']);
    expect(r.stderr).toContain('etcdserver: mvcc: database space exceeded');
    expect(state.stored?.Secret?.['default/t-secret']).toBeUndefined();
  });

  it('prints the ComponentStatus deprecation warning and the components the control plane runs', async () => {
    const state = cluster();
    const run = await runner(state);
    expect(run('kubectl get cs')).toEqual({
      stdout: 'NAME                 STATUS    MESSAGE   ERROR\ncontroller-manager   Healthy   ok        \netcd-0               Healthy   ok        \nscheduler            Healthy   ok        \n',
      stderr: '', stderrFirst: 'Warning: v1 ComponentStatus is deprecated in v1.19+\n', exitCode: 0,
    });
    state.controlPlane.scheduler.running = false;
    expect(run('kubectl get cs').stdout).toContain('scheduler            Unhealthy             Get "https://127.0.0.1:10259/healthz": dial tcp 127.0.0.1:10259: connect: connection refused\n');
  });
});

describe('default objects of a kubeadm v1.29 cluster', () => {
  it('has kube-root-ca.crt and a default ServiceAccount in every namespace, and no token secrets', async () => {
    const run = await runner();
    const cms = run('kubectl get cm -A').stdout;
    const sas = run('kubectl get sa -A').stdout;
    for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) {
      expect(cms).toMatch(new RegExp(`${ns} +kube-root-ca.crt +1 `));
      expect(sas).toMatch(new RegExp(`${ns} +default +0 `));
    }
    expect(cms).toMatch(/kube-public +cluster-info +1 /);
    for (const name of ['kube-proxy', 'kubeadm-config', 'kubelet-config', 'coredns']) expect(cms).toMatch(new RegExp(`kube-system +${name} `));
    expect(run('kubectl get secrets -A').stderr).toBe('No resources found\n');
  });

  it('has node and leader-election Leases, EndpointSlices per Service, RBAC, PriorityClasses and a default StorageClass', async () => {
    const run = await runner();
    const leases = run('kubectl get leases -A').stdout;
    for (const node of ['cp-1', 'worker-1', 'worker-2']) expect(leases).toMatch(new RegExp(`kube-node-lease +${node} +${node} `));
    expect(leases).toMatch(/kube-system +kube-scheduler +cp-1_[0-9a-f-]{36} /);
    expect(leases).toMatch(/kube-system +kube-controller-manager +cp-1_[0-9a-f-]{36} /);
    const slices = run('kubectl get endpointslices -A').stdout;
    expect(slices).toMatch(/default +kubernetes +IPv4 +6443 +10\.0\.1\.10 /);
    expect(slices).toMatch(/kube-system +kube-dns-[bcdfghjklmnpqrstvwxz2456789]{5} +IPv4 +53,53,9153 /);
    expect(run('kubectl get clusterrolebinding cluster-admin -o wide').stdout).toMatch(/cluster-admin +ClusterRole\/cluster-admin +\S+ +system:masters/);
    for (const role of ['cluster-admin', 'admin', 'edit', 'view', 'system:node', 'system:kube-scheduler']) expect(run(`kubectl get clusterrole ${role}`).exitCode).toBe(0);
    expect(run('kubectl get pc').stdout).toMatch(/system-cluster-critical +2000000000 +false +\S+\nsystem-node-critical +2000001000 +false/);
    expect(run('kubectl get sc').stdout).toMatch(/^NAME +PROVISIONER.*\ngp2 \(default\) +kubernetes\.io\/aws-ebs +Delete +WaitForFirstConsumer +false /);
  });

  it('is deterministic and leaves the cluster main random sequence alone', () => {
    const a = cluster();
    const b = cluster();
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(Object.keys(a.stored!.EndpointSlice!)).toEqual(Object.keys(b.stored!.EndpointSlice!));
  });
});

describe('api-resources, api-versions', () => {
  it('lists the kinds that exist with v1.29 rows', async () => {
    const run = await runner();
    const out = run('kubectl api-resources').stdout;
    expect(out.split('\n')[0]).toMatch(/^NAME +SHORTNAMES +APIVERSION +NAMESPACED +KIND$/);
    for (const row of [
      /\nsecrets +v1 +true +Secret\n/, /\nserviceaccounts +sa +v1 +true +ServiceAccount\n/, /\npersistentvolumeclaims +pvc +v1 +true +PersistentVolumeClaim\n/,
      /\nstatefulsets +sts +apps\/v1 +true +StatefulSet\n/, /\nhorizontalpodautoscalers +hpa +autoscaling\/v2 +true +HorizontalPodAutoscaler\n/,
      /\ncronjobs +cj +batch\/v1 +true +CronJob\n/, /\nnetworkpolicies +netpol +networking\.k8s\.io\/v1 +true +NetworkPolicy\n/,
      /\ncustomresourcedefinitions +crd,crds +apiextensions\.k8s\.io\/v1 +false +CustomResourceDefinition\n/,
      /\nclusterroles +rbac\.authorization\.k8s\.io\/v1 +false +ClusterRole\n/, /\npriorityclasses +pc +scheduling\.k8s\.io\/v1 +false +PriorityClass\n/,
    ]) expect(out).toMatch(row);
    expect(out.indexOf('\nsecrets ')).toBeLessThan(out.indexOf('\nmutatingwebhookconfigurations '));
    expect(run('kubectl api-resources --namespaced=false -o name').stdout).toContain('\nclusterroles.rbac.authorization.k8s.io\n');
    expect(run('kubectl api-resources --namespaced=false -o name').stdout).not.toContain('secrets');
    expect(run('kubectl api-resources --api-group=batch').stdout).toMatch(/^NAME +SHORTNAMES +APIVERSION +NAMESPACED +KIND\ncronjobs +cj +batch\/v1 +true +CronJob\njobs +batch\/v1 +true +Job\n$/);
    // kubectl's tabwriter pads a cell ended by a tab, so an empty last column leaves the padding; v1.29 joins the verbs with commas (checked by tests/differential).
    expect(run('kubectl api-resources -o wide').stdout).toMatch(/\ncomponentstatuses +cs +v1 +false +ComponentStatus +get,list *\n/);
    expect(run('kubectl api-resources -o wide').stdout).toMatch(/\njobs +batch\/v1 +true +Job +create,delete,deletecollection,get,list,patch,update,watch +all\n/);
  });
  it('prints the served group versions, sorted', async () => {
    const out = (await runner())('kubectl api-versions').stdout.split('\n');
    expect(out[0]).toBe('admissionregistration.k8s.io/v1');
    expect(out).toContain('autoscaling/v2');
    expect(out.at(-2)).toBe('v1');
  });
});

describe('auth', () => {
  it('answers can-i for the admin and for impersonated subjects from RBAC', async () => {
    const run = await runner();
    expect(run('kubectl auth can-i delete pods')).toEqual({ stdout: 'yes\n', stderr: '', exitCode: 0 });
    expect(run('kubectl auth can-i * * -A')).toEqual({ stdout: 'yes\n', stderr: '', exitCode: 0 });
    expect(run('kubectl auth can-i list nodes --as=system:kube-scheduler')).toEqual({ stdout: 'yes\n', stderr: '', exitCode: 0 });
    expect(run('kubectl auth can-i delete nodes --as=system:kube-scheduler')).toEqual({ stdout: 'no\n', stderr: '', exitCode: 1 });
    expect(run('kubectl auth can-i get pods --as=system:serviceaccount:default:default')).toEqual({ stdout: 'no\n', stderr: '', exitCode: 1 });
    expect(run('kubectl auth can-i get /healthz --as=jane')).toEqual({ stdout: 'yes\n', stderr: '', exitCode: 0 });
    expect(run('kubectl auth can-i get configmaps/kube-proxy -n kube-system --as=system:bootstrap:abc --as-group=system:bootstrappers:kubeadm:default-node-token').stdout).toBe('yes\n');
    expect(run('kubectl auth can-i get').stderr).toContain('you must specify two arguments');
    const list = run('kubectl auth can-i --list').stdout.split('\n');
    expect(list[0]).toMatch(/^Resources +Non-Resource URLs +Resource Names +Verbs$/);
    expect(list[1]).toMatch(/^\*\.\* +\[\] +\[\] +\[\*\]$/);
  });
  it('prints whoami as v1.29 does', async () => {
    expect((await runner())('kubectl auth whoami').stdout).toBe('ATTRIBUTE   VALUE\nUsername    kubernetes-admin\nGroups      [system:masters system:authenticated]\n');
  });
});

describe('RuntimeClass', () => {
  // node.k8s.io/v1, cluster-scoped, no short name (kubectl v1.29 api-resources); kubeadm makes none.
  it('is served and listed, and a cluster has none', async () => {
    const run = await runner();
    expect(run('kubectl get runtimeclass')).toEqual({ stdout: '', stderr: 'No resources found\n', exitCode: 0 });
    expect(run('kubectl api-resources').stdout).toMatch(/^runtimeclasses {2,}node\.k8s\.io\/v1 {2,}false {2,}RuntimeClass$/m);
    expect(run('kubectl get --raw /apis/node.k8s.io/v1/runtimeclasses').stdout).toMatch(/^\{"kind":"RuntimeClassList","apiVersion":"node.k8s.io\/v1",.*"items":\[\]\}\n$/);
  });
});

describe('get --raw', () => {
  it('answers the health endpoints from the control plane', async () => {
    const state = cluster();
    const run = await runner(state);
    expect(run('kubectl get --raw /healthz')).toEqual({ stdout: 'ok', stderr: '', exitCode: 0 });
    const ready = run('kubectl get --raw /readyz?verbose').stdout;
    expect(ready.startsWith('[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\n')).toBe(true);
    expect(ready.endsWith('[+]shutdown ok\nreadyz check passed\n')).toBe(true);
    expect(run('kubectl get --raw /livez?verbose').stdout.endsWith('livez check passed\n')).toBe(true);
    // One check on its own (k8s.io/apiserver healthz adaptCheckToHandler): "ok", or a 500 "internal server error: …".
    expect(run('kubectl get --raw /readyz/etcd')).toEqual({ stdout: 'ok', stderr: '', exitCode: 0 });
    expect(run('kubectl get --raw /livez/ping').stdout).toBe('ok');
    expect(run('kubectl get --raw /livez/nope').stderr).toBe('Error from server (NotFound): the server could not find the requested resource\n');
    state.etcd.alarms.push({ memberID: '1', alarm: 'NOSPACE' });
    const failed = run('kubectl get --raw /readyz?verbose');
    expect(failed.exitCode).toBe(1);
    expect(run('kubectl get --raw /readyz/etcd').stderr).toBe('Error from server (InternalError): an error on the server ("internal server error: etcdserver: mvcc: database space exceeded") has prevented the request from succeeding\n');
    expect(failed.stderr).toMatch(/^Error from server \(InternalError\): an error on the server \("\[\+\]ping ok\\n\[\+\]log ok\\n\[-\]etcd failed: reason withheld\\n\[-\]etcd-readiness failed: reason withheld\\n.*readyz check failed"\) has prevented the request from succeeding\n$/);
    state.etcd.healthy = false;
    expect(run('kubectl get --raw /livez').stderr).toContain('[-]etcd failed: reason withheld');
    state.controlPlane.apiserver.running = false;
    expect(run('kubectl get --raw /healthz').stderr).toMatch(/^The connection to the server 10\.0\.1\.10:6443 was refused/);
  });
  it('answers /version, /api and /apis, and refuses other paths', async () => {
    const run = await runner();
    expect(JSON.parse(run('kubectl get --raw /version').stdout)).toMatchObject({ major: '1', minor: '29', gitVersion: 'v1.29.4', platform: 'linux/amd64' });
    expect(JSON.parse(run('kubectl get --raw /api').stdout)).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const apis = JSON.parse(run('kubectl get --raw /apis').stdout) as { groups: { name: string }[] };
    expect(apis.groups.map((g) => g.name)).toContain('rbac.authorization.k8s.io');
    expect(run('kubectl get --raw /nope').stderr).toBe('Error from server (NotFound): the server could not find the requested resource\n');
    // The apiserver's Swagger 2.0 document (kube-openapi handler, /openapi/v2): here its operations only, no definitions.
    const v2 = JSON.parse(run('kubectl get --raw /openapi/v2').stdout) as { swagger: string; info: unknown; paths: Record<string, { patch: { operationId: string } }> };
    expect(v2).toMatchObject({ swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.29.4' } });
    expect(v2.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!.patch.operationId).toBe('patchDeployment');
    expect(run('kubectl get --raw /openapi/v2').stdout.length).toBeLessThan(100_000);
    expect(run('kubectl get pods --raw /healthz').stderr).toBe('error: arguments may not be passed when --raw is specified\n');
  });
  it('passes resource paths to the REST API: compact JSON and a newline, errors as kubectl words them', async () => {
    const run = await runner();
    const nodes = run('kubectl get --raw /api/v1/nodes');
    expect(nodes.stdout.endsWith('}\n')).toBe(true);
    expect((JSON.parse(nodes.stdout) as { kind: string; items: unknown[] }).kind).toBe('NodeList');
    expect(run('kubectl get --raw /api/v1/namespaces/default/pods/nope').stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
  });
  it("proxies a node's kubelet Summary API (stats/v1alpha1) from the state, refused while the kubelet is down", async () => {
    const state = cluster();
    const run = await runner(state);
    const node = Object.values(state.nodes).find((n) => !n.metadata.labels?.['node-role.kubernetes.io/control-plane'])!;
    const name = node.metadata.name;
    const summary = JSON.parse(run(`kubectl get --raw /api/v1/nodes/${name}/proxy/stats/summary`).stdout) as {
      node: { nodeName: string; cpu: { usageNanoCores: number }; memory: { workingSetBytes: number }; fs: { capacityBytes: number; usedBytes: number; availableBytes: number } };
      pods: { podRef: { name: string; namespace: string } }[];
    };
    expect(summary.node.nodeName).toBe(name);
    expect(summary.node.cpu.usageNanoCores).toBe(node.host.usage.cpu * 1e6);
    expect(summary.node.memory.workingSetBytes).toBe(node.host.usage.memory);
    const root = node.host.filesystems.find((f) => f.mount === '/')!;
    expect(summary.node.fs).toMatchObject({ capacityBytes: root.size, usedBytes: root.used, availableBytes: root.size - root.used });
    const running = Object.values(state.pods).filter((p) => p.spec.nodeName === name && p.status.phase === 'Running').map((p) => p.metadata.name).sort();
    expect(summary.pods.map((p) => p.podRef.name).sort()).toEqual(running);
    // healthz as the kubelet's mux writes it, configz the kubelet's configuration file as it runs it.
    expect(run(`kubectl get --raw /api/v1/nodes/${name}/proxy/healthz`).stdout).toBe('ok');
    const configz = JSON.parse(run(`kubectl get --raw /api/v1/nodes/${name}/proxy/configz`).stdout) as { kubeletconfig: Record<string, unknown> };
    expect(configz.kubeletconfig).toMatchObject({ clusterDNS: ['10.96.0.10'], cgroupDriver: 'systemd' });
    expect(configz.kubeletconfig.kind).toBeUndefined();
    node.host.units.kubelet!.active = false;
    const ip = node.status.addresses.find((a) => a.type === 'InternalIP')!.address;
    expect(run(`kubectl get --raw /api/v1/nodes/${name}/proxy/stats/summary`).stderr).toBe(`Error from server: error trying to reach service: dial tcp ${ip}:10250: connect: connection refused\n`);
  });
});

// The apiserver's /metrics, as client_golang's expfmt writes Prometheus text format 0.0.4.
// Reference lines from k8s.io/apiserver pkg/storage/etcd3/metrics/metrics_test.go (v1.29 era):
//   # HELP apiserver_storage_size_bytes [STABLE] Size of the storage database file physically allocated in bytes.
//   apiserver_storage_size_bytes{storage_cluster_id="etcd-0"} 1e+09
//   etcd_request_duration_seconds_bucket{operation="foo",type="bar",le="0.005"} 0
describe('get --raw /metrics', () => {
  it('counts stored objects and etcd size from the state, in exposition format', async () => {
    const state = cluster();
    const run = await runner(state);
    const text = run('kubectl get --raw /metrics').stdout;
    const lines = text.split('\n');
    expect(text.endsWith('\n')).toBe(true);
    // Every family: HELP then TYPE, families sorted by name; every sample line is `name{labels} value`.
    const families = lines.filter((l) => l.startsWith('# HELP ')).map((l) => l.split(' ')[2]!);
    expect(families).toEqual([...families].sort());
    expect(families).toEqual(expect.arrayContaining(['apiserver_request_total', 'apiserver_storage_objects', 'apiserver_storage_size_bytes', 'etcd_request_duration_seconds']));
    expect(families).not.toContain('apiserver_storage_db_total_size_in_bytes'); // deprecated 1.28.0: hidden in 1.29
    for (const l of lines.filter((x) => x !== '' && !x.startsWith('#'))) expect(l).toMatch(/^[a-z_]+(\{([a-z_]+="[^"]*",?)*\})? (-?[0-9.]+(e[+-]\d\d)?|\+Inf)$/);
    expect(lines).toContain('# TYPE apiserver_storage_objects gauge');
    expect(lines).toContain('# HELP apiserver_storage_objects [STABLE] Number of stored objects at the time of last check split by kind.');
    expect(lines).toContain(`apiserver_storage_objects{resource="nodes"} ${Object.keys(state.nodes).length}`);
    expect(lines).toContain(`apiserver_storage_objects{resource="pods"} ${Object.keys(state.pods).length}`);
    expect(lines.some((l) => /^apiserver_storage_objects\{resource="deployments\.apps"\} \d+$/.test(l))).toBe(true);
    const size = lines.find((l) => l.startsWith('apiserver_storage_size_bytes{'))!;
    expect(Number(size.split(' ')[1])).toBe(state.etcd.dbSize);
    expect(size).toMatch(/^apiserver_storage_size_bytes\{storage_cluster_id="etcd-0"\} \d\.\d+e\+\d\d$/);
    expect(lines).toContain('etcd_request_duration_seconds_bucket{operation="update",type="leases.coordination.k8s.io",le="0.005"} ' + lines.find((l) => l.startsWith('etcd_request_duration_seconds_bucket{operation="update",type="leases.coordination.k8s.io",le="0.005"}'))!.split(' ')[1]);
    expect(lines.some((l) => l.startsWith('etcd_request_duration_seconds_bucket{operation="get",type="pods",le="+Inf"} '))).toBe(true);
    expect(lines.some((l) => /^apiserver_request_total\{code="200",component="apiserver",dry_run="",group="coordination\.k8s\.io",resource="leases",scope="resource",subresource="",verb="PUT",version="v1"\} /.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('apiserver_request_total{code="500"'))).toBe(false);
  });
  it('follows the cluster: a new object counts, NOSPACE turns writes (not reads) into 500s', async () => {
    const state = cluster();
    const run = await runner(state);
    const count = () => run('kubectl get --raw /metrics').stdout.split('\n').find((l) => l.startsWith('apiserver_storage_objects{resource="configmaps"}'))!;
    const before = Number(count().split(' ')[1]);
    run('kubectl create configmap extra --from-literal=a=b');
    expect(Number(count().split(' ')[1])).toBe(before + 1);
    state.etcd.dbSize = state.etcd.quotaBackendBytes; // the next tick raises NOSPACE (and etcd logs it)
    tick(state, 60_000);
    const text = run('kubectl get --raw /metrics').stdout;
    expect(text).toMatch(/^apiserver_request_total\{code="500",component="apiserver",dry_run="",group="coordination\.k8s\.io",resource="leases",scope="resource",subresource="",verb="PUT",version="v1"\} [1-9]\d*$/m);
    expect(text).toMatch(/^etcd_request_errors_total\{operation="update",type="leases\.coordination\.k8s\.io"\} [1-9]\d*$/m);
    expect(text).not.toMatch(/code="500".*verb="GET"/);
  });
});

describe('kubectl create generators for the kinds kept as JSON', () => {
  it('creates secrets, service accounts, RBAC, quotas, PDBs, jobs and cronjobs with kubectl output', async () => {
    const run = await runner();
    expect(run('kubectl create secret generic db --from-literal=user=admin --from-literal=pw=s3cret').stdout).toBe('secret/db created\n');
    expect(run('kubectl get secret db -o jsonpath={.data.pw}').stdout).toBe(Buffer.from('s3cret').toString('base64'));
    expect(run('kubectl create sa robot').stdout).toBe('serviceaccount/robot created\n');
    expect(run('kubectl create role reader --verb=get,list --resource=pods,deployments').stdout).toBe('role.rbac.authorization.k8s.io/reader created\n');
    expect(run('kubectl get role reader -o jsonpath={.rules[*].apiGroups}').stdout).toBe('[""] ["apps"]');
    expect(run('kubectl create rolebinding robot-reads --role=reader --serviceaccount=default:robot').stdout).toBe('rolebinding.rbac.authorization.k8s.io/robot-reads created\n');
    expect(run('kubectl auth can-i list pods --as=system:serviceaccount:default:robot')).toEqual({ stdout: 'yes\n', stderr: '', exitCode: 0 });
    expect(run('kubectl auth can-i delete pods --as=system:serviceaccount:default:robot').stdout).toBe('no\n');
    expect(run('kubectl create clusterrolebinding ops --clusterrole=view --group=ops').stdout).toBe('clusterrolebinding.rbac.authorization.k8s.io/ops created\n');
    expect(run('kubectl create quota small --hard=pods=4,requests.cpu=2').stdout).toBe('resourcequota/small created\n');
    expect(run('kubectl get quota small').stdout).toMatch(/^NAME +AGE +REQUEST +LIMIT\nsmall +0s +pods: 0\/4, requests\.cpu: 0\/2 +\n$/);
    expect(run('kubectl create pdb web --selector=app=web --min-available=1').stdout).toBe('poddisruptionbudget.policy/web created\n');
    expect(run('kubectl create job once --image=busybox -- echo hi').stdout).toBe('job.batch/once created\n');
    expect(run('kubectl create cronjob tick --image=busybox --schedule=@hourly').stdout).toBe('cronjob.batch/tick created\n');
    expect(run('kubectl get cronjob tick').stdout).toMatch(/^NAME +SCHEDULE +TIMEZONE +SUSPEND +ACTIVE +LAST SCHEDULE +AGE\ntick +@hourly +<none> +False +0 +<none> +0s\n$/);
    expect(run('kubectl create secret generic db').stderr).toContain('(AlreadyExists): secrets "db" already exists');
    expect(run('kubectl create role r --resource=pods').stderr).toBe('error: at least one verb must be specified\n');
    expect(run('kubectl create secret tls x').stderr).toBe('error: key and cert must be specified\n');
  });
});

describe('kubectl wait, patch and delete of the kinds kept as JSON', () => {
  it('reports conditions that hold now and times out on the others', async () => {
    const run = await runner();
    expect(run('kubectl wait --for=condition=Ready node/cp-1')).toEqual({ stdout: 'node/cp-1 condition met\n', stderr: '', exitCode: 0 });
    expect(run('kubectl wait --for=condition=Available deploy --all -n kube-system').stdout).toBe('deployment.apps/coredns condition met\ndeployment.apps/metrics-server condition met\n');
    expect(run('kubectl wait --for=condition=Ready=false node/cp-1')).toEqual({ stdout: '', stderr: 'error: timed out waiting for the condition on nodes/cp-1\n', exitCode: 1 });
    expect(run('kubectl wait --for=jsonpath={.spec.holderIdentity}=cp-1 lease/cp-1 -n kube-node-lease').stdout).toBe('lease.coordination.k8s.io/cp-1 condition met\n');
    expect(run('kubectl wait --for=delete pod/nope')).toEqual({ stdout: '', stderr: '', exitCode: 0 }); // already gone
    expect(run('kubectl wait pod/x').stderr).toBe('error: --for must be specified\n');
  });
  it('patches and deletes stored objects through the apiserver', async () => {
    const state = cluster();
    const run = await runner(state);
    expect(run('kubectl patch sc gp2 -p {"allowVolumeExpansion":true}').stdout).toBe('storageclass.storage.k8s.io/gp2 patched\n');
    expect(run('kubectl get sc').stdout).toMatch(/\ngp2 \(default\) +kubernetes\.io\/aws-ebs +Delete +WaitForFirstConsumer +true /);
    const before = state.etcd.revision;
    expect(run('kubectl annotate sa default -n default team=sre').stdout).toBe('serviceaccount/default annotated\n');
    expect(state.etcd.revision).toBe(before + 1);
    expect(run('kubectl delete priorityclass system-node-critical').stdout).toBe('priorityclass.scheduling.k8s.io "system-node-critical" deleted\n');
    expect(run('kubectl get pc system-node-critical').stderr).toBe('Error from server (NotFound): priorityclasses.scheduling.k8s.io "system-node-critical" not found\n');
  });
});

describe('kubectl explain for the kinds kept as JSON', () => {
  it('lists their own top-level fields, sorted', async () => {
    const run = await runner();
    const topFields = (line: string) => run(line).stdout.split('\n').filter((l) => /^ {2}\S/.test(l)).join('\n');
    expect(topFields('kubectl explain secret')).toBe('  apiVersion\t<string>\n  data\t<map[string]string>\n  immutable\t<boolean>\n  kind\t<string>\n  metadata\t<ObjectMeta>\n  stringData\t<map[string]string>\n  type\t<string>');
    expect(run('kubectl explain rolebinding').stdout).toContain('GROUP:      rbac.authorization.k8s.io\nKIND:       RoleBinding\nVERSION:    v1\n');
    expect(topFields('kubectl explain rolebinding')).toContain('  roleRef\t<RoleRef> -required-\n  subjects\t<[]Subject>');
    expect(topFields('kubectl explain jobs')).toContain('  spec\t<JobSpec>\n  status\t<JobStatus>');
  });
});

describe('kubectl create ingress', () => {
  it('builds rules from --rule and prints the ingress table', async () => {
    const run = await runner();
    expect(run('kubectl create ingress web --class=nginx --rule=shop.example.com/api*=web:80,tls=web-tls').stdout).toBe('ingress.networking.k8s.io/web created\n');
    expect(run('kubectl get ing').stdout).toBe('NAME   CLASS   HOSTS              ADDRESS   PORTS     AGE\nweb    nginx   shop.example.com             80, 443   0s\n');
    expect(run('kubectl get ing web -o jsonpath={.spec.rules[0].http.paths[0].pathType}').stdout).toBe('Prefix');
    expect(run('kubectl create ingress bad --rule=nonsense').stderr).toContain('is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]');
  });
});
