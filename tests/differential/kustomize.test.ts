// The real kubectl v1.29.4's embedded kustomize (v5.0.4) as the oracle of ours: each case's
// files are written both to a temporary directory (for `kubectl kustomize DIR`, offline) and
// into a shell session's home, and the output (stdout and stderr as a terminal shows them) and
// exit status must be the same bytes, the temporary directory's path read as the home's (and a
// Go pointer kustomize prints in one message read as the fixed one ours prints).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { realKubectlBinary, runKubectl } from '../helpers/real-kubectl.js';
import { KUSTOMIZE_CASES } from './kustomize-cases.js';

const kubectl = realKubectlBinary('kustomize differential suite');
const root = mkdtempSync(join(tmpdir(), 'kustomize-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!kubectl)('kubectl kustomize equals the real kubectl v1.29.4\'s', () => {
  it.each(Object.keys(KUSTOMIZE_CASES))('%s', async (name) => {
    const { files, dir } = KUSTOMIZE_CASES[name]!;
    const home = join(root, name.replace(/\W+/g, '-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(home, path)), { recursive: true });
      writeFileSync(join(home, path), text);
    }
    const real = await runKubectl(kubectl!, join(home, 'no-kubeconfig'), home, `kustomize ${join(home, dir)}`);
    const state = createCluster(demoClusterSpec, 1);
    const session = newSession(state);
    for (const [path, text] of Object.entries(files)) {
      const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.';
      // printf keeps the text's bytes (a here-document would add a final newline).
      expect(runLine(state, session, `mkdir -p ${folder} && printf '%s' '${text.replace(/'/g, "'\\''")}' > ${path}`).exitCode).toBe(0);
    }
    const ours = runLine(state, session, `kubectl kustomize ${dir}`);
    expect({ output: ours.output, exitCode: ours.exitCode }).toEqual({ output: real.output.replaceAll(home, '/home/player').replace(/&\{0xc[0-9a-f]+ /g, '&{0xc0007ee680 '), exitCode: real.exitCode });
  });
});
