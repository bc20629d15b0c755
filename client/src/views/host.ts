// The host console (interviewer / facilitator): every player's terminal live, the room
// controls, hints, faults, integrity signals, answer key, scores and private notes.
import type { HostRoomView, ViewerEvent } from '../../../server/protocol/index.js';
import { api } from '../net/api.js';
import { adjustedScore, apiSetting, hostPart, nameOf, noteApiCall, present } from '../net/room-model.js';
import { causesNamed, choiceLabel, formatClock, scenarioInfo } from '../net/scenario-info.js';
import { fill, h, toast } from './dom.js';
import { inviteDialog } from './invite-dialog.js';
import { activityPanel, overviewPanel, prose, roomHeader } from './panels.js';
import { recordView } from './record-view.js';
import { breakdownLines, scoreLinesTable } from './score-lines.js';
import type { RoomSession } from './room-session.js';
import { TerminalGrid } from './terminal-grid.js';

type Tab = 'control' | 'key' | 'scores' | 'notes';
const TABS: [Tab, string][] = [['control', 'Control'], ['key', 'Answer key'], ['scores', 'Scores'], ['notes', 'Notes']];

export function hostView(root: HTMLElement, session: RoomSession): () => void {
  const { model, conn } = session;
  const host = () => hostPart(model.view) as HostRoomView['host'];
  const info = scenarioInfo(model.view.scenario);
  const act = async (name: Parameters<typeof conn.call>[0], payload: object = {}) => {
    const ack = await conn.call(name, payload);
    if (!ack.ok) toast(ack.error.message, 'error');
    return ack.ok;
  };

  const controls = h('div', { class: 'controls', role: 'toolbar', 'aria-label': 'room controls' });
  const header = roomHeader(model, [controls]);
  const grid = new TerminalGrid(model);
  const overview = overviewPanel(model);
  const activity = activityPanel(model);
  const panes: Record<Tab, HTMLElement> = {
    control: h('div', { class: 'pane' }),
    key: h('div', { class: 'pane' }),
    scores: h('div', { class: 'pane' }),
    notes: h('div', { class: 'pane' }),
  };
  let tab: Tab = 'control';
  const tabButtons = TABS.map(([id, text]) => h('button', { type: 'button', role: 'tab', id: `tab-${id}`, 'aria-controls': `pane-${id}`, onclick: () => select(id) }, text));
  // The ARIA tabs pattern screen readers announce: arrows, Home and End move between the tabs; Tab goes to the pane.
  const tabList = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'host tools', onkeydown: (e: KeyboardEvent) => {
    const at = TABS.findIndex(([id]) => id === tab);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: TABS.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    select(TABS[(to + TABS.length) % TABS.length]![0]);
    tabButtons.find((b) => b.getAttribute('aria-selected') === 'true')?.focus();
  } }, tabButtons);
  for (const [id] of TABS) Object.assign(panes[id], { id: `pane-${id}`, role: 'tabpanel' }).setAttribute('aria-labelledby', `tab-${id}`);

  fill(root, header.el,
    h('div', { class: 'host-layout' },
      h('div', { class: 'host-main' }, grid.el, h('div', { class: 'under-grid' }, overview.el, activity.el)),
      h('aside', { class: 'sidebar', 'aria-label': 'host tools' }, tabList, Object.values(panes))));

  function select(next: Tab) {
    tab = next;
    tabButtons.forEach((b, i) => {
      b.setAttribute('aria-selected', String(TABS[i]![0] === next));
      b.tabIndex = TABS[i]![0] === next ? 0 : -1;
    });
    for (const [id, pane] of Object.entries(panes)) pane.hidden = id !== next;
  }
  select(tab);

  function renderControls() {
    const { status, roomId, code } = model.view;
    const button = (text: string, onclick: () => void, cls = '') => h('button', { type: 'button', class: cls, onclick }, text);
    fill(controls,
      status !== 'ended' && h('button', { type: 'button', class: 'ghost', title: 'show the join link and code', 'aria-haspopup': 'dialog', onclick: () => inviteDialog(code) }, `Invite: ${code}`),
      h('button', { type: 'button', 'aria-haspopup': 'dialog', 'data-testid': 'invite-cohost', onclick: () => void inviteCohost(code) }, 'Invite a co-host'),
      status === 'lobby' && button('Start', () => void act('host:start'), 'primary'),
      status === 'running' && button('Pause', () => void act('host:pause')),
      status === 'paused' && button('Resume', () => void act('host:resume'), 'primary'),
      status !== 'ended' && button('+5 min', () => void act('host:extend', { minutes: 5 })),
      status !== 'ended' && button('End', () => {
        if (confirm('End the incident for everyone? Scores are computed now.')) void act('host:end');
      }, 'danger'),
      status === 'ended' && h('a', { class: 'button primary', href: `/report/${roomId}` }, 'Open report'),
      status === 'ended' && h('a', { class: 'button', href: `/replay/${roomId}` }, 'Replay'));
  }

  /** A fresh co-host link each time: each one opens a single host seat. */
  async function inviteCohost(code: string) {
    const ack = await conn.call<{ invite: string }>('host:cohost-invite');
    if (!ack.ok) return toast(ack.error.message, 'error');
    inviteDialog(code, ack.invite);
  }

  let hintTarget = '';
  function renderControlPane() {
    const players = present(model.view).filter((p) => p.role === 'player');
    const target = h('select', { 'aria-label': 'give hints to', onchange: () => (hintTarget = target.value) },
      h('option', { value: '' }, 'everyone'), players.map((p) => h('option', { value: p.id, selected: p.id === hintTarget }, p.name)));
    const signals = host().signals;
    fill(panes.control,
      seatsPanel(),
      model.hintRequests.length > 0 && h('section', { class: 'panel attention', 'aria-live': 'polite' }, h('h2', {}, 'Hint requests'),
        h('ul', {}, model.hintRequests.map((r) => h('li', {}, `${nameOf(model.view, r.participantId)} asked for a hint`)))),
      h('section', { class: 'panel' }, h('h2', {}, 'Hints'),
        h('label', { class: 'inline' }, 'Give to ', target),
        h('ul', { class: 'host-hints' }, host().hints.map((hint) => h('li', {},
          h('div', {}, h('span', { class: 'cost' }, `−${hint.cost}`), ' ', hint.text),
          h('button', { type: 'button', 'data-hint': hint.id, onclick: () => void act('host:hint', { hintId: hint.id, ...(target.value ? { participantId: target.value } : {}) }) }, hint.pushed ? 'Push again' : 'Push'))))),
      h('section', { class: 'panel' }, h('h2', {}, 'Optional faults'),
        host().faults.length === 0 ? h('p', { class: 'muted' }, 'This scenario has no optional faults.') :
          h('ul', { class: 'host-hints' }, host().faults.map((f) => h('li', {}, h('div', {}, f.description),
            h('button', { type: 'button', disabled: f.injected || model.view.status === 'ended', onclick: () => {
              if (confirm(`Inject "${f.description}" now?`)) void act('host:fault', { faultId: f.id });
            } }, f.injected ? 'Injected' : 'Inject'))))),
      h('section', { class: 'panel', 'data-testid': 'signals' }, h('h2', {}, `Integrity signals (${signals.length})`),
        signals.length === 0 ? h('p', { class: 'muted' }, 'None. Pastes and tab switches show here.') :
          h('ul', { class: 'signals' }, [...signals].reverse().map((s) => h('li', {}, `${nameOf(model.view, s.participantId)}: `,
            s.kind === 'paste' ? `pasted ${s.amount ?? '?'} characters` : 'left the tab')))),
    );
  }

  // The control pane is redrawn on every event: what the host is choosing there is kept here.
  const seatChoice = new Map<string, string>();
  let peopleOpen = false;
  /**
   * Who may come in and who came: identities waiting for a seat (an interview's go into the
   * candidate seat; a game day's into a new seat or, chosen here, a player's old one),
   * whether spectators may watch, and everyone who ever joined.
   */
  function seatsPanel(): HTMLElement {
    const requests = host().requests;
    const waiting = requests.filter((r) => r.status === 'pending');
    const seatName = (id: string | undefined) => (id ? nameOf(model.view, id) : '');
    const spectators = h('input', { type: 'checkbox', id: 'allow-spectators', checked: model.view.settings.allowSpectators, disabled: model.view.status === 'ended',
      onchange: () => void act('room:settings', { allowSpectators: spectators.checked }).then((ok) => ok || (spectators.checked = model.view.settings.allowSpectators)) });
    const ownTools = h('input', { type: 'checkbox', id: 'allow-api', 'data-testid': 'allow-api', checked: apiSetting(model.view), disabled: model.view.status === 'ended',
      onchange: () => void act('room:settings', { allowApi: ownTools.checked }).then((ok) => ok || (ownTools.checked = apiSetting(model.view))) });
    const players = model.view.participants.filter((p) => p.role === 'player');
    const candidate = model.view.mode === 'interview' ? players[0] : undefined;
    const request = (r: (typeof requests)[number]) => {
      const into = model.view.mode === 'gameday' && players.length > 0
        ? h('select', { 'aria-label': `seat for ${r.name}`, 'data-seat-for': r.id, onchange: () => seatChoice.set(r.id, into!.value) },
          h('option', { value: '' }, 'a new seat'), players.map((p) => h('option', { value: p.id, selected: seatChoice.get(r.id) === p.id }, `${p.name}'s seat`)))
        : null;
      const admit = () => void act('host:admit', { requestId: r.id, ...(into?.value ? { seat: into.value } : {}) });
      return h('li', {},
        // Names isolated (bdi): a right-to-left name must not carry the words around it ("'s seat") along.
        h('span', {}, h('bdi', {}, r.name), ' asks to join', candidate && [' (admitting gives them ', h('bdi', {}, candidate.name), "'s seat)"]),
        into && h('label', { class: 'inline small' }, 'into ', into),
        h('button', { type: 'button', class: 'primary', 'data-admit': r.id, onclick: admit }, 'Admit'),
        h('button', { type: 'button', 'data-refuse': r.id, onclick: () => void act('host:refuse', { requestId: r.id }) }, 'Refuse'));
    };
    return h('section', { class: `panel${waiting.length > 0 ? ' attention' : ''}`, 'data-testid': 'seats' }, h('h2', {}, 'Who may join'),
      h('label', { class: 'check', for: 'allow-spectators' }, spectators, ' Spectators may watch every terminal'),
      h('label', { class: 'check', for: 'allow-api' }, ownTools, ' Players may use their own kubectl (a kubeconfig for the room\'s cluster; every request shows beside their terminal)'),
      waiting.length > 0 && h('ul', { class: 'requests', 'aria-live': 'polite' }, waiting.map(request)),
      requests.length > waiting.length && h('ul', { class: 'small muted' }, requests.filter((r) => r.status !== 'pending').map((r) =>
        h('li', {}, h('bdi', {}, r.name), r.status === 'admitted' ? ': admitted' : ': refused',
          r.status === 'admitted' && r.seatId !== r.id && [' into ', h('bdi', {}, seatName(r.seatId)), "'s seat"]))),
      h('details', { 'data-testid': 'people', open: peopleOpen, ontoggle: (e: Event) => (peopleOpen = (e.target as HTMLDetailsElement).open) },
        h('summary', {}, `Everyone who joined (${model.view.participants.length})`),
        h('ul', { class: 'small' }, model.view.participants.map((p) => h('li', {},
          h('span', { class: `dot ${p.online ? 'online' : 'offline'}` }), ` ${p.name} · ${p.role}${p.left ? ' · left' : ''}`)))));
  }

  /**
   * The answer key to read: the cause, the evidence that proves it as a checklist ticked live
   * as each player's terminal shows it, the fixes that count, what costs points, a reference
   * run and prevention. The key as authored (selectors, predicates) is behind a toggle.
   */
  let rawOpen = false;
  function renderKeyPane() {
    const { key, seen } = host();
    const players = model.view.participants.filter((p) => p.role === 'player');
    const lineOf = (participantId: string, seq: number) =>
      model.view.terminals.find((t) => t.participantId === participantId)?.entries.find((e) => e.seq === seq)?.line;
    const evidenceItem = (e: (typeof key.evidence)[number]) => {
      const by = players.flatMap((p) => {
        const first = seen[p.id]?.find((x) => x.evidenceId === e.id);
        return first ? [{ player: p, line: lineOf(p.id, first.seq) }] : [];
      });
      return h('li', { class: by.length > 0 ? 'found' : 'open', 'data-evidence': e.id },
        h('span', { class: 'mark', role: 'img', 'aria-label': by.length > 0 ? 'seen' : 'not seen yet' }, by.length > 0 ? '✓' : '○'), ' ',
        h('strong', {}, e.label), e.key ? h('span', { class: 'tag' }, 'proves the cause') : null, h('div', {}, e.text),
        h('div', { class: 'small muted', 'data-testid': 'seen-by' }, by.length === 0 ? 'Not seen yet.' : by.map(({ player, line }) =>
          h('span', { class: 'seen' }, `Seen by ${player.name}`, line ? ' with ' : '', line ? h('code', {}, line) : null))));
    };
    fill(panes.key, h('section', { class: 'panel secret', 'data-testid': 'answer-key' },
      h('h2', {}, 'Answer key'), h('p', { class: 'muted small' }, `Hosts only. Seed ${host().seed}.`),
      h('h3', {}, key.secondCause ? 'The two causes' : 'The cause'), h('p', {}, h('strong', { 'data-testid': 'key-cause' }, key.cause.title)), prose(key.cause.explanation),
      key.secondCause && h('p', {}, h('strong', { 'data-testid': 'key-second-cause' }, key.secondCause.title)), key.secondCause && prose(key.secondCause.explanation),
      h('h3', {}, 'The evidence that proves it'),
      h('p', { class: 'small muted' }, 'Ticked as soon as a player\'s terminal shows it.'),
      h('ul', { class: 'checklist', 'data-testid': 'key-evidence' }, key.evidence.map(evidenceItem)),
      h('h3', {}, 'The fix'),
      h('ul', { class: 'checklist', 'data-testid': 'key-fixes' }, key.fixes.map((f) => h('li', {}, h('span', { class: 'mark', 'aria-hidden': 'true' }, '→'), ' ', f.text,
        h('span', { class: 'small muted' }, f.guard ? ' (must still hold after the fix)' : ` (${f.points} points)`)))),
      key.harmful.length > 0 && [h('h3', {}, 'Costs points'), h('ul', {}, key.harmful.map((x) => h('li', {}, `${x.text} (−${x.penalty})`)))],
      key.reference.length > 0 && [h('h3', {}, 'A reference run'),
        h('ol', { class: 'reference' }, key.reference.map((step) => h('li', {}, 'line' in step ? h('code', {}, step.line) : `wait ${step.waitSec} s`)))],
      key.prevention.length > 0 && [h('h3', {}, 'Preventing it'), h('ul', {}, key.prevention.map((p) => h('li', {}, p)))],
      h('details', { 'data-testid': 'raw-key', open: rawOpen, ontoggle: (e: Event) => (rawOpen = (e.target as HTMLDetailsElement).open) },
        h('summary', {}, 'Raw answer key (as authored)'), recordView(host().answerKey))));
  }

  function renderScoresPane() {
    const players = model.view.participants.filter((p) => p.role === 'player');
    fill(panes.scores, players.length === 0 ? h('p', { class: 'muted' }, 'No players.') : players.map((p) => {
      const score = model.view.scores.find((s) => s.participantId === p.id);
      const adjusted = adjustedScore(model.view, p.id);
      const diagnosis = model.view.diagnoses.find((d) => d.participantId === p.id);
      const points = h('input', { type: 'number', min: -1000, max: 1000, step: 1, required: true, 'aria-label': 'points', class: 'points' });
      const reason = h('input', { type: 'text', required: true, maxlength: 1000, placeholder: 'reason', 'aria-label': 'reason' });
      const form = h('form', { class: 'row', onsubmit: async (e: Event) => {
        e.preventDefault();
        if (await act('host:adjust', { participantId: p.id, points: Number(points.value), reason: reason.value })) toast('Score adjusted');
      } }, points, reason, h('button', { type: 'submit' }, 'Adjust'));
      return h('section', { class: 'panel' }, h('h2', {}, p.name, p.left ? h('span', { class: 'muted' }, ' (left)') : null),
        diagnosis ? h('div', {}, h('p', {}, 'Root cause: ', h('strong', {}, causesNamed(info.causes, diagnosis))), diagnosis.text && h('p', { class: 'pre-line' }, diagnosis.text),
          diagnosis.evidence.length > 0 && h('ul', {}, diagnosis.evidence.map((e) => h('li', {}, choiceLabel(info.evidence, e))))) : h('p', { class: 'muted' }, 'No diagnosis yet.'),
        score && adjusted ? h('div', {},
          h('p', { class: 'total' }, h('strong', {}, String(adjusted.total)), ` / ${adjusted.max}`, adjusted.total !== score.total ? ` (computed ${score.total})` : ''),
          releaseControl(p.id),
          scoreLinesTable(breakdownLines(host().breakdowns[p.id]), `lines-${p.id}`),
          h('details', {}, h('summary', {}, 'Raw breakdown'), recordView(host().breakdowns[p.id] ?? {})),
          host().adjustments.filter((a) => a.participantId === p.id).map((a) => h('p', { class: 'small' }, `${a.points > 0 ? '+' : ''}${a.points}: ${a.reason}`)),
          form,
        ) : h('p', { class: 'muted' }, 'Not scored yet: scores are computed on submission or at the end.'));
    }));
  }

  /** Whether the player sees their score; in an interview the host releases it. */
  function releaseControl(participantId: string): HTMLElement {
    if (host().released.includes(participantId)) return h('p', { class: 'small', 'data-testid': 'released' }, 'The player sees this score (adjustments included).');
    if (model.view.mode !== 'interview') return h('p', { class: 'small muted' }, 'Players see their scores when the room ends.');
    return h('p', {}, h('button', { type: 'button', class: 'primary', 'data-release': participantId, onclick: () => void act('host:release', { participantId }) }, 'Show the candidate their score'),
      h('span', { class: 'small muted' }, ' Until then they see only "submitted".'));
  }

  const noteText = h('textarea', { rows: 3, maxlength: 4000, placeholder: 'Private note (hosts only, signed with your name)…', 'aria-label': 'private note' });
  const noteList = h('ul', { class: 'notes' });
  const noteForm = h('form', { onsubmit: async (e: Event) => {
    e.preventDefault();
    if (noteText.value.trim() && (await act('host:note', { text: noteText.value }))) noteText.value = '';
  } }, noteText, h('div', { class: 'row end' }, h('button', { type: 'submit' }, 'Add note')));
  fill(panes.notes, h('section', { class: 'panel' }, h('h2', {}, 'Private notes'), noteForm, noteList));
  function renderNotes() {
    const notes = host().notes;
    fill(noteList, notes.length === 0 ? h('li', { class: 'muted' }, 'No notes yet.') : [...notes].reverse().map((n) => {
      const at = model.activity.find((e) => e.seq === n.seq);
      return h('li', {}, at ? h('span', { class: 'clock' }, formatClock(at.simTime)) : null, ' ', h('strong', { class: 'note-by' }, `${nameOf(model.view, n.by)}: `), n.text);
    }));
  }

  // Forms with typing in progress (adjustments, notes) are redrawn only when their data changed.
  const SCORE_EVENTS = new Set<ViewerEvent['type']>(['participant.joined', 'participant.left', 'participant.returned', 'diagnosis.submitted', 'score.computed', 'score.adjusted', 'score.released']);
  // The key pane's checklist follows what players' terminals show (and who plays).
  const KEY_EVENTS = new Set<ViewerEvent['type']>(['command', 'participant.joined']);
  function render(event?: ViewerEvent) {
    header.update();
    renderControls();
    grid.sync();
    overview.update();
    activity.update();
    renderControlPane();
    if (!event || KEY_EVENTS.has(event.type)) renderKeyPane();
    if (!event || SCORE_EVENTS.has(event.type)) renderScoresPane();
    if (!event || event.type === 'note.added') renderNotes();
  }
  render();

  void seedHistory(session).then(() => render());

  const unsubscribe = session.subscribe((event: ViewerEvent) => {
    if (event.type === 'tick') return header.update();
    if (event.type === 'command') grid.append(event.participantId, event);
    if (event.type === 'command.output' || event.type === 'command.interrupted') grid.appendOutput(event.participantId, event.type === 'command.output' ? event.output : '^C\n');
    render(event);
  });
  const unsubscribeOverview = session.subscribeOverview(() => overview.update());
  return () => {
    unsubscribe();
    unsubscribeOverview();
    header.dispose();
    grid.dispose();
  };
}

/**
 * The join view has no event history; a host (re)opening the console reads the log so the
 * activity feed and unanswered hint requests are there from the first second.
 */
async function seedHistory(session: RoomSession): Promise<void> {
  const { model, conn } = session;
  const token = conn.participantToken;
  if (!token) return;
  const joinedAt = model.view.seq;
  const log = await api.replay(model.view.roomId, token).catch(() => undefined);
  if (!log) return;
  const past = (log.events as ViewerEvent[]).filter((e) => e.seq <= joinedAt);
  let requests: RoomSession['model']['hintRequests'] = [];
  for (const e of past) {
    if (e.type === 'hint.requested') requests.push({ seq: e.seq, participantId: e.participantId });
    if (e.type === 'hint.pushed') requests = requests.filter((r) => e.participantId !== undefined && r.participantId !== e.participantId);
  }
  model.hintRequests.unshift(...requests);
  model.activity.unshift(...past.filter((e) => e.type !== 'tick').slice(-150));
  const live = model.apiCalls ?? {};
  model.apiCalls = {};
  for (const e of past) if (e.type === 'api.request') noteApiCall(model, e);
  for (const [id, calls] of Object.entries(live)) (model.apiCalls[id] ??= []).push(...calls);
}
