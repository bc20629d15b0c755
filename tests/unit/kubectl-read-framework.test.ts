import { describe, expect, it } from 'vitest';
import { humanDuration } from '../../server/shell/kubectl/age.js';
import { parseFlags } from '../../server/shell/kubectl/flags.js';
import { executeJsonPath } from '../../server/shell/kubectl/jsonpath.js';
import { findResourceType } from '../../server/shell/kubectl/resources.js';
import { matchesLabels, parseLabelSelector } from '../../server/shell/kubectl/selectors.js';
import { DESCRIBE_WRITER, renderTable, tabwrite } from '../../server/shell/kubectl/table.js';
import type { FlagSpec } from '../../server/shell/kubectl/types.js';
import { kubectlFixture, kubectlRunner } from '../helpers/kubectl-fixture.js';

const SPECS: FlagSpec[] = [
  { name: 'namespace', short: 'n', type: 'string' },
  { name: 'output', short: 'o', type: 'string' },
  { name: 'all-namespaces', short: 'A', type: 'bool' },
  { name: 'stdin', short: 'i', type: 'bool' },
  { name: 'tty', short: 't', type: 'bool' },
  { name: 'replicas', type: 'int' },
  { name: 'selector', short: 'l', type: 'stringArray' },
];

describe('resource type names', () => {
  // kubectl's RESTMapper: plural, singular, short name or kind, any case, then .group, .version or .version.group.
  it('finds a type by any of its names, with a group or version that fits', () => {
    for (const typed of ['pods', 'pod', 'po', 'Pod', 'PODS', 'pods.v1', 'po.v1']) expect(findResourceType(typed)?.kind).toBe('Pod');
    for (const typed of ['deploy', 'deployment.apps', 'deployments.v1.apps', 'Deployment.v1.apps']) expect(findResourceType(typed)?.kind).toBe('Deployment');
    expect(findResourceType('ev')?.apiVersion).toBe('v1');
    for (const typed of ['pods.apps', 'deploy.v2', 'nosuch', '', '.apps']) expect(findResourceType(typed)).toBeUndefined();
  });
});

describe('pflag-like parsing', () => {
  it('accepts every value form', () => {
    const r = parseFlags(['pods', '-nkube-system', '-o=wide', '--replicas=3', '-A', 'x'], SPECS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.flags.string('namespace')).toBe('kube-system');
    expect(r.flags.string('output')).toBe('wide');
    expect(r.flags.int('replicas')).toBe(3);
    expect(r.flags.bool('all-namespaces')).toBe(true);
    expect(r.flags.args).toEqual(['pods', 'x']);
  });
  it('combines bool shorthands and stops at --', () => {
    const r = parseFlags(['-it', 'pod', '--namespace', 'a', '--', 'cat', '-n', '/etc/resolv.conf'], SPECS);
    if (!r.ok) throw new Error(r.error);
    expect(r.flags.bool('stdin') && r.flags.bool('tty')).toBe(true);
    expect(r.flags.args).toEqual(['pod', 'cat', '-n', '/etc/resolv.conf']);
    expect(r.flags.argsLenAtDash).toBe(1);
  });
  it('keeps repeated values', () => {
    const r = parseFlags(['-l', 'a=b', '--selector=c'], SPECS);
    if (!r.ok) throw new Error(r.error);
    expect(r.flags.all('selector')).toEqual(['a=b', 'c']);
  });
  it("reports pflag's errors", () => {
    expect(parseFlags(['--foo'], SPECS)).toEqual({ ok: false, error: 'unknown flag: --foo' });
    expect(parseFlags(['-z'], SPECS)).toEqual({ ok: false, error: "unknown shorthand flag: 'z' in -z" });
    expect(parseFlags(['--namespace'], SPECS)).toEqual({ ok: false, error: 'flag needs an argument: --namespace' });
    expect(parseFlags(['--replicas', 'x'], SPECS)).toEqual({ ok: false, error: 'invalid argument "x" for "--replicas" flag: strconv.ParseInt: parsing "x": invalid syntax' });
  });
});

describe('HumanDuration', () => {
  it.each([
    [45_000, '45s'], [119_000, '119s'], [312_000, '5m12s'], [300_000, '5m'], [125 * 60_000, '125m'],
    [(3 * 60 + 4) * 60_000, '3h4m'], [20 * 3_600_000, '20h'], [(2 * 24 + 5) * 3_600_000, '2d5h'],
    [10 * 86_400_000, '10d'], [(3 * 365 + 45) * 86_400_000, '3y45d'], [-5_000, '<invalid>'],
  ])('%d ms → %s', (ms, text) => expect(humanDuration(ms)).toBe(text));
});

describe('tabwriter', () => {
  it('pads columns by 3 with uppercase headers and an unpadded last column', () => {
    expect(renderTable(['NAME', 'AGE'], [['a', '5m'], ['longer-name', '10d']])).toBe('NAME          AGE\na             5m\nlonger-name   10d\n');
  });
  it('aligns describe blocks only across consecutive tabbed lines', () => {
    expect(tabwrite('Name:\tx\nService Account:\ty\nContainers:\n  c:\tz\n', DESCRIBE_WRITER))
      .toBe('Name:             x\nService Account:  y\nContainers:\n  c:  z\n');
  });
  it('aligns a line of 200 000 cells (a value full of tabs) without running out of stack', () => {
    const cells = Array.from({ length: 200_000 }, (_, i) => (i % 2 ? 'bb' : 'a'));
    const aligned = tabwrite(`${cells.join('\t')}\n${cells.join('\t')}\n`, DESCRIBE_WRITER).split('\n');
    expect(aligned[0]).toBe(aligned[1]);
    expect(aligned[0]!.startsWith('a  bb  a  bb')).toBe(true);
  });
});

describe('jsonpath and selectors', () => {
  const doc = { items: [{ metadata: { name: 'a' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { metadata: { name: 'b' }, status: { conditions: [] } }] };
  it('evaluates lists, ranges and filters', () => {
    expect(executeJsonPath('{.items[*].metadata.name}', doc)).toEqual({ ok: true, text: 'a b' });
    expect(executeJsonPath('{range .items[*]}{.metadata.name}{"\\n"}{end}', doc)).toEqual({ ok: true, text: 'a\nb\n' });
    expect(executeJsonPath('{.items[0].status.conditions[?(@.type=="Ready")].status}', doc)).toEqual({ ok: true, text: 'True' });
  });
  it('matches set-based label selectors', () => {
    const sel = parseLabelSelector('app in (web,api),tier!=db,!legacy,env');
    if (!sel.ok) throw new Error(sel.error);
    expect(matchesLabels(sel.requirements, { app: 'web', env: 'prod' })).toBe(true);
    expect(matchesLabels(sel.requirements, { app: 'web', env: 'prod', legacy: '1' })).toBe(false);
    expect(matchesLabels(sel.requirements, { app: 'db', env: 'prod' })).toBe(false);
  });
});

describe('kubectl command frame', () => {
  it('prints unknown flag and command errors with exit 1', async () => {
    const k = await kubectlRunner(kubectlFixture());
    expect(k('kubectl get pods --foo')).toMatchObject({ stderr: "error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n", exitCode: 1 });
    expect(k('kubectl get pods -z')).toMatchObject({ stderr: "error: unknown shorthand flag: 'z' in -z\nSee 'kubectl get --help' for usage.\n", exitCode: 1 });
    const r = k('kubectl gett pods');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`error: unknown command "gett" for "kubectl"\n\nDid you mean this?\n\tget\n\tset\nRun 'kubectl --help' for usage.\n`);
  });
  it('accepts global flags before the subcommand', async () => {
    const k = await kubectlRunner(kubectlFixture());
    expect(k('kubectl -n kube-system get pods').stdout).toContain('coredns-5dd5756b68-xk2p9');
  });
  it('refuses everything while the apiserver is down', async () => {
    const state = kubectlFixture();
    state.controlPlane.apiserver.running = false;
    const k = await kubectlRunner(state);
    expect(k('kubectl get pods')).toMatchObject({
      stdout: '', exitCode: 1,
      stderr: 'The connection to the server 10.0.0.10:6443 was refused - did you specify the right host or port?\n',
    });
    expect(k('kubectl config current-context').exitCode).toBe(0);
  });
});
