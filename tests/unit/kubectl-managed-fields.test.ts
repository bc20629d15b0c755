// metadata.managedFields and --show-managed-fields, as kubectl v1.29 prints them: hidden unless
// asked (get.go wraps its printer in OmitManagedFieldsPrinter without --show-managed-fields);
// each entry is apiVersion, fieldsType FieldsV1, fieldsV1, manager, operation, [subresource], time
// (meta/v1 ManagedFieldsEntry); managers are kubectl's --field-manager defaults
// (AddFieldManagerFlagVar: kubectl-create, kubectl-label…; apply.go FieldManagerClientSideApply
// "kubectl-client-side-apply"), else the user agent's "kubectl" (scale, through the scale
// subresource); fieldsV1 in structured-merge-diff's format (`f:` fields, `k:{…}` keyed list items,
// `.` for a map or item set whole), which go-yaml prints with a plain `.` key.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const run = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
  return { run, state };
}

const managers = "-o jsonpath='{range .metadata.managedFields[*]}{.manager}/{.operation}/{.subresource}{\"\\n\"}{end}' --show-managed-fields";

describe('managed fields', () => {
  it('are hidden unless --show-managed-fields, then record who wrote what', () => {
    const { run, state } = shell();
    run('kubectl create configmap settings --from-literal=mode=fast');
    expect(run('kubectl get cm settings -o yaml').output).not.toContain('managedFields');
    expect(run('kubectl get cm settings -o json').output).not.toContain('managedFields');
    expect(run("kubectl get cm settings -o jsonpath='{.metadata.managedFields}'").output).toBe('');
    run('kubectl label cm settings tier=backend');
    const yaml = run('kubectl get cm settings -o yaml --show-managed-fields').output;
    const time = JSON.stringify(run("kubectl get cm settings -o jsonpath='{.metadata.creationTimestamp}'").output);
    expect(yaml).toContain([
      '  managedFields:',
      '  - apiVersion: v1',
      '    fieldsType: FieldsV1',
      '    fieldsV1:',
      '      f:data:',
      '        .: {}',
      '        f:mode: {}',
      '    manager: kubectl-create',
      '    operation: Update',
      `    time: ${time}`,
      '  - apiVersion: v1',
      '    fieldsType: FieldsV1',
      '    fieldsV1:',
      '      f:metadata:',
      '        f:labels:',
      '          .: {}',
      '          f:tier: {}',
      '    manager: kubectl-label',
      '    operation: Update',
      `    time: ${time}`,
      '  name: settings',
    ].join('\n'));
    const json = JSON.parse(run('kubectl get cm settings -o json --show-managed-fields').output) as { metadata: { managedFields: { manager: string; fieldsV1: object }[] } };
    expect(json.metadata.managedFields.map((m) => m.manager)).toEqual(['kubectl-create', 'kubectl-label']);
    expect(json.metadata.managedFields[0]!.fieldsV1).toEqual({ 'f:data': { '.': {}, 'f:mode': {} } });
    // Controllers' writes inside a command's wait are not the client's.
    expect(state.fieldManager).toBeUndefined();
  });

  it('derive the built world\'s writers: the controller manager and the kubelet\'s status for a ReplicaSet\'s pod', () => {
    const { run } = shell();
    const pod = run('kubectl get pods -o name').output.split('\n').find((l) => l.startsWith('pod/web-'))!;
    expect(run(`kubectl get ${pod} ${managers}`).output).toBe('kube-controller-manager/Update/\nkubelet/Update/status\n');
    const yaml = run(`kubectl get ${pod} -o yaml --show-managed-fields`).output;
    expect(yaml).toMatch(/        f:ownerReferences:\n          k:\{"uid":"[0-9a-f-]{36}"\}:\n            \.: \{\}\n            f:apiVersion: \{\}/);
    expect(yaml).toContain('      f:spec:\n        f:containers:\n          k:{"name":"nginx"}:\n            .: {}\n            f:image: {}\n');
    expect(yaml).toContain('      f:status:\n        f:conditions:\n          k:{"type":"ContainersReady"}:\n            .: {}\n            f:lastProbeTime: {}\n');
    expect(run(`kubectl -n kube-system get deploy coredns ${managers}`).output).toBe('kubeadm/Update/\nkube-controller-manager/Update/status\n');
  });

  it('give scale\'s spec.replicas to the scale subresource\'s manager, taken from the one that applied it', () => {
    const { run } = shell();
    run('kubectl scale deploy web --replicas=4');
    expect(run(`kubectl get deploy web ${managers}`).output).toBe('kubectl-client-side-apply/Update/\nkube-controller-manager/Update/status\nkubectl/Update/scale\n');
    const entries = (JSON.parse(run('kubectl get deploy web -o json --show-managed-fields').output) as { metadata: { managedFields: { manager: string; subresource?: string; fieldsV1: { 'f:spec'?: Record<string, unknown> } }[] } }).metadata.managedFields;
    expect(entries[2]!.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
    expect(entries[0]!.fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
  });
});
