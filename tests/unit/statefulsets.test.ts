// StatefulSets and the storage behind them. References (kubernetes v1.29):
// - pkg/controller/statefulset/stateful_pod_control.go: event texts (recordPodEvent,
//   recordClaimEvent), claim names `<template>-<set>-<ordinal>` (getPersistentVolumeClaimName);
//   stateful_set_control.go: OrderedReady waits for Running and Ready, scale-down from the top.
// - pkg/controller/volume/persistentvolume/pv_controller.go: FailedBinding "no persistent volumes
//   available for this claim and no storage class is set", WaitForFirstConsumer "waiting for
//   first consumer to be created before binding", ExternalProvisioning.
// - pkg/scheduler/framework/plugins/volumebinding: PreFilter "pod has unbound immediate
//   PersistentVolumeClaims", Filter "node(s) had volume node affinity conflict"; FitError in
//   framework/types.go.
// - pkg/printers/internalversion/printers.go: printStatefulSet (NAME READY AGE),
//   printPersistentVolumeClaim / printPersistentVolume (VOLUMEATTRIBUTESCLASS since v1.29),
//   printStorageClass (`(default)`).
// - staging/src/k8s.io/kubectl/pkg/describe/describe.go: describeStatefulSet,
//   describeVolumeClaimTemplates, describePersistentVolumeClaim, printPersistentVolumeClaimVolumeSource.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

function shell(zones = false) {
  const spec = structuredClone(demoClusterSpec);
  if (zones) {
    spec.nodes[1]!.labels = { 'topology.kubernetes.io/zone': 'us-east-1a' };
    spec.nodes[2]!.labels = { 'topology.kubernetes.io/zone': 'us-east-1b' };
  }
  const state = createCluster(spec, 1);
  const session = newSession(state);
  const run = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
  return { state, run };
}

const STS = (replicas: number, policy = 'OrderedReady') => `cat > sts.yaml <<'Y'
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: ${replicas}
  podManagementPolicy: ${policy}
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: pg
        image: postgres:16
        volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 500Mi}}
Y
kubectl apply -f sts.yaml`;

const names = (run: (l: string) => { output: string }, what: string) => run(`kubectl get ${what} -o name`).output.trim().split('\n').filter((x) => x);

describe('the StatefulSet controller', () => {
  it('creates db-0 first and db-1 only once db-0 is Running and Ready (OrderedReady), each with its claim', () => {
    const { run } = shell();
    expect(run(STS(3)).output).toBe('statefulset.apps/db created\n');
    run('sleep 1');
    expect(names(run, 'pods -l app=db')).toEqual(['pod/db-0']);
    expect(run('kubectl get pods db-0 -o jsonpath="{.status.phase}"').output).not.toBe('Running');
    run('sleep 30');
    expect(names(run, 'pods -l app=db')).toEqual(['pod/db-0', 'pod/db-1', 'pod/db-2']);
    expect(names(run, 'pvc')).toEqual(['persistentvolumeclaim/data-db-0', 'persistentvolumeclaim/data-db-1', 'persistentvolumeclaim/data-db-2']);
    // Each later pod started after the one before it was ready.
    const started = [0, 1, 2].map((i) => Date.parse(run(`kubectl get pod db-${i} -o jsonpath="{.metadata.creationTimestamp}"`).output));
    expect(started[0]! < started[1]! && started[1]! < started[2]!).toBe(true);
    expect(run('kubectl get sts db').output).toMatch(/^NAME   READY   AGE\ndb     3\/3     3\ds\n$/);
    expect(run('kubectl get pod db-1 -o jsonpath="{.metadata.labels}"').output).toMatch(/"apps.kubernetes.io\/pod-index":"1".*"statefulset.kubernetes.io\/pod-name":"db-1"/);
    expect(run('kubectl get pod db-1 -o jsonpath="{.spec.volumes[0].persistentVolumeClaim.claimName}"').output).toBe('data-db-1');
    expect(run('kubectl get events --field-selector involvedObject.kind=StatefulSet -o jsonpath="{range .items[*]}{.message}{\\"\\n\\"}{end}"').output.split('\n').slice(0, 2))
      .toEqual(['create Claim data-db-0 Pod db-0 in StatefulSet db success', 'create Pod db-0 in StatefulSet db successful']);
  });

  it('creates every pod at once under Parallel', () => {
    const { run } = shell();
    run(STS(3, 'Parallel'));
    run('sleep 1');
    expect(names(run, 'pods -l app=db')).toEqual(['pod/db-0', 'pod/db-1', 'pod/db-2']);
  });

  it('scales down from the highest ordinal, one at a time, and keeps the claims', () => {
    const { run } = shell();
    run(STS(3));
    run('sleep 40');
    expect(run('kubectl scale sts db --replicas=1').output).toBe('statefulset.apps/db scaled\n');
    run('sleep 1');
    expect(run('kubectl get pods -l app=db --no-headers -o custom-columns=N:.metadata.name,D:.metadata.deletionTimestamp').output).toMatch(/^db-0 +<none>\ndb-1 +<none>\ndb-2 +\S+Z\n$/);
    run('sleep 80');
    expect(names(run, 'pods -l app=db')).toEqual(['pod/db-0']);
    expect(names(run, 'pvc')).toEqual(['persistentvolumeclaim/data-db-0', 'persistentvolumeclaim/data-db-1', 'persistentvolumeclaim/data-db-2']);
    // Scaling up again finds the same claims: no new ones, the same volumes.
    const volume = run('kubectl get pvc data-db-1 -o jsonpath="{.spec.volumeName}"').output;
    run('kubectl scale sts db --replicas=2');
    run('sleep 20');
    expect(run('kubectl get pod db-1 -o jsonpath="{.status.phase}"').output).toBe('Running');
    expect(run('kubectl get pvc data-db-1 -o jsonpath="{.spec.volumeName}"').output).toBe(volume);
  });

  it('replaces a deleted pod under the same name', () => {
    const { run } = shell();
    run(STS(2));
    run('sleep 30');
    run('kubectl delete pod db-1 --grace-period=0 --force');
    run('sleep 10');
    expect(run('kubectl get pod db-1 -o jsonpath="{.status.phase}"').output).toBe('Running');
  });

  it('describes a StatefulSet like kubectl describe.go describeStatefulSet', () => {
    const { run } = shell();
    run(STS(1));
    run('sleep 10');
    const out = run('kubectl describe sts db').output;
    expect(out).toMatch(/^Name:               db\nNamespace:          default\nCreationTimestamp:  \w{3}, \d\d \w{3} \d{4} [\d:]{8} \+0000\nSelector:           app=db\nLabels:             <none>\nAnnotations:        <none>\nReplicas:           1 desired \| 1 total\nUpdate Strategy:    RollingUpdate\n  Partition:        0\nPods Status:        1 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed\nPod Template:\n  Labels:  app=db\n/);
    expect(out).toContain('Volume Claims:\n  Name:          data\n  StorageClass:  \n  Labels:        <none>\n  Annotations:   <none>\n  Capacity:      500Mi\n  Access Modes:  [ReadWriteOnce]\nEvents:\n');
    expect(run('kubectl get sts db -o jsonpath="{.spec.updateStrategy}"').output).toBe('{"rollingUpdate":{"partition":0},"type":"RollingUpdate"}');
  });
});

describe('claims, volumes and storage classes', () => {
  it('marks the default StorageClass and fills it into a claim that names none', () => {
    const { run } = shell();
    expect(run('kubectl get sc').output).toBe(
      'NAME            PROVISIONER             RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE\n'
      + 'gp2 (default)   kubernetes.io/aws-ebs   Delete          WaitForFirstConsumer   false                  41d\n');
    run(STS(1));
    run('sleep 1');
    expect(run('kubectl get pvc data-db-0 -o jsonpath="{.spec.storageClassName}"').output).toBe('gp2');
  });

  it('keeps a WaitForFirstConsumer claim Pending with its event until a pod uses it, then provisions in that node\'s zone', () => {
    const { run } = shell(true);
    run(`cat > c.yaml <<'Y'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: logs}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 500Mi}}
Y
kubectl apply -f c.yaml`);
    run('sleep 5');
    expect(run('kubectl get pvc logs').output).toBe(
      'NAME   STATUS    VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE\n'
      + 'logs   Pending                                      gp2            <unset>                 5s\n');
    expect(run('kubectl describe pvc logs').output).toMatch(
      /Used By:       <none>\nEvents:\n  Type    Reason                Age   From                         Message\n  ----    ------                ----  ----                         -------\n  Normal  WaitForFirstConsumer  \ds    persistentvolume-controller  waiting for first consumer to be created before binding\n$/);
    run(`cat > p.yaml <<'Y'
apiVersion: v1
kind: Pod
metadata: {name: writer}
spec:
  nodeSelector: {topology.kubernetes.io/zone: us-east-1a}
  containers: [{name: c, image: busybox, command: [sleep, "3600"]}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: logs}}]
Y
kubectl apply -f p.yaml`);
    run('sleep 10');
    expect(run('kubectl get pod writer -o jsonpath="{.spec.nodeName} {.status.phase}"').output).toBe('worker-1 Running');
    const pv = run('kubectl get pvc logs -o jsonpath="{.spec.volumeName}"').output;
    expect(pv).toMatch(/^pvc-[0-9a-f-]{36}$/);
    expect(run(`kubectl get pv ${pv} -o jsonpath="{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0]}"`).output)
      .toBe('{"key":"topology.kubernetes.io/zone","operator":"In","values":["us-east-1a"]}');
    // describe.go describePersistentVolume / printVolumeNodeAffinity / printAWSElasticBlockStoreVolumeSource.
    expect(run(`kubectl describe pv ${pv}`).output).toMatch(new RegExp(`^Name:              ${pv}\nLabels:            <none>\nAnnotations:       pv.kubernetes.io/bound-by-controller: yes\n[^]*`
      + 'Finalizers:        \\[kubernetes.io/pv-protection\\]\nStorageClass:      gp2\nStatus:            Bound\nClaim:             default/logs\nReclaim Policy:    Delete\nAccess Modes:      RWO\n'
      + 'VolumeMode:        Filesystem\nCapacity:          1Gi\nNode Affinity:     \n  Required Terms:  \n    Term 0:        topology.kubernetes.io/zone in \\[us-east-1a\\]\nMessage:           \nSource:\n'
      + '    Type:       AWSElasticBlockStore \\(a Persistent Disk resource in AWS\\)\n    VolumeID:   vol-[0-9a-f]{17}\n    FSType:     ext4\n    Partition:  0\n    ReadOnly:   false\nEvents:         <none>\n$'));
    // EBS gives whole GiB.
    expect(run('kubectl get pvc logs --no-headers').output).toMatch(new RegExp(`^logs   Bound   ${pv}   1Gi   RWO   gp2   <unset>   \\d+s\\n$`));
    expect(run('kubectl describe pvc logs').output).toContain(`Status:        Bound\nVolume:        ${pv}\n`);
    expect(run('kubectl get events --field-selector involvedObject.name=logs -o jsonpath="{.items[*].reason}"').output)
      .toBe('WaitForFirstConsumer ExternalProvisioning Provisioning ProvisioningSucceeded');
  });

  it('leaves a pod whose volume sits in another zone Pending with the scheduler\'s volume node affinity conflict', () => {
    const { run } = shell(true);
    run(STS(1));
    run('sleep 15');
    const node = run('kubectl get pod db-0 -o jsonpath="{.spec.nodeName}"').output;
    run(`kubectl cordon ${node}`);
    run('kubectl delete pod db-0');
    run('sleep 40');
    expect(run('kubectl get pod db-0 --no-headers').output).toMatch(/^db-0   0\/1   Pending   0     +\d+s\n$/);
    expect(run('kubectl describe pod db-0').output).toContain(
      'default-scheduler  0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) had volume node affinity conflict, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.\n');
    run(`kubectl uncordon ${node}`);
    run('sleep 10');
    expect(run('kubectl get pod db-0 -o jsonpath="{.spec.nodeName} {.status.phase}"').output).toBe(`${node} Running`);
  });

  it('binds a claim of no class only to a matching PersistentVolume, and says so until one exists', () => {
    const { run } = shell();
    run(`cat > c.yaml <<'Y'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: manual}
spec:
  storageClassName: ""
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: user}
spec:
  containers: [{name: c, image: busybox, command: [sleep, "3600"]}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: manual}}]
Y
kubectl apply -f c.yaml`);
    run('sleep 3');
    expect(run('kubectl describe pvc manual').output).toMatch(/StorageClass:  \nStatus:        Pending\n[\s\S]*Used By:       user\n[\s\S]*Normal  FailedBinding  \ds    persistentvolume-controller  no persistent volumes available for this claim and no storage class is set\n$/);
    expect(run('kubectl get events --field-selector involvedObject.name=user -o jsonpath="{.items[0].message}"').output)
      .toBe('0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
    expect(run('kubectl describe pod user').output).toContain('  d:\n    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:  manual\n    ReadOnly:   false\n  kube-api-access-');
    run(`cat > v.yaml <<'Y'
apiVersion: v1
kind: PersistentVolume
metadata: {name: small}
spec: {capacity: {storage: 512Mi}, accessModes: [ReadWriteOnce], hostPath: {path: /a}}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: big}
spec: {capacity: {storage: 2Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /b}}
Y
kubectl apply -f v.yaml`);
    run('sleep 5');
    expect(run('kubectl get pv').output).toMatch(
      /^NAME    CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS      CLAIM            STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE\nbig     2Gi        RWO            Retain           Bound       default\/manual                  <unset>                          5s\nsmall   512Mi      RWO            Retain           Available                                   <unset>                          5s\n$/);
    expect(run('kubectl get pod user -o jsonpath="{.status.phase}"').output).toBe('Running');
    // Beside kubectl apply's last-applied-configuration.
    expect(JSON.parse(run('kubectl get pvc manual -o jsonpath="{.metadata.annotations}"').output)).toMatchObject({ 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' });
  });

  it('says a missing claim is not found', () => {
    const { run } = shell();
    run(`cat > p.yaml <<'Y'
apiVersion: v1
kind: Pod
metadata: {name: lone}
spec:
  containers: [{name: c, image: busybox}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: nope}}]
Y
kubectl apply -f p.yaml`);
    run('sleep 2');
    expect(run('kubectl get events --field-selector involvedObject.name=lone -o jsonpath="{.items[0].message}"').output)
      .toBe('0/3 nodes are available: persistentvolumeclaim "nope" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
  });
});

describe('StatefulSet updates', () => {
  it('rolls a restart out from the highest ordinal down, one pod at a time, as rollout status follows', () => {
    const { run } = shell();
    run(STS(3));
    run('sleep 40');
    const before = run('kubectl get pods -l app=db -o jsonpath="{.items[*].metadata.uid}"').output;
    expect(run('kubectl rollout restart sts/db').output).toBe('statefulset.apps/db restarted\n');
    run('sleep 1');
    // db-2 goes first; the others wait.
    expect(run('kubectl get pods -l app=db --no-headers -o custom-columns=N:.metadata.name,D:.metadata.deletionTimestamp').output).toMatch(/^db-0 +<none>\ndb-1 +<none>\ndb-2 +\S+Z\n$/);
    // kubectl polymorphichelpers/rollout_status.go StatefulSetStatusViewer (a partition of 0 is the default).
    const status = run('kubectl rollout status sts/db --timeout=5m');
    expect(status.output).toMatch(/^Waiting for 1 pods to be ready\.\.\.\n(Waiting for (partitioned roll out to finish: \d out of 3 new pods have been updated|1 pods to be ready)\.\.\.\n)*partitioned roll out complete: 3 new pods have been updated\.\.\.\n$/);
    const after = run('kubectl get pods -l app=db -o jsonpath="{.items[*].metadata.uid}"').output.split(' ');
    expect(after.some((uid) => before.includes(uid))).toBe(false);
    expect(run('kubectl get sts db -o jsonpath="{.status.currentRevision} {.status.updateRevision} {.status.updatedReplicas}"').output).toMatch(/^(db-\w+) \1 3$/);
    expect(run('kubectl get controllerrevisions -o custom-columns=N:.metadata.name,R:.revision --no-headers').output.split('\n').filter((l) => l).map((l) => l.split(/ +/)[1]).sort()).toEqual(['1', '2']);
  });
});

describe('claim protection', () => {
  it('keeps a claim a pod uses Terminating, then lets it and its provisioned volume go with the pod', () => {
    const { run } = shell();
    run(STS(1));
    run('sleep 15');
    const pv = run('kubectl get pvc data-db-0 -o jsonpath="{.spec.volumeName}"').output;
    expect(run('kubectl delete pvc data-db-0').output).toBe('persistentvolumeclaim "data-db-0" deleted\n');
    run('sleep 5');
    // printPersistentVolumeClaim and describePersistentVolumeClaim show a claim being deleted as Terminating.
    expect(run('kubectl get pvc data-db-0 --no-headers').output).toMatch(new RegExp(`^data-db-0   Terminating   ${pv}   1Gi   RWO   gp2   <unset>   \\d+s\\n$`));
    expect(run('kubectl describe pvc data-db-0').output).toContain('Status:        Terminating (lasts 5s)\n');
    run('kubectl delete sts db');
    run('sleep 40');
    expect(run('kubectl get pvc,pv').output).toBe('No resources found in default namespace.\n');
  });
});

describe('determinism', () => {
  it('a clone taken mid-way (a snapshot restored) goes on exactly like the original', () => {
    const { state, run } = shell(true);
    run(STS(3));
    run(`cat > c.yaml <<'Y'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: waiting}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
Y
kubectl apply -f c.yaml`);
    run('kubectl autoscale sts db --max=5 --cpu-percent=50');
    run('sleep 7');
    const copy = structuredClone(state);
    tick(state, 90_000);
    tick(copy, 90_000);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(state));
  });
});
