// `-o go-template` / `-o template`: Go's text/template over the object (kubectl printers/
// template.go: missingkey=default → "<no value>", base64decode and exists added), with the
// outputs text/template gives for these templates.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { LineBudget, OverBudget } from '../../server/shell/budget.js';
import { executeGoTemplate, goString } from '../../server/shell/kubectl/go-template.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return (line: string) => runLine(state, session, line);
}

const tpl = (template: string, data: unknown) => executeGoTemplate(template, data as never, new LineBudget(10_000_000));

describe('text/template semantics', () => {
  it('prints values the way fmt %v does', () => {
    expect(goString(3)).toBe('3');
    expect(goString(1_000_000)).toBe('1e+06');
    expect(goString(0.5)).toBe('0.5');
    expect(goString(0.00001)).toBe('1e-05');
    expect(goString({ b: 1, a: [1, 'x'] })).toBe('map[a:[1 x] b:1]');
    expect(goString(null)).toBe('<nil>');
    expect(goString(undefined)).toBe('<no value>');
  });

  it('runs control structures, variables, pipelines and trim markers', () => {
    const data = { items: [{ n: 'a', v: 1 }, { n: 'b', v: 0 }, { n: 'c', v: 2 }], m: { z: 1, y: 2 } };
    expect(tpl('{{range $i, $e := .items}}{{$i}}={{$e.n}} {{end}}', data)).toEqual({ ok: true, text: '0=a 1=b 2=c ' });
    expect(tpl('{{range .items}}{{if .v}}{{.n}}{{else}}-{{end}}{{end}}', data)).toEqual({ ok: true, text: 'a-c' });
    expect(tpl('{{range $k, $v := .m}}{{$k}}{{$v}}{{end}}', data)).toEqual({ ok: true, text: 'y2z1' });
    expect(tpl('{{range .none}}x{{else}}empty{{end}}', data)).toEqual({ ok: true, text: 'empty' });
    expect(tpl('a  {{- " b " -}}  c', data)).toEqual({ ok: true, text: 'a b c' });
    expect(tpl('{{$x := len .items}}{{$x}} {{printf "%03d|%-3s|%q" 7 "ab" "q"}}', data)).toEqual({ ok: true, text: '3 007|ab |"q"' });
    expect(tpl('{{if and .m (eq (index .items 0).n "a" "z")}}yes{{end}}', data)).toEqual({ ok: true, text: 'yes' });
    expect(tpl('{{range .items}}{{if eq .n "b"}}{{continue}}{{end}}{{.n}}{{end}}', data)).toEqual({ ok: true, text: 'ac' });
    expect(tpl('{{/* a comment */}}{{exists . "m" "z"}} {{exists . "m" "q"}}', data)).toEqual({ ok: true, text: 'true false' });
  });

  it('reports parse and execution errors', () => {
    expect(tpl('{{.a', {})).toEqual({ ok: false, error: 'error parsing template {{.a, template: output:1: unclosed action' });
    expect(tpl('{{nosuch .a}}', {}).ok).toBe(false);
    expect(tpl('{{.a.b}}', {})).toMatchObject({ ok: false, error: expect.stringContaining('nil pointer evaluating interface {}.b') });
  });
});

describe('kubectl get -o go-template', () => {
  it('decodes a secret and walks node conditions as SREs type it', () => {
    const run = shell();
    run('kubectl create secret generic s --from-literal=password=hunter2 --from-literal=user=admin');
    expect(run(`kubectl get secret s -o go-template='{{range $k, $v := .data}}{{$k}}: {{$v | base64decode}}{{"\\n"}}{{end}}'`).output).toBe('password: hunter2\nuser: admin\n');
    expect(run(`kubectl get nodes -o go-template='{{range .items}}{{.metadata.name}} {{range .status.conditions}}{{if eq .type "Ready"}}{{.status}}{{end}}{{end}}{{"\\n"}}{{end}}'`).output)
      .toMatch(/^(\S+ True\n)+$/);
    expect(run(`kubectl get deploy web -o template='{{.spec.replicas}} {{.missing}}'`).output).toBe('3 <no value>');
    expect(run(`kubectl get deploy web -o go-template='{{.spec.replicas'`).output).toBe('error: error parsing template {{.spec.replicas, template: output:1: unclosed action\n');
  });
});

describe('go-template bounds', () => {
  it('a huge printf width or precision is refused or clamped, not allocated', () => {
    const started = performance.now();
    // fmt: widths over 1e6 are refused in place (%!(BADWIDTH)), the value printed without one.
    expect(tpl('{{printf "%400000000s" "x"}}', {})).toEqual({ ok: true, text: '%!(BADWIDTH)x' });
    // Wide padding is charged before it is made: a loop of it runs out of the line's budget.
    let stopped: unknown;
    try {
      tpl('{{range .n}}{{printf "%900000s" "x" | len}}{{end}}', { n: Array.from({ length: 50 }, () => 1) });
    } catch (e) {
      stopped = e;
    }
    expect(stopped).toBeInstanceOf(OverBudget);
    expect(tpl('{{printf "%.500f" 1.5}}', {}).ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
