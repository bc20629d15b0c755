// kubectl patch / apply / create -f on the demo cluster, through the real shell.
import { describe, expect, it } from 'vitest';
import { missingAnnotationWarning } from '../../server/shell/kubectl/last-applied.js';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { jsonPatch, mergePatch, strategicMerge } from '../../server/shell/kubectl/commands/patch.js';
import { parseYaml } from '../../server/shell/kubectl/commands/apply.js';

function cluster() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return { state, session, sh: (line: string) => runLine(state, session, line) };
}

/** How a client puts any text into `echo '…'`: each ' becomes '\'' (close, escaped quote, reopen). */
const quoted = (text: string): string => `'${text.replace(/'/g, "'\\''")}'`;

const webReplicaSets = (state: ClusterState) => Object.values(state.replicasets).filter((rs) => rs.metadata.name.startsWith('web-')).length;

describe('patch algorithms', () => {
  it('merge patch follows RFC 7386', () => {
    expect(mergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } })).toEqual({ a: 'z', c: { d: 'e' } });
    expect(mergePatch({ a: [1, 2] }, { a: [3] })).toEqual({ a: [3] });
  });
  it('strategic merge merges containers by name and replaces tolerations', () => {
    const target = { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }], tolerations: [{ key: 'k1' }] } };
    expect(strategicMerge(target, { spec: { containers: [{ name: 'b', image: 'z' }], tolerations: [{ key: 'k2' }] } })).toEqual({
      spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'z' }], tolerations: [{ key: 'k2' }] },
    });
    expect(strategicMerge(target, { spec: { containers: [{ name: 'a', $patch: 'delete' }] } })).toMatchObject({ spec: { containers: [{ name: 'b' }] } });
  });
  it('json patch adds, replaces, removes and reports missing paths', () => {
    const doc = { spec: { list: [1, 2], a: { 'x/y': 1 } } };
    expect(jsonPatch(doc, [{ op: 'add', path: '/spec/list/-', value: 3 }, { op: 'remove', path: '/spec/a/x~1y' }, { op: 'replace', path: '/spec/list/0', value: 0 }]))
      .toEqual({ ok: true, doc: { spec: { list: [0, 2, 3], a: {} } } });
    expect(jsonPatch(doc, [{ op: 'remove', path: '/spec/nope' }])).toEqual({ ok: false, error: 'remove operation does not apply: doc is missing path: "/spec/nope": missing value' });
    expect(doc.spec.list).toEqual([1, 2]);
  });
});

describe('kubectl patch', () => {
  it('never reaches an object\'s prototype: /__proto__/… is a missing path, as for any absent key', () => {
    const { sh } = cluster();
    for (const [op, path] of [['add', '/__proto__/polluted'], ['add', '/constructor/prototype/polluted'], ['remove', '/__proto__/toString'], ['replace', '/metadata/__proto__']]) {
      const r = sh(`kubectl patch deploy web --type=json -p '[{"op":"${op}","path":"${path}","value":1}]'`);
      expect(r.exitCode, path).not.toBe(0);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(typeof Object.prototype.toString).toBe('function');
    expect(jsonPatch({ a: {} }, [{ op: 'add', path: '/a/__proto__', value: { x: 1 } }])).toEqual({ ok: true, doc: { a: JSON.parse('{"__proto__":{"x":1}}') } });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('patches a service, then reports no change', () => {
    const { state, sh } = cluster();
    expect(sh(`kubectl patch svc web -p '{"spec":{"externalTrafficPolicy":"Local"}}'`)).toMatchObject({ output: 'service/web patched\n', exitCode: 0 });
    expect(state.services['default/web']!.spec.externalTrafficPolicy).toBe('Local');
    expect(sh(`kubectl patch service/web -p '{"spec":{"externalTrafficPolicy":"Local"}}'`).output).toBe('service/web patched (no change)\n');
  });

  it('rolls a template change out, and a replicas change does not', () => {
    const { state, sh } = cluster();
    const revision = state.deployments['default/web']!.metadata.generation;
    expect(sh(`kubectl patch deploy web -p '{"spec":{"replicas":4}}'`).output).toBe('deployment.apps/web patched\n');
    tick(state, 5000);
    expect(webReplicaSets(state)).toBe(1);
    expect(state.deployments['default/web']!.metadata.generation).toBe(revision + 1);
    expect(sh(`kubectl patch deploy web -p '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","resources":{"requests":{"cpu":"250m"}}}]}}}}'`).output)
      .toBe('deployment.apps/web patched\n');
    const container = state.deployments['default/web']!.spec.template.spec.containers[0]!;
    expect(container.resources.requests).toEqual({ cpu: 250, memory: 128 * 2 ** 20 });
    expect(container.image).toBe('nginx:1.25.3');
    tick(state, 5000);
    expect(webReplicaSets(state)).toBe(2);
  });

  it('removes a node selector with a JSON patch and merges a ConfigMap', () => {
    const { state, sh } = cluster();
    sh(`kubectl patch deploy web -p '{"spec":{"template":{"spec":{"nodeSelector":{"disk":"ssd"}}}}}'`);
    expect(state.deployments['default/web']!.spec.template.spec.nodeSelector).toEqual({ disk: 'ssd' });
    expect(sh(`kubectl patch deploy web --type json -p '[{"op":"remove","path":"/spec/template/spec/nodeSelector"}]'`).output).toBe('deployment.apps/web patched\n');
    expect(state.deployments['default/web']!.spec.template.spec.nodeSelector).toEqual({});
    expect(sh(`kubectl patch deploy web --type json -p '[{"op":"remove","path":"/spec/template/spec/nodeSelector"}]'`)).toMatchObject({
      output: 'The request is invalid: remove operation does not apply: doc is missing path: "/spec/template/spec/nodeSelector": missing value\n', exitCode: 1,
    });
    expect(sh(`kubectl -n kube-system patch cm coredns --type merge -p '{"data":{"Corefile":".:53 {\\n    forward . 8.8.8.8\\n}\\n"}}'`).output).toBe('configmap/coredns patched\n');
    expect(state.configmaps['kube-system/coredns']!.data.Corefile).toBe('.:53 {\n    forward . 8.8.8.8\n}\n');
  });

  it('patches node scheduling and taints', () => {
    const { state, sh } = cluster();
    expect(sh(`kubectl patch node worker-1 -p '{"spec":{"unschedulable":true,"taints":[{"key":"dedicated","value":"db","effect":"NoSchedule"}]}}'`).output).toBe('node/worker-1 patched\n');
    expect(state.nodes['worker-1']!.spec).toMatchObject({ unschedulable: true, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    expect(sh(`kubectl patch node worker-1 -p '{"spec":{"unschedulable":false}}'`).output).toBe('node/worker-1 patched\n');
    expect(state.nodes['worker-1']!.spec.unschedulable).toBe(false);
  });

  it('prints the apiserver errors', () => {
    const { state, sh } = cluster();
    const before = state.etcd.revision;
    expect(sh(`kubectl patch deploy web -p '{"spec":{"replicas":"abc"}}'`)).toMatchObject({
      output: 'The Deployment "web" is invalid: spec.replicas: Invalid value: "abc": spec.replicas in body must be of type integer: "string"\n', exitCode: 1,
    });
    expect(sh(`kubectl patch deploy web -p '{"spec":{"foo":1,"template":{"spec":{"containers":[{"name":"nginx","bar":2}]}}}}'`).output)
      .toBe('Error from server (BadRequest): strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers[0].bar"\n');
    expect(sh(`kubectl patch deploy web -p '{"spec":{"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}}}}}'`).output)
      .toBe('The Deployment "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable\n');
    expect(sh(`kubectl patch svc web -p '{"spec":{"clusterIP":"10.96.0.99"}}'`).output).toBe('The Service "web" is invalid: spec.clusterIP: Invalid value: "10.96.0.99": field is immutable\n');
    expect(sh(`kubectl patch deploy web -p '{"spec":'`).output).toBe('error: unable to parse "{\\"spec\\":": yaml: did not find expected \',\' or \'}\'\n');
    expect(sh(`kubectl patch deploy nope -p '{}'`).output).toBe('Error from server (NotFound): deployments.apps "nope" not found\n');
    expect(sh('kubectl patch deploy web').output).toBe('error: must specify --patch or --patch-file containing the contents of the patch\n');
    expect(sh(`kubectl patch deploy web --type foo -p '{}'`).output).toBe('error: --type must be one of [json merge strategic], not "foo"\n');
    expect(state.etcd.revision).toBe(before);
  });

  it('warns about or ignores unknown fields with --validate', () => {
    const { state, sh } = cluster();
    expect(sh(`kubectl patch deploy web --validate=warn -p '{"spec":{"replicas":1,"foo":1}}'`).output).toBe('deployment.apps/web patched\nWarning: unknown field "spec.foo"\n');
    expect(sh(`kubectl patch deploy web --validate=false -p '{"spec":{"replicas":2,"foo":1}}'`).output).toBe('deployment.apps/web patched\n');
    expect(state.deployments['default/web']!.spec.replicas).toBe(2);
  });

  it('patches a DaemonSet template and bumps its template generation', () => {
    const { state, sh } = cluster();
    const ds = state.daemonsets['kube-system/kube-proxy']!;
    const container = ds.spec.template.spec.containers[0]!.name;
    expect(sh(`kubectl -n kube-system patch ds kube-proxy -p '{"spec":{"template":{"spec":{"nodeSelector":{"disk":"ssd"}}}}}'`).output).toBe('daemonset.apps/kube-proxy patched\n');
    const after = state.daemonsets['kube-system/kube-proxy']!;
    expect(after.spec.template.spec.nodeSelector).toMatchObject({ disk: 'ssd' });
    expect(after.metadata.annotations['deprecated.daemonset.template.generation']).toBe(String(after.metadata.generation));
    expect(after.spec.template.spec.containers[0]!.name).toBe(container);
    expect(after.metadata.generation).toBe(ds.metadata.generation + 1);
  });

  it('fails under NOSPACE, but a patch that changes nothing still succeeds', () => {
    const { state, sh } = cluster();
    state.etcd.alarms.push({ memberID: state.etcd.members[0]!.id, alarm: 'NOSPACE' });
    expect(sh(`kubectl patch deploy web -p '{"spec":{"replicas":5}}'`)).toMatchObject({ output: 'Error from server: etcdserver: mvcc: database space exceeded\n', exitCode: 1 });
    expect(state.deployments['default/web']!.spec.replicas).toBe(3);
    expect(sh(`kubectl patch deploy web -p '{"spec":{"replicas":3}}'`).output).toBe('deployment.apps/web patched (no change)\n');
  });
});

describe('kubectl apply', () => {
  const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels: {app: shop}
spec:
  replicas: 2
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
      - name: shop
        image: nginx:1.25
        resources:
          requests: {cpu: 50m, memory: 64Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  type: NodePort
  selector: {app: shop}
  ports:
  - port: 80
    targetPort: 8080
`;

  it('creates, then reports unchanged, then configures; dry runs write nothing', () => {
    const { state, sh } = cluster();
    const revision = state.etcd.revision;
    expect(sh(`echo ${quoted(manifest)} | kubectl apply -f - --dry-run=client`).output).toBe('deployment.apps/shop created (dry run)\nservice/shop created (dry run)\n');
    expect(sh(`echo ${quoted(manifest)} | kubectl apply -f - --dry-run=server`).output).toBe('deployment.apps/shop created (server dry run)\nservice/shop created (server dry run)\n');
    expect(state.etcd.revision).toBe(revision);
    expect(sh(`echo ${quoted(manifest)} | kubectl apply -f -`)).toMatchObject({ output: 'deployment.apps/shop created\nservice/shop created\n', exitCode: 0 });
    const svc = state.services['default/shop']!;
    expect(svc.spec.clusterIP).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(svc.spec.ports[0]!.nodePort).toBeGreaterThanOrEqual(30000);
    expect(sh(`echo ${quoted(manifest)} | kubectl apply -f -`).output).toBe('deployment.apps/shop unchanged\nservice/shop unchanged\n');
    expect(state.services['default/shop']!.spec.clusterIP).toBe(svc.spec.clusterIP);
    expect(sh(`echo ${quoted(manifest.replace('replicas: 2', 'replicas: 3'))} | kubectl apply -f -`).output).toBe('deployment.apps/shop configured\nservice/shop unchanged\n');
    tick(state, 10_000);
    expect(Object.values(state.pods).filter((p) => p.metadata.labels.app === 'shop')).toHaveLength(3);
  });

  it('reads a List and JSON, and create -f refuses existing objects', () => {
    const { state, sh } = cluster();
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, data: { a: '1' } }] });
    expect(sh(`echo ${quoted(list)} | kubectl create -f -`).output).toBe('namespace/shop created\nconfigmap/cfg created\n');
    expect(state.configmaps['shop/cfg']!.data).toEqual({ a: '1' });
    expect(sh(`kubectl get deploy web -o yaml | kubectl create -f -`)).toMatchObject({
      output: 'Error from server (AlreadyExists): error when creating "STDIN": deployments.apps "web" already exists\n', exitCode: 1,
    });
  });

  it('prints decoding, validation and file errors like kubectl', () => {
    const { sh } = cluster();
    const bad = manifest.split('---')[0]!.replace('replicas: 2', 'replicas: 2\n  foo: 1');
    expect(sh(`echo ${quoted(bad)} | kubectl apply -f -`).output).toBe(
      'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"\n');
    expect(sh(`echo ${quoted(manifest.split('---')[0]!.replace('replicas: 2', 'replicas: abc'))} | kubectl apply -f -`).output)
      .toBe('The Deployment "shop" is invalid: spec.replicas: Invalid value: "abc": spec.replicas in body must be of type integer: "string"\n');
    expect(sh(`echo 'a: b: c' | kubectl apply -f -`).output).toBe('error: error parsing STDIN: error converting YAML to JSON: yaml: mapping values are not allowed in this context\n');
    expect(sh('kubectl apply -f web.yaml')).toMatchObject({ output: 'error: the path "web.yaml" does not exist\n', exitCode: 1 });
    expect(sh('kubectl apply')).toMatchObject({ output: 'error: must specify one of -f and -k\n', exitCode: 1 });
    expect(sh(`echo 'kind: Foo' | kubectl apply -f -`).output).toBe('error: error validating "STDIN": error validating data: apiVersion not set; if you choose to ignore these errors, turn validation off with --validate=false\n');
    expect(sh(`echo '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"kube-system"}}' | kubectl apply -n default -f -`).output)
      .toBe('error: the namespace from the provided object "kube-system" does not match the namespace "default". You must pass \'--namespace=kube-system\' to perform this operation.\n');
  });

  it('fails writes under NOSPACE with the api error', () => {
    const { state, sh } = cluster();
    state.etcd.alarms.push({ memberID: state.etcd.members[0]!.id, alarm: 'NOSPACE' });
    expect(sh(`echo '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}' | kubectl apply -f -`).output)
      .toBe('Error from server: error when creating "STDIN": etcdserver: mvcc: database space exceeded\n');
    const out = sh(`kubectl get svc web -o yaml | sed 's/externalTrafficPolicy: Cluster/externalTrafficPolicy: Local/' | kubectl apply -f -`).output;
    expect(out).toMatch(/^Warning: resource services\/web is missing the kubectl.kubernetes.io\/last-applied-configuration annotation [^\n]*\nError from server: error when applying patch:\n\{"metadata":\{"annotations":\{"kubectl.kubernetes.io\/last-applied-configuration":"[^\n]*"\}\},"spec":\{"externalTrafficPolicy":"Local"\}\}\nto:\nResource: "\/v1, Resource=services", GroupVersionKind: "\/v1, Kind=Service"\nName: "web", Namespace: "default"\nfor: "STDIN": error when patching "STDIN": etcdserver: mvcc: database space exceeded\n$/);
  });

  it('reads files on a control-plane node', () => {
    const { state, session, sh } = cluster();
    const cp = Object.values(state.nodes).find((n) => 'node-role.kubernetes.io/control-plane' in n.metadata.labels)!;
    cp.host.files['/home/ubuntu/cm.yaml'] = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-file\ndata:\n  k: v\n';
    session.node = cp.metadata.name;
    expect(sh('kubectl apply -f cm.yaml').output).toBe('configmap/from-file created\n');
    expect(sh('kubectl apply -f missing.yaml').output).toBe('error: the path "missing.yaml" does not exist\n');
  });
});

describe('the edit flow: echo YAML | kubectl apply -f -', () => {
  // apply.go: an object no apply created is patched once with the annotation (and a warning), then unchanged.
  it('round-trips every object of the demo cluster: recorded once, then unchanged, writing nothing else', () => {
    const { state, sh } = cluster();
    const revision = state.etcd.revision;
    const targets = ['deploy/web', 'deploy/api', '-n kube-system deploy/coredns', '-n kube-system ds/kube-proxy', '-n kube-system ds/aws-node',
      'svc/web', 'svc/api', 'svc/kubernetes', '-n kube-system svc/kube-dns', '-n kube-system cm/coredns', 'ns/default', 'node/worker-1'];
    const pod = Object.values(state.pods).find((p) => p.metadata.labels.app === 'web')!;
    targets.push(`pod/${pod.metadata.name}`);
    for (const target of targets) {
      const yaml = sh(`kubectl get ${target} -o yaml`).output;
      expect(sh(`echo ${quoted(yaml)} | kubectl apply -f -`).output, target).toMatch(/^Warning: resource \S+ is missing the kubectl.kubernetes.io\/last-applied-configuration annotation .*\n\S+ configured\n$/);
      expect(sh(`echo ${quoted(yaml)} | kubectl apply -f -`).output, target).toMatch(/ unchanged\n$/);
    }
    expect(state.etcd.revision).toBe(revision + targets.length);
  });

  it('applies an edited Corefile with quotes and newlines', () => {
    const { state, sh } = cluster();
    const yaml = sh('kubectl -n kube-system get cm coredns -o yaml').output.replace('forward .', "# it's \"fixed\"\n        forward .");
    expect(sh(`echo ${quoted(yaml)} | kubectl apply -f -`).output).toBe(`${missingAnnotationWarning('configmaps/coredns')}configmap/coredns configured\n`);
    expect(state.configmaps['kube-system/coredns']!.data.Corefile).toContain('# it\'s "fixed"\n');
  });

  it('a field left out of an applied manifest goes only if the last applied one had it (three-way, as kubectl apply)', () => {
    const { state, sh } = cluster();
    sh(`kubectl patch deploy web -p '{"spec":{"template":{"spec":{"nodeSelector":{"disk":"ssd"}}}}}'`);
    const full = sh('kubectl get deploy web -o yaml').output;
    const without = full.replace(/ {6}nodeSelector:\n {8}disk: ssd\n/, '');
    // No record yet: nothing is deleted, the patch's nodeSelector stays (another writer's).
    expect(sh(`echo ${quoted(without)} | kubectl apply -f -`).output).toBe(`${missingAnnotationWarning('deployments/web')}deployment.apps/web configured\n`);
    expect(state.deployments['default/web']!.spec.template.spec.nodeSelector).toEqual({ disk: 'ssd' });
    // Applied with it, then without: the record had it, so it goes.
    sh(`echo ${quoted(full)} | kubectl apply -f -`);
    expect(sh(`echo ${quoted(without)} | kubectl apply -f -`).output).toBe('deployment.apps/web configured\n');
    expect(state.deployments['default/web']!.spec.template.spec.nodeSelector ?? {}).toEqual({});
  });
});

describe('kubectl replace', () => {
  // kubectl replace.go: Replace (PUT) of an existing object; --force deletes it and creates it again.
  it('replaces an existing object whole, refuses a missing one, and --force recreates', () => {
    const { sh } = cluster();
    expect(sh('kubectl get deploy web -o yaml | sed "s/replicas: 3/replicas: 2/" | kubectl replace -f -').output).toBe('deployment.apps/web replaced\n');
    expect(sh('kubectl get deploy web -o jsonpath={.spec.replicas}').output).toBe('2');
    sh('kubectl run x --image=nginx; kubectl get pod x -o yaml > x.yaml');
    expect(sh('kubectl replace --force -f x.yaml').output).toBe('pod "x" deleted\npod/x replaced\n');
    sh('kubectl delete pod x --force');
    expect(sh('kubectl replace -f x.yaml')).toEqual({ output: 'Error from server (NotFound): error when replacing "x.yaml": pods "x" not found\n', exitCode: 1 });
    expect(sh('kubectl replace web').output).toBe("error: Unexpected args: [web]\nSee 'kubectl replace -h' for help and examples\n");
  });
});

describe('a JSON patch that copies into itself', () => {
  it('is refused once the object would pass etcd\'s request limit, quickly and without growing memory', () => {
    const { sh } = cluster();
    sh('kubectl create cm pb --from-literal=k=v');
    const ops = Array.from({ length: 28 }, (_, i) => ({ op: 'copy', from: '/data', path: `/data/${i}` }));
    const started = performance.now();
    expect(sh(`kubectl patch cm pb --type=json -p '${JSON.stringify(ops)}'`)).toEqual({ output: 'Error from server: etcdserver: request is too large\n', exitCode: 1 });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(sh('kubectl get cm pb -o jsonpath={.data.k}').output).toBe('v');
  });
});

describe('kubectl patch|get --subresource (patch.go, get.go: supportedSubresources status and scale)', () => {
  it('patches a node\'s status (the docs\' extended resource) and a deployment\'s scale; the status shows until its owner\'s sync', () => {
    const { state, sh } = cluster();
    expect(sh(`kubectl patch node worker-1 --subresource=status --type=json -p '[{"op":"add","path":"/status/capacity/example.com~1dongle","value":"4"}]'`)).toEqual({ output: 'node/worker-1 patched\n', exitCode: 0 });
    expect(sh(`kubectl get node worker-1 -o jsonpath='{.status.capacity.example\\.com/dongle}'`).output).toBe('4');
    expect(sh(`kubectl get node worker-1 --show-managed-fields -o jsonpath='{.metadata.managedFields[?(@.manager=="kubectl-patch")].subresource}'`).output).toBe('status');
    expect(sh(`kubectl patch deploy web --subresource=scale --type=merge -p '{"spec":{"replicas":2}}'`)).toEqual({ output: 'scale.autoscaling/web patched\n', exitCode: 0 });
    expect(sh(`kubectl patch deploy web --subresource=scale -p '{"spec":{"replicas":2}}'`).output).toBe('scale.autoscaling/web patched (no change)\n');
    expect(sh('kubectl get deploy web -o jsonpath={.spec.replicas}').output).toBe('2');
    // Only the subresource's part is taken: the spec sent with a status patch is ignored.
    sh(`kubectl patch deploy web --subresource=status --type=merge -p '{"spec":{"replicas":5},"status":{"readyReplicas":0}}'`);
    expect(sh('kubectl get deploy web -o jsonpath={.spec.replicas}/{.status.readyReplicas}').output).toBe('2/0');
    tick(state, 1000);
    expect(sh('kubectl get deploy web -o jsonpath={.status.readyReplicas}').output).not.toBe('0');
    expect(sh("kubectl get node worker-1 -o jsonpath='{.status.capacity.example\\.com/dongle}'").output).toBe('4');
  });

  it('edits a deployment\'s status through the status subresource (edit.go: supportedSubresources status)', () => {
    const { sh } = cluster();
    const yaml = sh('kubectl get deploy web --subresource=status -o yaml').output;
    expect(sh(`kubectl edit deploy web --subresource=status <<'EOF'\n${yaml.replace('availableReplicas: 3', 'availableReplicas: 1').replace('replicas: 3\n  revisionHistoryLimit', 'replicas: 7\n  revisionHistoryLimit')}EOF`))
      .toEqual({ output: 'deployment.apps/web edited\n', exitCode: 0 });
    expect(sh('kubectl get deploy web -o jsonpath={.spec.replicas}/{.status.availableReplicas}').output).toBe('3/1');
    expect(sh(`kubectl edit deploy web --subresource=status <<'EOF'\n${sh('kubectl get deploy web -o yaml').output}EOF`).output).toBe('Edit cancelled, no changes made.\n');
    expect(sh('kubectl edit deploy web --subresource=scale').output).toBe('error: invalid subresource value: "scale". Must be one of [status]\n');
  });

  it('keeps a hostile written status to itself: `__proto__` stays a key, readers cannot change the kept write', () => {
    const { state, sh } = cluster();
    sh(`kubectl patch node worker-1 --subresource=status --type=merge -p '{"status":{"__proto__":{"polluted":"yes"},"capacity":{"__proto__":{"x":"1"},"example.com/a":"1"}}}'`);
    state.now += 20_000;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const capacity = JSON.parse(sh('kubectl get node worker-1 -o json').output).status.capacity;
    expect(capacity['example.com/a']).toBe('1');
    // A main-resource patch computes on a copy; the status it sends is ignored, the kept write unchanged.
    sh(`kubectl patch node worker-1 --type=json -p '[{"op":"replace","path":"/status/capacity/example.com~1a","value":"9"}]'`);
    expect(sh("kubectl get node worker-1 -o jsonpath='{.status.capacity.example\\.com/a}'").output).toBe('1');
  });

  it('refuses what kubectl and the apiserver refuse', () => {
    const { sh } = cluster();
    const invalid = { output: 'error: invalid subresource value: "foo". Must be one of [status scale]\n', exitCode: 1 };
    expect(sh(`kubectl patch deploy web --subresource=foo -p '{}'`)).toEqual(invalid);
    expect(sh('kubectl get deploy web --subresource=foo')).toEqual(invalid);
    const notFound = { output: 'Error from server (NotFound): the server could not find the requested resource\n', exitCode: 1 };
    expect(sh(`kubectl patch cm kube-root-ca.crt --subresource=status -p '{}'`)).toEqual(notFound);
    expect(sh(`kubectl patch node worker-1 --subresource=scale -p '{}'`)).toEqual(notFound);
    expect(sh('kubectl get cm --subresource=status')).toEqual(notFound);
    expect(sh(`kubectl patch deploy web --subresource=scale -p '{"spec":{"replicas":-1}}'`).output).toBe('The Scale "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n');
    expect(sh('kubectl get deploy web --subresource=status').output).toBe(sh('kubectl get deploy web').output);
  });
});

describe('what parsing YAML costs', () => {
  it('charges a patch text to the line budget as apply -f charges a file', () => {
    const { state, sh } = cluster();
    // 196 KiB of flow mapping: ~550 ms of parsing that the line did not pay for.
    const line = `u='k: v, '; for i in $(seq 16); do u="$u$u"; done; kubectl patch deploy web -p "{$u}"`;
    expect(sh(line).output).toMatch(/^bash: kubectl: CPU time limit exceeded/);
    expect(state.deployments['default/web']!.metadata.generation).toBe(1);
  });

  it('refuses a kubelet config too large to parse in a line\'s budget: /configz has none to charge', () => {
    const { state, sh } = cluster();
    const node = Object.values(state.nodes)[0]!;
    node.host.files['/var/lib/kubelet/config.yaml'] = Array.from({ length: 20_000 }, (_, i) => `k${i}: v`).join('\n');
    expect(JSON.parse(sh(`kubectl get --raw /api/v1/nodes/${node.metadata.name}/proxy/configz`).output)).toEqual({ kubeletconfig: {} });
  });

  it('finds repeated keys in one pass: a mapping of 5,000 keys costs what 50 mappings of 100 do', () => {
    // The yaml library compared each key with every one before it: one mapping of 5,000 keys
    // took 2.5 times as long as the same keys in mappings of 100 (3,000 keys in one manifest: 360 ms).
    const one = Array.from({ length: 5000 }, (_, i) => `k${i}: v`).join('\n');
    const many = Array.from({ length: 5000 }, (_, i) => `${i % 100 === 0 ? `m${i}:\n` : ''}  k${i}: v`).join('\n');
    const cpuMs = (text: string): number => {
      let best = Infinity;
      for (let run = 0; run < 5; run++) {
        const started = process.cpuUsage();
        expect(parseYaml(text).ok).toBe(true);
        const used = process.cpuUsage(started);
        best = Math.min(best, (used.user + used.system) / 1000);
      }
      return best;
    };
    expect(cpuMs(one) / cpuMs(many)).toBeLessThan(2);
    expect(parseYaml('a: 1\nb:\n  c: 1\n  c: 2\n')).toEqual({ ok: false, error: 'yaml: line 3: did not find expected node content' });
    expect(parseYaml('{x: 1, y: 2, x: 3}')).toEqual({ ok: false, error: 'yaml: did not find expected node content' });
    expect(parseYaml('1: a\n"1": b\n')).toEqual({ ok: true, docs: [{ 1: 'b' }] });
  });
});
