// `kubedrill scenarios new ID`: a scenario file that loads, solves and passes `scenarios
// check` as written — a small working incident (three causes behind one symptom) whose every
// section carries a comment saying what to change. docs/SCENARIOS.md explains each part.
export const SCAFFOLD_ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The text of a new scenario file with this id (the file must be named `<id>.yaml`). */
export function scaffoldScenario(id: string): string {
  if (!SCAFFOLD_ID.test(id)) throw new Error(`"${id}" is not a scenario id (lowercase letters, digits, dashes)`);
  return `# yaml-language-server: $schema=./schema.json
# TODO: one paragraph for authors: the symptom, and the causes behind it (see docs/SCENARIOS.md).
id: ${id}
title: TODO the symptom as a pager title
difficulty: easy
timeLimitSec: 1200
estimatedMinutes: 15
tags: [scheduling]
# The page or ticket the player reads: the same words whatever the cause. Never name the cause.
briefing: |
  The {{app}} deployment (namespace {{ns}}) was scaled from 2 to 4 replicas ten minutes
  ago, but only 2 pods serve. Get the new replicas serving.

# The causes behind the one symptom (>= 3), each seen by a different observation.
variants:
  - id: taint
    params: { cause: leftover-taint, causeTitle: A worker still carries a taint the pods do not tolerate,
              causeExplanation: "A maintenance taint was left on {{w2}}; the new pods fit nowhere else. Fix: remove the taint." }
  - id: selector
    params: { cause: selector-no-match, causeTitle: "The pods' nodeSelector matches only one node",
              causeExplanation: "{{w2}} was relabelled pool=batch; the pods require pool=web. Fix: relabel the node (or change the selector)." }
  - id: cpu
    params: { cause: insufficient-cpu, causeTitle: "The new pods' CPU requests do not fit on any node",
              causeExplanation: "A release raised the CPU request to 1500m; two such pods fill the workers. Fix: right-size the request." }

# Names, sizes and noise, drawn apart from the cause: every option suits every variant.
dressing:
  names:
    - { ns: web, app: frontend }
    - { ns: shop, app: storefront }
  nodes:
    - { cp: cp-1, w1: worker-1, w2: worker-2 }
    - { cp: k8s-cp1, w1: k8s-w1, w2: k8s-w2 }

cluster:
  name: prod
  nodes:
    - { name: '{{cp}}', role: control-plane, ip: 10.0.0.10, cpu: '2', memory: 4Gi, age: 120d }
    - { name: '{{w1}}', ip: 10.0.0.21, cpu: '2', memory: 8Gi, labels: { pool: web }, age: 120d }
    - { name: '{{w2}}', ip: 10.0.0.22, cpu: '2', memory: 8Gi, labels: { pool: web }, age: 120d }
  deployments:
    - namespace: '{{ns}}'
      name: '{{app}}'
      replicas: 2
      age: 30d
      nodeSelector: { pool: web }
      containers:
        - image: ghcr.io/acme/{{app}}:1.0.0
          ports: [8080]
          requests: { cpu: 300m, memory: 128Mi }
          readinessProbe: { type: http, path: /healthz, port: 8080 }
          behavior: { role: app, cpuUse: 20m, memoryUse: 90Mi }
  services:
    - { namespace: '{{ns}}', name: '{{app}}', selector: { app: '{{app}}' }, ports: [{ port: 80, targetPort: 8080 }] }

# What happens to the cluster, per cause (variants: [...]) and for all.
faults:
  - id: taint
    title: A maintenance taint is left on a worker
    variants: [taint]
    actions:
      - taint: { node: '{{w2}}', key: maintenance, value: reboot, effect: NoSchedule }
      - taint: { node: '{{w1}}', key: maintenance, value: reboot, effect: NoSchedule }
  - id: relabel
    title: Both workers are relabelled pool=batch
    variants: [selector]
    actions:
      - label: { node: '{{w1}}', key: pool, value: batch }
      - label: { node: '{{w2}}', key: pool, value: batch }
  - id: requests
    title: A release raises the CPU request
    variants: [cpu]
    actions:
      - deployment: { namespace: '{{ns}}', name: '{{app}}', requests: { cpu: 1500m } }
  - id: scale-up
    title: The deployment is scaled to 4
    actions:
      - deployment: { namespace: '{{ns}}', name: '{{app}}', replicas: 4 }

answer:
  rootCause: { id: '{{cause}}', title: '{{causeTitle}}', explanation: '{{causeExplanation}}' }
  partial:
    - { id: scheduling-problem, title: The scheduler cannot place the new pods (reason unknown), why: "the pods are unscheduled, but the reason was not found" }
  # Offered next to the root cause; list every variant's cause here too (each variant drops its own).
  distractors:
    - { id: leftover-taint, title: A worker still carries a taint the pods do not tolerate }
    - { id: selector-no-match, title: "The pods' nodeSelector matches only one node" }
    - { id: insufficient-cpu, title: "The new pods' CPU requests do not fit on any node" }
    - { id: image-pull, title: The new image cannot be pulled }
  # Facts of the world (not commands): any command that shows one observes the item.
  evidence:
    - id: pods-pending
      label: The deployment's pods
      text: the new pods are Pending
      facts: [{ source: object, kind: Pod, namespace: '{{ns}}', namePrefix: '{{app}}-', field: status, equals: Pending }]
      points: 5
    - id: taint-event
      label: Events of a Pending pod
      text: "FailedScheduling: untolerated taint {maintenance: reboot}"
      variants: [taint]
      key: true
      facts: [{ source: event, kind: Pod, namespace: '{{ns}}', field: FailedScheduling, contains: untolerated taint }]
      points: 10
    - id: selector-event
      label: Events of a Pending pod
      text: "FailedScheduling: didn't match Pod's node affinity/selector"
      variants: [selector]
      key: true
      facts: [{ source: event, kind: Pod, namespace: '{{ns}}', field: FailedScheduling, contains: "didn't match Pod's node affinity/selector" }]
      points: 10
    - id: cpu-event
      label: Events of a Pending pod
      text: "FailedScheduling: Insufficient cpu"
      variants: [cpu]
      key: true
      facts: [{ source: event, kind: Pod, namespace: '{{ns}}', field: FailedScheduling, contains: Insufficient cpu }]
      points: 10
  # Outcomes, not commands: what holds on the cluster once it is fixed.
  remediation:
    - id: serving
      text: all 4 replicas are available
      predicate:
        all:
          - deployment: { namespace: '{{ns}}', name: '{{app}}', availableAtLeast: 4 }
          - deployment: { namespace: '{{ns}}', name: '{{app}}', replicasAtLeast: 4 }
      points: 20
  harmful:
    - id: scaled-down
      text: scaling the app back down gives up the capacity asked for
      predicate: { not: { deployment: { namespace: '{{ns}}', name: '{{app}}', replicasAtLeast: 4 } } }
      penalty: 10
  # Three tiers that nudge: where to look, what to compare, the mechanism. The last never states the fix.
  hints:
    - { id: look, text: "Look at the new pods themselves: their state, and what their events say.", cost: 5, afterSec: 180 }
    - { id: compare, text: "The scheduler filters nodes by resources, taints and labels: compare what the pods ask with what the nodes offer.", cost: 10, afterSec: 420 }
    - { id: mechanism, text: "The message of a FailedScheduling event counts the nodes each filter turned away.", cost: 15, afterSec: 600 }
  prevention:
    - Alert on pods Pending for more than a few minutes.

# A reference run per cause (what an expert types), scoring >= 90 %.
solutions:
  - variants: [taint]
    steps:
      - { wait: 20 }
      - kubectl describe pods -n {{ns}} -l app={{app}}
      - kubectl taint nodes {{w1}} maintenance-
      - kubectl taint nodes {{w2}} maintenance-
      - { wait: 60 }
    diagnosis: { rootCause: leftover-taint, text: The workers kept a maintenance taint; removed it., evidence: [pods-pending, taint-event] }
  - variants: [selector]
    steps:
      - { wait: 20 }
      - kubectl describe pods -n {{ns}} -l app={{app}}
      - kubectl label nodes {{w1}} {{w2}} pool=web --overwrite
      - { wait: 60 }
    diagnosis: { rootCause: selector-no-match, text: The workers were relabelled; labelled them pool=web again., evidence: [pods-pending, selector-event] }
  - variants: [cpu]
    steps:
      - { wait: 20 }
      - kubectl describe pods -n {{ns}} -l app={{app}}
      - kubectl set resources deployment {{app}} -n {{ns}} --requests=cpu=300m
      - { wait: 90 }
    diagnosis: { rootCause: insufficient-cpu, text: The CPU request was raised past what the nodes hold; set it back., evidence: [pods-pending, cpu-event] }

# Folk remedies that must fix no cause (\`kubedrill scenarios check\` plays each one).
antiSolutions:
  - name: restart the pods
    steps:
      - { wait: 60 }
      - kubectl delete pods --all -n {{ns}}
  - name: rollout restart
    steps:
      - { wait: 60 }
      - kubectl rollout restart deployment -n {{ns}}
  - name: restart the kubelet everywhere
    steps:
      - { wait: 60 }
      - ssh {{w1}}
      - sudo systemctl restart kubelet
      - exit
      - ssh {{w2}}
      - sudo systemctl restart kubelet
      - exit
  - name: scale up
    steps:
      - { wait: 60 }
      - kubectl scale deployment {{app}} -n {{ns}} --replicas=6
  - name: reboot a worker
    steps:
      - { wait: 60 }
      - ssh {{w2}}
      - sudo reboot
`;
}
