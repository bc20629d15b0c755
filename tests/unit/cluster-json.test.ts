// sameJson must answer exactly what comparing JSON.stringify texts answered (the controllers'
// "did this change?", which decides whether a write happens and a resourceVersion moves).
import { describe, expect, it } from 'vitest';
import { jsonCopy, sameJson } from '../../server/cluster/json.js';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

describe('sameJson', () => {
  const cases: [unknown, unknown][] = [
    [{ a: 1, b: [1, 2] }, { a: 1, b: [1, 2] }],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }], // key order shows in the text
    [{ a: 1, b: undefined }, { a: 1 }], // undefined keys are left out
    [{ a: undefined, b: 1 }, { b: 1, a: undefined }],
    [{ a: 1, f: () => 0 }, { a: 1 }],
    [[undefined], [null]], // printed as null in an array
    [[() => 0], [null]],
    [{ a: NaN }, { a: null }],
    [{ a: Infinity }, { a: -Infinity }],
    [{ a: -0 }, { a: 0 }],
    [{ a: null }, {}],
    [{ a: undefined }, { a: null }],
    [[], {}],
    [{ '1': 'x', b: 2 }, { b: 2, '1': 'x' }], // integer keys come first either way
    [{ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] }],
    [{ a: [1] }, { a: [1, 2] }],
    [{ a: 1 }, { a: '1' }],
    [{ a: true }, { a: 1 }],
    [undefined, undefined],
    [undefined, null],
    ['x', 'x'],
  ];
  it.each(cases)('%j vs %j answers as the texts compare', (a, b) => {
    expect(sameJson(a, b)).toBe(same(a, b));
    expect(sameJson(b, a)).toBe(same(b, a));
  });

  it('agrees with the texts on a pod status changed in place', () => {
    const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'False', reason: undefined as string | undefined }], containerStatuses: [{ name: 'c', restartCount: 0, logs: [{ at: 1, text: 'x' }] }] };
    const before = jsonCopy(status);
    expect(sameJson(status, before)).toBe(true);
    status.conditions[0]!.reason = 'ContainersNotReady';
    expect(sameJson(status, before)).toBe(false);
    status.conditions[0]!.reason = undefined;
    expect(sameJson(status, before)).toBe(true);
    status.containerStatuses[0]!.logs.push({ at: 2, text: 'y' });
    expect(sameJson(status, before)).toBe(false);
  });
});

describe('jsonCopy', () => {
  it('copies deeply, keys in order', () => {
    const v = { b: [1, { c: 'x' }], a: null };
    const copy = jsonCopy(v);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(v));
    (v.b[1] as { c: string }).c = 'y';
    expect((copy.b[1] as { c: string }).c).toBe('x');
  });
});
