// /leaderboard/SCENARIO: the best solo runs of one scenario (GET /api/leaderboard/:id).
import { api } from '../net/api.js';
import { formatClock, scenarioInfo } from '../net/scenario-info.js';
import { fill, h } from './dom.js';
import { messageView } from './room.js';

export function leaderboardRoute(root: HTMLElement, scenarioId: string): void {
  fill(root, h('p', { class: 'centered muted' }, 'Loading the leaderboard…'));
  Promise.all([api.leaderboard(scenarioId), api.scenarios().catch(() => [])]).then(([board, scenarios]) => {
    const title = scenarioInfo(scenarios.find((s) => s.id === scenarioId) ?? {}).title || scenarioId;
    fill(root,
      h('header', { class: 'topbar' }, h('a', { class: 'brand', href: '/' }, 'kubedrill'), h('span', { class: 'room-title' }, title), h('span', { class: 'pill' }, 'Leaderboard')),
      h('section', { class: 'panel leaderboard', 'aria-labelledby': 'lb-h' },
        h('h1', { id: 'lb-h' }, `Best solo runs: ${title}`),
        board.entries.length === 0 ? h('p', { class: 'muted', 'data-testid': 'leaderboard-empty' }, 'No finished solo runs yet. Play it solo from the lobby to set the first score.') :
          h('table', { class: 'compact', 'data-testid': 'leaderboard' },
            h('thead', {}, h('tr', {}, h('th', {}, 'rank'), h('th', {}, 'name'), h('th', {}, 'score'), h('th', {}, 'time'), h('th', {}, 'finished'))),
            h('tbody', {}, board.entries.map((e) => h('tr', {},
              h('td', { class: 'num' }, String(e.rank)), h('td', {}, e.name), h('td', { class: 'num' }, `${e.score} / ${e.maxScore}`),
              h('td', { class: 'num' }, formatClock(e.durationMs)), h('td', {}, new Date(e.finishedAt).toLocaleDateString()))))),
        h('p', {}, h('a', { href: '/' }, 'Back to the lobby'))));
  }, (error: Error) => messageView(root, 'Could not load the leaderboard', error.message));
}
