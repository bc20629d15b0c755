// A seat that is not the cluster admin (cluster spec `user`): kubectl's requests meet RBAC.
// References (kubernetes v1.29): k8s.io/apiserver pkg/endpoints/handlers/responsewriters/errors.go
// (forbiddenMessage: `pods is forbidden: User "jane" cannot list resource "pods" in API group ""
// in the namespace "default"`, "at the cluster scope" for cluster-wide requests); kubectl
// pkg/cmd/auth/cani.go and whoami.go; plugin/pkg/auth/authorizer/rbac (rules and bindings).
import { describe, expect, it } from 'vitest';
import { missingAnnotationWarning } from '../../server/shell/kubectl/last-applied.js';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import type { ClusterSpecInput } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { createObject } from '../../server/cluster/api.js';
import { newMeta } from '../../server/cluster/objects.js';
import type { ClusterState } from '../../server/cluster/types.js';
import type { ApiRequest } from '../../server/kubeapi/handler.js';
import { serveSeatRequest, targetOf } from '../../server/kubeapi/seat.js';

function shell() {
  const spec = { ...structuredClone(demoClusterSpec), user: { name: 'jane', groups: ['developers'] } } as ClusterSpecInput;
  const state = createCluster(spec, 1);
  const session = newSession(state);
  const run = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
  return { state, run };
}

/** The admin lets jane read (pods and their logs included) in default through the built-in `view` ClusterRole. */
function grantView(state: ClusterState): void {
  createObject(state, 'RoleBinding', {
    kind: 'RoleBinding', metadata: newMeta(state, 'jane-view', 'default'),
    fields: { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' }] },
  });
}

describe('a limited kubeconfig user', () => {
  it('is who whoami says, and is refused what no binding allows, with the apiserver\'s message', () => {
    const { run } = shell();
    expect(run('kubectl auth whoami').output).toBe('ATTRIBUTE   VALUE\nUsername    jane\nGroups      [developers system:authenticated]\n');
    const listed = run('kubectl get pods');
    expect(listed.output).toBe('Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"\n');
    expect(listed.exitCode).toBe(1);
    expect(run('kubectl get pods -A').output).toBe('Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" at the cluster scope\n');
    expect(run('kubectl get nodes').output).toBe('Error from server (Forbidden): nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope\n');
    expect(run('kubectl -n kube-system get deploy coredns').output).toBe('Error from server (Forbidden): deployments.apps "coredns" is forbidden: User "jane" cannot get resource "deployments" in API group "apps" in the namespace "kube-system"\n');
    expect(run('kubectl auth can-i list pods').output).toBe('no\n');
    // Impersonating the admin takes the impersonate verb jane does not have.
    expect(run('kubectl get pods --as=kubernetes-admin').output).toBe('Error from server (Forbidden): users "kubernetes-admin" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope\n');
  });

  it('may do what a binding grants, and still not write with a read-only role', () => {
    const { state, run } = shell();
    grantView(state);
    expect(run('kubectl get pods --no-headers').output.split('\n').filter((l) => l).length).toBe(5);
    expect(run('kubectl auth can-i list pods').output).toBe('yes\n');
    expect(run('kubectl auth can-i delete pods').output).toBe('no\n');
    const pod = run('kubectl get pods -o name').output.split('\n')[0]!.slice('pod/'.length);
    expect(run(`kubectl logs ${pod}`).exitCode).toBe(0);
    expect(run(`kubectl delete pod ${pod}`).output).toBe(`Error from server (Forbidden): pods "${pod}" is forbidden: User "jane" cannot delete resource "pods" in API group "" in the namespace "default"\n`);
    expect(run(`kubectl exec ${pod} -- ls`).output).toBe(`Error from server (Forbidden): pods "${pod}" is forbidden: User "jane" cannot create resource "pods/exec" in API group "" in the namespace "default"\n`);
    expect(run('kubectl scale deploy web --replicas=5').output).toBe('Error from server (Forbidden): deployments.apps "web" is forbidden: User "jane" cannot patch resource "deployments/scale" in API group "apps" in the namespace "default"\n');
    expect(run('kubectl -n kube-system get pods').output).toBe('Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "kube-system"\n');
  });

  // Writes: the request kubectl sends names the verb (pkg/cmd/create/create_*.go wrap the error
  // `failed to create configmap: %v`, which kubectl prints after `error: `; create_namespace.go
  // returns it as it is); manifests wrap it with the file's name (pkg/cmd/util/helpers.go
  // AddSourceToErr "error when %s %q: %v"; apply.go: get, then create or patch; replace.go:
  // Helper.Replace gets the resourceVersion a manifest lacks, then puts: verb update).
  it('is refused each write with the verb kubectl\'s request carries', () => {
    const { state, run } = shell();
    const forbidden = (verb: string, rest: string) => `is forbidden: User "jane" cannot ${verb} resource "${rest}" in API group "" in the namespace "default"`;
    expect(run('kubectl create configmap x --from-literal=a=b').output).toBe(`error: failed to create configmap: configmaps ${forbidden('create', 'configmaps')}\n`);
    expect(run('kubectl create deploy x --image=nginx').output).toBe('error: failed to create deployment: deployments.apps is forbidden: User "jane" cannot create resource "deployments" in API group "apps" in the namespace "default"\n');
    expect(run('kubectl create ns x').output).toBe('Error from server (Forbidden): namespaces is forbidden: User "jane" cannot create resource "namespaces" in API group "" at the cluster scope\n');
    expect(run('kubectl create svc nodeport x --tcp=80').output).toBe(`error: failed to create NodePort service: services ${forbidden('create', 'services')}\n`);
    // A client-side dry run sends nothing.
    expect(run('kubectl create deploy x --image=nginx --dry-run=client -o name').output).toBe('deployment.apps/x\n');
    run(`printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: settings\\ndata:\\n  a: "2"\\n' > cm.yaml`);
    const info = 'Resource: "/v1, Resource=configmaps", GroupVersionKind: "/v1, Kind=ConfigMap"\nName: "settings", Namespace: "default"';
    const apply = run('kubectl apply -f cm.yaml');
    expect(apply.output).toBe(`Error from server (Forbidden): error when retrieving current configuration of:\n${info}\nfrom server for: "cm.yaml": configmaps "settings" ${forbidden('get', 'configmaps')}\n`);
    expect(apply.exitCode).toBe(1);
    grantView(state);
    expect(run('kubectl apply -f cm.yaml').output).toBe(`Error from server (Forbidden): error when creating "cm.yaml": configmaps ${forbidden('create', 'configmaps')}\n`);
    expect(run('kubectl create -f cm.yaml').output).toBe(`Error from server (Forbidden): error when creating "cm.yaml": configmaps ${forbidden('create', 'configmaps')}\n`);
    expect(run('kubectl apply -f cm.yaml --dry-run=client').output).toBe('configmap/settings created (dry run)\n');
    createObject(state, 'ConfigMap', { metadata: newMeta(state, 'settings', 'default'), data: { a: '1' } });
    const patched = run('kubectl apply -f cm.yaml').output;
    expect(patched.startsWith(`${missingAnnotationWarning('configmaps/settings')}Error from server (Forbidden): error when applying patch:\n{"data":{"a":"2"}`)).toBe(true);
    expect(patched.endsWith(`\nto:\n${info}\nfor: "cm.yaml": error when patching "cm.yaml": configmaps "settings" ${forbidden('patch', 'configmaps')}\n`)).toBe(true);
    expect(run('kubectl replace -f cm.yaml').output).toBe(`Error from server (Forbidden): error when replacing "cm.yaml": configmaps "settings" ${forbidden('update', 'configmaps')}\n`);
    expect(run('kubectl label cm settings tier=web').output).toBe(`Error from server (Forbidden): configmaps "settings" ${forbidden('patch', 'configmaps')}\n`);
    expect(run('kubectl annotate cm settings note=x').output).toBe(`Error from server (Forbidden): configmaps "settings" ${forbidden('patch', 'configmaps')}\n`);
    expect(run('kubectl get cm settings -o jsonpath={.data.a}').output).toBe('1');
  });
});

describe('a limited kubeconfig user through a seat\'s own tools (kubeapi/seat.ts)', () => {
  const player = { readOnly: false, user: 'kubedrill:player' };
  const request = (method: ApiRequest['method'], path: string): ApiRequest => ({ method, path, query: {}, accept: 'application/json', contentType: '' });
  const serve = (state: ClusterState, req: ApiRequest) => serveSeatRequest(state, req, targetOf(req.path)!, player, undefined).response;

  it('meets the same bindings as the shell, with the same message, as a Forbidden Status', () => {
    const { state, run } = shell();
    const refused = serve(state, request('GET', '/api/v1/namespaces/default/pods'));
    expect(refused).toMatchObject({ status: 403, body: { reason: 'Forbidden', message: 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"' } });
    expect(run('kubectl get pods').output).toBe(`Error from server (Forbidden): ${(refused.body as { message: string }).message}\n`);
    expect(serve(state, request('GET', '/api/v1/nodes'))).toMatchObject({ status: 403, body: { message: 'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope' } });
    grantView(state);
    expect(serve(state, request('GET', '/api/v1/namespaces/default/pods')).status).toBe(200);
    // `view` reads; it does not delete.
    const name = (serve(state, request('GET', '/api/v1/namespaces/default/pods')).body as { items: { metadata: { name: string } }[] }).items[0]!.metadata.name;
    expect(serve(state, request('DELETE', `/api/v1/namespaces/default/pods/${name}`))).toMatchObject({
      status: 403, body: { message: `pods "${name}" is forbidden: User "jane" cannot delete resource "pods" in API group "" in the namespace "default"` },
    });
  });

  // `kubectl auth can-i` creates a SelfSubjectAccessReview (kubectl pkg/cmd/auth/cani.go RunAccessCheck); every
  // authenticated user may (system:basic-user), and the answer is the requester's own rights.
  const review = (attributes: Record<string, unknown>): ApiRequest => ({
    ...request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'),
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: attributes } as ApiRequest['body'],
  });
  const allowedBy = (state: ClusterState, req: ApiRequest, seat = player) => {
    const response = serveSeatRequest(state, req, targetOf(req.path)!, seat, undefined).response;
    expect(response.status).toBe(201);
    return (response.body as { status: { allowed: boolean } }).status.allowed;
  };

  it('answers a SelfSubjectAccessReview with the seat\'s own rights, as the shell\'s auth can-i', () => {
    const { state, run } = shell();
    const listPods = review({ resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } });
    expect(allowedBy(state, listPods)).toBe(false);
    grantView(state);
    expect(allowedBy(state, listPods)).toBe(true);
    expect(run('kubectl auth can-i list pods').output).toBe('yes\n');
    expect(allowedBy(state, review({ resourceAttributes: { namespace: 'default', verb: 'delete', resource: 'pods' } }))).toBe(false);
    expect(allowedBy(state, review({ resourceAttributes: { namespace: 'kube-system', verb: 'list', resource: 'pods' } }))).toBe(false);
    // A spectator reads everything and writes nothing, whatever the kubeconfig's user may do.
    const spectator = { readOnly: true, user: 'kubedrill:spectator' };
    expect(allowedBy(state, review({ resourceAttributes: { namespace: 'kube-system', verb: 'list', resource: 'pods' } }), spectator)).toBe(true);
    expect(allowedBy(state, review({ resourceAttributes: { namespace: 'default', verb: 'delete', resource: 'pods' } }), spectator)).toBe(false);
    const neither = review({});
    expect(serveSeatRequest(state, neither, targetOf(neither.path)!, player, undefined).response).toMatchObject({
      // pkg/apis/authorization/validation ValidateSelfSubjectAccessReviewSpec.
      status: 422, body: { reason: 'Invalid', details: { causes: [{ field: 'spec.resourceAttributes', message: 'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified' }] } },
    });
  });
});
