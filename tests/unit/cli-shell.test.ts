import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function kubedrill(args: string[], input: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, ['bin/kubedrill.js', ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('kubedrill shell (scripted through stdin)', () => {
  it('prints each command output, without prompts, and exits with the last exit code', () => {
    const r = kubedrill(['shell'], 'kubectl get pods -A | grep -c kube-system\nkubectl get nodes\nnosuch\n');
    expect(r.stdout).toMatch(/^\d+\nNAME +STATUS +ROLES +AGE +VERSION\ncp-1 +Ready +control-plane/);
    expect(r.stdout).toContain('bash: nosuch: command not found\n');
    expect(r.status).toBe(127);
  });

  it('reads a command on as many lines as it needs (here-documents, loops, open quotes)', () => {
    const r = kubedrill(['shell'], 'cat <<EOF | wc -l\na\nb\nEOF\nfor x in 1 2\ndo echo "<$x>"\ndone\necho "two\nlines"\ncat <<EOF\nunended\n');
    expect(r.stdout).toBe("2\n<1>\n<2>\ntwo\nlines\nbash: warning: here-document delimited by end-of-file (wanted `EOF')\n");
    expect(r.status).toBe(2);
  });

  it('is deterministic for a seed, and --tick advances simulated time between commands', () => {
    const once = kubedrill(['shell', '--seed', '7', '--tick', '60'], 'date +%s\ndate +%s\nkubectl get pods -A\n');
    const again = kubedrill(['shell', '--seed', '7', '--tick', '60'], 'date +%s\ndate +%s\nkubectl get pods -A\n');
    expect(once.stdout).toBe(again.stdout);
    const [first, second] = once.stdout.split('\n').map(Number);
    expect(second! - first!).toBe(60);
    expect(once.status).toBe(0);
  });

  it('edits with vi and kubectl edit from the following lines, up to :wq (or :q! to leave)', () => {
    const script = [
      'vi notes.txt', 'first line', 'second line', ':wq', 'cat notes.txt',
      'vi notes.txt', 'discarded', ':q!', 'wc -l < notes.txt',
      'kubectl get cm -n kube-system coredns -o yaml > cm.yaml', 'kubectl edit cm coredns -n kube-system',
      ...['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: coredns', '  namespace: kube-system', 'data:', '  Corefile: ".:53 {}"'], ':wq',
      "kubectl get cm coredns -n kube-system -o jsonpath='{.data.Corefile}'",
    ].join('\n');
    const r = kubedrill(['shell'], `${script}\n`);
    expect(r.stdout).toBe('first line\nsecond line\n2\nconfigmap/coredns edited\n.:53 {}');
  });

  it('stops at exit with its code', () => {
    const r = kubedrill(['shell'], 'echo one\nexit 4\necho never\n');
    expect(r.stdout).toBe('one\n');
    expect(r.status).toBe(4);
  });

  it('rejects unknown scenarios and bad flags', () => {
    expect(kubedrill(['shell', '--scenario', 'nope'], '')).toMatchObject({ stderr: 'kubedrill: unknown scenario "nope"\n', status: 2 });
    const bad = kubedrill(['shell', '--seed', 'abc'], '');
    expect(bad.stderr).toContain("error: option '--seed <n>' argument 'abc' is invalid.");
    expect(bad.status).not.toBe(0);
    expect(kubedrill(['shell', '--bogus'], '').stderr).toContain("error: unknown option '--bogus'");
  });
});
