// A score as people read it: one row per line of the scorer's breakdown — what it is about,
// the points it earned out of its best, and why, in the scorer's words.
import type { ScoreLineView } from '../../../server/protocol/index.js';
import { h } from './dom.js';
import { inlineCode } from './panels.js';

/** The lines of a stored breakdown (an open record from the host's view or the report). */
export function breakdownLines(breakdown: Record<string, unknown> | undefined): ScoreLineView[] {
  const lines = breakdown?.lines;
  if (!Array.isArray(lines)) return [];
  return lines.flatMap((l): ScoreLineView[] => {
    if (!l || typeof l !== 'object') return [];
    const { category, label, points, max, why } = l as Record<string, unknown>;
    return typeof label === 'string' && typeof points === 'number' && typeof max === 'number'
      ? [{ category: typeof category === 'string' ? category : '', label, points, max, why: typeof why === 'string' ? why : '' }]
      : [];
  });
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

export function scoreLinesTable(lines: readonly ScoreLineView[], testId = 'score-lines'): HTMLElement {
  if (lines.length === 0) return h('p', { class: 'muted' }, 'No breakdown.');
  return h('table', { class: 'score-lines', 'data-testid': testId },
    h('thead', {}, h('tr', {}, h('th', {}, 'what'), h('th', { class: 'num' }, 'points'), h('th', {}, 'why'))),
    h('tbody', {}, lines.map((l) => h('tr', { class: l.points > 0 ? 'earned' : l.points < 0 ? 'lost' : 'missed' },
      h('td', {}, l.label),
      h('td', { class: 'num' }, l.max > 0 ? `${l.points} / ${l.max}` : signed(l.points)),
      h('td', { class: 'why' }, inlineCode(l.why))))));
}
