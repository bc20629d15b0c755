// The kubectl oracle's corpus (kubectl-api.test.ts): lines generated over the kinds of a
// cluster × the output formats and errors, then hand-written SRE lines. A kind with objects is
// read whole (table, wide, name, yaml/json, jsonpath, custom-columns, go-template, sort-by,
// labels) and by one object (yaml, json, describe, NotFound); a kind without any is read for its
// empty answers. Names come from the cluster itself, so the corpus follows the scenario.
import type { ClusterState } from '../../server/cluster/types.js';
import { listObjects, RESOURCE_TYPES, type ResourceType } from '../../server/shell/kubectl/resources.js';

const scope = (t: ResourceType, namespace: string | undefined): string => (t.namespaced ? (namespace ? `-n ${namespace}` : '-A') : '');
const join = (...parts: string[]): string => parts.filter((p) => p !== '').join(' ');
/** Cuts describe node's Age column (`2y189d`, `5d23h`, `4m59s`), through sed on both sides: kubectl reads its own clock there. */
const NO_AGES = "| sed -E 's/ +[0-9]+[smhdy][0-9a-z]*$//'";

/** The generated lines for `state`'s kinds (after `kubectl`). */
export function generatedLines(state: ClusterState): string[] {
  const lines: string[] = [];
  for (const type of RESOURCE_TYPES) {
    const objects = listObjects(state, type, undefined);
    const all = scope(type, undefined);
    const p = type.plural;
    if (objects.length === 0) {
      lines.push(join('get', p, all), join('get', p, '-n default -o json'), join('get', p, 'nope', scope(type, 'default')));
      continue;
    }
    // The object in the middle of the listing: neither the first nor the last, to catch order.
    const one = objects[Math.floor(objects.length / 2)]!;
    const at = scope(type, one.metadata.namespace);
    const name = one.metadata.name;
    lines.push(
      join('get', p, all), join('get', p, all, '-o wide'), join('get', p, all, '-o name'), join('get', p, all, '--show-labels'),
      join('get', p, all, '--sort-by=.metadata.name'),
      join('get', p, all, '-o custom-columns=NAME:.metadata.name,NAMESPACE:.metadata.namespace,LABELS:.metadata.labels'),
      join('get', p, all, "-o go-template='{{range .items}}{{.metadata.name}} {{.kind}}{{\"\\n\"}}{{end}}'"),
      join('get', p, name, at), join('get', p, name, at, '-o yaml'), join('get', p, name, at, '-o json'),
      join('get', p, name, at, "-o jsonpath='{.metadata.name}{\"/\"}{.metadata.resourceVersion}{\"\\n\"}'"),
      join('describe', p, name, at), join('get', p, 'nope', at), join('describe', p, 'nope', at),
    );
  }
  return lines;
}

/** Hand-written lines on the demo cluster: what an SRE types, and the flags the generator leaves out. */
export const HAND_LINES: string[] = [
  // metadata.managedFields: served by the API, kept by kubectl only when asked (go-yaml's plain `.` keys).
  'get deploy web -o yaml --show-managed-fields', 'get pods -l app=web -o json --show-managed-fields', 'get events -A -o wide',
  // Tables with flags.
  'get pods', 'get pods -n kube-system', 'get pods -A -o wide --no-headers', 'get deploy -A -L app', 'get deploy -A -L app,k8s-app',
  'get pods -l app=web', 'get pods -A -l k8s-app=kube-dns', 'get pods -l app=nothing', 'get pods -l app!=web', "get pods -A -l 'app in (web,api)'",
  "get pods -A -l 'app notin (web)'", 'get pods -A -l app', "get pods -A -l '!app'", 'get pods -A --field-selector spec.nodeName=worker-1',
  'get pods -A --field-selector status.phase=Running', 'get pods -A --field-selector metadata.namespace=default', 'get pods -A --field-selector spec.nodeName!=worker-1',
  'get nodes -l node-role.kubernetes.io/control-plane', 'get nodes -l kubernetes.io/hostname=worker-2 -o name',
  // Named objects, several names, errors.
  'get pod nope', 'get deploy nope', 'get nodes cp-1', 'get ns default', 'get namespace nope', 'get pods -n nope', 'get nodes cp-1 worker-1',
  'get deploy web api', 'get deploy web nope', 'get deploy/web svc/web', 'get nope', 'get pods,nope', 'describe nope', 'describe deploy',
  'get pods -o yaml -l app=nothing', 'get pods -o json -l app=nothing',
  // Output formats.
  // go-yaml v2 folds a long plain scalar at the first space past column 80, where it lands (a List's items are 2 deeper).
  'get priorityclasses -o yaml', 'get priorityclasses system-cluster-critical -o yaml',
  'get nodes -o name', 'get deploy web -o yaml', 'get deploy web -o json', 'get svc -o json', 'get nodes -o yaml', 'get deploy -o yaml',
  "get pods -A -o jsonpath='{.items[*].metadata.name}'", "get nodes -o jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.status.nodeInfo.kubeletVersion}{\"\\n\"}{end}'",
  "get pods -o jsonpath='{.items[0].spec.containers[0].image}'", "get deploy web -o jsonpath='{.spec.template.spec.containers[*].name}'",
  "get nodes -o jsonpath='{.items[*].status.addresses[?(@.type==\"InternalIP\")].address}'", "get pods -o jsonpath='{.items[*].status.phase}'",
  "get deploy web -o jsonpath='{.status}'", "get deploy web -o jsonpath='{.metadata.labels}'", "get pods -o jsonpath='{.nope}'",
  "get pods -o jsonpath='{range .items[*]}{.metadata.name}{\" \"}{.status.podIP}{\"\\n\"}{end}'", "get svc web -o jsonpath='{.spec.ports[0].port}'",
  "get nodes -o jsonpath-as-json='{.items[*].metadata.name}'",
  'get pods -A -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName', 'get pods -o custom-columns=NAME:.metadata.name,IMAGES:.spec.containers[*].image',
  'get pods -o custom-columns=NAME:.metadata.name,RESTARTS:.status.containerStatuses[0].restartCount --no-headers',
  'get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints', 'get deploy -o custom-columns=NAME:.metadata.name,SEL:.spec.selector.matchLabels',
  "get pods -o go-template='{{range .items}}{{.metadata.name}}{{\"\\n\"}}{{end}}'", "get deploy web -o go-template='{{.spec.replicas}} {{.metadata.labels}}'",
  "get nodes -o go-template='{{range .items}}{{.metadata.name}}: {{range .status.conditions}}{{.type}}={{.status}} {{end}}{{\"\\n\"}}{{end}}'",
  'get pods -o wrong', 'get pods -o custom-columns=', 'get pods -o jsonpath', "get pods -o go-template='{{.nope'",
  // Sorting (kubectl asks for whole objects: includeObject=Object).
  'get pods -A --sort-by=.metadata.name', 'get pods -A --sort-by=.spec.nodeName', 'get pods -A --sort-by=.metadata.creationTimestamp -o name',
  'get pods -A --sort-by=.status.podIP', "get pods -A --sort-by='{.status.containerStatuses[0].restartCount}'", 'get nodes --sort-by=.metadata.name -o name',
  'get svc -A --sort-by=.spec.clusterIP', 'get events -A --sort-by=.lastTimestamp',
  // Several types, discovery and other reads.
  'get all', 'get all -A', 'get cm,svc -n kube-system', 'get pods,deploy -l app=web', 'get deploy web --show-kind', 'get deploy,rs -A -o name',
  'api-resources', 'api-resources -o wide', 'api-resources --namespaced=false', 'api-resources --api-group=apps', 'api-resources -o name', 'api-versions',
  'get --raw /api', 'get --raw /apis', 'get --raw /version', 'get --raw /api/v1/namespaces/default/pods/nope', 'get --raw /nope', 'version', 'cluster-info',
  // The resource metrics API (metrics-server's, aggregated): discovery, raw reads and kubectl top.
  'api-resources --api-group=metrics.k8s.io', 'get --raw /apis/metrics.k8s.io/v1beta1/nodes', 'get --raw /apis/metrics.k8s.io/v1beta1/namespaces/default/pods',
  'get --raw /apis/metrics.k8s.io/v1beta1/nodes/nope', 'top nodes', 'top node worker-1', 'top nodes --sort-by=cpu', 'top pods', 'top pods -A',
  'top pods -A --sort-by=memory', 'top pod -l app=web --containers', 'top pod nope',
  'get pods --chunk-size=2', 'get pods -A --chunk-size=3 -o name', 'get ns --chunk-size=1',
  // Describe.
  'describe node worker-1', `describe node worker-1 ${NO_AGES}`, 'describe nodes', `describe nodes ${NO_AGES}`, 'describe deploy web', 'describe deploy -n kube-system', 'describe svc web', 'describe svc', 'describe pods -l app=web',
  'describe rs -A', 'describe ns default', 'describe cm -n kube-system coredns', 'describe sa default', 'describe ds -n kube-system aws-node',
  'describe deploy/web svc/web', 'describe pods -l app=nothing',
  // kubectl's own describers (describe.go): every role's compacted PolicyRule table, bindings, and the
  // CSINodes' long annotation folded under its key (printAnnotationsMultiline).
  'describe clusterroles', 'describe roles -A', 'describe clusterrolebindings', 'describe rolebindings -A', 'describe endpointslices -A',
  'describe csinodes', 'describe storageclasses', 'describe priorityclasses',
  // Pods as admission made them (spec.priority, the token volume, tolerationSeconds), tolerations sorted by key.
  'describe pods -A',
  // Logs (the pods/log subresource).
  'logs deploy/web', 'logs deploy/web --tail=2', 'logs deploy/web --tail=0', 'logs deploy/web --timestamps --tail=3', 'logs deploy/web --since=1h',
  'logs deploy/web -c nope', 'logs deploy/web --previous', 'logs nope', 'logs -l app=web --prefix --tail=1', 'logs -n kube-system deploy/coredns --tail=5',
  'logs -n kube-system -l component=kube-apiserver --tail=3', 'logs -n kube-system ds/kube-proxy --limit-bytes=100', 'logs deploy/nope', 'logs svc/web',
  // Small reads of other commands.
  // auth can-i through a SelfSubjectAccessReview (cani.go RunAccessCheck): resources, subresources, URLs, an unknown type's warning.
  'auth can-i list pods', 'auth can-i create deployments -n kube-system', 'auth can-i get pods/log', 'auth can-i get /healthz',
  'auth can-i delete nodes --all-namespaces', 'auth can-i list nopes', 'auth can-i list nopes -q',
];

/** Lines on scenarios' clusters (`ID@MINUTES`: after that much simulated time, its faults fired). */
export const SCENARIO_LINES: Record<string, string[]> = {
  'pending-pods@5': ['get pods -A', 'get pods -A -o wide', 'get events -A', 'get nodes', 'get deploy -A', 'get pods -A --field-selector status.phase=Pending', 'describe nodes', `describe nodes ${NO_AGES}`, 'get events -A --field-selector type=Warning', 'get rs -A -o wide',
    // An unscheduled pod's containers have no status: no Image ID, Ready nor Restart Count; a template no Node-Selectors (v1.30's).
    'describe pods -n shop --show-events=false', 'describe deploy -n shop --show-events=false', 'describe rs -A --show-events=false',
    // go-yaml single-quotes what cannot be plain: an env value '{}', a condition's message with `: [`.
    'get pods -A -o yaml',
    // Nothing found: describe names the namespace even for a cluster kind; delete never (stdout); top pod succeeds, top node fails.
    'describe pv', 'describe clusterroles -l x=y', 'delete pods -l app=nope', 'delete pods -l app=nope --ignore-not-found', 'delete cm nope --ignore-not-found',
    'top pods -l x=y', 'top pods -A -l x=y', 'top nodes -l x=y'],
  'node-notready@5': ['get nodes', 'get nodes -o wide', 'get pods -A -o wide', 'get events -A', 'describe node worker-1', `describe node worker-1 ${NO_AGES}`, 'get nodes -o yaml', "get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.spec.taints}{\"\\n\"}{end}'", 'get leases -n kube-node-lease'],
  'coredns-down@5': ['logs -n kube-system deploy/coredns', 'logs -n kube-system deploy/coredns --previous', 'logs -n kube-system -l k8s-app=kube-dns --tail=2 --prefix', 'get pods -n kube-system', 'get events -n kube-system', 'get cm coredns -n kube-system -o yaml', 'get endpoints -n kube-system', 'get deploy coredns -n kube-system -o yaml', 'describe deploy coredns -n kube-system',
    // A waiting state shows its reason only; a service port whose endpoints are all unready has an empty Endpoints; a revision's template as describe writes it, untabbed.
    'describe pods -n kube-system -l k8s-app=kube-dns --show-events=false', 'describe svc -n kube-system kube-dns', 'rollout history deploy/coredns -n kube-system --revision=1', 'get pods -n kube-system -l k8s-app=kube-dns -o wide'],
  'release-down@5': ['logs deploy/web --tail=5', 'logs deploy/web -p', 'get pods -A', 'get deploy -A -o wide', 'get rs -A', 'get events -A', 'get svc -A -o wide', 'get endpoints -A'],
  'lb-pending@5': ['get svc -A', 'get svc -A -o wide', 'get events -A', 'get svc -A -o yaml'],
  'service-unreachable@5': ['get svc -A', 'get endpoints -A', 'get endpointslices -A', 'get pods -A --show-labels', 'get networkpolicies -A', 'get networkpolicies -A -o yaml'],
  'etcd-nospace@0': ['get pods -A', 'get nodes', 'get events -A', 'describe pods -n kube-system -l component=etcd'],
  'etcd-nospace@10': ['get pods', 'get nodes', 'version', 'get --raw /version', 'api-resources'],
};

/** A step of a write sequence: the line after `kubectl`, what it reads on stdin (`-f -`), and the sed script of an `edit`. */
export interface Step {
  line: string;
  stdin?: string;
  sed?: string;
}

const CONFIG_MAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  a: "1"\n';
const BAD_DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad\nspec:\n  replicas: -1\n  selector:\n    matchLabels: {app: bad}\n  template:\n    metadata:\n      labels: {app: bad}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n';
const SSA_DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa\n  labels: {app: ssa, tier: x}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: ssa}\n  template:\n    metadata:\n      labels: {app: ssa}\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.25\n';
/** The demo's web Deployment as its client-side apply wrote it, with 5 replicas: a conflict with kubectl-client-side-apply. */
const WEB_SCALED = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.25.3\n';
const STALE_CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n  resourceVersion: "1"\ndata:\n  a: "3"\n';
const TWO_ERRORS = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\nspec:\n  type: Nope\n  ports:\n  - port: 0\n';

/**
 * Writes: each sequence runs on two clusters built alike (the demo cluster unless `scenario`),
 * one served to the real kubectl and one in the shell; every step's output must be equal.
 */
export const SEQUENCES: Record<string, { scenario?: string; steps: Step[] }> = {
  'apply --server-side: create, re-apply, a manager\'s conflict, a field no longer applied': { steps: [
    { line: 'apply --server-side -f -', stdin: SSA_DEPLOYMENT },
    { line: 'apply --server-side -f -', stdin: SSA_DEPLOYMENT },
    { line: 'get deploy ssa -o yaml --show-managed-fields' },
    { line: 'apply --server-side --field-manager=other -f -', stdin: SSA_DEPLOYMENT.replace('replicas: 2', 'replicas: 3') },
    { line: 'apply --server-side --field-manager=other -f -', stdin: SSA_DEPLOYMENT },
    { line: 'apply --server-side -f -', stdin: SSA_DEPLOYMENT.replace(', tier: x', '') },
    { line: 'get deploy ssa --show-labels' },
    { line: 'get deploy ssa -o yaml --show-managed-fields' },
  ] },
  'drain evicts through pods/eviction, and a disruption budget refuses': { steps: [
    { line: 'drain worker-1 --pod-selector=app=api --ignore-daemonsets --grace-period=0' },
    { line: 'get nodes' },
    { line: 'create pdb api --selector=app=api --min-available=2' },
    { line: 'drain worker-2 --pod-selector=app=api --ignore-daemonsets --timeout=2s' },
    { line: 'uncordon worker-1' },
  ] },
  'apply --server-side: a conflict with client-side apply, then forced': { steps: [
    { line: 'apply --server-side -f -', stdin: WEB_SCALED },
    { line: 'get deploy web -o jsonpath={.spec.replicas}' },
    { line: 'apply --server-side --force-conflicts -f -', stdin: WEB_SCALED },
    { line: 'get deploy web -o yaml --show-managed-fields' },
    { line: 'apply --server-side --dry-run=server -f -', stdin: CONFIG_MAP },
    { line: 'apply --force-conflicts -f -', stdin: CONFIG_MAP },
    { line: 'apply --server-side --dry-run=client -f -', stdin: CONFIG_MAP },
  ] },
  'apply: create, unchanged, configured, then create again': { steps: [
    { line: 'apply -f -', stdin: CONFIG_MAP },
    { line: 'apply -f -', stdin: CONFIG_MAP },
    { line: 'apply -f -', stdin: CONFIG_MAP.replace('"1"', '"2"') },
    { line: 'get cm demo' },
    { line: 'create -f -', stdin: CONFIG_MAP },
  ] },
  // apply.go / pkg/util/apply.go GetModifiedConfiguration: the annotation is the applied object as
  // compact JSON (keys sorted, `annotations: {}`), and the next apply's 3-way merge deletes what it lost.
  'apply records the last-applied-configuration annotation': { steps: [
    { line: 'apply -f -', stdin: CONFIG_MAP },
    { line: 'get cm demo -o yaml' },
    { line: 'apply -f -', stdin: CONFIG_MAP.replace('name: demo', 'name: demo\n  annotations: {note: "<b>"}').replace('a: "1"', 'a: "1"\n  b: "2"') },
    { line: 'get cm demo -o yaml' },
    { line: 'apply -f -', stdin: CONFIG_MAP },
    { line: 'get cm demo -o json' },
    // What another writer added, and the applied config never had, stays.
    { line: 'label cm demo team=x' },
    { line: 'annotate cm demo extra=1' },
    { line: 'apply -f -', stdin: CONFIG_MAP.replace('name: demo', 'name: demo\n  labels: {app: demo}') },
    { line: 'get cm demo --show-labels' },
    { line: 'apply -f -', stdin: CONFIG_MAP },
    { line: 'get cm demo -o yaml' },
    { line: 'create -f -', stdin: CONFIG_MAP.replace('name: demo', 'name: plain') },
    { line: 'apply -f -', stdin: CONFIG_MAP.replace('name: demo', 'name: plain') },
    { line: 'get cm plain -o jsonpath={.metadata.annotations}' },
    { line: 'create --save-config -f -', stdin: CONFIG_MAP.replace('name: demo', 'name: saved') },
    { line: 'apply -f -', stdin: CONFIG_MAP.replace('name: demo', 'name: saved') },
    { line: 'apply -f -', stdin: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n' },
    { line: 'get ns team -o yaml' },
  ] },
  'apply: an invalid object is refused with its causes': { steps: [
    { line: 'apply -f -', stdin: BAD_DEPLOYMENT },
    { line: 'create -f -', stdin: TWO_ERRORS },
  ] },
  'replace: a stale resourceVersion is a Conflict, a missing object NotFound': { steps: [
    { line: 'create -f -', stdin: CONFIG_MAP },
    { line: 'replace -f -', stdin: STALE_CM },
    { line: 'replace -f -', stdin: CONFIG_MAP.replace('demo', 'other') },
    { line: 'get cm demo -o jsonpath={.data}' },
  ] },
  'patch: strategic, merge and json, then a missing object': { steps: [
    { line: 'patch deploy web -p \'{"spec":{"replicas":4}}\'' },
    { line: 'patch deploy web --type merge -p \'{"metadata":{"labels":{"tier":"front"}}}\'' },
    { line: 'patch deploy web --type json -p \'[{"op":"replace","path":"/spec/replicas","value":2}]\'' },
    { line: 'get deploy web -o yaml' },
    { line: 'patch deploy nope -p \'{"spec":{"replicas":1}}\'' },
    { line: 'patch deploy web --type json -p \'[{"op":"remove","path":"/spec/nope"}]\'' },
    { line: 'patch deploy web -p \'{"spec":{"replicas":2}}\'' },
    { line: 'patch svc web --type merge -p \'{"spec":{"type":"NodePort"}}\'' },
    { line: 'get svc web' },
  ] },
  'patch|get --subresource: a node\'s status (an extended resource), a deployment\'s scale and status, what is refused': { steps: [
    { line: 'patch node worker-1 --subresource=status --type=json -p \'[{"op":"add","path":"/status/capacity/example.com~1dongle","value":"4"}]\'' },
    { line: 'get node worker-1 -o jsonpath={.status.capacity}' },
    { line: 'patch node worker-1 --subresource=status --type=json -p \'[{"op":"add","path":"/status/capacity/example.com~1dongle","value":"4"}]\'' },
    { line: 'patch deploy web --subresource=scale --type=merge -p \'{"spec":{"replicas":2}}\'' },
    { line: 'patch deploy web --subresource=scale -p \'{"spec":{"replicas":2}}\'' },
    { line: 'get deploy web -o jsonpath={.spec.replicas}' },
    { line: 'patch deploy web --subresource=status --type=merge -p \'{"spec":{"replicas":5},"status":{"readyReplicas":0}}\'' },
    { line: 'get deploy web -o jsonpath={.spec.replicas}/{.status.readyReplicas}' },
    { line: 'get deploy web --subresource=status' },
    { line: 'patch deploy web --subresource=foo -p \'{}\'' },
    { line: 'get deploy web --subresource=foo' },
    { line: 'patch cm kube-root-ca.crt --subresource=status -p \'{}\'' },
    { line: 'patch node worker-1 --subresource=scale -p \'{}\'' },
    { line: 'edit deploy web --subresource=status', sed: 's/availableReplicas: 3/availableReplicas: 1/' },
    { line: 'get deploy web -o jsonpath={.status.availableReplicas}' },
    { line: 'edit deploy web --subresource=scale', sed: 's/x/y/' },
    { line: 'edit cm kube-root-ca.crt --subresource=status', sed: 's/x/y/' },
  ] },
  'edit through KUBE_EDITOR: changed, then unchanged': { steps: [
    { line: 'create cm demo --from-literal=a=1' },
    { line: 'edit cm demo', sed: 's/a: "1"/a: "9"/' },
    { line: 'get cm demo -o jsonpath={.data.a}' },
    { line: 'edit deploy web', sed: 's/replicas: 2/replicas: 3/' },
    { line: 'get deploy web' },
  ] },
  'imperative writes: create, expose, set image, cordon, taint': { steps: [
    { line: 'create deployment x --image=nginx:1.25 --replicas=2' },
    { line: 'create namespace team' },
    { line: 'expose deploy web --port=8080 --name=web2' },
    { line: 'get svc web2 -o yaml' },
    { line: 'set image deploy/web nginx=nginx:1.26' },
    { line: 'get deploy web -o wide' },
    { line: 'cordon worker-1' },
    { line: 'get nodes' },
    { line: 'uncordon worker-1' },
    { line: 'taint nodes worker-2 maintenance=yes:NoSchedule' },
    { line: 'get node worker-2 -o jsonpath={.spec.taints}' },
    { line: 'taint nodes worker-2 maintenance:NoSchedule-' },
    // Last: a refused create consumes the shell's uid generator, not the apiserver's, so the twins part after it.
    { line: 'create deployment x --image=nginx:1.25' },
    { line: 'create namespace team' },
  ] },
  'create of each generator kind': { steps: [
    { line: 'create configmap c1 --from-literal=k=v --from-literal=k2=v2' },
    { line: 'create secret generic s1 --from-literal=password=hunter2' },
    { line: 'get secret s1 -o yaml' },
    { line: 'create serviceaccount bot' },
    { line: 'create role reader --verb=get,list --resource=pods' },
    { line: 'create rolebinding reader --role=reader --serviceaccount=default:bot' },
    { line: 'get role,rolebinding -o wide' },
    { line: 'create service clusterip db --tcp=5432:5432' },
    { line: 'get svc db -o yaml' },
    { line: 'create job once --image=busybox' },
    { line: 'create cronjob nightly --image=busybox --schedule="0 0 * * *"' },
    { line: 'get cronjobs' },
    { line: 'create priorityclass high --value=1000' },
    { line: 'create quota q --hard=pods=20' },
    { line: 'describe quota q' },
  ] },
  'scale, label, annotate and delete': { steps: [
    { line: 'scale deploy web --replicas=5' },
    { line: 'get deploy web' },
    { line: 'scale deploy nope --replicas=1' },
    { line: 'create configmap x --from-literal=a=b' },
    { line: 'label cm x tier=db' },
    { line: 'label cm x tier=cache' },
    { line: 'label cm x tier=cache --overwrite' },
    { line: 'annotate cm x note=hi' },
    { line: 'get cm x -o yaml' },
    { line: 'label cm x tier-' },
    { line: 'delete cm x' },
    { line: 'delete cm x' },
    { line: 'delete cm x --ignore-not-found' },
    { line: 'delete ns kube-system' },
  ] },
  'dry runs: client and server': { steps: [
    { line: 'create cm d --from-literal=a=b --dry-run=client -o yaml' },
    { line: 'scale deploy web --replicas=9 --dry-run=server' },
    { line: 'scale deploy web --replicas=9 --dry-run=client' },
    { line: 'scale deploy web --replicas=9 --current-replicas=2 --dry-run=server' },
    // delete.go sends DeleteOptions{DryRun: [All]} in the body: nothing is deleted, a system namespace still refuses.
    { line: 'delete deploy web --dry-run=server' },
    { line: 'delete deploy web --dry-run=client' },
    { line: 'delete ns kube-system --dry-run=server' },
    { line: 'get deploy web' },
  ] },
  'a server dry run of create': { steps: [
    { line: 'create cm d --from-literal=a=b --dry-run=server -o yaml' },
  ] },
  'etcd NOSPACE: every write is refused': { scenario: 'etcd-nospace', steps: [
    { line: 'apply -f -', stdin: CONFIG_MAP },
    { line: 'create deployment x --image=nginx' },
    { line: 'patch deploy -n default --type merge -p \'{"metadata":{"labels":{"a":"b"}}}\' --all' },
    { line: 'get cm demo' },
  ] },
};

/**
 * Lines whose output may differ, each with why. Keep it short: only what cannot be the same
 * bytes by design.
 */
const CLIENT_CLOCK = 'describe node\'s pod ages come from the real kubectl\'s clock, not the simulated one';
export const ALLOWED: Record<string, string> = {
  // kubectl describe configmap ranges over the Data map (describe.go describeConfigMap): Go's
  // map order is random, so the real output changes from run to run.
  'describe configmaps extension-apiserver-authentication -n kube-system': 'Go map order: the real kubectl prints the keys in random order',
  // kubectl logs -l: one request per pod kept in a map, read in Go's map order (logs.go
  // sequentialConsumeRequest over a map[ObjectReference]ResponseWrapper).
  'logs -l app=web --prefix --tail=1': 'Go map order: the real kubectl prints the pods in random order',
  'coredns-down@5: logs -n kube-system -l k8s-app=kube-dns --tail=2 --prefix': 'Go map order, as above',
  // describe.go describeNodeResource prints each pod's age from the client's clock
  // (translateTimestampSince), not the cluster's: the same lines with that column cut are compared.
  'describe node worker-1': CLIENT_CLOCK, 'describe nodes': CLIENT_CLOCK, 'describe nodes worker-1': CLIENT_CLOCK,
  'node-notready@5: describe node worker-1': CLIENT_CLOCK, 'pending-pods@5: describe nodes': CLIENT_CLOCK,
};

const DOWN = 'the apiserver down: the edge drops each connection (kubectl retries, then prints klog lines with its clock and pid) where a stopped apiserver refuses it';

/**
 * Divergences the oracle found in our kubectl (lines, `SCENARIO@MIN: line`, or sequences by
 * name), not fixed yet: each is a bug of the shell, of the manifests it prints from or of the
 * API, kept here so it is seen, and skipped until fixed.
 */
export const PENDING: Record<string, string> = {
  'etcd-nospace@10: api-resources': DOWN,
  'etcd-nospace@10: get pods': DOWN, 'etcd-nospace@10: get nodes': DOWN, 'etcd-nospace@10: version': DOWN, 'etcd-nospace@10: get --raw /version': DOWN,
};
