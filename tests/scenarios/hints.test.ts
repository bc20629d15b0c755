// Hints nudge; none states the fix. Every hint of every cause is checked against the
// commands and settings its reference solution changes the world with (issue 11: "hint 3
// may nudge but must not state the fix").
import { describe, expect, it } from 'vitest';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { pinInstance } from '../../server/scenarios/variant.js';

/** Words that name a fix outright: the maintenance verbs, the settings that fix a cause. */
const FIX_WORDS = [
  /etcdctl\s+(defrag|compact|alarm\s+disarm)/i, /\bdefrag/i, /\bdisarm/i,
  /backend-protocol/i, /target-group-attributes/i, /preserve_client_ip/i,
  /externalTrafficPolicy:?\s*Local/i, /\brm\s+-/, /kubectl\s+(patch|apply|edit|annotate|taint|label|scale|set)\b/i,
];

const { scenarios } = loadScenarioDir();

describe.each(scenarios.map((s) => [s.id, s] as const))('%s', (_id, loaded) => {
  it.each(loaded.variants.map((v) => v.id))('no hint of cause %s states its fix', (variant) => {
    const { scenario } = pinInstance(loaded, variant);
    for (const hint of scenario.answer.hints) {
      for (const word of FIX_WORDS) expect(hint.text, `${hint.id} names a fix (${word})`).not.toMatch(word);
    }
  });

  it('no hint of a stacked second fault states its fix', () => {
    for (const stack of loaded.variants[0]!.scenario.stacks) {
      for (const hint of stack.answer.hints) {
        for (const word of FIX_WORDS) expect(hint.text, `${stack.id}/${hint.id} names a fix (${word})`).not.toMatch(word);
      }
    }
  });
});
