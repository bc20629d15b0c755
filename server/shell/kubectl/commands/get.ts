// `kubectl get`: tables per kind (with -A, -o wide, --show-labels, -L), or any `-o` format.
import { WITH_STATUS } from '../discovery.js';
import { fail, ok, type StreamCursor } from '../../types.js';
import { ALL_NAMESPACES_FLAG } from '../flags.js';
import { OUTPUT_FLAGS, parseOutputFormat, printStructured, sortItems } from '../output.js';
import { labelsString, TABLES, tableHeaders } from '../printers.js';
import { noResourcesFound, queryObjects, SELECTOR_FLAGS, type Selected } from '../query.js';
import { ageChangesAt } from '../age.js';
import { tagObjects } from '../facts.js';
import { keptTable, listingChars } from '../listing.js';
import { getRaw } from './raw.js';
import { deprecationWarnings, qualifiedSingular, type KubeObject, type ResourceType } from '../resources.js';
import { renderColumns } from '../table.js';
import type { KubectlContext, KubectlSubcommand, ParsedFlags } from '../types.js';
import { MAX_WATCH_MS, requestTimeout, watchFor } from '../watching.js';
import { KUSTOMIZE_FLAG } from './kustomize-flag.js';
import { kustomizeObjects } from './kustomize.js';
import type { JsonObject } from '../manifest-fields.js';
import { resourceTypeByKind } from '../resources.js';
import type { CommandResult } from '../../types.js';

/**
 * `kubectl get -k DIR`: the built objects by name, as `get TYPE/NAME…` in each namespace they
 * name (the context's namespace for the others); kinds the cluster does not serve are refused.
 */
function getBuilt(ctx: KubectlContext, objects: JsonObject[], flags: ParsedFlags, warnings: string): CommandResult {
  const byNamespace = new Map<string, string[]>();
  let stderr = '';
  for (const obj of objects) {
    const type = typeof obj.kind === 'string' ? resourceTypeByKind(obj.kind) : undefined;
    const metadata = (obj.metadata ?? {}) as JsonObject;
    const name = typeof metadata.name === 'string' ? metadata.name : '';
    if (!type) {
      stderr += `error: resource mapping not found for name: "${name}" namespace: "" from "": no matches for kind "${String(obj.kind)}" in version "${String(obj.apiVersion)}"\nensure CRDs are installed first\n`;
      continue;
    }
    const ns = type.namespaced && typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : ctx.namespace;
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), `${type.plural}${type.group ? `.${type.group}` : ''}/${name}`]);
  }
  // The same flags without -k, so the listing is an ordinary `get TYPE/NAME…`.
  const named: ParsedFlags = {
    args: flags.args, argsLenAtDash: flags.argsLenAtDash,
    has: (n) => n !== 'kustomize' && flags.has(n), string: (n) => (n === 'kustomize' ? undefined : flags.string(n)),
    bool: (n) => flags.bool(n), int: (n) => flags.int(n), all: (n) => flags.all(n), values: flags.values,
  };
  const parts = [...byNamespace].map(([namespace, args]) => getCommand.run(Object.assign(Object.create(ctx) as KubectlContext, { namespace, namespaceExplicit: true }), args, named));
  return {
    stdout: parts.map((p) => p.stdout).filter((t) => t !== '').join('\n'),
    stderr: stderr + parts.map((p) => p.stderr).join(''),
    exitCode: stderr !== '' || parts.some((p) => p.exitCode !== 0) ? 1 : 0,
    stderrFirst: warnings,
  };
}

const NO_TYPE = `You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.

error: Required resource not specified.
Use "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).
See 'kubectl get -h' for help and examples
`;

export const getCommand: KubectlSubcommand = {
  name: 'get',
  short: 'Display one or many resources',
  usage: 'kubectl get [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file|custom-columns|custom-columns-file|wide] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags] [options]',
  completes: 'resources',
  flags: [
    ALL_NAMESPACES_FLAG,
    ...OUTPUT_FLAGS,
    ...SELECTOR_FLAGS,
    KUSTOMIZE_FLAG,
    { name: 'watch', short: 'w', type: 'bool', usage: 'After listing/getting the requested object, watch for changes.' },
    { name: 'watch-only', type: 'bool', usage: 'Watch for changes to the requested object(s), without listing/getting first.' },
    { name: 'output-watch-events', type: 'bool', usage: 'Output watch event objects when --watch or --watch-only is used. Existing objects are output as initial ADDED events.' },
    { name: 'ignore-not-found', type: 'bool', usage: 'If the requested object does not exist the command will return exit code 0.' },
    { name: 'chunk-size', type: 'int', default: '500', usage: 'Return large lists in chunks rather than all at once.' },
    { name: 'raw', type: 'string', usage: 'Raw URI to request from the server.  Uses the transport specified by the kubeconfig file.' },
    { name: 'show-kind', type: 'bool', usage: 'If present, list the resource type for the requested object(s).' },
    { name: 'subresource', type: 'string', usage: 'If specified, gets the subresource of the requested object. Must be one of [status scale]. This flag is beta and may change in the future.' },
  ],
  run: (ctx, args, flags) => {
    const raw = flags.string('raw');
    if (raw !== undefined) {
      if (args.length > 0) return fail('error: arguments may not be passed when --raw is specified\n');
      return getRaw(ctx.state, raw);
    }
    const kustomized = kustomizeObjects(ctx, flags);
    if (kustomized && !kustomized.ok) return kustomized.result;
    if (kustomized) {
      if (args.length > 0) return fail(`error: Unexpected args: [${args.join(' ')}]\nSee 'kubectl get -h' for help and examples\n`);
      return getBuilt(ctx, kustomized.objects, flags, kustomized.stderr);
    }
    if (args.length === 0) return fail(NO_TYPE);
    const format = parseOutputFormat(flags.string('output'));
    if (!format.ok) return fail(format.error);
    const subresource = flags.string('subresource') ?? '';
    if (subresource !== '' && subresource !== 'status' && subresource !== 'scale') return fail(`error: invalid subresource value: ${JSON.stringify(subresource)}. Must be one of [status scale]\n`);
    // (The apiserver prints a Scale with its parent's table convertor; not simulated here.)
    if (subresource === 'scale') return fail('error: kubedrill does not print the scale subresource; try kubectl get --raw /apis/apps/v1/namespaces/NAMESPACE/deployments/NAME/scale\n');
    // The client is configured (its --request-timeout read) before any request.
    const timeout = requestTimeout(flags);
    if ('error' in timeout) return fail(timeout.error);
    const query = queryObjects(ctx, args, flags);
    if (!query.ok) return fail(query.error);
    // The status subresource is the object itself, printed the same; a kind without one is the apiserver's NotFound.
    if (subresource === 'status' && query.result.types.some((t) => !WITH_STATUS.has(t.kind))) return fail('Error from server (NotFound): the server could not find the requested resource\n');
    if (ctx.resume?.kind === 'get') {
      const rows = changedRows(ctx, flags, query.result.items, query.result.types.length > 1, ctx.resume);
      // The watch request ran out its --request-timeout: the apiserver closes it, and get.go's watch returns nil (exit 0, nothing said).
      const ended = ctx.resume.until !== undefined && ctx.state.now >= ctx.resume.until;
      return ended ? { ...ok(rows), streamEnded: true } : ok(rows);
    }
    const { byName, types, errors } = query.result;
    let items = query.result.items;
    const sortBy = flags.string('sort-by');
    // The objects' JSON is built whole (to sort by a path, to print it) before it is charged as
    // printed: refused first when it could not be printed within the line's budget.
    if (sortBy || (format.format.kind !== 'table' && format.format.kind !== 'name')) ctx.budget.ensure(listingChars(ctx.state, items, ctx.budget.remaining));
    if (sortBy) {
      const sorted = sortItems(ctx.state, items, sortBy, ctx.budget);
      if (!sorted.ok) return fail(sorted.error);
      items = sorted.items;
    }
    // Each kind's objects in listing order, once: observation finds the rows evidence names by binary search.
    const ordered = !byName && !sortBy && new Set(types).size === types.length;
    const exitCode = errors === '' || flags.bool('ignore-not-found') ? 0 : 1;
    const warnings = deprecationWarnings(types);
    const stderr = flags.bool('ignore-not-found') ? '' : errors;

    if (format.format.kind !== 'table') {
      if (items.length === 0 && !byName && (format.format.kind === 'name' || format.format.kind === 'custom-columns')) {
        return { stdout: '', stderr: noResourcesFound(ctx, types), ...warnings, exitCode: 0 };
      }
      // get.go printGeneric: one TYPE NAME (or TYPE/NAME) is a single item implied, whose error is
      // returned alone; --ignore-not-found drops NotFound, and nothing found then prints nothing.
      const implied = byName && !args[0]!.includes(',') && (args.length === 1 ? args[0]!.includes('/') : args.length === 2 && !args[0]!.includes('/'));
      if (items.length === 0 && byName && (implied || flags.bool('ignore-not-found'))) return { stdout: '', stderr, ...warnings, exitCode };
      const single = byName && items.length === 1 && args.length <= 2 && !args[0]!.includes(',');
      const printed = printStructured(ctx.state, items, format.format, { single, noHeaders: flags.bool('no-headers'), budget: ctx.budget, managedFields: flags.bool('show-managed-fields') });
      if (!printed.ok) return fail(printed.error);
      tagObjects(ctx, items, printed.text, 'structured', ordered);
      return { stdout: printed.text, stderr, ...warnings, exitCode, ...(printed.json ? { json: printed.json } : {}) };
    }
    if (items.length === 0) {
      return { stdout: '', stderr: byName ? stderr : noResourcesFound(ctx, types), ...warnings, exitCode };
    }
    const withKind = types.length > 1 || flags.bool('show-kind');
    const wide = format.format.kind === 'table' && format.format.wide;
    let stdout = (types.length === 1 ? [items] : types.map((type) => items.filter((i) => i.type === type)))
      .filter((group) => group.length > 0)
      .map((group) => printTable(ctx, group[0]!.type, group, flags, wide, withKind))
      .join('\n');
    tagObjects(ctx, items, stdout, 'table', ordered);
    // --output-watch-events: the listing is the watch's initial ADDED events (EVENT and ADDED are as wide).
    if (flags.bool('watch') && flags.bool('output-watch-events') && format.format.kind === 'table') {
      const lines = stdout.split('\n');
      // A table's first line (the start, or after the blank line between kinds) is its header.
      const header = (i: number): boolean => !flags.bool('no-headers') && (i === 0 || lines[i - 1] === '');
      stdout = lines.map((line, i) => (line === '' ? line : `${header(i) ? 'EVENT' : 'ADDED'}   ${line}`)).join('\n');
    }
    if (flags.bool('watch')) {
      const cursor: Extract<StreamCursor, { kind: 'get' }> = {
        kind: 'get' as const,
        ...(timeout.ms > 0 ? { until: ctx.state.now + timeout.ms } : {}),
        versions: Object.fromEntries(items.map((i) => [i.obj.metadata.uid, i.obj.metadata.resourceVersion])),
        // The rows as last printed: a DELETED event prints the object's final state.
        rows: Object.fromEntries(items.map((i) => [i.obj.metadata.uid, rowCells(ctx, i.type, flags, wide, withKind)(i.obj)])),
      };
      // At a terminal it goes on until Ctrl-C; elsewhere simulated time passes here, bounded.
      if (ctx.follow) ctx.follow(cursor);
      else {
        watchFor(ctx.passTime, () => {
          const now = queryObjects(ctx, args, flags);
          if (now.ok) stdout += changedRows(ctx, flags, now.result.items, types.length > 1, cursor);
          return !now.ok;
        }, timeout.ms > 0 ? Math.min(timeout.ms, MAX_WATCH_MS) : undefined);
      }
    }
    return { stdout, stderr, ...warnings, exitCode };
  },
};

/**
 * `get -w`: a row for each object written since it was last printed (or new), and the last row
 * of each one gone (deleted, or no longer matching the selector: the watch sends DELETED), as
 * kubectl prints watch events: no header, each row laid out on its own. The cursor moves on.
 */
function changedRows(ctx: KubectlContext, flags: ParsedFlags, items: Selected[], manyTypes: boolean, cursor: Extract<StreamCursor, { kind: 'get' }>): string {
  const { versions } = cursor;
  const rows = (cursor.rows ??= {});
  const format = parseOutputFormat(flags.string('output'));
  const wide = format.ok && format.format.kind === 'table' && format.format.wide;
  const withKind = manyTypes || flags.bool('show-kind');
  const events = flags.bool('output-watch-events');
  let out = '';
  for (const item of items) {
    const { uid, resourceVersion } = item.obj.metadata;
    if (versions[uid] === resourceVersion) continue;
    const event = versions[uid] === undefined ? 'ADDED' : 'MODIFIED';
    versions[uid] = resourceVersion;
    const row = rowCells(ctx, item.type, flags, wide, withKind)(item.obj);
    rows[uid] = row;
    out += renderColumns(undefined, (events ? [event, ...row] : row).map((cell) => [cell]));
  }
  if (Object.keys(versions).length > items.length || items.some((i) => versions[i.obj.metadata.uid] === undefined)) {
    const present = new Set(items.map((i) => i.obj.metadata.uid));
    for (const uid of Object.keys(versions)) {
      if (present.has(uid)) continue;
      const row = rows[uid];
      if (row) out += renderColumns(undefined, (events ? ['DELETED', ...row] : row).map((cell) => [cell]));
      delete versions[uid];
      delete rows[uid];
    }
  }
  return out;
}

/** The cells of one object's row, in the columns the flags ask for. */
function rowCells(ctx: KubectlContext, type: ResourceType, flags: ParsedFlags, wide: boolean, withKind: boolean): (obj: KubeObject) => string[] {
  const table = TABLES[type.kind]!;
  const labelColumns = flags.all('label-columns').flatMap((v) => v.split(',')).filter((v) => v !== '');
  const showNamespace = ctx.allNamespaces && type.namespaced;
  const showLabels = flags.bool('show-labels');
  return (obj) => {
    const own = table.row(ctx.state, obj, wide);
    // The NAME column (first for every kind but events) carries the kind in multi-type listings.
    if (withKind && table.headers[0] === 'NAME') own[0] = `${qualifiedSingular(type)}/${own[0]}`;
    return [
      ...(showNamespace ? [obj.metadata.namespace ?? ''] : []),
      ...own,
      ...labelColumns.map((l) => obj.metadata.labels[l] ?? ''),
      ...(showLabels ? [labelsString(obj.metadata.labels)] : []),
    ];
  };
}

function printTable(ctx: KubectlContext, type: ResourceType, items: Selected[], flags: ParsedFlags, wide: boolean, withKind: boolean): string {
  const table = TABLES[type.kind]!;
  const labelColumns = flags.all('label-columns').flatMap((v) => v.split(',')).filter((v) => v !== '');
  const showNamespace = ctx.allNamespaces && type.namespaced;
  const showLabels = flags.bool('show-labels');
  const headers = [
    ...(showNamespace ? ['NAMESPACE'] : []),
    ...tableHeaders(table, wide),
    ...labelColumns.map((l) => (l.split('/').at(-1) ?? l).toUpperCase()),
    ...(showLabels ? ['LABELS'] : []),
  ];
  const cells = rowCells(ctx, type, flags, wide, withKind);
  const shownHeaders = flags.bool('no-headers') ? undefined : headers;
  // A listing's table is kept between commands: only rows whose object was written or whose
  // age ticked over are built again (listing.ts).
  const objects = items.map((i) => i.obj);
  // What the table shows; the headers follow from these flags but for label columns (JSON.stringify of them all was ~2% of a listing).
  const variant = labelColumns.length === 0 ? `${showNamespace} ${wide} ${showLabels} ${withKind}` : JSON.stringify([headers, labelColumns, withKind]);
  const kept = keptTable(ctx.state, type, objects, variant, headers.length)?.render(shownHeaders, ctx.state.now, (i) => ({
    cells: cells(objects[i]!),
    validUntil: Math.min(...table.clock(objects[i]!).map((at) => ageChangesAt(ctx.state, at))),
  }));
  if (kept !== undefined) return kept;
  // One array per column, filled row by row: nothing per row outlives its loop step.
  const columns: string[][] = headers.map(() => new Array<string>(items.length));
  for (let i = 0; i < items.length; i++) {
    const row = cells(items[i]!.obj);
    for (let j = 0; j < row.length; j++) columns[j]![i] = row[j]!;
  }
  return renderColumns(shownHeaders, columns);
}
