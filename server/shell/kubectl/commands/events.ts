// `kubectl events` (the newer command): events sorted by last seen, `--for TYPE/NAME`, `--types`.
import type { ClusterEvent } from '../../../cluster/types.js';
import { fail } from '../../types.js';
import { tagEvents } from '../facts.js';
import { ALL_NAMESPACES_FLAG } from '../flags.js';
import { OUTPUT_FLAGS, parseOutputFormat, printStructured } from '../output.js';
import { eventInterval } from '../printers.js';
import { listNamespace } from '../query.js';
import { findResourceType, unknownTypeError } from '../resources.js';
import { renderTable } from '../table.js';
import type { KubectlSubcommand } from '../types.js';

export const eventsCommand: KubectlSubcommand = {
  name: 'events',
  short: 'List events',
  usage: 'kubectl events [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file] [--for TYPE/NAME] [--watch] [--event=Normal,Warning] [options]',
  flags: [
    ALL_NAMESPACES_FLAG,
    OUTPUT_FLAGS[0]!,
    OUTPUT_FLAGS[1]!,
    { name: 'for', type: 'string', usage: 'Filter events to only those pertaining to the specified resource.' },
    { name: 'types', type: 'stringArray', usage: 'Output only events of given types.' },
    { name: 'watch', short: 'w', type: 'bool', usage: 'After listing the requested events, watch for more events.' },
    { name: 'chunk-size', type: 'int', default: '500', usage: 'Return large lists in chunks rather than all at once.' },
  ],
  run: (ctx, args, flags) => {
    if (args.length > 0) return fail(`error: unknown command "${args[0]}" for "kubectl events"\n`);
    let events: ClusterEvent[] = ctx.state.events.filter((e) => ctx.allNamespaces || e.metadata.namespace === listNamespace(ctx));
    const forArg = flags.string('for');
    if (forArg) {
      const [typed, name] = forArg.includes('/') ? forArg.split('/', 2) as [string, string] : ['pod', forArg];
      const type = findResourceType(typed);
      if (!type) return fail(unknownTypeError(typed));
      events = events.filter((e) => e.involvedObject.kind === type.kind && e.involvedObject.name === name);
    }
    const types = flags.all('types').flatMap((t) => t.split(',')).map((t) => t.toLowerCase());
    const unknownType = types.find((t) => t !== 'normal' && t !== 'warning');
    if (unknownType) return fail(`error: valid --types are Normal or Warning\n`);
    if (types.length > 0) events = events.filter((e) => types.includes(e.type.toLowerCase()));
    events = [...events].sort((a, b) => a.lastTimestamp - b.lastTimestamp);

    const format = parseOutputFormat(flags.string('output'));
    if (!format.ok) return fail(format.error);
    const eventType = findResourceType('events')!;
    if (format.format.kind !== 'table') {
      const printed = printStructured(ctx.state, events.map((obj) => ({ type: eventType, obj })), format.format, { single: false, noHeaders: flags.bool('no-headers'), budget: ctx.budget });
      if (!printed.ok) return fail(printed.error);
      if (ctx.facts) tagEvents(ctx.facts, events, printed.text);
      return { stdout: printed.text, stderr: '', exitCode: 0 };
    }
    if (events.length === 0) {
      return { stdout: '', stderr: ctx.allNamespaces ? 'No events found.\n' : `No events found in ${ctx.namespace} namespace.\n`, exitCode: 0 };
    }
    const headers = [...(ctx.allNamespaces ? ['NAMESPACE'] : []), 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'];
    const rows = events.map((e) => [
      ...(ctx.allNamespaces ? [e.metadata.namespace ?? ''] : []),
      // event_printer.go printOneEvent: the kind as the API spells it.
      eventInterval(ctx.state, e), e.type, e.reason, `${e.involvedObject.kind}/${e.involvedObject.name}`, e.message.trim(),
    ]);
    const stdout = renderTable(flags.bool('no-headers') ? undefined : headers, rows);
    if (ctx.facts) tagEvents(ctx.facts, events, stdout);
    return { stdout, stderr: '', exitCode: 0 };
  },
};
