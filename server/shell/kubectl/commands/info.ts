// Cluster-level read commands: api-resources, cluster-info, version, explain.
import { fail, ok } from '../../types.js';
import { apiUnavailable } from '../../../cluster/api.js';
import { apiErrorText } from '../api-error.js';
import { kindServed, storedKindInfo } from '../../../cluster/stored-kinds.js';
import { categoriesOf, DISCOVERY_ONLY, findResourceType, RESOURCE_TYPES, unknownTypeError, verbsOf } from '../resources.js';
import { isPreferred } from '../discovery.js';
import { metricsAvailable } from '../../../cluster/metrics.js';
import { METRICS_503, METRICS_GROUP_VERSION, METRICS_TYPES, metricsRegistered } from '../metrics-api.js';
import { renderTable } from '../table.js';
import { servedGroupVersions } from '../discovery.js';
import { clusterInfoDump, DUMP_FLAGS } from './cluster-info-dump.js';
import { explain, hasExplanation } from '../explain.js';
import type { KubectlSubcommand } from '../types.js';

export const CLIENT_VERSION = 'v1.29.4';
const KUSTOMIZE_VERSION = 'v5.0.4-0.20230601165947-6ce0bf390ce3';

export const apiResourcesCommand: KubectlSubcommand = {
  name: 'api-resources',
  short: 'Print the supported API resources on the server',
  usage: 'kubectl api-resources [flags] [options]',
  flags: [
    { name: 'namespaced', type: 'bool', default: 'true', usage: 'If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default.' },
    { name: 'api-group', type: 'string', usage: 'Limit to resources in the specified API group.' },
    { name: 'output', short: 'o', type: 'string', usage: 'Output format. One of: (wide, name).' },
    { name: 'no-headers', type: 'bool', usage: 'When using the default or custom-column output format, don\'t print headers.' },
    { name: 'sort-by', type: 'string', usage: 'If non-empty, sort list of resources using specified field. The field can be either \'name\' or \'kind\'.' },
    { name: 'verbs', type: 'stringArray', usage: 'Limit to resources that support the specified verbs.' },
    { name: 'categories', type: 'stringArray', usage: 'Limit to resources that belong to the specified categories.' },
    { name: 'cached', type: 'bool', usage: 'Use the cached list of resources if available.' },
  ],
  run: (ctx, _args, flags) => {
    // metrics.k8s.io is listed from metrics-server's own discovery document, when it answers.
    const metrics = metricsRegistered(ctx.state) ? (metricsAvailable(ctx.state) ? METRICS_TYPES : 'unavailable') : [];
    let types = [...RESOURCE_TYPES.filter((t) => { const info = storedKindInfo(t.kind); return !info || kindServed(ctx.state.stored, info); }), ...DISCOVERY_ONLY.filter(isPreferred), ...(metrics === 'unavailable' ? [] : metrics)].sort((a, b) => (a.group === b.group ? (a.plural < b.plural ? -1 : 1) : a.group < b.group ? -1 : 1));
    if (flags.has('namespaced')) types = types.filter((t) => t.namespaced === flags.bool('namespaced'));
    const group = flags.string('api-group');
    if (group !== undefined) types = types.filter((t) => t.group === group);
    // apiresources.go: a resource must support every verb and belong to every category asked for.
    const listed = (name: string): string[] => flags.all(name).flatMap((v) => v.split(',')).filter((v) => v !== '');
    const verbs = listed('verbs');
    if (verbs.length > 0) types = types.filter((t) => verbs.every((v) => verbsOf(t).includes(v)));
    const categories = listed('categories');
    if (categories.length > 0) types = types.filter((t) => categories.every((c) => categoriesOf(t).includes(c)));
    if (flags.string('sort-by') === 'kind') types.sort((a, b) => (a.kind < b.kind ? -1 : 1));
    const output = flags.string('output');
    // apiresources.go prints what discovery found, then the group versions it could not read (exit 1).
    const partial = (r: ReturnType<typeof ok>): ReturnType<typeof ok> => (metrics === 'unavailable' ? { ...r, stderr: `error: unable to retrieve the complete list of server APIs: ${METRICS_GROUP_VERSION}: ${METRICS_503}\n`, exitCode: 1 } : r);
    if (output === 'name') return partial(ok(types.map((t) => `${t.plural}${t.group ? `.${t.group}` : ''}\n`).join('')));
    const wide = output === 'wide';
    const headers = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS', 'CATEGORIES'] : [])];
    const rows = types.map((t) => [
      t.plural, t.shortNames.join(','), t.apiVersion, String(t.namespaced), t.kind,
      ...(wide ? [verbsOf(t).join(','), categoriesOf(t).join(',')] : []),
    ]);
    return partial(ok(renderTable(flags.bool('no-headers') ? undefined : headers, rows)));
  },
};

export const apiVersionsCommand: KubectlSubcommand = {
  name: 'api-versions',
  short: 'Print the supported API versions on the server, in the form of "group/version"',
  usage: 'kubectl api-versions [flags] [options]',
  flags: [],
  run: (ctx) => {
    return ok(servedGroupVersions(ctx.state).sort().map((gv) => `${gv}\n`).join(''));
  },
};

/**
 * kubectl clusterinfo.go printService: the name in green and the link in yellow, written by
 * go-colortext whether or not stdout is a terminal (so a pipe sees the escapes too).
 */
const runningAt = (name: string, link: string): string => `\x1b[0;32m${name}\x1b[0m is running at \x1b[0;33m${link}\x1b[0m\n`;

export const clusterInfoCommand: KubectlSubcommand = {
  name: 'cluster-info',
  short: 'Display cluster information',
  usage: 'kubectl cluster-info [flags] [options]',
  completions: ['dump'],
  flags: DUMP_FLAGS,
  run: (ctx, args, flags) => {
    if (args[0] === 'dump') return clusterInfoDump(ctx, flags);
    const endpoint = ctx.state.controlPlane.apiserver.endpoint;
    let out = runningAt('Kubernetes control plane', endpoint);
    if (ctx.state.services['kube-system/kube-dns']) out += runningAt('CoreDNS', `${endpoint}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy`);
    return ok(`${out}\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n`);
  },
};

export const versionCommand: KubectlSubcommand = {
  name: 'version',
  short: 'Print the client and server version information',
  usage: 'kubectl version [flags] [options]',
  offline: true,
  flags: [
    { name: 'client', type: 'bool', usage: 'If true, shows client version only (no server required).' },
    { name: 'output', short: 'o', type: 'string', usage: 'One of \'yaml\' or \'json\'.' },
  ],
  run: (ctx, _args, flags) => {
    const client = `Client Version: ${CLIENT_VERSION}\nKustomize Version: ${KUSTOMIZE_VERSION}\n`;
    if (flags.bool('client')) return ok(client);
    const unavailable = apiUnavailable(ctx.state);
    if (unavailable) return { stdout: client, stderr: apiErrorText(unavailable), exitCode: 1 };
    const controlPlane = Object.values(ctx.state.nodes).find((n) => Object.hasOwn(n.metadata.labels, 'node-role.kubernetes.io/control-plane'));
    const server = controlPlane?.status.nodeInfo.kubeletVersion ?? CLIENT_VERSION;
    return ok(`${client}Server Version: ${server}\n`);
  },
};

export const explainCommand: KubectlSubcommand = {
  name: 'explain',
  short: 'Get documentation for a resource',
  usage: 'kubectl explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] [--output=plaintext|plaintext-openapiv2] [options]',
  completes: 'resources',
  flags: [
    { name: 'recursive', type: 'bool', usage: 'When true, print the name of all the fields recursively.' },
    { name: 'api-version', type: 'string', usage: 'Use given api-version (group/version) of the resource.' },
    { name: 'output', type: 'string', default: 'plaintext', usage: 'Format in which to render the schema.' },
  ],
  run: (_ctx, args, flags) => {
    if (args.length === 0) return fail('You must specify the type of resource to explain. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\n');
    const [typed, ...path] = args[0]!.split('.');
    const type = findResourceType(typed!);
    if (!type) return fail(unknownTypeError(typed!));
    if (hasExplanation(type)) {
      const r = explain(type, path, flags.bool('recursive'));
      return r.ok ? ok(r.text) : fail(r.error);
    }
    // Kinds outside the built-in schema (aggregated APIs, custom resources): their top-level fields only.
    if (path.length > 0) return fail(`error: field "${path[0]}" does not exist\n`);
    const group = type.group ? `GROUP:      ${type.group}\n` : '';
    const fields = ['apiVersion\t<string>', 'kind\t<string>', 'metadata\t<ObjectMeta>', `spec\t<${type.kind}Spec>`, `status\t<${type.kind}Status>`];
    return ok(`${group}KIND:       ${type.kind}\nVERSION:    ${type.apiVersion.split('/').at(-1)}\n\nDESCRIPTION:\n    <empty>\nFIELDS:\n${fields.map((f) => `  ${f}\n`).join('')}\n`);
  },
};
