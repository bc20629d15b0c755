// memoByText: what runs per command or tick on a text (a kubeconfig's certificate, the
// Corefile) is computed once per text for the process, and the memory it keeps is bounded.
import { describe, expect, it } from 'vitest';
import { memoByText } from '../../server/cluster/text-memo.js';

describe('memoByText', () => {
  it('computes each text once and hands the same value back', () => {
    const seen: string[] = [];
    const length = memoByText((text: string) => {
      seen.push(text);
      return { length: text.length };
    });
    const first = length('abc');
    expect(length('abc')).toBe(first);
    expect(length('de')).toEqual({ length: 2 });
    expect(seen).toEqual(['abc', 'de']);
  });

  it('forgets everything once the texts it keeps pass its bound', () => {
    let calls = 0;
    const upper = memoByText((text: string) => {
      calls++;
      return text.toUpperCase();
    }, 10);
    upper('aaaaa');
    upper('bbbbb');
    expect(calls).toBe(2);
    upper('ccccc'); // 15 characters: the earlier ones go
    upper('aaaaa');
    expect(calls).toBe(4);
    upper('ccccc');
    expect(calls).toBe(4);
  });
});
