// /report/ROOMID: the report for the panel (host token), made to print on 1–2 pages: per
// candidate the diagnosis, each score line with its reason, hints and integrity signals, the
// commands (output folded), then the key moments and the hosts' notes and adjustments.
import { MODE_WORDS, STATUS_WORDS, type RoomReport, type ViewerEvent } from '../../../server/protocol/index.js';
import { api } from '../net/api.js';
import { emptyView } from '../net/room-model.js';
import { causesNamed, choiceLabel, formatClock, scenarioInfo, type ScenarioInfo } from '../net/scenario-info.js';
import { seatByRoom } from '../net/seats.js';
import { fill, h } from './dom.js';
import { describeEvent } from './panels.js';
import { partLabel } from './play.js';
import { recordView } from './record-view.js';
import { messageView } from './room.js';
import { breakdownLines, scoreLinesTable } from './score-lines.js';

export function reportRoute(root: HTMLElement, roomId: string): void {
  const seat = seatByRoom(roomId);
  if (!seat || seat.role !== 'host') return messageView(root, 'Hosts only', 'The report is available to the host of the room, from the browser that hosted it.');
  fill(root, h('p', { class: 'centered muted' }, 'Loading the report…'));
  Promise.all([api.report(roomId, seat.token), api.scenarios().catch(() => [])]).then(([report, scenarios]) => {
    const scenario = scenarios.find((s) => s.id === report.scenarioId);
    fill(root, renderReport(report, scenarioInfo(scenario ?? {})));
  }, (error: Error) => messageView(root, 'Could not load the report', error.message));
}

/** The moments a panel reads in a timeline; joins, commands and scores live elsewhere in the report. */
const KEY_MOMENTS = new Set<ViewerEvent['type']>(['room.started', 'hint.requested', 'hint.pushed', 'fault.injected', 'room.paused', 'room.resumed', 'room.extended', 'diagnosis.submitted', 'room.ended']);

function renderReport(report: RoomReport, info: ScenarioInfo): HTMLElement {
  const view = emptyView(report.roomId, { participantId: '', name: '', role: 'host' });
  view.participants = report.participants.map((p) => ({ id: p.id, name: p.name, role: p.role, online: false }));
  const timeline = report.timeline as ViewerEvent[];
  const players = report.participants.filter((p) => p.role === 'player');
  const moment = (e: ViewerEvent) => {
    const text = describeEvent(view, e);
    return text ? h('li', { class: `ev-${e.type.replace('.', '-')}` }, h('span', { class: 'clock' }, formatClock(e.simTime)), ' ', text) : null;
  };

  const playerSection = (p: RoomReport['participants'][number]) => {
    const signals = timeline.filter((e) => e.type === 'signal' && e.participantId === p.id);
    const parts = timeline.filter((e) => e.type === 'score.computed' && e.participantId === p.id).at(-1);
    const firstCommand = p.commands[0];
    return h('section', { class: 'report-player', 'data-testid': 'report-player' },
      h('h2', {}, p.name, p.left ? h('span', { class: 'muted' }, ' (left the room)') : null),
      p.score && h('p', { class: 'total' }, 'Score ', h('strong', { 'data-testid': 'report-total' }, String(p.score.adjustedTotal)), ` / ${p.score.max}`,
        p.score.adjustedTotal !== p.score.total ? ` (computed ${p.score.total})` : '',
        h('span', { class: 'small muted', 'data-testid': 'report-released' }, p.score.released ? ' · the player was shown this score.' : ' · not shown to the player.')),
      parts?.type === 'score.computed' && h('p', { class: 'small', 'data-testid': 'breakdown' },
        parts.parts.map((x) => `${partLabel(x.key)} ${x.max ? `${x.points}/${x.max}` : x.points}`).join(' · ')),
      h('div', { class: 'report-cols' },
        h('div', {},
          h('h3', {}, 'Diagnosis'),
          p.diagnosis ? h('div', {}, h('p', {}, 'Named cause: ', h('strong', {}, causesNamed(info.causes, p.diagnosis))),
            p.diagnosis.text && h('p', { class: 'pre-line' }, p.diagnosis.text),
            p.diagnosis.evidence.length > 0 && h('ul', { class: 'tight' }, p.diagnosis.evidence.map((e) => h('li', {}, choiceLabel(info.evidence, e))))) : h('p', {}, 'None submitted.')),
        h('div', {},
          h('h3', {}, 'Hints and integrity'),
          h('p', {}, 'Hints: ', p.hintsUsed.length ? p.hintsUsed.map((x) => `${x.hintId} (−${x.cost})`).join(', ') : 'none.'),
          h('p', { 'data-testid': 'report-signals' }, 'Signals: ', signals.length ? signals.map((s) => `[${formatClock(s.simTime)}] ${describeEvent(view, s)}`).join(' · ') : 'none.'),
          firstCommand && h('p', {}, `First command at ${formatClock(firstCommand.simTime)}; ${p.commands.length} in all.`))),
      h('h3', {}, 'Score, line by line'),
      p.score ? [scoreLinesTable(breakdownLines(p.score.breakdown), 'report-lines'),
        h('details', { class: 'no-print' }, h('summary', {}, 'Raw breakdown'), recordView(p.score.breakdown))] : h('p', {}, 'Not scored.'),
      h('h3', {}, `Commands (${p.commands.length})`),
      h('p', { class: 'muted small no-print' }, 'Open a command to see its output.'),
      h('ol', { class: 'commands' }, p.commands.map((c) => h('li', { class: 'cmd' },
        h('details', {}, h('summary', { class: 'cmd-line' }, h('span', { class: 'clock' }, formatClock(c.simTime)), ` ${c.prompt ?? '$ '}${c.line}`, c.exitCode !== 0 ? h('span', { class: 'exit' }, ` exit ${c.exitCode}`) : null),
          c.output ? h('pre', {}, c.output) : h('p', { class: 'muted small' }, 'No output.'))))));
  };

  return h('article', { class: 'report' },
    h('div', { class: 'report-actions no-print' },
      h('a', { href: `/host/${report.roomId}` }, '← Console'), h('a', { href: `/replay/${report.roomId}` }, 'Replay'),
      h('button', { type: 'button', class: 'primary', onclick: () => print() }, 'Print or save as PDF')),
    h('h1', {}, report.title),
    h('p', { class: 'muted' }, `${MODE_WORDS[report.mode]} · room ${report.code} · ${STATUS_WORDS[report.status]} after ${formatClock(report.elapsedMs)} of ${formatClock(report.timeLimitMs)} · seed ${report.seed}`),
    h('p', {}, 'Candidates: ', players.length ? players.map((p) => p.name).join(', ') : 'none.'),
    players.map(playerSection),
    h('section', { class: 'report-moments' }, h('h2', {}, 'Key moments'),
      h('ol', { class: 'timeline moments' }, timeline.filter((e) => KEY_MOMENTS.has(e.type)).map(moment))),
    h('section', { class: 'notes-section' }, h('h2', {}, 'Host notes and adjustments (private)'),
      // Notes written live and comments made on the replay, in the order of the moments they are about.
      report.notes.length ? h('ul', { class: 'tight', 'data-testid': 'report-notes' }, [...report.notes].sort((a, b) => a.simTime - b.simTime).map((n) => h('li', {},
        h('span', { class: 'clock' }, formatClock(n.simTime)), ' ', n.by && h('strong', {}, `${n.by}${n.at !== undefined ? ' (replay)' : ''}: `), n.text))) : h('p', {}, 'No notes.'),
      players.flatMap((p) => p.score?.adjustments.map((a) => h('p', { class: 'adjustment' }, `${p.name}: ${a.points > 0 ? '+' : ''}${a.points} — ${a.reason}`)) ?? [])),
    h('details', { class: 'no-print' }, h('summary', {}, `Full timeline (${timeline.length} events)`),
      h('ol', { class: 'timeline full' }, timeline.map(moment))));
}
