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
/** The element (in every room header) that tells how to leave a terminal. */
export const TERMINAL_HELP_ID = 'terminal-keys-help';
const MIN_FONT = 9;

export interface FittedTerminal {
  term: Terminal;
  dispose(): void;
}

const SCREEN_READER_KEY = 'kubedrill:screen-reader';
const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'Meta']);
/** Terminals on screen, so the screen-reader setting applies to them at once. */
const live = new Set<Terminal>();

/** xterm's screen-reader mode (an accessible copy of the rows that assistive technology reads): a setting kept in this browser. */
export const screenReaderMode = (): boolean => localStorage.getItem(SCREEN_READER_KEY) === 'on';

export function setScreenReaderMode(on: boolean): void {
  localStorage.setItem(SCREEN_READER_KEY, on ? 'on' : 'off');
  for (const term of live) term.options.screenReaderMode = on;
}

/** How a keyboard leaves a terminal (which otherwise keeps Tab for completion), as VS Code does. */
export const TERMINAL_KEYS_HELP = 'In the terminal, press Esc then Tab (or Shift+Tab) to move to the next control; Tab back or click to type again.';

/**
 * `keys`: the owner's own key handler (false: xterm ignores the key). Esc then Tab is
 * never the terminal's: the browser moves focus on; nor is Tab in a read-only terminal
 * (a mirror has no completion, and a keyboard user tabbing through a host's tiles must get past them).
 */
export function createTerminal(container: HTMLElement, options: { readOnly?: boolean; fontSize?: number; keys?: (event: KeyboardEvent) => boolean } = {}): FittedTerminal {
  const term = new Terminal({
    screenReaderMode: screenReaderMode(),
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
  live.add(term);
  let escaped = false;
  term.attachCustomKeyEventHandler((event) => {
    if (event.type !== 'keydown') return options.keys?.(event) ?? true;
    if (event.key === 'Tab' && (escaped || options.readOnly)) {
      escaped = false;
      return false;
    }
    // Shift (for Shift+Tab) between the two keys keeps the way out open.
    if (!MODIFIERS.has(event.key)) escaped = event.key === 'Escape';
    return options.keys?.(event) ?? true;
  });
  term.textarea?.setAttribute('aria-describedby', TERMINAL_HELP_ID);
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
      live.delete(term);
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
