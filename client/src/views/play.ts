// The player's screen: terminal on the left; briefing, hints, diagnosis and score on the right.
import type { CommandAck, CompleteAck, ViewerEvent } from '../../../server/protocol/index.js';
import { choiceLabel, scenarioInfo } from '../net/scenario-info.js';
import { PlayerTerminal } from '../terminal/player-terminal.js';
import { diagnosisForm } from './diagnosis-form.js';
import { fill, h, toast } from './dom.js';
import { editDialog } from './edit-dialog.js';
import { prose, roomHeader } from './panels.js';
import type { RoomSession } from './room-session.js';

const NOTICE: Record<string, string> = {
  lobby: 'Waiting for the host to start the incident. You can read the briefing meanwhile.',
  paused: 'The host paused the incident; the cluster clock is stopped.',
  ended: 'The incident is over. Your terminal is read-only now.',
};

export function playView(root: HTMLElement, session: RoomSession): () => void {
  const { model, conn } = session;
  const me = model.view.you.participantId;
  const info = scenarioInfo(model.view.scenario);
  const header = roomHeader(model);
  const notice = h('div', { class: 'notice', role: 'status', 'data-testid': 'notice' });
  const termBox = h('div', { class: 'term-box', 'data-testid': 'terminal' });
  const hintsList = h('ul', { class: 'hints', 'data-testid': 'hints', 'aria-live': 'polite' });
  const hintButton = h('button', { type: 'button', 'data-testid': 'request-hint' }, 'Request a hint');
  const hintNote = h('p', { class: 'muted small' });
  const diagnosisBox = h('div', { 'data-testid': 'diagnosis' });
  const scoreBox = h('div', { 'data-testid': 'score', 'aria-live': 'polite' });

  fill(root,
    header.el,
    h('div', { class: 'play-layout' },
      h('div', { class: 'term-column' }, notice, termBox),
      h('aside', { class: 'sidebar', 'aria-label': 'incident' },
        h('section', { class: 'panel briefing' }, h('h2', {}, 'Briefing'), info.briefing ? prose(info.briefing) : h('p', {}, 'No briefing.')),
        h('section', { class: 'panel' }, h('h2', {}, 'Hints'), hintsList, hintButton, hintNote),
        scoreBox,
        h('section', { class: 'panel' }, h('h2', {}, 'Diagnosis'), diagnosisBox))));

  const terminal = new PlayerTerminal(termBox, {
    run: (line) => conn.call<CommandAck>('cmd:run', { line }),
    complete: (line, cursor) => conn.call<CompleteAck>('cmd:complete', { line, cursor }),
    onPaste: (chars) => signal('paste', chars),
    onEdit: (edit) => editDialog(edit),
  });
  const mine = model.view.terminals.find((t) => t.participantId === me);
  terminal.load(mine?.entries ?? [], mine?.prompt ?? '$ ');
  terminal.focus();

  // Interview integrity: recorded and shown to the hosts, never blocked.
  function signal(kind: 'paste' | 'focus-lost', amount?: number) {
    if (model.view.mode === 'solo' || model.view.status === 'ended') return;
    void conn.call('client:signal', { kind, ...(amount !== undefined ? { amount } : {}) });
  }
  let away = false;
  const onBlur = () => {
    if (away) return;
    away = true;
    signal('focus-lost');
  };
  const onFocus = () => {
    away = false;
  };
  const onVisibility = () => (document.hidden ? onBlur() : onFocus());
  window.addEventListener('blur', onBlur);
  window.addEventListener('focus', onFocus);
  document.addEventListener('visibilitychange', onVisibility);

  hintButton.addEventListener('click', async () => {
    hintButton.disabled = true;
    const ack = await conn.call('hint:request');
    hintButton.disabled = false;
    if (!ack.ok) toast(ack.error.message, 'error');
    else if (model.view.mode !== 'solo') hintNote.textContent = 'Asked the host for a hint.';
    terminal.focus();
  });

  function renderHints() {
    const hints = model.view.hints.filter((x) => x.participantId === undefined || x.participantId === me);
    fill(hintsList, hints.length === 0 ? h('li', { class: 'muted' }, 'No hints yet. Each hint costs points.') : hints.map((x) =>
      h('li', {}, h('span', { class: 'cost' }, `−${x.cost}`), ' ', x.text)));
    if (model.view.mode !== 'solo') {
      // The host chooses which hint to push (and may push one again): no cost to promise here.
      hintButton.textContent = 'Ask the host for a hint';
      return;
    }
    // Solo hints come in order, and the view numbers rather than names them: the next one is the one after those received.
    const next = info.hints[hints.length];
    hintButton.textContent = next ? `Request a hint (−${next.cost})` : 'Request a hint';
    hintButton.disabled = info.hints.length > 0 && !next;
  }

  function renderDiagnosis() {
    const submitted = model.view.diagnoses.find((d) => d.participantId === me);
    if (submitted) {
      fill(diagnosisBox, h('p', {}, 'Submitted: ', h('strong', {}, choiceLabel(info.causes, submitted.rootCause))), submitted.text && h('p', { class: 'pre-line' }, submitted.text),
        submitted.evidence.length > 0 && h('ul', {}, submitted.evidence.map((e) => h('li', {}, choiceLabel(info.evidence, e)))));
    } else if (model.view.status === 'ended') {
      fill(diagnosisBox, h('p', { class: 'muted' }, 'No diagnosis was submitted.'));
    } else if (!diagnosisBox.querySelector('form')) {
      fill(diagnosisBox, diagnosisForm(info, async (d) => {
        const ack = await conn.call('diagnosis:submit', d);
        return ack.ok ? undefined : ack.error.message;
      }));
    }
  }

  function renderScore() {
    const score = model.view.scores.find((s) => s.participantId === me);
    scoreBox.hidden = !score;
    if (!score) return fill(scoreBox);
    fill(scoreBox, h('section', { class: 'panel score' },
      h('h2', {}, 'Score'),
      h('p', { class: 'total' }, h('strong', { 'data-testid': 'score-total' }, String(score.total)), ` / ${score.max}`),
      h('table', { class: 'compact' }, h('tbody', {}, score.parts.map((p) => h('tr', {}, h('td', {}, partLabel(p.key)), h('td', { class: 'num' }, `${p.points}${p.max ? ` / ${p.max}` : ''}`))))),
      model.view.status === 'ended' && h('p', {}, h('a', { href: `/replay/${model.view.roomId}` }, 'Watch the replay'))));
  }

  function render() {
    header.update();
    const text = NOTICE[model.view.status];
    notice.hidden = !text;
    notice.textContent = text ?? '';
    notice.dataset.status = model.view.status;
    hintButton.hidden = model.view.status === 'ended';
    hintNote.hidden = model.view.status === 'ended';
    renderHints();
    renderDiagnosis();
    renderScore();
  }
  render();

  const unsubscribe = session.subscribe((event: ViewerEvent) => {
    if (event.type === 'command' && event.participantId === me) {
      terminal.showEntry({
        seq: event.seq, ...(event.prompt !== undefined ? { prompt: event.prompt } : {}), line: event.line, output: event.output, exitCode: event.exitCode,
        ...(event.clear ? { clear: true } : {}),
      });
    }
    if (event.type === 'hint.pushed' && (event.participantId === undefined || event.participantId === me)) toast(`New hint: ${event.text}`);
    if (event.type === 'tick') header.update();
    else render();
  });

  return () => {
    unsubscribe();
    window.removeEventListener('blur', onBlur);
    window.removeEventListener('focus', onFocus);
    document.removeEventListener('visibilitychange', onVisibility);
    header.dispose();
    terminal.dispose();
  };
}

/** Score part keys as words (rootCause → root cause). */
export const partLabel = (key: string): string => key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
