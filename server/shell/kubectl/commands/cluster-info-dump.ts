// `kubectl cluster-info dump`: what cluster-info/dump.go prints — the nodes, then for each
// namespace (kube-system and the current one, or --namespaces, or -A) its events, replication
// controllers, services, daemon sets, deployments, replica sets and pods as JSON (or YAML)
// lists, and every container's log between START/END lines. With --output-directory it
// writes the same into files and says where. The line budget bounds it on a big cluster.
import type { Pod } from '../../../cluster/types.js';
import { makeDirectory, writeFileCharged } from '../../vfs.js';
import type { CommandResult } from '../../types.js';
import { fail, ok } from '../../types.js';
import { toManifest, type Json } from '../manifest.js';
import { manifestYaml } from '../output.js';
import type { JsonObject } from '../manifest-fields.js';
import { findResourceType, listObjects } from '../resources.js';
import type { FlagSpec, KubectlContext, ParsedFlags } from '../types.js';
import { dumpedLog } from './logs.js';

export const DUMP_FLAGS: FlagSpec[] = [
  { name: 'namespaces', type: 'stringArray', usage: 'A comma separated list of namespaces to dump.' },
  { name: 'all-namespaces', short: 'A', type: 'bool', usage: 'If true, dump all namespaces.  If true, --namespaces is ignored.' },
  { name: 'output-directory', type: 'string', usage: 'Where to output the files.  If empty or \'-\' uses stdout, otherwise creates a directory hierarchy in that directory' },
  { name: 'output', short: 'o', type: 'string', default: 'json', usage: 'Output format. One of: (json, yaml).' },
];

const SECTIONS: [plural: string, file: string][] = [
  ['events', 'events'], ['replicationcontrollers', 'replication-controllers'], ['services', 'services'],
  ['daemonsets', 'daemonsets'], ['deployments', 'deployments'], ['replicasets', 'replicasets'], ['pods', 'pods'],
];

export function clusterInfoDump(ctx: KubectlContext, flags: ParsedFlags): CommandResult {
  const format = flags.string('output') ?? 'json';
  if (format !== 'json' && format !== 'yaml') return fail(`error: unable to match a printer suitable for the output format "${format}", allowed formats are: json,yaml\n`);
  const dir = flags.string('output-directory') ?? '';
  const extension = format === 'json' ? '.json' : '.yaml';
  let stdout = '';
  const emit = (path: string, text: string): string | undefined => {
    if (dir === '' || dir === '-') {
      stdout += text;
      return undefined;
    }
    const file = `${dir}/${path}`;
    return makeDirectory(ctx.state, ctx.session, file.slice(0, file.lastIndexOf('/')), true) ?? writeFileCharged(ctx, file, text);
  };
  const list = (plural: string, namespace: string | undefined): string => {
    const type = findResourceType(plural)!;
    // Typed lists from the clientsets: items carry no kind/apiVersion, fields in struct order (not sorted).
    const items = listObjects(ctx.state, type, namespace).map((o) => {
      const { kind: _k, apiVersion: _a, ...rest } = toManifest(ctx.state, type.kind, o) as JsonObject;
      return rest;
    });
    const document: Json = { kind: `${type.kind}List`, apiVersion: type.apiVersion, metadata: { resourceVersion: String(ctx.state.etcd.revision) }, items };
    ctx.budget.spend(items.length * 200);
    return format === 'json' ? `${JSON.stringify(document, null, 4)}\n` : manifestYaml(document, ctx.budget);
  };
  const namespaces = flags.bool('all-namespaces')
    ? listObjects(ctx.state, findResourceType('namespaces')!, undefined).map((n) => n.metadata.name)
    : flags.all('namespaces').flatMap((n) => n.split(',')).filter((n) => n !== '');
  if (namespaces.length === 0) namespaces.push('kube-system', ctx.namespace);
  const problems: string[] = [];
  const write = (path: string, text: string) => {
    ctx.budget.spend(text.length);
    const problem = emit(path, text);
    if (problem) problems.push(problem);
  };
  write(`nodes${extension}`, list('nodes', undefined));
  for (const namespace of namespaces) {
    for (const [plural, file] of SECTIONS) write(`${namespace}/${file}${extension}`, list(plural, namespace));
    for (const pod of listObjects(ctx.state, findResourceType('pods')!, namespace) as Pod[]) {
      let logs = '';
      for (const c of pod.spec.containers) {
        const where = `container ${c.name} of pod ${pod.metadata.namespace}/${pod.metadata.name}`;
        logs += `==== START logs for ${where} ====\n${dumpedLog(ctx, pod, c.name)}==== END logs for ${where} ====\n`;
      }
      write(`${namespace}/${pod.metadata.name}/logs.txt`, logs);
    }
  }
  if (problems.length > 0) return fail(`error: ${problems[0]}\n`);
  return ok(dir !== '' && dir !== '-' ? `Cluster info dumped to ${dir}\n` : stdout);
}
