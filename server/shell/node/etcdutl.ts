// etcdutl (etcd 3.5) on the control plane: `version`, and `snapshot status FILE`
// (etcdutl/snapshot/v3_snapshot.go Status: os.Stat first, then the db's hash, revision, keys
// and size; printed "%x, %d, %d, %s" or, with -w table, etcdctl's table). The live db
// (DATA_DIR/member/snap/db) is read while etcd holds it, as etcdutl does with a read-only open.
import type { ShellCommand } from '../types.js';
import { fail, ok } from '../types.js';
import { isResult, onNode, stableHex } from './common.js';
import { registryKeys } from './etcd-keys.js';
import { humanizeBytes, tableWriter } from './etcdctl-print.js';
import { nodeFiles } from './fs.js';

export const etcdutl: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'etcdutl');
  if (isResult(n)) return n;
  if (n.node.host.files['/etc/kubernetes/manifests/etcd.yaml'] === undefined) return fail('etcdutl: command not found\n', 127);
  const args = argv.slice(1);
  const words = args.filter((a, i) => !a.startsWith('-') && !['-w', '--write-out'].includes(args[i - 1] ?? ''));
  const format = args.find((a) => a.startsWith('--write-out='))?.slice(12) ?? args[args.findIndex((a) => a === '-w' || a === '--write-out') + 1] ?? 'simple';
  if (words[0] === 'version') return ok(`etcdutl version: ${n.state.etcd.version}\nAPI version: 3.5\n`);
  if (words[0] !== 'snapshot' || words[1] !== 'status') return fail('Error: only "etcdutl version" and "etcdutl snapshot status FILE" are available here\n');
  const path = words[2];
  if (path === undefined) return fail('Error: snapshot status requires exactly one argument\n');
  const live = `${n.state.etcd.dataDir}/member/snap/db`;
  if (path !== live) {
    const exists = nodeFiles(n.state, n.node)[path] !== undefined;
    return fail(exists ? `Error: invalid database\n` : `Error: stat ${path}: no such file or directory\n`);
  }
  const etcd = n.state.etcd;
  const cells = [stableHex(`${n.name}/db/${etcd.revision}`, 8), String(etcd.revision), String(registryKeys(n.state).length), humanizeBytes(etcd.dbSize)];
  if (format === 'table') return ok(tableWriter(['HASH', 'REVISION', 'TOTAL KEYS', 'TOTAL SIZE'], [cells]));
  return ok(`${cells.join(', ')}\n`);
};
