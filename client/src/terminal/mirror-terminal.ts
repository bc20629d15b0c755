// A read-only terminal showing one player's session (host console, spectators, replay).
// Everything in it came from a player (typed lines, and output their commands printed, e.g.
// `printf '\e[2K'`), so it is written with control characters shown, never obeyed: a
// player cannot erase a line of the watcher's screen or draw a fake prompt on it.
import { showControls, type TerminalEntry } from '../../../server/protocol/index.js';
import { createTerminal, entryPrompt, entryText, visibleEntries, type FittedTerminal } from './xterm.js';

export class MirrorTerminal {
  private readonly fitted: FittedTerminal;
  private lastSeq = 0;

  constructor(container: HTMLElement, options: { fontSize?: number } = {}) {
    this.fitted = createTerminal(container, { readOnly: true, fontSize: options.fontSize ?? 12 });
  }

  /** Redraws from scratch: the screen after these entries. */
  load(entries: readonly TerminalEntry[]): void {
    this.fitted.term.reset();
    this.lastSeq = 0;
    for (const { entry, echo } of visibleEntries(entries)) this.write(entry, echo);
  }

  append(entry: TerminalEntry): void {
    if (entry.seq <= this.lastSeq) return;
    if (entry.clear) this.fitted.term.write('\x1b[H\x1b[2J\x1b[3J');
    this.write(entry, !entry.clear);
  }

  /** More output of the latest entry's command, still running. */
  appendOutput(text: string): void {
    this.fitted.term.write(showControls(text, true));
  }

  dispose(): void {
    this.fitted.dispose();
  }

  /** What assistive technology calls this terminal (xterm's own label is "Terminal input"). */
  label(text: string): void {
    this.fitted.term.textarea?.setAttribute('aria-label', text);
  }

  private write(entry: TerminalEntry, echo: boolean): void {
    this.lastSeq = Math.max(this.lastSeq, entry.seq);
    // Typed lines stand out from output: the prompt in green, the line in bold.
    const prompt = showControls(entryPrompt(entry));
    const line = showControls(entry.line, true);
    this.fitted.term.write(echo ? `\x1b[32m${prompt}\x1b[0m\x1b[1m${line}\x1b[0m\n` : '');
    this.fitted.term.write(entryText({ ...entry, output: showControls(entry.output, true) }, '', false));
  }
}
