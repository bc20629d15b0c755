// Seeded PRNG (xoshiro128**) whose whole state lives in `state.rng`, so a cloned or
// serialised cluster continues the same random sequence.
import type { RngState } from './types.js';

/** splitmix32: spreads a small integer seed over the 128-bit state. */
function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function seedRng(seed: number): RngState {
  const next = splitmix32(seed);
  const s: RngState['s'] = [next(), next(), next(), next()];
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1; // xoshiro must not start all-zero
  return { s };
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

/** Next uint32. */
export function nextUint32(rng: RngState): number {
  const s = rng.s;
  const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
  const t = (s[1] << 9) >>> 0;
  s[2] = (s[2] ^ s[0]) >>> 0;
  s[3] = (s[3] ^ s[1]) >>> 0;
  s[1] = (s[1] ^ s[2]) >>> 0;
  s[0] = (s[0] ^ s[3]) >>> 0;
  s[2] = (s[2] ^ t) >>> 0;
  s[3] = rotl(s[3], 11);
  return result;
}

/** Uniform in [0, 1). */
export function nextFloat(rng: RngState): number {
  return nextUint32(rng) / 2 ** 32;
}

/** Uniform integer in [lo, hi] (inclusive). */
export function randomInt(rng: RngState, lo: number, hi: number): number {
  return lo + Math.floor(nextFloat(rng) * (hi - lo + 1));
}

export function pick<T>(rng: RngState, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[randomInt(rng, 0, items.length - 1)]!;
}

const HEX = '0123456789abcdef';
export function randomHex(rng: RngState, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += HEX[nextUint32(rng) & 15];
  return out;
}

/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no confusable digits). */
export const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(rng: RngState, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += SUFFIX_ALPHABET[nextUint32(rng) % SUFFIX_ALPHABET.length];
  return out;
}

/**
 * A generator for values a read-only command shows (temporary file names, a token's bytes):
 * derived from the shared stream's state and LABEL without advancing it, so looking at the
 * cluster never changes the names it gives later.
 */
export function sideRng(rng: RngState, label: string): RngState {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return seedRng((rng.s[0] ^ Math.imul(rng.s[1], 0x9e3779b9) ^ rng.s[2] ^ h) >>> 0);
}

/** A stable 32-bit hash (FNV-1a) of a string: the same name always gives the same number (no PRNG draw). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
