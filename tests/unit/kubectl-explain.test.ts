// `kubectl explain` as kubectl v1.29 renders it (k8s.io/kubectl pkg/explain/v2/templates/
// plaintext.tmpl over the v1.29 OpenAPI v3 schema; text wrapped by mitchellh/go-wordwrap
// v1.0.1's WrapString at 76/78 columns).
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { wordWrap } from '../../server/shell/kubectl/explain.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return (line: string) => runLine(state, session, line);
}

describe('go-wordwrap WrapString', () => {
  it('breaks at spaces, keeps newlines and never splits a long word', () => {
    expect(wordWrap('foo bar baz', 7)).toBe('foo bar\nbaz');
    expect(wordWrap('a\n\nb', 10)).toBe('a\n\nb');
    expect(wordWrap('short https://example.com/a/very/long/url/that/overflows end', 10)).toBe('short\nhttps://example.com/a/very/long/url/that/overflows\nend');
    expect(wordWrap('two  spaces kept', 40)).toBe('two  spaces kept');
  });
});

describe('kubectl explain', () => {
  it('prints a kind: header, description wrapped at 76 and its fields with types', () => {
    const out = shell()('kubectl explain pod').output;
    expect(out.startsWith([
      'KIND:       Pod',
      'VERSION:    v1',
      '',
      'DESCRIPTION:',
      '    Pod is a collection of containers that can run on a host. This resource is',
      '    created by clients and scheduled onto hosts.',
      '    ',
      'FIELDS:',
      '  apiVersion\t<string>',
      '    APIVersion defines the versioned schema of this representation of an object.',
    ].join('\n'))).toBe(true);
    expect(out).toContain('\n  spec\t<PodSpec>\n');
    expect(out.endsWith('api-conventions.md#spec-and-status\n\n\n')).toBe(true);
  });

  it('follows a field path through lists and maps, with the field type\'s own description', () => {
    const run = shell();
    const probe = run('kubectl explain pods.spec.containers.livenessProbe').output;
    expect(probe).toContain('FIELD: livenessProbe <Probe>\n\nDESCRIPTION:\n    Periodic probe of container liveness.');
    expect(probe).toContain('    Probe describes a health check to be performed against a container to\n');
    expect(probe).toContain('\n  httpGet\t<HTTPGetAction>\n    HTTPGet specifies the http request to perform.\n\n');
    expect(run('kubectl explain pod.spec.containers').output).toContain('\n  name\t<string> -required-\n');
    expect(run('kubectl explain pod.spec.containers.resources.limits').output).toContain('FIELD: limits <map[string]Quantity>\n');
    expect(run('kubectl explain deploy.spec.strategy.rollingUpdate.maxSurge').output).toMatch(/^GROUP: {6}apps\nKIND: {7}Deployment\nVERSION: {4}v1\n\nFIELD: maxSurge <IntOrString>\n/);
    expect(run('kubectl explain pod.spec.foo')).toEqual({ output: 'error: field "foo" does not exist\n', exitCode: 1 });
  });

  it('--recursive prints names and types only, nested by two spaces', () => {
    const out = shell()('kubectl explain svc --recursive').output;
    expect(out).toContain('FIELDS:\n  apiVersion\t<string>\n  kind\t<string>\n  metadata\t<ObjectMeta>\n    annotations\t<map[string]string>\n');
    expect(out).toContain('\n    ports\t<[]ServicePort>\n      appProtocol\t<string>\n');
  });
});
