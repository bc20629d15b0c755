// jq's input: a text holding any number of JSON values, split and parsed with jq's messages
// for what is not JSON (`parse error: Invalid literal at line 1, column 4`).
import type { Json } from './parse.js';

export class InputError {
  constructor(readonly message: string) {}
}

/** jq's message for a text that is not JSON (tonumber, fromjson). */
export function jsonError(text: string): string {
  try {
    parseStream(text);
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  return 'Unexpected extra JSON values';
}

/** Splits a text holding several JSON values (`1 2`, `{…}{…}`) into them, with each one's line for messages. */
export function parseStream(text: string): { value: Json; line: number }[] {
  const whole = text.trim();
  if (whole === '') return [];
  try {
    return [{ value: JSON.parse(text) as Json, line: lineAfter(text, text.trimEnd().length) }];
  } catch {
    // several values, or invalid: scan value by value
  }
  const values: { value: Json; line: number }[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  for (skipSpace(); i < text.length; skipSpace()) {
    const start = i;
    if (text[i] === '{' || text[i] === '[') {
      let depth = 0;
      for (; i < text.length; i++) {
        const c = text[i];
        if (c === '"') {
          for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
        } else if (/[A-Za-z]/.test(c!)) {
          const word = /^[A-Za-z0-9]+/.exec(text.slice(i))![0];
          if (!['true', 'false', 'null'].includes(word)) throw invalidLiteral(text, word, i + word.length);
          i += word.length - 1;
        } else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          if (--depth === 0) {
            i++;
            break;
          }
        }
      }
      if (depth > 0) throw new InputError(`Unfinished JSON term at EOF at line ${lineCount(text) + 1}, column 0`);
    } else if (text[i] === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (i >= text.length) throw new InputError(`Unfinished JSON term at EOF at line ${lineCount(text) + 1}, column 0`);
      i++;
    } else {
      while (i < text.length && !/[\s{}[\]",:]/.test(text[i]!)) i++;
      if (i === start) i++;
    }
    const piece = text.slice(start, i);
    let value: Json;
    try {
      value = JSON.parse(piece) as Json;
    } catch {
      throw invalidLiteral(text, piece, i);
    }
    values.push({ value, line: lineAfter(text, i) });
  }
  return values;
}

/** jq's message for a bad bare word ending at `i`: `Invalid numeric literal at line 1, column 4`. */
function invalidLiteral(text: string, word: string, i: number): InputError {
  const numeric = !/^[tfn]/.test(word);
  const where = i >= text.length ? 'at EOF ' : '';
  const line = lineCount(text.slice(0, i + 1)) + 1;
  const column = (i >= text.length ? i : i + 1) - (text.lastIndexOf('\n', i - 1) + 1);
  const atEnd = text[i] === '\n' ? `line ${line}, column 0` : `line ${line}, column ${column}`;
  return new InputError(`Invalid ${numeric ? 'numeric ' : ''}literal ${where}at ${atEnd}`);
}

export const lineCount = (text: string): number => {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
};

/** jq's `(at <stdin>:N)`: the newlines read when the value ended (the one right after it too). */
function lineAfter(text: string, end: number): number {
  return lineCount(text.slice(0, end)) + (text[end] === '\n' ? 1 : 0);
}

