// Interactive shells in the browser, against the real engine: `kubectl exec -it … -- sh` puts
// the candidate's terminal at the container's prompt, lines typed there run in the pod, the
// host's mirror shows the same nested prompt, and `exit` comes back to the workstation.
import { describe, expect, it } from 'vitest';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { browserWorld } from '../helpers/browser-world.js';
import { screenshot, screenText, typeInTerminal } from '../helpers/browser.js';

const world = browserWorld({ catalog: loadScenarioCatalog().catalog, tickMs: 1000 });

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
    // `exit` keeps the last status (127, kubectl not found): kubectl reports it as it returns.
    await typeInTerminal(candidate, term, 'exit\r');
    await expect.poll(() => screenText(term)).toMatch(/\/ # exit\ncommand terminated with exit code 127\n\(kubernetes-admin@[\w-]+:default\) player@workstation:~\$$/);
    await expect.poll(() => screenText(tile)).toMatch(/\/ # exit\ncommand terminated with exit code 127$/);
  });
});
