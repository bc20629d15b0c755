// What a room keeps of its command outputs in memory. Every output stays in the log; a
// terminal keeps the outputs of its latest commands up to a budget and replaces older ones
// with a short notice, so typing large outputs cannot grow a room without bound. Part of the
// fold (reducer), so live play and replay trim alike.
import { factKey, type Fact } from '../cluster/facts.js';
import type { ViewerEvent } from '../protocol/index.js';
import type { Terminal } from './state.js';

/** Output characters one terminal keeps (about 1–2 MB). The latest command's output is always kept whole. */
export const RETAINED_OUTPUT_CHARS = 1_000_000;

/** The report and replays show what the terminals keep, so the notice sends nobody to them. */
export const droppedOutput = (chars: number): string => `[output not kept: ${chars} characters; a terminal keeps its latest outputs]\n`;

/** Called after an entry was pushed: drops the oldest outputs while the terminal is over budget. */
export function keepOutputWithinBudget(terminal: Terminal): void {
  const latest = terminal.entries.at(-1);
  if (latest) terminal.retainedChars += latest.output.length;
  trim(terminal);
}

/** A running command printed more: its entry (the latest) grows, with the facts the new text showed. */
export function appendOutput(terminal: Terminal, text: string, observed: readonly Fact[] = []): void {
  const latest = terminal.entries.at(-1);
  if (!latest || text === '') return;
  if (observed.length > 0) {
    const seen = new Set((latest.observed ?? []).map(factKey));
    latest.observed = [...(latest.observed ?? []), ...observed.filter((f) => !seen.has(factKey(f)))];
  }
  latest.output += text;
  latest.streamed = true;
  terminal.retainedChars += text.length;
  trim(terminal);
}

function trim(terminal: Terminal): void {
  for (let i = terminal.trimmedUpTo; terminal.retainedChars > RETAINED_OUTPUT_CHARS && i < terminal.entries.length - 1; i++) {
    const entry = terminal.entries[i]!;
    const notice = droppedOutput(entry.output.length);
    if (notice.length < entry.output.length) {
      terminal.retainedChars -= entry.output.length - notice.length;
      entry.output = notice;
    }
    terminal.trimmedUpTo = i + 1;
  }
}

/**
 * The events a resume, a replay or a report answers with, oldest first, their outputs kept
 * as a terminal keeps them: past `budget` characters the oldest outputs become the notice. A log holds every output
 * whole (200 lines of 256 KiB: 52 MB, answered in full to every resume that asked from 0).
 */
export class RetainedEvents<E extends ViewerEvent = ViewerEvent> {
  readonly events: E[] = [];
  private chars = 0;
  private trimmedUpTo = 0;

  constructor(private readonly budget: number) {}

  push(event: E): void {
    this.events.push(event);
    this.chars += outputOf(event).length;
    for (; this.chars > this.budget && this.trimmedUpTo < this.events.length - 1; this.trimmedUpTo++) {
      const old = this.events[this.trimmedUpTo]!;
      const output = outputOf(old);
      const notice = droppedOutput(output.length);
      if (notice.length >= output.length) continue;
      this.chars -= output.length - notice.length;
      this.events[this.trimmedUpTo] = { ...old, output: notice } as E;
    }
  }
}

const outputOf = (event: ViewerEvent): string => (event.type === 'command' || event.type === 'command.output' ? event.output : '');
