// The caches that keep the simulation linear in pods (pod lookups of the packet path,
// sorted listings, events by object) must follow every change, and the fast table
// renderer must print what the text tabwriter prints.
import { describe, expect, it } from 'vitest';
import { deleteObject, mutateObject, noteLocalChange, updatedSince, writeSerial } from '../../server/cluster/api.js';
import { recordEvent, refOf } from '../../server/cluster/events.js';
import { tick } from '../../server/cluster/index.js';
import { podByIP, proxyProgrammed } from '../../server/cluster/network/services.js';
import { podsOnNode } from '../../server/cluster/network/pod-lookup.js';
import type { Pod } from '../../server/cluster/types.js';
import { renderTable, tabwrite, TABLE_WRITER } from '../../server/shell/kubectl/table.js';
import { kubectlFixture, kubectlRunner } from '../helpers/kubectl-fixture.js';
import { podOf, podsOf, runningCluster } from '../helpers/network-fixture.js';

const names = (stdout: string): string[] => stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]!);

describe('pod lookups of the packet path', () => {
  it('follow pods deleted and created through the api', () => {
    const state = runningCluster();
    const web = podOf(state, 'web');
    const ip = web.status.podIP!;
    const node = web.spec.nodeName!;
    expect(podByIP(state, ip)).toBe(web);
    expect(podsOnNode(state, node)).toContain(web);
    expect(proxyProgrammed(state, node)).toBe(true);
    expect(proxyProgrammed(state, 'no-such-node')).toBe(false);

    deleteObject(state, 'Pod', `default/${web.metadata.name}`, { force: true });
    expect(podByIP(state, ip)).toBeUndefined();
    expect(podsOnNode(state, node)).not.toContain(web);
    tick(state, 20_000);
    for (const pod of podsOf(state, 'web')) expect(podByIP(state, pod.status.podIP!)).toBe(pod);
  });

  it('see a node lose kube-proxy only when its pods change through the api', () => {
    const state = runningCluster();
    const proxies = Object.values(state.pods).filter((p) => p.metadata.name.startsWith('kube-proxy-'));
    const victim: Pod = proxies[0]!;
    const node = victim.spec.nodeName!;
    mutateObject(state, 'Pod', `kube-system/${victim.metadata.name}`, (p) => {
      for (const c of p.status.containerStatuses) c.containerID = '';
    });
    expect(proxyProgrammed(state, node)).toBe(false);
  });
});

describe('kubectl listings and describe', () => {
  it('list pods created and deleted since the previous listing, in order', async () => {
    const state = runningCluster();
    const run = await kubectlRunner(state);
    const before = names(run('kubectl get pods').stdout);
    const gone = podOf(state, 'web');
    deleteObject(state, 'Pod', `default/${gone.metadata.name}`, { force: true });
    tick(state, 20_000);
    const after = names(run('kubectl get pods').stdout);
    expect(after).not.toContain(gone.metadata.name);
    expect(after.length).toBe(before.length);
    expect(after).toEqual([...after].sort());
  });

  it('list what a hand-built state holds even when it is changed directly', async () => {
    const state = kubectlFixture();
    const run = await kubectlRunner(state);
    expect(names(run('kubectl get pods').stdout)).not.toContain('aaa-extra');
    const copy = structuredClone(Object.values(state.pods).find((p) => p.metadata.namespace === 'default')!);
    copy.metadata.name = 'aaa-extra';
    state.pods['default/aaa-extra'] = copy;
    expect(names(run('kubectl get pods').stdout)[0]).toBe('aaa-extra');
  });

  it('describe shows events recorded after an earlier describe', async () => {
    const state = runningCluster();
    const run = await kubectlRunner(state);
    const web = podOf(state, 'web');
    expect(run(`kubectl describe pod ${web.metadata.name}`).stdout).not.toContain('ProbeWarning');
    recordEvent(state, refOf('Pod', web), 'Warning', 'ProbeWarning', 'Readiness probe warning: slow', 'kubelet', web.spec.nodeName);
    expect(run(`kubectl describe pod ${web.metadata.name}`).stdout).toMatch(/Warning {2}ProbeWarning {2}\S+ +kubelet +Readiness probe warning: slow\n/);
  });
});

describe('renderTable', () => {
  it('aligns like the text tabwriter, also for tabs, newlines and wide characters in cells', () => {
    const headers = ['NAME', 'MESSAGE', 'AGE'];
    const rows = [['a😀b', 'x', '1s'], ['tab\there', 'two\nlines', '5m'], ['é', '', '3d']];
    const text = [headers, ...rows].map((r) => r.join('\t')).join('\n') + '\n';
    expect(renderTable(headers, rows)).toBe(tabwrite(text, TABLE_WRITER));
    expect(renderTable(headers, [])).toBe('NAME   MESSAGE   AGE\n');
    expect(renderTable(undefined, [])).toBe('');
  });
});

describe('the write log listings read again', () => {
  it('gives the keys written since a serial, and nothing once objects came or went or the log moved on', () => {
    const state = runningCluster();
    const serial = writeSerial(state, 'Pod');
    const [a, b] = Object.values(state.pods).filter((p) => !p.static).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    const touch = (key: string) => mutateObject(state, 'Pod', key, (p) => void (p.metadata.annotations['touched'] = String(writeSerial(state, 'Pod'))));
    touch(a!);
    touch(b!);
    touch(a!);
    expect(updatedSince(state, 'Pod', serial)).toEqual([a, b, a]);
    expect(updatedSince(state, 'Pod', serial + 2)).toEqual([a]);
    expect(updatedSince(state, 'Pod', writeSerial(state, 'Pod'))).toEqual([]);
    const static_ = Object.values(state.pods).find((p) => p.static)!;
    noteLocalChange(state, 'Pod', static_);
    expect(updatedSince(state, 'Pod', serial)!.at(-1)).toBe(`kube-system/${static_.metadata.name}`);

    const beforeDelete = writeSerial(state, 'Pod');
    deleteObject(state, 'Pod', b!, { force: true });
    expect(updatedSince(state, 'Pod', beforeDelete)).toBeUndefined();
    expect(updatedSince(state, 'Pod', writeSerial(state, 'Pod'))).toEqual([]);

    const beforeMany = writeSerial(state, 'Pod');
    for (let i = 0; i < 2_100; i++) touch(a!);
    expect(updatedSince(state, 'Pod', beforeMany)).toBeUndefined();
    expect(updatedSince(state, 'Pod', writeSerial(state, 'Pod') - 5)).toEqual([a, a, a, a, a]);
  });
});
