// Loading scenario files: the repository's files are valid, and each kind of mistake in a
// file gives a precise problem (file, line, path, message).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { serialize } from 'node:v8';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadScenarioDir, loadScenarioFile, loadScenarioText, scenarioHash, SCENARIOS_DIR, type ScenarioProblem } from '../../server/scenarios/load.js';
import { scenarioJsonSchema } from '../../server/scenarios/schema.js';
import { parse } from 'yaml';

const minimal = `id: tiny
title: Tiny
difficulty: easy
timeLimitSec: 600
briefing: Something is slow.
variants:
  - id: a
    params: { node: worker-1 }
  - id: b
    params: { node: worker-2 }
cluster:
  nodes:
    - { name: cp-1, role: control-plane }
    - { name: worker-1 }
    - { name: worker-2 }
  deployments:
    - { name: web, containers: [{ image: nginx:1.25.3 }] }
faults:
  - id: taint
    title: a taint
    at: 0
    actions:
      - taint: { node: '{{node}}', key: x, effect: NoSchedule }
answer:
  rootCause: { id: taint, title: A taint, explanation: The node is tainted. }
  distractors: [{ id: dns, title: DNS }, { id: cni, title: CNI }]
  evidence:
    - id: taints
      label: Node taints
      text: x:NoSchedule
      facts: [{ source: object, kind: Node, field: spec.taints, contains: x }]
      points: 10
  remediation:
    - id: untainted
      text: taint removed
      predicate: { node: { name: '{{node}}', noTaint: x } }
      points: 10
solutions:
  - steps: [kubectl describe nodes]
    diagnosis: { rootCause: taint, text: tainted, evidence: [taints] }
`;

function problems(text: string): ScenarioProblem[] {
  const res = loadScenarioText(text, '<test>');
  if (res.ok) throw new Error('expected problems');
  return res.problems;
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('scenario files', () => {
  it('the repository scenarios all load, each with at least three variants', () => {
    const { scenarios, problems: found } = loadScenarioDir();
    expect(found.map(formatProblem)).toEqual([]);
    expect(scenarios.map((s) => s.id)).toEqual(expect.arrayContaining(['coredns-down', 'etcd-nospace', 'node-notready', 'pending-pods', 'snat-client-ip']));
    for (const s of scenarios) expect(s.variants.length).toBeGreaterThanOrEqual(3);
  });

  it('every file points editors at the generated JSON Schema, which is up to date', () => {
    const { scenarios } = loadScenarioDir();
    for (const s of scenarios) expect(readFileSync(s.file, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./schema.json');
    const onDisk = JSON.parse(readFileSync(join(SCENARIOS_DIR, 'schema.json'), 'utf8')) as unknown;
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(scenarioJsonSchema())));
  });

  it('a minimal valid file loads and substitutes params per variant', () => {
    const res = loadScenarioText(minimal, '<test>');
    if (!res.ok) throw new Error(res.problems.map(formatProblem).join('\n'));
    expect(res.scenario.variants.map((v) => v.scenario.faults[0]!.actions[0]!.taint!.node)).toEqual(['worker-1', 'worker-2']);
  });

  it('keeps the Latin-1 values of a file that holds other letters one byte a character', () => {
    // V8 keeps a slice of a two-byte text two-byte: one Hangul letter in a briefing made every
    // name of the cluster, and every table printed with one, take 2 bytes a character.
    const bytesPerChar = (text: string) => (serialize(text.repeat(1000)).length - 8) / (text.length * 1000);
    const res = loadScenarioText(minimal.replace('Something is slow.', 'Something is slow — 느림.'), '<test>');
    if (!res.ok) throw new Error(res.problems.map(formatProblem).join('\n'));
    const scenario = res.scenario.variants[0]!.scenario;
    expect(scenario.briefing).toBe('Something is slow — 느림.');
    expect(bytesPerChar(scenario.briefing)).toBeGreaterThan(1.9);
    for (const text of [scenario.cluster.nodes[1]!.name, scenario.cluster.deployments![0]!.containers[0]!.image, scenario.faults[0]!.actions[0]!.taint!.node]) {
      expect(bytesPerChar(text)).toBeLessThan(1.1);
    }
  });

  it('a wrong type names the path and the line', () => {
    const text = minimal.replace('    at: 0', '    at: soon');
    const [p, ...rest] = problems(text);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ file: '<test>', path: 'faults[0].at', line: lineOf(text, 'at: soon') });
    expect(p!.message).toMatch(/expected number, received string/);
    expect(formatProblem(p!)).toMatch(/^<test>:\d+:\d+: faults\[0\]\.at: /);
  });

  it('an unknown field is rejected at its own line', () => {
    const text = minimal.replace('    title: a taint', '    title: a taint\n    severity: high');
    const [p] = problems(text);
    expect(p).toMatchObject({ path: 'faults[0].severity', message: 'unknown field "severity"', line: lineOf(text, 'severity: high') });
  });

  it('a reference to a node that does not exist is an error with path and line', () => {
    const text = minimal.replace("params: { node: worker-2 }", "params: { node: worker-9 }");
    const found = problems(text);
    const fault = found.find((p) => p.path === 'faults[0].actions[0].taint.node');
    expect(fault?.message).toBe('node "worker-9" does not exist in the cluster (known: cp-1, worker-1, worker-2) (variant b)');
    expect(fault?.line).toBe(lineOf(text, "taint: { node: '{{node}}'"));
    expect(found.some((p) => p.path === 'answer.remediation[0].predicate.node.name')).toBe(true);
  });

  it('a predicate on an unknown resource kind is rejected precisely', () => {
    const text = minimal.replace("predicate: { node: { name: '{{node}}', noTaint: x } }", 'predicate: { statefulset: { name: db, ready: true } }');
    const found = problems(text);
    expect(found).toContainEqual(expect.objectContaining({ path: 'answer.remediation[0].predicate.statefulset', message: 'unknown field "statefulset"', line: lineOf(text, 'statefulset') }));
  });

  it('an unknown field inside a known predicate kind is rejected', () => {
    const text = minimal.replace("noTaint: x } }", "noTaint: x, colour: red } }");
    expect(problems(text)).toContainEqual(expect.objectContaining({ path: 'answer.remediation[0].predicate.node.colour', message: 'unknown field "colour"' }));
  });

  it('an unknown {{param}} and a diagnosis naming unknown evidence are reported', () => {
    const text = minimal.replace("noTaint: x } }", "noTaint: '{{taintKey}}' } }").replace('evidence: [taints] }', 'evidence: [taints, logs] }');
    const found = problems(text);
    expect(found).toContainEqual(expect.objectContaining({ path: 'answer.remediation[0].predicate.node.noTaint', message: 'unknown param "{{taintKey}}"' }));
    expect(found).toContainEqual(expect.objectContaining({ path: 'solutions[0].diagnosis.evidence[1]', message: expect.stringContaining('unknown evidence "logs"') }));
  });

  it('two evidence items the diagnosis form could not tell apart are reported', () => {
    const second = "      points: 10\n    - id: node-taints\n      label: 'Node taints!'\n      text: x:NoSchedule\n      facts: [{ source: object, kind: Node }]\n      points: 5\n  remediation:";
    const text = minimal.replace('      points: 10\n  remediation:', second);
    expect(problems(text)).toContainEqual(expect.objectContaining({
      path: 'answer.evidence[0].label',
      message: 'label "Node taints" is offered as "node-taints", which also names evidence "node-taints": choose another label',
    }));
  });

  it('a fact from an unknown source, YAML syntax errors and a wrong file name are reported', () => {
    expect(problems(minimal.replace('source: object, kind: Node', 'source: screen, kind: Node'))).toContainEqual(
      expect.objectContaining({ path: 'answer.evidence[0].facts[0].source' }));
    expect(problems(minimal.replace('facts: [{ source: object, kind: Node, field: spec.taints, contains: x }]', 'observedBy: [{ command: describe }]'))).toContainEqual(
      expect.objectContaining({ path: 'answer.evidence[0].observedBy', message: 'unknown field "observedBy"' }));
    const syntax = problems(minimal.replace('title: Tiny', 'title: [Tiny'));
    expect(syntax[0]!.line).toBeGreaterThan(0);
    const res = loadScenarioText(minimal, 'scenarios/other.yaml');
    expect(res.ok ? [] : res.problems).toContainEqual(expect.objectContaining({ path: 'id', message: 'the file of scenario "tiny" must be named tiny.yaml' }));
  });
  it('a file validated in full before is checked at load only under its first dressing; other options when a room builds them', () => {
    // The second option of the dressing names a node the cluster does not have.
    const dressed = minimal.replace('variants:', "dressing:\n  pool:\n    - { pool: worker }\n    - { pool: '' }\nvariants:").replace('params: { node: worker-1 }', "params: { node: '{{pool}}-1' }");
    expect(problems(dressed).map((p) => p.message).join('\n')).toContain('(variant a)');
    const res = loadScenarioText(dressed, '<test>', new Map([[scenarioHash(dressed), { raw: parse(dressed) as unknown }]]));
    if (!res.ok) throw new Error(res.problems.map(formatProblem).join('\n'));
    expect(res.scenario.build(0, { pool: 0 }).faults[0]!.actions[0]!.taint!.node).toBe('worker-1');
    expect(() => res.scenario.build(0, { pool: 1 })).toThrow(/does not validate/);
  });
  it('a file loaded before is taken from what that load kept (V8-serialisable): neither parsed nor built again', () => {
    const before = loadScenarioText(minimal, '<test>');
    if (!before.ok) throw new Error(before.problems.map(formatProblem).join('\n'));
    expect(before.validated.first).toHaveLength(2);
    const again = loadScenarioText(minimal, '<test>', new Map([[scenarioHash(minimal), structuredClone(before.validated)]]));
    if (!again.ok) throw new Error(again.problems.map(formatProblem).join('\n'));
    expect(again.scenario.variants).toEqual(before.scenario.variants);
    // What is kept is what is used: an edit to the kept values shows, the text is not read again.
    const kept = structuredClone(before.validated);
    for (const scenario of kept.first!) scenario.title = 'Kept';
    (kept.raw as { title: string }).title = 'Kept raw';
    const fromKept = loadScenarioText(minimal, '<test>', new Map([[scenarioHash(minimal), kept]]));
    if (!fromKept.ok) throw new Error(fromKept.problems.map(formatProblem).join('\n'));
    expect(fromKept.scenario.variants.map((v) => v.scenario.title)).toEqual(['Kept', 'Kept']);
    expect(fromKept.validated.raw).toBe(kept.raw);
  });

  describe('stacks', () => {
    const stack = `stacks:
  - id: second
    title: a second fault
    variants: [a]
    briefing: Also, something else broke.
    faults:
      - id: label-gone
        title: the label goes
        actions:
          - label: { node: worker-1, key: pool, value: null }
    answer:
      rootCause: { id: label, title: A label, explanation: The label is gone. }
      evidence:
        - id: labels
          label: Node labels
          text: no pool label
          key: true
          facts: [{ source: object, kind: Node, field: metadata.labels }]
          points: 10
      remediation:
        - id: labelled
          text: the label is back
          predicate: { node: { name: worker-1, labelEquals: { key: pool, value: web } } }
          points: 10
    solution:
      steps: [kubectl get nodes --show-labels]
      rootCause: label
      evidence: [labels]
`;

    it('a stack that does not fit every variant, a clashing id, a wrong solution and a missing node are each reported at their place', () => {
      const text = `${minimal}${stack}`;
      expect(problems(text)).toContainEqual(expect.objectContaining({ path: 'stacks', message: 'no stack applies to variant "b": a stacked room may draw any variant' }));
      const clash = problems(`${minimal}${stack.replace('id: labels', 'id: taints').replace('evidence: [labels]', 'evidence: [taints]').replace("    variants: [a]\n", '')}`);
      expect(clash).toContainEqual(expect.objectContaining({ path: 'stacks[0].answer.evidence[0].id', message: 'id "taints" is also the main incident\'s' }));
      const wrongText = `${minimal}${stack.replace('rootCause: label\n', 'rootCause: taint\n').replace('node: worker-1, key', 'node: worker-9, key').replace("    variants: [a]\n", '')}`;
      const wrong = problems(wrongText);
      expect(wrong).toContainEqual(expect.objectContaining({ path: 'stacks[0].solution.rootCause', message: 'the stack\'s solution names "taint" but its root cause is "label"' }));
      expect(problems(`${minimal}${stack.replace('label: Node labels', "label: 'Labels of {{node}}'")}`)).toContainEqual(
        expect.objectContaining({ path: 'stacks[0].answer.evidence[0].label', message: 'an evidence label holds no params: the form offers the same labels in every variant and dressing' }));
      expect(wrong).toContainEqual(expect.objectContaining({ path: 'stacks[0].faults[0].actions[0].label.node', line: lineOf(wrongText, 'node: worker-9, key: pool') }));
    });

    it('a valid stack loads; a room draws it only when stacked', async () => {
      const res = loadScenarioText(`${minimal}${stack.replace("    variants: [a]\n", '')}`, '<test>');
      if (!res.ok) throw new Error(res.problems.map(formatProblem).join('\n'));
      const { instantiate } = await import('../../server/scenarios/variant.js');
      expect(instantiate(res.scenario, 1).scenario.stacked).toBeUndefined();
      const stacked = instantiate(res.scenario, 1, true);
      expect(stacked.stackId).toBe('second');
      expect(stacked.scenario.briefing).toBe('Something is slow.\n\nAlso, something else broke.');
      expect(stacked.scenario.solutions[0]!.diagnosis).toEqual({ rootCause: 'taint', secondCause: 'label', text: 'tainted', evidence: ['taints', 'labels'] });
    });

    describe('shared (stacks/ID.yaml used by id)', () => {
      // The inline stack above as a shared file: no briefing or variants (the scenario's), its own {{what}}.
      const sharedStack = stack.replace('stacks:\n  - ', '').replace(/^ {4}/gm, '').replace('variants: [a]\n', '').replace('briefing: Also, something else broke.\n', '')
        .replace('explanation: The label is gone.', "explanation: 'The {{what}} is gone from {{node}}.'");
      const using = `${minimal}stacks:\n  - use: second\n    briefing: Also, something else broke.\n    params: { what: label }\n`;
      const folder = (shared: string, scenario = using) => {
        const dir = mkdtempSync(join(tmpdir(), 'kd-stacks-'));
        mkdirSync(join(dir, 'stacks'));
        writeFileSync(join(dir, 'stacks', 'second.yaml'), shared);
        writeFileSync(join(dir, 'tiny.yaml'), scenario);
        return dir;
      };

      it('loads as the same stack written inline, its params filled by the item, the rest by the scenario', () => {
        const dir = folder(sharedStack);
        const res = loadScenarioFile(join(dir, 'tiny.yaml'));
        if (!res.ok) throw new Error(res.problems.map(formatProblem).join('\n'));
        const inline = loadScenarioText(`${minimal}${stack.replace("    variants: [a]\n", '').replace('The label is gone.', "'The label is gone from {{node}}.'")}`, '<test>');
        if (!inline.ok) throw new Error(inline.problems.map(formatProblem).join('\n'));
        expect(res.scenario.variants).toEqual(inline.scenario.variants);
        expect(res.scenario.variants.map((v) => v.scenario.stacks[0]!.answer.rootCause.explanation)).toEqual(['The label is gone from worker-1.', 'The label is gone from worker-2.']);
      });

      it('a problem in the shared file is placed there; an unknown id, or a briefing in the shared file, is refused', () => {
        const broken = sharedStack.replace('node: worker-1, key', 'node: worker-9, key');
        const res = loadScenarioFile(join(folder(broken), 'tiny.yaml'));
        expect(res.ok ? [] : res.problems).toContainEqual(expect.objectContaining({
          file: expect.stringMatching(/stacks\/second\.yaml$/), line: lineOf(broken, 'worker-9'), path: 'faults[0].actions[0].label.node', message: expect.stringMatching(/worker-9.*\(used by .*tiny\.yaml stacks\[0\]\)$/),
        }));
        const unknown = loadScenarioFile(join(folder(sharedStack, using.replace('use: second', 'use: third')), 'tiny.yaml'));
        expect(unknown.ok ? [] : unknown.problems).toContainEqual(expect.objectContaining({ path: 'stacks[0].use', line: lineOf(using, 'use: second'), message: expect.stringMatching(/^no shared stack "third" \(.*stacks\/third\.yaml\); shared: second$/) }));
        const briefed = loadScenarioFile(join(folder(`briefing: mine\n${sharedStack}`), 'tiny.yaml'));
        expect(briefed.ok ? [] : briefed.problems).toContainEqual(expect.objectContaining({ path: 'briefing', line: 1, message: 'briefing belongs to each scenario that uses the stack, not to the shared file' }));
        const unfilled = loadScenarioFile(join(folder(sharedStack, using.replace('params: { what: label }', 'params: {}')), 'tiny.yaml'));
        expect(unfilled.ok ? [] : unfilled.problems).toContainEqual(expect.objectContaining({ path: 'answer.rootCause.explanation', message: expect.stringMatching(/^unknown param "\{\{what\}\}"/) }));
      });

      it('an edit to the shared file invalidates what was kept of the files that use it', () => {
        const dir = folder(sharedStack);
        const first = loadScenarioDir(dir);
        expect(first.problems).toEqual([]);
        expect(loadScenarioDir(dir, first.validated).scenarios[0]!.hash).toBe(first.scenarios[0]!.hash);
        writeFileSync(join(dir, 'stacks', 'second.yaml'), sharedStack.replace('title: a second fault', 'title: an edited fault'));
        const edited = loadScenarioDir(dir, first.validated);
        expect(edited.scenarios[0]!.hash).not.toBe(first.scenarios[0]!.hash);
        expect(edited.scenarios[0]!.variants[0]!.scenario.stacks[0]!.title).toBe('an edited fault');
      });
    });
  });
});
