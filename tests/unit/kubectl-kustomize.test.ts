// Kustomize as kubectl v1.29 embeds it (v5.0.4): expected outputs and hashes are kustomize's
// own (sigs.k8s.io/kustomize api/hasher/hasher_test.go, api/krusty/*_test.go).
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { kustomizeHash, goJson } from '../../server/shell/kubectl/kustomize/hash.js';
import { legacyOrder, MAX_BASE_DEPTH } from '../../server/shell/kubectl/kustomize/build.js';

function cluster() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const sh = (line: string) => runLine(state, session, line);
  /** Writes files under the home directory through the shell (a here-document each). */
  const write = (files: Record<string, string>): void => {
    for (const [path, text] of Object.entries(files)) {
      const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.';
      const r = sh(`mkdir -p ${dir} && cat > ${path} <<'KUSTOMIZE_EOF'\n${text}\nKUSTOMIZE_EOF`);
      expect(r.exitCode).toBe(0);
    }
  };
  return { state, session, sh, write };
}

describe('the content hash (api/hasher)', () => {
  it('matches hasher_test.go for ConfigMaps and Secrets', () => {
    expect(kustomizeHash({ apiVersion: 'v1', kind: 'ConfigMap' })).toBe('6ct58987ht');
    expect(kustomizeHash({ kind: 'ConfigMap', data: { one: '' } })).toBe('9g67k2htb6');
    expect(kustomizeHash({ kind: 'ConfigMap', data: { two: 2, one: '', three: 3 } })).toBe('7757f9kkct');
    expect(kustomizeHash({ kind: 'ConfigMap', binaryData: { one: '' } })).toBe('6mtk2m274t');
    expect(kustomizeHash({ kind: 'ConfigMap', data: { one: '' }, binaryData: { two: '' } })).toBe('698h7c7t9m');
    expect(kustomizeHash({ kind: 'Secret', type: 'my-type' })).toBe('5gmgkf8578');
    expect(kustomizeHash({ kind: 'Secret', type: 'my-type', data: { one: '' } })).toBe('74bd68bm66');
    expect(kustomizeHash({ kind: 'Secret', type: 'my-type', data: { one: '' }, stringData: { two: 2 } })).toBe('c4h4264gdb');
  });
  it('leaves the name out, as yaml.Lookup("metadata/name") finds nothing', () => {
    expect(kustomizeHash({ kind: 'ConfigMap', metadata: { name: 'any' }, data: { one: '' } })).toBe('9g67k2htb6');
  });
  it('encodes JSON as Go does (sorted keys, HTML characters escaped)', () => {
    expect(goJson({ b: '<a&b>', a: 1 })).toBe('{"a":1,"b":"\\u003ca\\u0026b\\u003e"}');
    expect(goJson('\b\f\\b')).toBe('"\\u0008\\u000c\\\\b"');
  });
});

describe('kubectl kustomize', () => {
  // The hashes are krusty's; the long value is folded at 80 columns as kustomize v5.0.4's go-yaml
  // does (the real kubectl v1.29.4 prints it so; krusty's newer expectation has no folding).
  it('builds krusty TestGeneratorBasics byte for byte', () => {
    const { sh, write } = cluster();
    write({
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
  literals:
  - fruit=apple
  - vegetable=broccoli
  envs:
  - foo.env
  files:
  - passphrase=phrase.dat
  - forces.txt`,
      'app/foo.env': '\nMOUNTAIN=everest\nOCEAN=pacific',
      'app/phrase.dat': '\nLife is short.\nBut the years are long.\nNot while the evil days come not.',
      'app/forces.txt': '\ngravitational\nelectromagnetic\nstrong nuclear\nweak nuclear',
    });
    const r = sh('kubectl kustomize app');
    expect(r.exitCode).toBe(0);
    expect(r.output).toBe(`apiVersion: v1
data:
  MOUNTAIN: everest
  OCEAN: pacific
  forces.txt: |2

    gravitational
    electromagnetic
    strong nuclear
    weak nuclear
  fruit: apple
  passphrase: |2

    Life is short.
    But the years are long.
    Not while the evil days come not.
  vegetable: broccoli
kind: ConfigMap
metadata:
  name: blah-bob-d87t8m8tgm
---
apiVersion: v1
data:
  druid_segmentCache_locations: '[{"path":  "var/druid/segment-cache",  "maxSize":
    32000000000,  "freeSpacePercent": 1.0}]'
  v2: '[{"path": "var/druid/segment-cache"}]'
kind: ConfigMap
metadata:
  name: blah-json-5298bc8g99
---
apiVersion: v1
data:
  MOUNTAIN: ZXZlcmVzdA==
  OCEAN: cGFjaWZpYw==
  forces.txt: CmdyYXZpdGF0aW9uYWwKZWxlY3Ryb21hZ25ldGljCnN0cm9uZyBudWNsZWFyCndlYWsgbnVjbGVhcgo=
  fruit: YXBwbGU=
  passphrase: CkxpZmUgaXMgc2hvcnQuCkJ1dCB0aGUgeWVhcnMgYXJlIGxvbmcuCk5vdCB3aGlsZSB0aGUgZXZpbCBkYXlzIGNvbWUgbm90Lgo=
  vegetable: YnJvY2NvbGk=
kind: Secret
metadata:
  name: blah-bob-ftht6hfgmb
type: Opaque
`);
  });

  // krusty's expectation has `annotations: {}` and `labels: {}` on the merged ConfigMap, which
  // kustomize v5.0.4 (the real kubectl v1.29.4, tests/differential/kustomize.test.ts) does not print.
  it('builds krusty TestNamePrefixSuffixPatch: merged generator, regex target, references follow the hash', () => {
    const { sh, write } = cluster();
    write({
      'handlers/kustomization.yaml': 'nameSuffix: -suffix\n\nresources:\n- deployment.yaml',
      'handlers/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: short\nspec:\n  template:\n    spec:\n      containers:\n      - name: handler',
      'mysql/kustomization.yaml': 'configMapGenerator:\n- name: mysql\n  literals:\n  - MYSQL_USER=default\n  - MYSQL_DATABASE=default\n  - HOST=everest',
      'kustomization.yaml': `resources:
- mysql
- handlers

configMapGenerator:
- name: mysql
  behavior: merge
  literals:
  - MYSQL_DATABASE=db
  - MYSQL_USER=my-user
  - MYSQL_PASSWORD='correct horse battery staple'

patches:
- target:
    kind: Deployment
    name: s.*
  patch: |-
    kind: Deployment
    metadata:
      name: ignored
    spec:
      template:
        spec:
          containers:
          - name: handler
            envFrom:
            - configMapRef:
                name: mysql
            env:
            - valueFrom:
                configMapKeyRef:
                  name: mysql
                  key: MYSQL_DATABASE`,
    });
    const r = sh('kubectl kustomize .');
    expect(r.output).toBe(`apiVersion: v1
data:
  HOST: everest
  MYSQL_DATABASE: db
  MYSQL_PASSWORD: correct horse battery staple
  MYSQL_USER: my-user
kind: ConfigMap
metadata:
  name: mysql-t7tt4cdbmf
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: short-suffix
spec:
  template:
    spec:
      containers:
      - env:
        - valueFrom:
            configMapKeyRef:
              key: MYSQL_DATABASE
              name: mysql-t7tt4cdbmf
        envFrom:
        - configMapRef:
            name: mysql-t7tt4cdbmf
        name: handler
`);
  });

  it('applies an overlay: namespace, prefix, commonLabels into selectors, images, replicas, JSON patch, annotations', () => {
    const { sh, write } = cluster();
    write({
      'base/kustomization.yaml': 'resources:\n- deploy.yaml\n- svc.yaml',
      'base/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: registry.local:5000/nginx:1.19',
      'base/svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - port: 80',
      'prod/kustomization.yaml': `resources:
- ../base
- ns.yaml
namespace: prod
namePrefix: prod-
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
patches:
- target: {kind: Service, name: web}
  patch: |-
    - op: replace
      path: /spec/ports/0/port
      value: 8080`,
      'prod/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod',
    });
    const r = sh('kubectl kustomize prod');
    expect(r.exitCode).toBe(0);
    // Legacy order: Namespace, Service, Deployment; the Namespace keeps its name.
    expect(r.output.split('---\n').map((d) => /kind: (\w+)\nmetadata:[\s\S]*?\n  name: (\S+)/.exec(d)?.slice(1).join('/'))).toEqual(['Namespace/prod', 'Service/prod-web', 'Deployment/prod-web']);
    expect(r.output).toContain('spec:\n  ports:\n  - port: 8080\n  selector:\n    app: web\n    env: prod\n');
    expect(r.output).toContain('  replicas: 4\n  selector:\n    matchLabels:\n      app: web\n      env: prod\n  template:\n    metadata:\n      annotations:\n        owner: sre\n      labels:\n        app: web\n        env: prod\n');
    expect(r.output).toContain('image: nginx@sha256:0123\n');
    // -o FILE writes the same YAML there and prints nothing.
    expect(sh('kubectl kustomize prod -o built.yaml').output).toBe('');
    expect(sh('cat built.yaml').output).toBe(r.output);
    expect(sh('kubectl kustomize prod -o /etc/built.yaml').output).toBe('error: open /etc/built.yaml: permission denied\n');
    expect(r.output).toContain('  namespace: prod\n');
  });

  it('sorts in kustomize\'s legacy order', () => {
    const obj = (kind: string, name: string, apiVersion = 'v1') => ({ apiVersion, kind, metadata: { name } });
    const sorted = legacyOrder([
      obj('ValidatingWebhookConfiguration', 'v', 'admissionregistration.k8s.io/v1'), obj('Ingress', 'i', 'networking.k8s.io/v1'),
      obj('Deployment', 'b', 'apps/v1'), obj('Deployment', 'a', 'apps/v1'), obj('Service', 's'), obj('Namespace', 'n'), obj('ConfigMap', 'c'), obj('ResourceQuota', 'q'),
    ]);
    expect(sorted.map((o) => `${o.kind}/${(o.metadata as { name: string }).name}`)).toEqual([
      'Namespace/n', 'ResourceQuota/q', 'ConfigMap/c', 'Service/s', 'Deployment/a', 'Deployment/b', 'Ingress/i', 'ValidatingWebhookConfiguration/v',
    ]);
  });

  it('words its errors as kustomize does', () => {
    const { sh, write } = cluster();
    write({ 'a/kustomization.yaml': 'resources:\n- missing.yaml', 'b/kustomization.yaml': 'resourcez:\n- x.yaml', 'c/empty.txt': '' });
    expect(sh('kubectl kustomize a').output).toBe("error: accumulating resources: accumulation err='accumulating resources from 'missing.yaml': evalsymlink failure on '/home/player/a/missing.yaml' : lstat /home/player/a/missing.yaml: no such file or directory': must build at directory: not a valid directory: evalsymlink failure on '/home/player/a/missing.yaml' : lstat /home/player/a/missing.yaml: no such file or directory\n");
    expect(sh('kubectl kustomize b').output).toBe('error: invalid Kustomization: json: unknown field "resourcez"\n');
    expect(sh('kubectl kustomize c').output).toBe("error: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '/home/player/c'\n");
    write({ 'd/kustomization.yaml': 'patchesStrategicMerge:\n- p.yaml', 'd/p.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web' });
    const d = sh('kubectl kustomize d');
    expect(d.output).toBe(`# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.
error: no matches for Id Deployment.v1.apps/web.[noNs]; failed to find unique target for patch Deployment.v1.apps/web.[noNs]
`);
    expect(d.exitCode).toBe(1);
  });
});

describe('hostile kustomizations', () => {
  it('refuses a cycle of bases', () => {
    const { sh, write } = cluster();
    write({ 'x/kustomization.yaml': 'resources:\n- ../y', 'y/kustomization.yaml': 'resources:\n- ../x' });
    const r = sh('kubectl kustomize x');
    expect(r.exitCode).toBe(1);
    // As the real kubectl v1.29.4 words it (tests/differential/kustomize-cases.ts).
    expect(r.output).toBe("error: accumulating resources: accumulation err='accumulating resources from '../y': '/home/player/y' must resolve to a file': recursed accumulation of path '/home/player/y': accumulating resources: accumulation err='accumulating resources from '../x': '/home/player/x' must resolve to a file': cycle detected: candidate root '/home/player/x' contains visited root '/home/player/x'\n");
  });
  it('bounds the depth of bases', () => {
    const { sh, write } = cluster();
    const files: Record<string, string> = {};
    for (let i = 0; i < MAX_BASE_DEPTH + 3; i++) files[`deep/l${i}/kustomization.yaml`] = `resources:\n- ../l${i + 1}`;
    write(files);
    const r = sh('kubectl kustomize deep/l0');
    expect(r.exitCode).toBe(1);
    expect(r.output).toBe(`error: bases nested deeper than ${MAX_BASE_DEPTH} (a simulator limit)\n`);
  });
  it('stops a diamond ladder (each level read twice: 2^n) within the read bound, quickly', () => {
    const { sh, write } = cluster();
    const files: Record<string, string> = { 'dia/l15/kustomization.yaml': 'resources: []' };
    for (let i = 0; i < 15; i++) {
      files[`dia/l${i}/kustomization.yaml`] = `resources:\n- a\n- b`;
      files[`dia/l${i}/a/kustomization.yaml`] = `namePrefix: a-\nresources:\n- ../../l${i + 1}`;
      files[`dia/l${i}/b/kustomization.yaml`] = `namePrefix: b-\nresources:\n- ../../l${i + 1}`;
    }
    write(files);
    const t0 = performance.now();
    const r = sh('kubectl kustomize dia/l0');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('(a simulator limit)');
  });
  it('matches patch targets in linear time (RE2), whatever the pattern', () => {
    const { sh, write } = cluster();
    const name = 'a'.repeat(60);
    write({
      'redos/kustomization.yaml': `resources:\n- cm.yaml\npatches:\n- target: {kind: ConfigMap, name: "(a+)+$"}\n  patch: |-\n    - op: add\n      path: /data/b\n      value: "2"`,
      'redos/cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}!\ndata:\n  a: "1"`,
    });
    const t0 = performance.now();
    const r = sh('kubectl kustomize redos');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.output).not.toContain('b: "2"');
  });
  it('refuses an alias bomb in a kustomization and changes nothing with apply -k', () => {
    const { state, sh, write } = cluster();
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)}]`);
    write({ 'bomb/kustomization.yaml': 'resources:\n- cm.yaml', 'bomb/cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: boom\ndata:\n${bomb.map((l) => `  ${l}`).join('\n')}` });
    const before = Object.keys(state.configmaps).length;
    const r = sh('kubectl apply -k bomb');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('excessive aliasing');
    expect(Object.keys(state.configmaps).length).toBe(before);
  });
  it('charges a build to the line budget: one fits, many in a line stop', () => {
    const { sh, write } = cluster();
    write({ 'big/kustomization.yaml': 'resources:\n- cms.yaml' });
    sh(`for i in $(seq 1 30); do printf -- '---\\napiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: c%s\\ndata:\\n  k: %0500d\\n' $i 0; done > big/cms.yaml`);
    const one = sh('kubectl kustomize big | grep -c ^kind:');
    expect(one.output).toBe('30\n');
    const many = sh('for i in 1 2 3 4 5 6; do kubectl kustomize big >/dev/null; done');
    expect(many.exitCode).toBe(152);
    expect(many.output).toContain('CPU time limit exceeded');
  });
});

describe('-k with the cluster', () => {
  it('apply -k creates, diff -k shows changes, get -k lists, delete -k deletes', () => {
    const { state, sh, write } = cluster();
    write({
      'app/kustomization.yaml': 'namespace: default\nresources:\n- deploy.yaml\nconfigMapGenerator:\n- name: settings\n  literals:\n  - LEVEL=debug',
      'app/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: kz\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: kz}\n  template:\n    metadata:\n      labels: {app: kz}\n    spec:\n      containers:\n      - name: kz\n        image: nginx:1.25\n        envFrom:\n        - configMapRef: {name: settings}',
    });
    const applied = sh('kubectl apply -k app');
    expect(applied.output).toBe(`configmap/settings-${kustomizeHash({ kind: 'ConfigMap', data: { LEVEL: 'debug' } })} created\ndeployment.apps/kz created\n`);
    expect(state.deployments['default/kz']).toBeDefined();
    expect(sh('kubectl apply -k app').output).toMatch(/configmap\/settings-\w+ unchanged\ndeployment.apps\/kz unchanged\n/);
    const got = sh('kubectl get -k app');
    const cm = /configmap\/(settings-\w+)/.exec(got.output)![1];
    expect(got.output).toBe(sh(`kubectl get configmaps/${cm} deployments.apps/kz`).output);
    expect(got.output).toContain('deployment.apps/kz   0/1');
    sh("sed -i 's/replicas: 1/replicas: 2/' app/deploy.yaml");
    const diff = sh('kubectl diff -k app');
    expect(diff.exitCode).toBe(1);
    expect(diff.output).toContain('-  replicas: 1\n+  replicas: 2\n');
    expect(sh('kubectl apply -f x.yaml -k app').output).toBe('error: only one of -f or -k can be specified\n');
    const deleted = sh('kubectl delete -k app');
    expect(deleted.output).toMatch(/^configmap "settings-\w+" deleted\ndeployment.apps "kz" deleted\n$/);
    expect(state.deployments['default/kz']).toBeUndefined();
    expect(sh('kubectl delete -k app').output).toMatch(/Error from server \(NotFound\): error when deleting "app": configmaps "settings-\w+" not found/);
  });
});
