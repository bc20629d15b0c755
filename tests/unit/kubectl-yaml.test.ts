// `-o yaml` puts lists together from each object's kept YAML (output.ts): the bytes must be
// those the yaml library prints for the whole document, and the steps charged must not
// depend on what was kept.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { tick } from '../../server/cluster/index.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { startScenario } from '../../server/scenarios/session.js';
import { LineBudget } from '../../server/shell/budget.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { toManifest, type Json } from '../../server/shell/kubectl/manifest.js';
import { manifestYaml, toYaml } from '../../server/shell/kubectl/output.js';
import { COLLECTION, objectsOfKind, type Kind } from '../../server/cluster/api.js';
import { STORED_KINDS } from '../../server/cluster/stored-kinds.js';

const { scenarios } = loadScenarioDir();

describe('kubectl -o yaml from kept YAML', () => {
  it.each(scenarios.map((s) => s.id))('%s: every kind, listed and alone, prints what the yaml library prints', (id) => {
    const state = startScenario(scenarios.find((s) => s.id === id)!.variants[0]!.scenario, 1);
    tick(state, 30_000);
    for (const kind of [...Object.keys(COLLECTION), ...STORED_KINDS.map((k) => k.kind)] as Kind[]) {
      const manifests = Object.values(objectsOfKind(state, kind)).map((obj) => toManifest(state, kind, obj as never));
      const list: Json = { apiVersion: 'v1', items: manifests, kind: 'List', metadata: { resourceVersion: '' } };
      for (const document of [list, { ...list, items: [] }, ...manifests.slice(0, 3)]) {
        expect(manifestYaml(document, new LineBudget()), kind).toBe(toYaml(document));
        expect(manifestYaml(document, new LineBudget()), `${kind} kept`).toBe(toYaml(document));
      }
    }
  });

  it('keeps multi-line values (block scalars) right inside a list', () => {
    const state = createCluster(demoClusterSpec, 1);
    const session = newSession(state);
    runLine(state, session, "kubectl create configmap multi --from-literal=script=\"$(printf 'line one\\n\\n  indented\\nlast')\"");
    const manifests = Object.values(state.configmaps).map((cm) => toManifest(state, 'ConfigMap', cm));
    const list: Json = { apiVersion: 'v1', items: manifests, kind: 'List', metadata: { resourceVersion: '' } };
    expect(toYaml(list)).toContain('    script: |-\n      line one\n\n        indented\n      last\n');
    expect(manifestYaml(list, new LineBudget())).toBe(toYaml(list));
  });

  it('charges the same steps whether the YAML was kept or not', () => {
    const state = createCluster(demoClusterSpec, 1);
    const steps = () => {
      const budget = new LineBudget();
      runLine(state, newSession(state), 'kubectl get pods -A -o yaml', { budget });
      return budget.steps;
    };
    const first = steps();
    expect(steps()).toBe(first);
    expect(structuredClone(state) && steps()).toBe(first);
  });
});

// sigs.k8s.io/yaml's go-yaml v2 (encode.go stringv, resolve.go, emitterc.go): a string that reads
// back as another type is double-quoted, one that cannot be plain single-quoted (the real
// kubectl v1.29.4 prints a pod's `message: 'containers with unready status: [web]'`).
describe('kubectl -o yaml quotes strings as go-yaml v2 does', () => {
  it.each([
    ['{}', "'{}'"], ['containers with unready status: [web]', "'containers with unready status: [web]'"], ['*', "'*'"],
    [' lead', "' lead'"], ['a"b: c', '\'a"b: c\''], ['x,y', 'x,y'], ['plain text', 'plain text'], ['<<', '<<'],
    ['true', '"true"'], ['on', '"on"'], ['123', '"123"'], ['0x1F', '"0x1F"'], ['1e3', '"1e3"'], ['.5', '".5"'], ['08', '"08"'],
    ['1_000', '"1_000"'], ['12:30', '"12:30"'], ['2024-01-01', '"2024-01-01"'], ['2024-02-28T09:00:00Z', '"2024-02-28T09:00:00Z"'],
    ['', '""'], ['~', '"~"'], ['null', '"null"'], ['a\tb', '"a\\tb"'],
    // An apostrophe does not keep go-yaml from single-quoting (emitterc.go doubles it); plain stays plain.
    ["it's: x", "'it''s: x'"], ["'q'", "'''q'''"], ["x'y", "x'y"],
  ])('%j', (value, printed) => {
    expect(toYaml({ v: value })).toBe(`v: ${printed}\n`);
  });

  it('keeps the managedFields key `.` plain', () => {
    expect(toYaml({ 'f:labels': { '.': {} } })).toBe('f:labels:\n  .: {}\n');
  });
});
