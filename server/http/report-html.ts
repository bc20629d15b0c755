// The printable report page: plain HTML with print styles, every value escaped.
import { MODE_WORDS, STATUS_WORDS, type RoomReport } from '../protocol/index.js';
import { breakdownLines } from '../rooms/debrief.js';

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const clock = (ms: number): string => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export function renderReportHtml(report: RoomReport): string {
  const players = report.participants.filter((p) => p.role === 'player');
  const section = (p: RoomReport['participants'][number]): string => `
<section class="player">
  <h2>${escape(p.name)}${p.left ? ' (left the room)' : ''}</h2>
  ${p.score ? `<p class="score">Score: <strong>${p.score.adjustedTotal}</strong> / ${p.score.max}${p.score.adjustedTotal !== p.score.total ? ` (computed ${p.score.total})` : ''}${p.score.released ? '' : ' · not shown to the player'}</p>
  ${p.score.adjustments.map((a) => `<p class="adjustment">Host adjustment ${a.points > 0 ? '+' : ''}${a.points}: ${escape(a.reason)}</p>`).join('\n')}
  <table class="breakdown"><tr><th>what</th><th>points</th><th>why</th></tr>
  ${breakdownLines(p.score.breakdown).map((l) => `<tr><td>${escape(l.label)}</td><td>${l.max > 0 ? `${l.points} / ${l.max}` : l.points}</td><td>${escape(l.why)}</td></tr>`).join('\n')}
  </table>` : '<p class="score">No score</p>'}
  <h3>Diagnosis</h3>
  ${p.diagnosis ? `<p><strong>${escape([p.diagnosis.rootCause, ...(p.diagnosis.secondCause === undefined ? [] : [p.diagnosis.secondCause])].join(' + '))}</strong></p><p>${escape(p.diagnosis.text)}</p><ul>${p.diagnosis.evidence.map((e) => `<li>${escape(e)}</li>`).join('')}</ul>` : '<p>None submitted.</p>'}
  <h3>Hints used</h3>
  <p>${p.hintsUsed.length ? p.hintsUsed.map((h) => `${escape(h.hintId)} (−${h.cost})`).join(', ') : 'none'}</p>
  <h3>Commands</h3>
  ${p.commands.map((c) => `<div class="cmd"><div class="line">[${clock(c.simTime)}] ${escape(c.prompt ?? '$ ')}${escape(c.line)}</div><pre>${escape(c.output)}</pre></div>`).join('\n')}
</section>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kubedrill report — ${escape(report.title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#111}
pre{background:#f4f4f4;padding:.5rem;white-space:pre-wrap;font-size:.8rem}
.line{font-family:monospace;font-weight:bold;margin-top:.5rem}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}
@media print{section.player{page-break-before:always}pre{background:none;border:1px solid #ddd}}
</style></head><body>
<h1>${escape(report.title)}</h1>
<p>Room ${escape(report.code)} · ${MODE_WORDS[report.mode]} · seed ${report.seed} · ${STATUS_WORDS[report.status]} · ${clock(report.elapsedMs)} of ${clock(report.timeLimitMs)}</p>
<h2>Timeline</h2>
<table><tr><th>time</th><th>event</th><th>who</th></tr>
${report.timeline
  .map((e) => {
    const who = 'participantId' in e && e.participantId ? e.participantId : 'by' in e ? e.by : '';
    const name = report.participants.find((p) => p.id === who)?.name ?? who;
    const detail = e.type === 'command' ? ` <code>${escape(e.line)}</code>` : e.type === 'hint.pushed' ? ` ${escape(e.hintId)}` : e.type === 'fault.injected' ? ` ${escape(e.faultId)}` : '';
    return `<tr><td>${clock(e.simTime)}</td><td>${escape(e.type)}${detail}</td><td>${escape(name)}</td></tr>`;
  })
  .join('\n')}
</table>
${report.notes.length ? `<h2>Notes</h2>${report.notes.map((n) => `<p>[${clock(n.simTime)}]${n.by ? ` ${escape(n.by)}:` : ''} ${escape(n.text)}</p>`).join('\n')}` : ''}
${players.map(section).join('\n')}
</body></html>
`;
}
