// The player's own terminal: xterm.js for display, LineEditor for the typed line, the
// server for running lines (`cmd:run`) and Tab completion (`cmd:complete`). Keys typed
// while a command runs are kept and replayed after it, like a real terminal's type-ahead.
import type { CommandAck, CompleteAck, TerminalEntry } from '../../../server/protocol/index.js';
import { editLine, needsMoreInput } from '../../../server/shell/parse.js';
import type { AckResult } from '../net/connection.js';
import { LineEditor, columns, completionEdit, redrawSequence } from './line-editor.js';
import { createTerminal, entryPrompt, entryText, visibleEntries, type FittedTerminal } from './xterm.js';

export type EditRequest = NonNullable<CommandAck['edit']>;

export interface PlayerTerminalOptions {
  run(line: string): Promise<AckResult<CommandAck>>;
  complete(line: string, cursor: number): Promise<AckResult<CompleteAck>>;
  /** Text was pasted into the terminal (interview integrity signal). */
  onPaste(chars: number): void;
  /** `kubectl edit`: resolves with the edited YAML, or undefined when cancelled. */
  onEdit(edit: EditRequest): Promise<string | undefined>;
  /** Ctrl-C while a command streams (`kubectl get -w`, `watch`…). */
  interrupt(): void;
}

const KEYS: Record<string, (t: PlayerTerminal) => void> = {
  '\x1b[D': (t) => t.edit((e) => e.left()),
  '\x1b[C': (t) => t.edit((e) => e.right()),
  '\x1b[A': (t) => t.edit((e) => e.up()),
  '\x1b[B': (t) => t.edit((e) => e.down()),
  '\x1b[H': (t) => t.edit((e) => e.home()),
  '\x1bOH': (t) => t.edit((e) => e.home()),
  '\x1b[1~': (t) => t.edit((e) => e.home()),
  '\x1b[F': (t) => t.edit((e) => e.end()),
  '\x1bOF': (t) => t.edit((e) => e.end()),
  '\x1b[4~': (t) => t.edit((e) => e.end()),
  '\x1b[3~': (t) => t.edit((e) => e.delete()),
};

export class PlayerTerminal {
  private readonly fitted: FittedTerminal;
  private readonly editor = new LineEditor();
  private prompt = '$ ';
  private cursorRow = 0;
  private busy = false;
  private typeahead = '';
  /** Line sent and not yet answered: its broadcast event must not print twice. */
  private pendingLine: string | undefined;
  /** Lines typed so far of a command still open (a quote, a here-document, `for` without `done`). */
  private continued = '';
  private readonly printed = new Set<number>();
  /** A command of ours goes on printing until Ctrl-C or its end: no prompt, keys other than ^C do nothing. */
  private streaming = false;

  constructor(container: HTMLElement, private readonly options: PlayerTerminalOptions) {
    this.fitted = createTerminal(container, { keys: (event) => this.browserKey(event) });
    const { term } = this.fitted;
    term.onData((data) => this.input(data));
    term.textarea?.addEventListener('paste', (event) => {
      const text = event.clipboardData?.getData('text') ?? '';
      if (text) options.onPaste(text.length);
    });
  }

  get term() {
    return this.fitted.term;
  }

  focus(): void {
    this.fitted.term.focus();
  }

  /** Keys from outside the keyboard (the touch key bar), as if typed. */
  send(data: string): void {
    this.input(data);
  }

  dispose(): void {
    this.fitted.dispose();
  }

  /** Prints the history (after the last clear) and the current prompt. */
  load(entries: readonly TerminalEntry[], prompt: string, streaming = false): void {
    const { term } = this.fitted;
    term.reset();
    this.printed.clear();
    for (const e of entries) this.printed.add(e.seq);
    for (const { entry, echo } of visibleEntries(entries)) term.write(entryText(entry, entryPrompt(entry), echo));
    this.editor.setHistory(entries.map((e) => e.line));
    this.prompt = prompt;
    this.cursorRow = 0;
    this.streaming = streaming;
    if (!streaming) this.redraw();
  }

  /** Our running command printed more; `ended`: it stopped by itself and the prompt is back. */
  streamOutput(text: string, ended: boolean): void {
    if (!this.streaming) return;
    this.fitted.term.write(text);
    if (ended) this.streamStopped();
  }

  /** Ctrl-C reached the command: `^C`, then the prompt. */
  streamInterrupted(): void {
    if (!this.streaming) return;
    this.fitted.term.write('^C\r\n');
    this.streamStopped();
  }

  private streamStopped(): void {
    this.streaming = false;
    this.cursorRow = 0;
    this.redraw();
    this.drainTypeahead();
  }

  /** A command of ours that this tab did not type (another tab, or missed while offline). */
  showEntry(entry: TerminalEntry): void {
    if (this.printed.has(entry.seq)) return;
    if (this.pendingLine === entry.line) return; // our own; the ack prints it
    this.printed.add(entry.seq);
    this.fitted.term.write(`\r\x1b[J${entryText(entry, entry.prompt ?? this.prompt)}`);
    this.cursorRow = 0;
    this.redraw();
  }

  /** Internal: applies an editing step and redraws the line. */
  edit(step: (editor: LineEditor) => void): void {
    step(this.editor);
    this.redraw();
  }

  private redraw(): void {
    const prompt = this.continued === '' ? this.prompt : '> '; // bash's PS2
    const { data, cursorRow } = redrawSequence(prompt, this.editor.buffer, this.editor.cursor, this.fitted.term.cols, this.cursorRow);
    this.cursorRow = cursorRow;
    this.fitted.term.write(data);
  }

  /** Moves below the typed line so output starts on a fresh row. */
  private leaveLine(suffix = ''): void {
    this.edit((e) => e.end());
    this.fitted.term.write(`${suffix}\r\n`);
    this.cursorRow = 0;
  }

  private browserKey(event: KeyboardEvent): boolean {
    if (event.type !== 'keydown') return true;
    const mod = event.ctrlKey || event.metaKey;
    // Ctrl-C with a selection copies (the terminal way is Ctrl-Shift-C, which also works).
    if (mod && event.key.toLowerCase() === 'c' && (event.shiftKey || this.fitted.term.hasSelection())) {
      void navigator.clipboard?.writeText(this.fitted.term.getSelection()).catch(() => undefined);
      return false;
    }
    // Let the browser paste (xterm receives the paste event); do not send ^V.
    if (mod && event.key.toLowerCase() === 'v') return false;
    return true;
  }

  private input(data: string): void {
    if (this.streaming) {
      if (data.includes('\x03')) this.options.interrupt();
      return;
    }
    if (this.busy) {
      this.typeahead += data;
      return;
    }
    const known = KEYS[data];
    if (known) return known(this);
    if (data.startsWith('\x1b')) return; // other escape sequences (F-keys, Alt-…) do nothing
    // Printable runs (a paste) are inserted at once; control characters act one by one.
    let text = '';
    const flush = () => {
      if (text) this.edit((e) => e.insert(text));
      text = '';
    };
    for (let i = 0; i < data.length; i++) {
      const ch = data[i]!;
      if (ch === '\r' || ch === '\n') {
        flush();
        this.typeahead = data.slice(data[i + 1] === '\n' && ch === '\r' ? i + 2 : i + 1);
        void this.enter();
        return;
      }
      if (ch.charCodeAt(0) >= 32 && ch !== '\x7f') {
        text += ch;
        continue;
      }
      flush();
      this.control(ch);
    }
    flush();
  }

  private control(ch: string): void {
    switch (ch) {
      case '\x7f':
      case '\b':
        return this.edit((e) => e.backspace());
      case '\x03':
        this.leaveLine('^C');
        this.editor.reset();
        this.continued = '';
        return this.redraw();
      case '\x04':
        // Ctrl-D: on an empty line the shell ends (`exit`: back out of a container or node); else it deletes, as readline does.
        if (this.editor.buffer !== '' || this.continued !== '') return this.edit((e) => e.delete());
        this.edit((e) => e.insert('exit'));
        return void this.enter();
      case '\x0c':
        this.fitted.term.write('\x1b[H\x1b[2J');
        this.cursorRow = 0;
        return this.redraw();
      case '\t':
        return void this.tab();
      case '\x01':
        return this.edit((e) => e.home());
      case '\x05':
        return this.edit((e) => e.end());
      case '\x15':
        return this.edit((e) => e.killToStart());
      case '\x17':
        return this.edit((e) => e.killWord());
    }
  }

  private async enter(): Promise<void> {
    this.leaveLine();
    const typed = this.editor.buffer;
    const line = this.continued === '' ? typed : `${this.continued}\n${typed}`;
    const more = needsMoreInput(line);
    // ↑ recalls one-line commands only: the editor holds one line, not the pieces of a longer one.
    this.editor.submit(this.continued === '' && !more);
    if (line.trim() === '') {
      this.redraw();
      return this.drainTypeahead();
    }
    // Something is still open: ask for the next line, like bash, and send the whole text then.
    this.continued = more ? line : '';
    if (this.continued !== '') {
      this.redraw();
      return this.drainTypeahead();
    }
    await this.runLine(line);
  }

  private async runLine(line: string): Promise<void> {
    this.busy = true;
    this.pendingLine = line;
    const ack = await this.options.run(line);
    this.pendingLine = undefined;
    const { term } = this.fitted;
    if (!ack.ok) {
      term.write(`\x1b[2mkubedrill: ${ack.error.message}\x1b[0m\r\n`);
    } else {
      this.printed.add(ack.seq);
      if (ack.clear) term.write('\x1b[H\x1b[2J\x1b[3J');
      term.write(entryText({ seq: ack.seq, line, output: ack.output, exitCode: ack.exitCode }, '', false));
      this.prompt = ack.prompt;
      if (ack.streaming) {
        // The output goes on (room events) until Ctrl-C or its end; the prompt waits.
        this.busy = false;
        this.streaming = true;
        this.typeahead = '';
        return;
      }
      if (ack.edit) {
        const text = await this.options.onEdit(ack.edit);
        this.focus();
        if (text !== undefined) {
          // The save is one command in the log (`vi f <<'…'`); the terminal shows it short.
          const lines = text === '' ? 0 : text.replace(/\n$/, '').split('\n').length;
          term.write(`${this.prompt}${ack.edit.save}  \x1b[2m(saved ${lines} line${lines === 1 ? '' : 's'})\x1b[0m\r\n`);
          this.busy = false;
          return this.runLine(editLine(ack.edit.save, text));
        }
        if (ack.edit.save.startsWith('kubectl ')) term.write(`Edit cancelled, no changes made.\r\n`);
      }
    }
    this.busy = false;
    this.cursorRow = 0;
    this.redraw();
    this.drainTypeahead();
  }

  private drainTypeahead(): void {
    const pending = this.typeahead;
    this.typeahead = '';
    if (pending) this.input(pending);
  }

  private async tab(): Promise<void> {
    const line = this.editor.buffer;
    const cursor = this.editor.cursor;
    this.busy = true;
    const ack = await this.options.complete(line, cursor);
    this.busy = false;
    // The line changed while we waited (a reply from a slow server): ignore it.
    if (!ack.ok || this.editor.buffer !== line || this.editor.cursor !== cursor) return this.drainTypeahead();
    const word = line.slice(ack.from, cursor);
    const { insert, list } = completionEdit(word, ack.candidates);
    if (insert !== undefined) this.editor.replace(ack.from, insert);
    if (list) {
      this.leaveLine();
      this.fitted.term.write(`${columns(list, this.fitted.term.cols).join('\r\n')}\r\n`);
    } else if (insert === undefined) {
      this.fitted.term.write('\x07');
    }
    this.redraw();
    this.drainTypeahead();
  }
}
