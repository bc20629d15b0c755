// The client against the real engine and scenarios: the lobby lists them, the prompt shows
// the kubectl context and the node, real kubectl output, completion from the real shell.
import { describe, expect, it } from 'vitest';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { browserWorld } from '../helpers/browser-world.js';
import { screenshot, screenText, startSolo, typeInTerminal } from '../helpers/browser.js';

const world = browserWorld({ catalog: loadScenarioCatalog().catalog, tickMs: 1000 });

describe('real scenario in the browser', () => {
  it('plays etcd-nospace with the real shell', { timeout: 90_000 }, async () => {
    const page = await world.newPage();
    await page.goto('/');
    await expect.poll(() => page.locator('.scenario').count()).toBe(loadScenarioCatalog().catalog.list().length);
    await page.locator('.scenario[data-id=etcd-nospace]').click();
    await page.fill('#create-name', 'Ops');
    await screenshot(page, '30-home-real-scenarios');
    await startSolo(page);

    const term = page.getByTestId('terminal');
    await expect.poll(() => screenText(term)).toMatch(/^\(kubernetes-admin@[\w-]+:default\) player@workstation:~\$$/);
    await typeInTerminal(page, term, 'kubectl get no');
    await page.keyboard.press('Tab');
    await expect.poll(() => screenText(term)).toMatch(/\nno\s+nodes\n.*\$ kubectl get no$/);
    await page.keyboard.type('des\r');
    // The node names are drawn from the room's seed: the control plane is any row.
    await expect.poll(() => screenText(term)).toMatch(/NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n(\S+\s+Ready\s+<none>.*\n)*\S+\s+Ready\s+control-plane/);
    await typeInTerminal(page, term, 'kubectl get pods -A\r');
    await expect.poll(() => screenText(term)).toMatch(/NAMESPACE\s+NAME\s+READY\s+STATUS/);
    await screenshot(page, '31-player-real-terminal');
    // A here-document typed line by line: `> ` asks for more until the delimiter.
    await typeInTerminal(page, term, 'cat <<EOF | grep -c line\r');
    await expect.poll(() => screenText(term)).toMatch(/cat <<EOF \| grep -c line\n>$/);
    await typeInTerminal(page, term, 'line one\r');
    await typeInTerminal(page, term, 'line two\r');
    await typeInTerminal(page, term, 'EOF\r');
    await expect.poll(() => screenText(term)).toMatch(/> line one\n> line two\n> EOF\n2\n/);
    // A pasted loop of several lines runs as one command.
    await term.locator('.xterm-helper-textarea').evaluate((el) => {
      const data = new DataTransfer();
      data.setData('text/plain', 'for x in a b\ndo echo "[$x]"\ndone\n');
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => screenText(term)).toMatch(/> done\n\[a\]\n\[b\]\n/);
    await screenshot(page, '33-player-heredoc');
    // vi on a ConfigMap's YAML: the editor opens, the saved text is applied with kubectl apply -f.
    await typeInTerminal(page, term, 'kubectl get cm -n kube-system coredns -o yaml > cm.yaml; vi cm.yaml\r');
    const editor = page.getByTestId('edit-yaml');
    await expect.poll(() => editor.inputValue()).toContain('name: coredns');
    await editor.fill((await editor.inputValue()).replace(/^data:\n/m, 'data:\n  drill: edited-in-vi\n'));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => screenText(term)).toMatch(/vi cm\.yaml {2}\(saved \d+ lines\)\n/);
    await typeInTerminal(page, term, 'grep drill cm.yaml\r');
    await expect.poll(() => screenText(term)).toMatch(/grep drill cm\.yaml\n {2}drill: edited-in-vi\n/);
    // The cause is drawn from the room's seed: etcd may already refuse writes (NOSPACE, or a
    // full disk timing them out), and then apply says so as kubectl would.
    await typeInTerminal(page, term, "kubectl apply -f cm.yaml && kubectl get cm coredns -n kube-system -o jsonpath='{.data.drill}'\r");
    await expect.poll(() => screenText(term)).toMatch(/configmap\/coredns configured\nedited-in-vi|error when patching "cm\.yaml": etcdserver: (request timed out|mvcc: database space exceeded)/);
    // The timer runs down with the room clock.
    const first = await page.getByTestId('timer').textContent();
    await expect.poll(() => page.getByTestId('timer').textContent(), { timeout: 5000 }).not.toBe(first);
  });

  it('shows the real answer key to the host only', { timeout: 60_000 }, async () => {
    const page = await world.newPage();
    await page.goto('/');
    await page.locator('.scenario[data-id=etcd-nospace]').click();
    await page.fill('#create-name', 'Panel');
    await page.click('button[data-mode=interview]');
    await page.waitForURL(/\/host\//);
    await page.getByRole('tab', { name: 'Answer key' }).click();
    await expect.poll(() => page.locator('#pane-key').textContent()).toMatch(/Root cause/);
    await screenshot(page, '32-host-real-answer-key');
  });
});
