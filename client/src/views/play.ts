// The player's screen: terminal on the left; briefing, hints, diagnosis and score on the right.
// A score shows once released (interview: by the host; game day and solo: at the end); a solo
// player then gets the debrief.
import type { CommandAck, CompleteAck, Debrief, ViewerEvent } from '../../../server/protocol/index.js';
import { api } from '../net/api.js';
import { apiSetting } from '../net/room-model.js';
import { causesNamed, choiceLabel, scenarioInfo, type ScenarioInfo } from '../net/scenario-info.js';
import { PlayerTerminal } from '../terminal/player-terminal.js';
import { diagnosisForm } from './diagnosis-form.js';
import { fill, h, toast } from './dom.js';
import { editDialog } from './edit-dialog.js';
import { inlineCode, prose, roomHeader } from './panels.js';
import type { RoomSession } from './room-session.js';
import { scoreLinesTable } from './score-lines.js';

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
  // Solo: the clock starts when the player has read the briefing and presses Start.
  const startButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'start-solo', onclick: async () => {
    startButton.disabled = true;
    const ack = await conn.call('player:start');
    startButton.disabled = false;
    if (!ack.ok) toast(ack.error.message, 'error');
    else terminal.focus();
  } }, 'Start the incident (the clock starts)');
  const noticeText = h('span', {});
  notice.append(noticeText, startButton);
  const termBox = h('div', { class: 'term-box', 'data-testid': 'terminal' });
  const hintsList = h('ul', { class: 'hints', 'data-testid': 'hints', 'aria-live': 'polite' });
  const hintButton = h('button', { type: 'button', 'data-testid': 'request-hint' }, 'Request a hint');
  const hintNote = h('p', { class: 'muted small' });
  const solo = model.view.mode === 'solo';
  const autoHints = h('input', { type: 'checkbox', id: 'auto-hints', 'data-testid': 'auto-hints', checked: model.view.settings.autoHints });
  const autoHintsLabel = h('span', {});
  const autoHintsBox = solo ? h('label', { class: 'check', for: 'auto-hints' }, autoHints, autoHintsLabel) : null;
  const diagnosisBox = h('div', { 'data-testid': 'diagnosis' });
  const giveUp = solo ? giveUpControl(async () => {
    const ack = await conn.call('player:give-up');
    if (!ack.ok) toast(ack.error.message, 'error');
  }) : null;
  const scoreBox = h('div', { 'data-testid': 'score', 'aria-live': 'polite' });
  const ownTools = ownToolsPanel(session);

  fill(root,
    header.el,
    h('div', { class: 'play-layout' },
      h('div', { class: 'term-column' }, notice, termBox),
      h('aside', { class: 'sidebar', 'aria-label': 'incident' },
        h('section', { class: 'panel briefing' }, h('h2', {}, 'Briefing'), info.briefing ? prose(info.briefing) : h('p', {}, 'No briefing.')),
        h('section', { class: 'panel' }, h('h2', {}, 'Hints'), hintsList, hintButton, autoHintsBox, hintNote),
        scoreBox,
        ownTools.el,
        h('section', { class: 'panel' }, h('h2', {}, 'Diagnosis'), diagnosisBox, giveUp?.el))));
  autoHints.addEventListener('change', async () => {
    const ack = await conn.call('room:settings', { autoHints: autoHints.checked });
    if (!ack.ok) {
      toast(ack.error.message, 'error');
      autoHints.checked = model.view.settings.autoHints;
    }
  });

  const terminal = new PlayerTerminal(termBox, {
    run: (line) => conn.call<CommandAck>('cmd:run', { line }),
    complete: (line, cursor) => conn.call<CompleteAck>('cmd:complete', { line, cursor }),
    onPaste: (chars) => signal('paste', chars),
    onEdit: (edit) => editDialog(edit),
    interrupt: () => void conn.call('cmd:interrupt', {}),
  });
  termBox.after(touchKeyBar(terminal));
  const mine = model.view.terminals.find((t) => t.participantId === me);
  terminal.load(mine?.entries ?? [], mine?.prompt ?? '$ ', mine?.streaming === true);
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
    autoHints.checked = model.view.settings.autoHints;
    autoHintsLabel.textContent = ` Give me the next hint by myself after 2 minutes without a command${next ? ` (it costs ${next.cost})` : ''}`;
  }

  function renderDiagnosis() {
    const submitted = model.view.diagnoses.find((d) => d.participantId === me);
    if (submitted) {
      fill(diagnosisBox, h('p', {}, 'Submitted: ', h('strong', {}, causesNamed(info.causes, submitted))), submitted.text && h('p', { class: 'pre-line' }, submitted.text),
        submitted.evidence.length > 0 && h('ul', {}, submitted.evidence.map((e) => h('li', {}, choiceLabel(info.evidence, e)))));
    } else if (model.view.status === 'ended') {
      fill(diagnosisBox, h('p', { class: 'muted' }, 'No diagnosis was submitted.'));
    } else if (!diagnosisBox.querySelector('form')) {
      const consequence = solo ? 'It ends your run and shows the answer.' : 'You cannot change it afterwards.';
      fill(diagnosisBox, diagnosisForm(info, consequence, async (d) => {
        const ack = await conn.call('diagnosis:submit', d);
        return ack.ok ? undefined : ack.error.message;
      }));
    }
  }

  /** Until the score is released the player learns only that the diagnosis is in. */
  const WITHHELD: Record<string, string> = {
    interview: 'Your interviewer will share your score.',
    gameday: 'Every player sees their score when the game day ends.',
    solo: 'Scoring…',
  };
  function renderScore() {
    const { view } = model;
    const score = view.scores.find((s) => s.participantId === me);
    const submitted = view.diagnoses.some((d) => d.participantId === me);
    const replay = view.status === 'ended' && h('p', { class: 'no-print' }, h('a', { href: `/replay/${view.roomId}` }, 'Watch the replay'));
    scoreBox.hidden = !score && !submitted && view.status !== 'ended';
    const board = info.id && h('p', { class: 'no-print' }, h('a', { href: `/leaderboard/${encodeURIComponent(info.id)}`, 'data-testid': 'debrief-leaderboard' }, 'See the leaderboard'));
    if (view.debrief) return fill(scoreBox, debriefPanel(view.debrief, info), replay, board);
    if (!score) return fill(scoreBox, !scoreBox.hidden && h('section', { class: 'panel score' }, h('h2', {}, 'Score'), h('p', { 'data-testid': 'score-withheld' }, WITHHELD[view.mode]), replay));
    fill(scoreBox, h('section', { class: 'panel score' },
      h('h2', {}, 'Score'),
      h('p', { class: 'total' }, h('strong', { 'data-testid': 'score-total' }, String(score.total)), ` / ${score.max}`),
      h('table', { class: 'compact' }, h('tbody', {}, score.parts.map((p) => h('tr', {}, h('td', {}, partLabel(p.key)), h('td', { class: 'num' }, `${p.points}${p.max ? ` / ${p.max}` : ''}`))))),
      replay));
  }

  // The solo debrief exists once the room has ended: ask for it then (a reload has it in the view).
  async function fetchDebrief() {
    const ack = await conn.call<{ debrief: Debrief }>('room:debrief');
    if (!ack.ok) return toast(ack.error.message, 'error');
    model.view.debrief = ack.debrief;
    render();
  }

  function render() {
    header.update();
    const soloLobby = solo && model.view.status === 'lobby';
    const text = soloLobby ? 'Read the briefing on the right, then start: your time limit counts from then.' : NOTICE[model.view.status];
    notice.hidden = !text;
    noticeText.textContent = text ?? '';
    startButton.hidden = !soloLobby;
    notice.dataset.status = model.view.status;
    const over = model.view.status === 'ended';
    hintButton.hidden = over;
    hintNote.hidden = over;
    if (autoHintsBox) autoHintsBox.hidden = over;
    if (giveUp) giveUp.el.hidden = over || model.view.diagnoses.some((d) => d.participantId === me);
    ownTools.update();
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
    if (event.type === 'command.output' && event.participantId === me) terminal.streamOutput(event.output, event.ended === true);
    if (event.type === 'command.interrupted' && event.participantId === me) terminal.streamInterrupted();
    if (event.type === 'hint.pushed' && (event.participantId === undefined || event.participantId === me)) toast(`New hint: ${event.text}`);
    if (event.type === 'room.ended' && solo && !model.view.debrief) void fetchDebrief();
    if (event.type === 'room.extended') toast(`The host added ${Math.round(event.ms / 60_000)} min to the clock.`);
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

/** What a phone's on-screen keyboard lacks for a shell: [label, what it sends, its name for screen readers]. */
const TOUCH_KEYS: [string, string, string][] = [
  ['Tab', '\t', 'Tab (complete)'], ['Ctrl-C', '\x03', 'Control C (cancel the line or stop the command)'],
  ['↑', '\x1b[A', 'previous command'], ['↓', '\x1b[B', 'next command'], ['←', '\x1b[D', 'cursor left'], ['→', '\x1b[C', 'cursor right'],
];

/**
 * Keys under the terminal on touch screens (shown by CSS for coarse pointers): a tap sends the
 * key to the shell and leaves the focus (and the on-screen keyboard) in the terminal.
 */
function touchKeyBar(terminal: PlayerTerminal): HTMLElement {
  return h('div', { class: 'touch-keys', role: 'toolbar', 'aria-label': 'terminal keys', 'data-testid': 'touch-keys' },
    TOUCH_KEYS.map(([label, data, name]) => h('button', { type: 'button', 'aria-label': name, 'data-key': label,
      onpointerdown: (e: Event) => e.preventDefault(), // a tap must not take the focus from the terminal
      onclick: () => {
        terminal.send(data);
        terminal.focus();
      } }, label)));
}

/** "Give up": a solo player stops and sees the answer, after confirming. */
function giveUpControl(giveUp: () => Promise<void>): { el: HTMLElement } {
  const ask = h('button', { type: 'button', class: 'ghost', 'data-testid': 'give-up' }, 'Give up and see the answer');
  const yes = h('button', { type: 'button', class: 'danger' }, 'Yes, give up');
  const no = h('button', { type: 'button' }, 'Keep going');
  const confirm = h('div', { class: 'confirm', role: 'alertdialog', 'aria-label': 'confirm giving up', hidden: true },
    h('p', {}, 'Give up? Your run ends now, scored without a diagnosis.'), h('div', { class: 'row' }, yes, no));
  const asking = (on: boolean) => {
    confirm.hidden = !on;
    ask.hidden = on;
  };
  ask.addEventListener('click', () => asking(true));
  no.addEventListener('click', () => asking(false));
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    await giveUp();
    yes.disabled = false;
    asking(false);
  });
  return { el: h('div', { class: 'give-up' }, ask, confirm) };
}

/** What the solo player learns at the end: the cause, the evidence found and missed, the reference path, every score line. */
function debriefPanel(debrief: Debrief, info: ScenarioInfo): HTMLElement {
  return h('section', { class: 'panel debrief', 'data-testid': 'debrief' },
    h('h2', {}, 'Debrief'),
    h('p', { class: 'total' }, 'Score ', h('strong', { 'data-testid': 'score-total' }, String(debrief.score.total)), ` / ${debrief.score.max}`),
    h('h3', {}, 'What was wrong'),
    h('p', { 'data-testid': 'debrief-cause' }, h('strong', {}, debrief.cause.title)),
    prose(debrief.cause.explanation),
    h('h3', {}, 'How it shows'),
    h('ul', { class: 'debrief-evidence', 'data-testid': 'debrief-evidence' }, debrief.evidence.map((e) => h('li', { class: e.found ? 'found' : 'missed' },
      h('span', { class: 'mark', 'aria-label': e.found ? 'you found this' : 'you missed this' }, e.found ? '✓' : '✗'), ' ',
      h('strong', {}, e.label), ': ', e.finding, h('div', { class: 'muted small' }, 'You: ', inlineCode(e.why))))),
    h('h3', {}, 'A reference path'),
    h('ol', { class: 'reference', 'data-testid': 'debrief-reference' }, debrief.reference.map((step) => h('li', {}, 'line' in step ? h('code', {}, step.line) : `wait ${step.waitSec} s`))),
    debrief.prevention.length > 0 && h('div', {}, h('h3', {}, 'Preventing it'), h('ul', {}, debrief.prevention.map((p) => h('li', {}, p)))),
    h('h3', {}, 'Your score, line by line'),
    scoreLinesTable(debrief.score.lines, 'debrief-lines'),
    info.title && h('p', { class: 'muted small' }, `${info.title}: try it again for another variant.`));
}

/** Score part keys as words (rootCause → root cause). */
export const partLabel = (key: string): string => key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/**
 * Bring your own tools: a kubeconfig for the room's cluster (its Kubernetes API, this seat's
 * token), offered where the room allows it. Every request it makes shows beside the terminal.
 */
function ownToolsPanel(session: RoomSession): { el: HTMLElement; update(): void } {
  const { model, conn } = session;
  const file = () => `kubedrill-${model.view.code}.kubeconfig`;
  const usage = h('p', { class: 'muted small' });
  const button = h('button', { type: 'button', 'data-testid': 'download-kubeconfig', onclick: async () => {
    const token = conn.participantToken;
    if (!token) return;
    button.disabled = true;
    try {
      const text = await api.kubeconfig(token);
      const link = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'application/yaml' })), download: file() });
      link.click();
      URL.revokeObjectURL(link.href);
      usage.textContent = `kubectl --kubeconfig ${file()} get pods -A`;
    } catch (error) {
      toast((error as Error).message, 'error');
    } finally {
      button.disabled = false;
    }
  } }, 'Download kubeconfig');
  const el = h('section', { class: 'panel', 'data-testid': 'own-tools' }, h('h2', {}, 'Your own tools'),
    h('p', { class: 'small' }, 'Use your own kubectl, k9s or Lens on this cluster. Each download replaces the last one; it stops working when you leave or the incident ends.'),
    button, usage);
  const update = () => {
    el.hidden = !apiSetting(model.view) || model.view.status === 'ended';
  };
  update();
  return { el, update };
}
