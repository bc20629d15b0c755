// /report/ROOMID: the printable report for the panel (host token): score breakdown,
// diagnosis, hints, integrity signals and every command with its output, the timeline,
// and the hosts' private notes. Print styles drop the app chrome.
import type { RoomReport, ViewerEvent } from '../../../server/protocol/index.js';
import { api } from '../net/api.js';
import { emptyView } from '../net/room-model.js';
import { choiceLabel, formatClock, scenarioInfo, type ScenarioInfo } from '../net/scenario-info.js';
import { seatByRoom } from '../net/seats.js';
import { fill, h } from './dom.js';
import { describeEvent } from './panels.js';
import { partLabel } from './play.js';
import { recordView } from './record-view.js';
import { breakdownLines, scoreLinesTable } from './score-lines.js';
import { messageView } from './room.js';

export function reportRoute(root: HTMLElement, roomId: string): void {
  const seat = seatByRoom(roomId);
  if (!seat || seat.role !== 'host') return messageView(root, 'Hosts only', 'The report is available to the host of the room, from the browser that hosted it.');
  fill(root, h('p', { class: 'centered muted' }, 'Loading the report…'));
  Promise.all([api.report(roomId, seat.token), api.scenarios().catch(() => [])]).then(([report, scenarios]) => {
    const scenario = scenarios.find((s) => s.id === report.scenarioId);
    fill(root, renderReport(report, scenarioInfo(scenario ?? {})));
  }, (error: Error) => messageView(root, 'Could not load the report', error.message));
}

function renderReport(report: RoomReport, info: ScenarioInfo): HTMLElement {
  const view = emptyView(report.roomId, { participantId: '', name: '', role: 'host' });
  view.participants = report.participants.map((p) => ({ id: p.id, name: p.name, role: p.role, online: false }));
  const timeline = report.timeline as ViewerEvent[];
  const players = report.participants.filter((p) => p.role === 'player');

  const playerSection = (p: RoomReport['participants'][number]) => {
    const parts = timeline.filter((e) => e.type === 'score.computed' && e.participantId === p.id).at(-1);
    const signals = timeline.filter((e) => e.type === 'signal' && e.participantId === p.id);
    return h('section', { class: 'report-player', 'data-testid': 'report-player' },
      h('h2', {}, p.name, p.left ? h('span', { class: 'muted' }, ' (left the room)') : null),
      p.score ? h('div', { class: 'score-block' },
        h('p', { class: 'total' }, 'Score ', h('strong', { 'data-testid': 'report-total' }, String(p.score.adjustedTotal)), ` / ${p.score.max}`, p.score.adjustedTotal !== p.score.total ? ` (computed ${p.score.total})` : ''),
        h('p', { class: 'small muted', 'data-testid': 'report-released' }, p.score.released ? 'The player was shown this score.' : 'Not shown to the player.'),
        parts?.type === 'score.computed' && h('table', { class: 'breakdown', 'data-testid': 'breakdown' },
          h('thead', {}, h('tr', {}, h('th', {}, 'part'), h('th', {}, 'points'), h('th', {}, 'max'))),
          h('tbody', {}, parts.parts.map((x) => h('tr', {}, h('td', {}, partLabel(x.key)), h('td', { class: 'num' }, String(x.points)), h('td', { class: 'num' }, String(x.max)))))),
        p.score.adjustments.map((a) => h('p', { class: 'adjustment' }, `Host adjustment ${a.points > 0 ? '+' : ''}${a.points}: ${a.reason}`)),
        h('h3', {}, 'Why, line by line'),
        scoreLinesTable(breakdownLines(p.score.breakdown), 'report-lines'),
        h('details', { class: 'no-print' }, h('summary', {}, 'Raw breakdown'), recordView(p.score.breakdown))) : h('p', {}, 'Not scored.'),
      h('h3', {}, 'Diagnosis'),
      p.diagnosis ? h('div', {}, h('p', {}, 'Root cause: ', h('strong', {}, choiceLabel(info.causes, p.diagnosis.rootCause)), p.diagnosis.rootCause !== choiceLabel(info.causes, p.diagnosis.rootCause) ? h('span', { class: 'muted' }, ` (${p.diagnosis.rootCause})`) : null),
        p.diagnosis.text && h('p', { class: 'pre-line' }, p.diagnosis.text),
        p.diagnosis.evidence.length > 0 && h('ul', {}, p.diagnosis.evidence.map((e) => h('li', {}, choiceLabel(info.evidence, e))))) : h('p', {}, 'None submitted.'),
      h('h3', {}, 'Hints used'),
      h('p', {}, p.hintsUsed.length ? p.hintsUsed.map((x) => `${x.hintId} (−${x.cost})`).join(', ') : 'None.'),
      h('h3', {}, 'Integrity signals'),
      h('p', { 'data-testid': 'report-signals' }, signals.length ? signals.map((s) => `[${formatClock(s.simTime)}] ${describeEvent(view, s)}`).join(' · ') : 'None.'),
      h('h3', {}, `Commands (${p.commands.length})`),
      h('div', { class: 'commands' }, p.commands.map((c) => h('div', { class: 'cmd' },
        h('div', { class: 'cmd-line' }, h('span', { class: 'clock' }, formatClock(c.simTime)), ` ${c.prompt ?? '$ '}${c.line}`, c.exitCode !== 0 ? h('span', { class: 'exit' }, ` exit ${c.exitCode}`) : null),
        c.output && h('pre', {}, c.output)))));
  };

  return h('article', { class: 'report' },
    h('div', { class: 'report-actions no-print' },
      h('a', { href: `/host/${report.roomId}` }, '← Console'), h('a', { href: `/replay/${report.roomId}` }, 'Replay'),
      h('button', { type: 'button', class: 'primary', onclick: () => print() }, 'Print')),
    h('h1', {}, report.title),
    h('p', { class: 'muted' }, `Room ${report.code} · ${report.mode} · seed ${report.seed} · ${report.status} · ${formatClock(report.elapsedMs)} of ${formatClock(report.timeLimitMs)}`),
    players.length === 0 ? h('p', {}, 'No players.') : players.map(playerSection),
    h('section', {}, h('h2', {}, 'Timeline'),
      h('table', { class: 'timeline-table' }, h('thead', {}, h('tr', {}, h('th', {}, 'time'), h('th', {}, 'event'))),
        h('tbody', {}, timeline.map((e) => {
          const text = describeEvent(view, e);
          return text ? h('tr', { class: `ev-${e.type.replace('.', '-')}` }, h('td', { class: 'clock' }, formatClock(e.simTime)), h('td', {}, text)) : null;
        })))),
    h('section', { class: 'notes-section' }, h('h2', {}, 'Host notes (private)'),
      report.notes.length ? h('ul', {}, report.notes.map((n) => h('li', {}, `[${formatClock(n.simTime)}] ${n.text}`))) : h('p', {}, 'None.')));
}
