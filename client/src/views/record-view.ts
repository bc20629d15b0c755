// Renders an open record (answer key, score breakdown) as nested lists: readable without
// knowing every field the scenario format or the scorer may add.
import { h } from './dom.js';

const label = (key: string) => {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export function recordView(value: unknown, depth = 0): HTMLElement | string {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '—';
    if (value.every((v) => typeof v !== 'object' || v === null)) return h('ul', { class: 'rec-list' }, value.map((v) => h('li', {}, String(v))));
    return h('ol', { class: 'rec-list' }, value.map((v) => h('li', {}, recordView(v, depth + 1))));
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '—';
  return h('dl', { class: `rec depth-${Math.min(depth, 3)}` }, entries.flatMap(([k, v]) => [h('dt', {}, label(k)), h('dd', {}, recordView(v, depth + 1))]));
}
