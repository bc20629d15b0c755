// One place that creates xterm.js terminals with the app's look, fitted to their box.
import { Terminal, type ITerminalOptions } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { TerminalEntry } from '../../../server/protocol/index.js';

const THEME: ITerminalOptions['theme'] = {
  background: '#0d1117',
  foreground: '#d7dde5',
  cursor: '#7ee787',
  selectionBackground: '#264f78',
  black: '#0d1117', red: '#ff7b72', green: '#7ee787', yellow: '#e3b341', blue: '#79c0ff', magenta: '#d2a8ff', cyan: '#76e3ea', white: '#d7dde5',
  brightBlack: '#8b949e', brightRed: '#ffa198', brightGreen: '#aff5b4', brightYellow: '#f8e3a1', brightBlue: '#a5d6ff', brightMagenta: '#e2c5ff', brightCyan: '#b3f0ff', brightWhite: '#ffffff',
};

const WANTED_COLS = 80;
const MIN_FONT = 9;

export interface FittedTerminal {
  term: Terminal;
  dispose(): void;
}

export function createTerminal(container: HTMLElement, options: { readOnly?: boolean; fontSize?: number } = {}): FittedTerminal {
  const term = new Terminal({
    theme: THEME,
    fontFamily: '"DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, monospace',
    fontSize: options.fontSize ?? 14,
    lineHeight: 1.15,
    convertEol: true, // the shell prints '\n'; a terminal needs '\r\n'
    scrollback: 5000,
    cursorBlink: !options.readOnly,
    disableStdin: options.readOnly ?? false,
    cursorInactiveStyle: options.readOnly ? 'none' : 'outline',
    allowProposedApi: false,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(container);
  const baseFont = options.fontSize ?? 14;
  // kubectl tables want 80 columns: in a narrow box, shrink the font (down to MIN_FONT)
  // before letting lines wrap.
  const refit = () => {
    if (container.clientWidth <= 0 || container.clientHeight <= 0) return;
    if (term.options.fontSize !== baseFont) term.options.fontSize = baseFont;
    const cols = fit.proposeDimensions()?.cols ?? WANTED_COLS;
    if (cols < WANTED_COLS) term.options.fontSize = Math.max(MIN_FONT, Math.floor((baseFont * cols) / WANTED_COLS));
    fit.fit();
  };
  refit();
  const observer = new ResizeObserver(() => refit());
  observer.observe(container);
  return {
    term,
    dispose: () => {
      observer.disconnect();
      term.dispose();
    },
  };
}

/** Entries shown on screen: those after the last `clear`, which itself shows only its output. */
export function visibleEntries(entries: readonly TerminalEntry[]): { entry: TerminalEntry; echo: boolean }[] {
  const lastClear = entries.findLastIndex((e) => e.clear);
  return entries.slice(Math.max(0, lastClear)).map((entry, i) => ({ entry, echo: !(i === 0 && entry.clear) }));
}

/** The text a terminal shows for one entry: the prompt and line, then the output. */
export function entryText(entry: TerminalEntry, prompt: string, echo = true): string {
  const output = entry.output === '' || entry.output.endsWith('\n') ? entry.output : `${entry.output}\n`;
  // The lines after the first of a command of several lines were typed at bash's `> `.
  return `${echo ? `${prompt}${entry.line.replace(/\n/g, '\n> ')}\n` : ''}${output}`;
}

/** The prompt an entry was typed at; `$ ` for entries of logs written before prompts were recorded. */
export const entryPrompt = (entry: TerminalEntry): string => entry.prompt ?? '$ ';
