// V8 stores a string one byte a character only when it was made from one-byte pieces: a slice
// of a text holding one Hangul letter or dash, or a concatenation with any two-byte piece, is
// two-byte for good, whatever its characters. Text that is kept (a scenario's values, the
// outputs terminals keep, snapshots) or sent on (socket frames, log rows) is copied here
// when it fits in Latin-1, so it costs half the memory and half the bytes to serialise.

const LATIN1 = /^[\x00-\xff]*$/;

/** `text` as a one-byte string when it fits in Latin-1 (it is then copied); else `text`. */
export function oneByte(text: string): string {
  return LATIN1.test(text) ? Buffer.from(text, 'latin1').toString('latin1') : text;
}

/**
 * The same plain values (objects, arrays, scalars) with `oneByte` applied to every string value.
 * Not to keys: V8 looks property names up among the strings it shares, where the parser's
 * two-byte copy already is (short names, a trivial cost).
 */
export function oneByteStrings(value: unknown): unknown {
  if (typeof value === 'string') return oneByte(value);
  if (Array.isArray(value)) return value.map(oneByteStrings);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, oneByteStrings(v)]));
}
