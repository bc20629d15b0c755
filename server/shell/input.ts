// Standard input as a stream: `while read` takes one line at a time from it, a program takes
// what is left. Every command of a compound command (`… | while read l; do …; done`, `{ …; } < f`)
// reads the same stream, as processes sharing a file descriptor do.
import type { Reveal } from '../cluster/facts.js';
import type { CommandContext, StdoutJson } from './types.js';

export class Input {
  private pos = 0;

  /**
   * `terminal`: the line's own stdin (nothing piped or redirected in), where an editor opens.
   * `feed`: facts of the world the text may show (reveals.ts), handed on through pipes.
   */
  constructor(private readonly text: string, readonly terminal = false, readonly feed: readonly Reveal[] = [], private readonly json?: StdoutJson) {}

  /** The whole stream as the JSON value it is the text of (Chunk.json), unless some of it was read; the stream is then at its end. */
  takeJson(): StdoutJson | undefined {
    if (this.pos > 0 || this.json === undefined) return undefined;
    this.pos = this.text.length;
    return this.json;
  }

  static empty(): Input {
    return new Input('');
  }

  static terminal(): Input {
    return new Input('', true);
  }

  /** Everything not read yet; the stream is then at its end. */
  rest(): string {
    const rest = this.pos === 0 ? this.text : this.text.slice(this.pos);
    this.pos = this.text.length;
    return rest;
  }

  /** The next record up to `delimiter` (without it), and whether the delimiter ended it; undefined at the end. */
  record(delimiter: string): { text: string; ended: boolean } | undefined {
    if (this.pos >= this.text.length) return undefined;
    const at = delimiter === '' ? this.text.indexOf('\0', this.pos) : this.text.indexOf(delimiter, this.pos);
    if (at < 0) {
      const text = this.text.slice(this.pos);
      this.pos = this.text.length;
      return { text, ended: false };
    }
    const text = this.text.slice(this.pos, at);
    this.pos = at + 1;
    return { text, ended: true };
  }

  /** Up to `count` characters. */
  take(count: number): string {
    const text = this.text.slice(this.pos, this.pos + count);
    this.pos += text.length;
    return text;
  }
}

/** What a context's lazy `stdin` reads: the stream, and what was taken from it (once). */
interface StdinSource {
  input: Input;
  taken?: string;
}

/**
 * The getter of every context's `stdin`, one function for all: V8 gives contexts that define
 * the same accessor one shape, where a closure per context left each its own (slow) one, and
 * every `ctx.x` a command reads went through a dictionary.
 */
function lazyStdin(this: { stdinSource: StdinSource }): string {
  const source = this.stdinSource;
  return (source.taken ??= source.input.rest());
}

/**
 * A command context whose `stdin` is read from the stream only when the program asks for
 * it: `echo` in a `while read` loop leaves the next lines to `read`, `cat` takes them all.
 */
export function withLazyStdin(ctx: Omit<CommandContext, 'stdin'>, input: Input): CommandContext {
  const source: StdinSource = { input };
  const lazy = ctx as Omit<CommandContext, 'stdin'> & { stdinSource: StdinSource };
  lazy.stdinSource = source;
  if (input.terminal) ctx.stdinIsTerminal = true;
  ctx.stdinJson = () => (source.taken === undefined ? input.takeJson() : undefined);
  return Object.defineProperty(ctx, 'stdin', { get: lazyStdin, enumerable: true, configurable: true }) as CommandContext;
}

/**
 * `ctx` with `extra` on top; its stdin is still read only if the command asks (the accessor is
 * copied, not called). A copy, not `Object.create(ctx)`: V8 gives an object made a prototype
 * a shape of its own, several µs a command, and every read through it is then slow.
 */
export function extendContext<C extends CommandContext, E extends object>(ctx: C, extra: E): C & E {
  const copy: Record<string, unknown> = {};
  for (const key in ctx) if (key !== 'stdin') copy[key] = ctx[key];
  let holder: object | null = ctx;
  while (holder !== null && !Object.hasOwn(holder, 'stdin')) holder = Object.getPrototypeOf(holder) as object | null;
  if (holder !== null) Object.defineProperty(copy, 'stdin', Object.getOwnPropertyDescriptor(holder, 'stdin')!);
  return Object.assign(copy, extra) as C & E;
}
