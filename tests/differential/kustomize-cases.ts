// Kustomizations an SRE writes (and breaks), for the kustomize oracle (kustomize.test.ts).
export interface KustomizeCase {
  files: Record<string, string>;
  /** The directory built, relative to the home. */
  dir: string;
}

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: registry.local:5000/nginx:1.19
        envFrom:
        - configMapRef: {name: cm}
        env:
        - name: PASSWORD
          valueFrom:
            secretKeyRef: {name: creds, key: password}
        volumeMounts:
        - {name: v, mountPath: /v}
      volumes:
      - name: v
        configMap: {name: cm}
      - name: data
        persistentVolumeClaim: {claimName: data}
`;
const SVC = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - port: 80\n';
const BASE = {
  'base/kustomization.yaml': 'resources:\n- deploy.yaml\n- svc.yaml\n- sa.yaml\n- pvc.yaml\nconfigMapGenerator:\n- name: cm\n  literals:\n  - foo=bar\n',
  'base/deploy.yaml': DEPLOY,
  'base/svc.yaml': SVC,
  'base/sa.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n',
  'base/pvc.yaml': 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n',
};

export const KUSTOMIZE_CASES: Record<string, KustomizeCase> = {
  'an overlay: namespace, prefix and suffix with references, labels, annotations, images, replicas, patches, a secret': {
    dir: 'prod',
    files: {
      ...BASE,
      'prod/kustomization.yaml': `resources:
- ../base
- ns.yaml
- ing.yaml
- hpa.yaml
- rb.yaml
namespace: prod
namePrefix: prod-
nameSuffix: -v1
commonLabels:
  env: prod
commonAnnotations:
  owner: sre
images:
- name: registry.local:5000/nginx
  newName: nginx
  digest: sha256:0123
replicas:
- name: web
  count: 4
secretGenerator:
- name: creds
  literals:
  - password=s3cr<e>t&
patches:
- target: {kind: Service, name: web}
  patch: |-
    - op: replace
      path: /spec/ports/0/port
      value: 8080
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      template:
        spec:
          containers:
          - name: web
            env:
            - name: X
              value: "1"
`,
      'prod/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n',
      'prod/ing.yaml': 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  rules:\n  - host: web.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: web\n            port: {number: 80}\n',
      'prod/hpa.yaml': 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 2\n  maxReplicas: 5\n',
      'prod/rb.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: web\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects:\n- kind: ServiceAccount\n  name: web\n',
    },
  },
  'labels without selectors, templates only; generator options; newTag': {
    dir: 'app',
    files: {
      'app/kustomization.yaml': `resources:
- deploy.yaml
- cron.yaml
labels:
- pairs: {team: sre}
  includeTemplates: true
generatorOptions:
  disableNameSuffixHash: true
  labels: {generated: "yes"}
configMapGenerator:
- name: settings
  envs: [app.env]
  files: [conf/app.properties]
images:
- name: registry.local:5000/nginx
  newTag: "1.25"
`,
      'app/deploy.yaml': DEPLOY,
      'app/cron.yaml': 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: report\nspec:\n  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: r\n            image: registry.local:5000/nginx:1.19\n',
      'app/app.env': '# settings\nLEVEL=debug\n\nMODE=fast\n',
      'app/conf/app.properties': 'a=1\nb=2\n',
    },
  },
  'patchesStrategicMerge and a deleting patch, with the deprecation warning': {
    dir: 'o',
    files: {
      ...BASE,
      'o/kustomization.yaml': 'resources:\n- ../base\npatchesStrategicMerge:\n- drop-svc.yaml\n- more.yaml\n',
      'o/drop-svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n$patch: delete\n',
      'o/more.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n',
    },
  },
  'a merged generator across bases (krusty TestConfigMapGeneratorMergeNamePrefix)': {
    dir: '.',
    files: {
      'base/kustomization.yaml': 'configMapGenerator:\n- name: cm\n  behavior: create\n  literals:\n  - foo=bar\n',
      'o1/kustomization.yaml': 'resources:\n- ../base\nnamePrefix: o1-\n',
      'o2/kustomization.yaml': 'resources:\n- ../base\nnameSuffix: -o2\n',
      'kustomization.yaml': 'resources:\n- o1\n- o2\nconfigMapGenerator:\n- name: o1-cm\n  behavior: merge\n  literals:\n  - big=bang\n- name: cm-o2\n  behavior: merge\n  literals:\n  - big=crunch\n',
    },
  },
  'generators from literals, env files and files (krusty TestGeneratorBasics)': {
    dir: 'app',
    files: {
      'app/kustomization.yaml': `namePrefix: blah-
configMapGenerator:
- name: bob
  literals:
  - fruit=apple
  - vegetable=broccoli
  envs:
  - foo.env
  files:
  - passphrase=phrase.dat
  - forces.txt
- name: json
  literals:
  - 'v2=[{"path": "var/druid/segment-cache"}]'
  - >-
    druid_segmentCache_locations=[{"path":
    "var/druid/segment-cache",
    "maxSize": 32000000000,
    "freeSpacePercent": 1.0}]
secretGenerator:
- name: bob
  type: kubernetes.io/basic-auth
  literals:
  - username=admin
  - password="p@ss word"
`,
      'app/foo.env': '\nMOUNTAIN=everest\nOCEAN=pacific\n',
      'app/phrase.dat': '\nLife is short.\nBut the years are long.\n',
      'app/forces.txt': 'gravitational\n\tstrong nuclear\n',
    },
  },
  'long values folded at 80 columns (plain, quoted, in lists)': {
    dir: 'long',
    files: {
      'long/kustomization.yaml': 'resources:\n- cm.yaml\ncommonAnnotations:\n  note: "this annotation is a rather long sentence that goes on past the eightieth column of the line, surely"\n',
      'long/cm.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: long
data:
  plain: one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
  colon: 'key: value and then some more words so that this line is longer than eighty columns for sure'
  escaped: "tab\\there and a long tail of words that should be folded by go-yaml at the eightieth column ok"
  spaced: "two  spaces  between  every  word  so  go-yaml  never  finds  a  single  space  to  break  at"
  list: |
    - not a list
`,
      'long/other.yaml': '',
    },
  },
  'a literal without a value': { dir: 'b', files: { 'b/kustomization.yaml': 'configMapGenerator:\n- name: x\n  literals: [a=1, nokey]\n' } },
  'a generator file that is missing': { dir: 'b', files: { 'b/kustomization.yaml': 'configMapGenerator:\n- name: x\n  files: [nofile.txt]\n' } },
  'an env file that is missing': { dir: 'b', files: { 'b/kustomization.yaml': 'secretGenerator:\n- name: x\n  envs: [no.env]\n' } },
  'a generator file that is a directory': { dir: 'b', files: { 'b/kustomization.yaml': 'secretGenerator:\n- name: x\n  files: [d]\n', 'b/d/f': 'x' } },
  'a key given twice': { dir: 'b', files: { 'b/kustomization.yaml': 'configMapGenerator:\n- name: x\n  literals: [a=1, a=2]\n' } },
  'an env file with odd lines': { dir: 'b', files: { 'b/kustomization.yaml': 'configMapGenerator:\n- name: x\n  envs: [e.env]\n', 'b/e.env': '# c\nA=1\nbad key=2\n\n  B = x\nEMPTY=\n' } },
  'a number as a label value': { dir: 'b', files: { 'b/kustomization.yaml': 'commonLabels:\n  x: 1\n' } },
  'a number as the namespace': { dir: 'b', files: { 'b/kustomization.yaml': 'namespace: 123\n' } },
  'resources as a string': { dir: 'b', files: { 'b/kustomization.yaml': 'resources: s.yaml\n' } },
  'a merge with nothing to merge into': { dir: 'b', files: { 'b/kustomization.yaml': 'configMapGenerator:\n- name: x\n  behavior: merge\n  literals: [a=1]\n' } },
  'a missing resource file': { dir: 'a', files: { 'a/kustomization.yaml': 'resources:\n- missing.yaml\n' } },
  'an unknown field': { dir: 'b', files: { 'b/kustomization.yaml': 'resourcez:\n- x.yaml\n' } },
  'no kustomization in the directory': { dir: 'c', files: { 'c/x.yaml': SVC } },
  'a directory that does not exist': { dir: 'nowhere', files: { 'x/kustomization.yaml': 'resources: []\n' } },
  'a strategic merge patch that matches nothing': {
    dir: 'd',
    files: { 'd/kustomization.yaml': 'resources:\n- svc.yaml\npatches:\n- path: p.yaml\n', 'd/svc.yaml': SVC, 'd/p.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n' },
  },
  'a base that is missing its kustomization, one level down': {
    dir: 'e',
    files: { 'e/kustomization.yaml': 'resources:\n- ../f\n', 'f/svc.yaml': SVC },
  },
  'the same object twice': {
    dir: 'g',
    files: { 'g/kustomization.yaml': 'resources:\n- a.yaml\n- b.yaml\n', 'g/a.yaml': SVC, 'g/b.yaml': SVC },
  },
  'a cycle of bases': {
    dir: 'x',
    files: { 'x/kustomization.yaml': 'resources:\n- ../y\n', 'y/kustomization.yaml': 'resources:\n- ../x\n' },
  },
};
