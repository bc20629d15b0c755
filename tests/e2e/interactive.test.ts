// Interactive terminals in the browser, against the real engine: `kubectl exec -it … -- sh`
// puts the candidate's terminal at the container's prompt, lines typed there run in the pod,
// the host's mirror shows the same nested prompt, and `exit` comes back to the workstation;
// `kubectl get pods -w` goes on printing as the room's clock moves until Ctrl-C.
import { describe, expect, it } from 'vitest';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { browserWorld } from '../helpers/browser-world.js';
import { screenshot, screenText, startSolo, typeInTerminal } from '../helpers/browser.js';

// The clock logs a tick every simulated second here (5 s by default), so a watch updates quickly.
const world = browserWorld({ catalog: loadScenarioCatalog().catalog, tickMs: 1000, flushMs: 1000 });

describe('interactive shells in the browser', () => {
  it('exec -it opens a nested prompt the host sees too; exit returns', { timeout: 90_000 }, async () => {
    const host = await world.newPage();
    await host.goto('/');
    await host.locator('.scenario[data-id=etcd-nospace]').click();
    await host.fill('#create-name', 'Dana');
    await host.click('button[data-mode=interview]');
    await host.waitForURL(/\/host\/[0-9a-f-]{36}$/);
    const code = /Invite: ([A-Z0-9]{8})/.exec((await host.locator('.controls button.ghost').textContent()) ?? '')?.[1];
    expect(code).toBeDefined();

    const candidate = await world.newPage();
    await candidate.goto('/');
    await candidate.fill('#join-code', code!);
    await candidate.fill('#join-name', 'Min');
    await candidate.click('form.join button[type=submit]');
    await candidate.waitForURL(`**/r/${code}`);
    await expect.poll(() => host.locator('.tile').count()).toBe(1);
    await host.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => candidate.getByTestId('room-status').textContent()).toBe('Running');

    const term = candidate.getByTestId('terminal');
    const tile = host.locator('.tile').first();
    await expect.poll(() => screenText(term)).toMatch(/player@workstation:~\$$/);
    await typeInTerminal(candidate, term, 'kubectl exec -it -n kube-system $(kubectl get pods -n kube-system -o name | grep kube-proxy | head -1) -- sh\r');
    await expect.poll(() => screenText(term)).toMatch(/-- sh\n\/ #$/);
    await typeInTerminal(candidate, term, 'hostname; cat /etc/resolv.conf | grep -c nameserver\r');
    await expect.poll(() => screenText(term)).toMatch(/\/ # hostname; cat \/etc\/resolv\.conf \| grep -c nameserver\nkube-proxy-[a-z0-9]{5}\n1\n\/ #$/);
    await typeInTerminal(candidate, term, 'kubectl get pods\r');
    await expect.poll(() => screenText(term)).toMatch(/\/ # kubectl get pods\nsh: kubectl: not found\n\/ #$/);
    // The host's mirror shows each line under the prompt it was typed at: the container's.
    await expect.poll(() => screenText(tile)).toMatch(/\/ # hostname; cat \/etc\/resolv\.conf \| grep -c nameserver\nkube-proxy-[a-z0-9]{5}\n1\n/);
    await screenshot(candidate, '60-exec-it-nested-prompt');
    await screenshot(host, '61-host-mirror-nested-prompt');
    // Ctrl-D on an empty line is `exit`, which keeps the last status (127, kubectl not found): kubectl reports it as it returns.
    await candidate.keyboard.press('Control+d');
    await expect.poll(() => screenText(term)).toMatch(/\/ # exit\ncommand terminated with exit code 127\n\(kubernetes-admin@[\w-]+:default\) player@workstation:~\$$/);
    await expect.poll(() => screenText(tile)).toMatch(/\/ # exit\ncommand terminated with exit code 127$/);
  });

  it('kubectl get pods -w updates as time passes until Ctrl-C', { timeout: 90_000 }, async () => {
    const page = await world.newPage();
    await page.goto('/');
    await page.locator('.scenario[data-id=coredns-down]').click();
    await page.fill('#create-name', 'Ops');
    await startSolo(page);
    const term = page.getByTestId('terminal');
    await expect.poll(() => screenText(term)).toMatch(/player@workstation:~\$$/);
    await typeInTerminal(page, term, 'kubectl rollout restart deploy/coredns -n kube-system\r');
    await expect.poll(() => screenText(term)).toMatch(/deployment\.apps\/coredns restarted\n.*\$$/);
    await typeInTerminal(page, term, 'kubectl get pods -n kube-system -l k8s-app=kube-dns -w\r');
    await expect.poll(() => screenText(term)).toMatch(/-w\nNAME +READY +STATUS +RESTARTS +AGE\n/);
    const rowsAfterWatch = async () => (/-w\n([\s\S]*)$/.exec(await screenText(term))?.[1] ?? '').split('\n').length;
    const first = await rowsAfterWatch();
    // No prompt while it runs; rows come as the restart goes on.
    await expect.poll(rowsAfterWatch, { timeout: 20_000 }).toBeGreaterThan(first);
    expect(await screenText(term)).not.toMatch(/-w\n[\s\S]*player@workstation/);
    await screenshot(page, '62-get-w-streaming');
    // Keys other than Ctrl-C do nothing; Ctrl-C stops it and the prompt comes back.
    await page.keyboard.type('ls');
    await page.keyboard.press('Control+c');
    await expect.poll(() => screenText(term)).toMatch(/\^C\n\(kubernetes-admin@[\w-]+:default\) player@workstation:~\$$/);
    await typeInTerminal(page, term, 'echo $?\r');
    await expect.poll(() => screenText(term)).toMatch(/echo \$\?\n130\n.*\$$/);
    const stopped = await screenText(term);
    await page.waitForTimeout(2500);
    expect(await screenText(term)).toBe(stopped); // nothing more is printed after ^C
  });
});
