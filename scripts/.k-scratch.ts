import { kubectlFixture, session } from '../tests/helpers/kubectl-fixture.js';
import { kubectlCommand } from '../server/shell/kubectl/index.js';
const state = kubectlFixture();
const s = session();
for (const line of process.argv.slice(2)) {
  const argv = line.split(' ');
  const r = kubectlCommand({ state, session: s, env: {}, stdin: '' }, argv);
  console.log(`$ ${line}  [exit ${r.exitCode}]\n${r.stdout}${r.stderr ? 'STDERR: ' + r.stderr : ''}`);
}
