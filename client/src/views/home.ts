// The lobby: pick a scenario and a mode (solo, interview, game day), or join with a code.
import { api, type ScenarioListItem } from '../net/api.js';
import { scenarioInfo } from '../net/scenario-info.js';
import { saveSeat } from '../net/seats.js';
import { navigate } from '../router.js';
import { fill, h } from './dom.js';
import { prose } from './panels.js';

const MODES = [
  { id: 'solo', title: 'Play solo', line: 'You alone against the incident, with auto-hints; your score goes on the leaderboard.', nameLabel: 'Your name' },
  { id: 'interview', title: 'Host an interview', line: 'One candidate runs the incident while you watch their terminal live with the answer key.', nameLabel: 'Interviewer name' },
  { id: 'gameday', title: 'Run a game day', line: 'A team shares one cluster; you facilitate, inject faults and review the timeline.', nameLabel: 'Facilitator name' },
] as const;

/** A join typed on the home page, picked up by the room page after navigation. */
export const PENDING_JOIN_KEY = 'kubedrill:pending-join';

export function homeView(root: HTMLElement): void {
  const list = h('div', { class: 'scenario-list', role: 'radiogroup', 'aria-label': 'scenarios' }, h('p', { class: 'muted' }, 'Loading scenarios…'));
  const filters = h('div', { class: 'tag-filter', role: 'group', 'aria-label': 'filter by tag' });
  const createError = h('p', { class: 'error', role: 'alert' });
  let selected: string | undefined;
  const name = h('input', { id: 'create-name', name: 'name', required: true, maxlength: 40, autocomplete: 'nickname', value: localStorage.getItem('kubedrill:name') ?? '' });
  const modeButtons = MODES.map((m) => h('button', { type: 'submit', value: m.id, class: m.id === 'solo' ? 'primary' : '', 'data-mode': m.id }, m.title));
  const spectators = h('input', { type: 'checkbox', id: 'create-spectators' });
  const autoHints = h('input', { type: 'checkbox', id: 'create-auto-hints' });
  const stacked = h('input', { type: 'checkbox', id: 'create-stacked' });
  // Shown only for an incident that declares a second fault to stack.
  const stackedLabel = h('label', { class: 'check small', for: 'create-stacked', hidden: true }, stacked, ' Interview and game day: stack a second fault onto the incident (two root causes to find)');
  const createForm = h('form', { class: 'create', 'aria-label': 'start a scenario' },
    h('label', { for: 'create-name' }, 'Your name'), name,
    h('div', { class: 'modes' }, MODES.map((m, i) => h('div', { class: 'mode' }, modeButtons[i], h('p', { class: 'muted small' }, m.line)))),
    h('label', { class: 'check small', for: 'create-auto-hints' }, autoHints, ' Solo: give me a hint by myself when I am stuck for 2 minutes (each hint costs points)'),
    h('label', { class: 'check small', for: 'create-spectators' }, spectators, ' Interview and game day: anyone with the join code may watch (you can change it later)'),
    stackedLabel,
    createError);
  createForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const mode = ((event as SubmitEvent).submitter as HTMLButtonElement | null)?.value ?? 'solo';
    if (!selected) return void (createError.textContent = 'Pick a scenario first.');
    if (!name.value.trim()) return void (createError.textContent = 'Enter your name.');
    localStorage.setItem('kubedrill:name', name.value.trim());
    createError.textContent = '';
    for (const b of modeButtons) b.disabled = true;
    try {
      if (mode === 'solo') {
        // The clock starts when the player presses Start, having read the briefing.
        const room = await api.createSolo({ scenarioId: selected, name: name.value.trim(), autoHints: autoHints.checked, start: false });
        saveSeat({ roomId: room.roomId, code: room.code, token: room.token, role: 'player', participantId: room.participantId });
        navigate(`/r/${room.code}`);
      } else {
        const room = await api.createRoom({ scenarioId: selected, mode: mode as 'interview' | 'gameday', hostName: name.value.trim(), allowSpectators: spectators.checked, stacked: !stackedLabel.hidden && stacked.checked });
        saveSeat({ roomId: room.roomId, code: room.code, token: room.hostToken, role: 'host', participantId: '' });
        navigate(`/host/${room.roomId}`);
      }
    } catch (error) {
      createError.textContent = (error as Error).message;
      for (const b of modeButtons) b.disabled = false;
    }
  });

  const code = h('input', { id: 'join-code', name: 'code', required: true, maxlength: 8, autocomplete: 'off', spellcheck: false, class: 'code-input', placeholder: 'ABCD2345' });
  const joinName = h('input', { id: 'join-name', name: 'name', required: true, maxlength: 40, value: localStorage.getItem('kubedrill:name') ?? '' });
  const role = h('select', { id: 'join-role', name: 'role' }, h('option', { value: 'player' }, 'Player'), h('option', { value: 'spectator' }, 'Spectator (watch only)'));
  const joinError = h('p', { class: 'error', role: 'alert' });
  const joinForm = h('form', { class: 'join', 'aria-label': 'join a room' },
    h('label', { for: 'join-code' }, 'Join code'), code,
    h('label', { for: 'join-name' }, 'Your name'), joinName,
    h('label', { for: 'join-role' }, 'Join as'), role,
    joinError, h('button', { type: 'submit', class: 'primary' }, 'Join'));
  joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = code.value.trim().toUpperCase();
    if (!/^[A-Z2-9]{8}$/.test(value)) return void (joinError.textContent = 'A join code is 8 letters or digits.');
    localStorage.setItem('kubedrill:name', joinName.value.trim());
    sessionStorage.setItem(PENDING_JOIN_KEY, JSON.stringify({ code: value, name: joinName.value.trim(), role: role.value }));
    navigate(`/r/${value}`);
  });

  const boardLink = h('a', { href: '/', hidden: true, 'data-testid': 'leaderboard-link' }, 'Best solo runs of this incident');
  fill(root,
    h('header', { class: 'topbar' }, h('a', { class: 'brand', href: '/' }, 'kubedrill'), h('span', { class: 'muted' }, 'Kubernetes incident drills on a simulated cluster')),
    h('div', { class: 'home' },
      h('section', { class: 'panel scenarios', 'aria-labelledby': 'sc-h' }, h('h1', { id: 'sc-h' }, 'Choose an incident'), filters, list),
      h('div', { class: 'home-side' },
        h('section', { class: 'panel', 'aria-labelledby': 'start-h' }, h('h2', { id: 'start-h' }, 'Start'), createForm, h('p', { class: 'small' }, boardLink)),
        h('section', { class: 'panel', 'aria-labelledby': 'join-h' }, h('h2', { id: 'join-h' }, 'Join a room'), joinForm))));

  let stackable = new Set<string>();
  const choose = (id: string) => {
    selected = id;
    stackedLabel.hidden = !stackable.has(id);
    boardLink.href = `/leaderboard/${encodeURIComponent(id)}`;
    boardLink.hidden = false;
    for (const card of list.querySelectorAll<HTMLElement>('[role=radio]')) {
      const on = card.dataset.id === id;
      card.setAttribute('aria-checked', String(on));
      card.tabIndex = on ? 0 : -1;
    }
  };
  const visibleCards = () => [...list.querySelectorAll<HTMLElement>('[role=radio]')].filter((c) => !c.hidden);
  /** Show the cards with this tag (undefined: all); the choice moves to the first shown if it was hidden. */
  const filterBy = (tag: string | undefined) => {
    for (const b of filters.querySelectorAll<HTMLButtonElement>('button')) b.setAttribute('aria-pressed', String((b.dataset.tag || undefined) === tag));
    for (const card of list.querySelectorAll<HTMLElement>('[role=radio]')) card.hidden = tag !== undefined && !(card.dataset.tags ?? '').split(' ').includes(tag);
    const shown = visibleCards();
    if (shown[0] && !shown.some((c) => c.dataset.id === selected)) choose(shown[0].dataset.id!);
  };
  // The server sends them easiest first (then shorter, then by title): the lobby keeps that order.
  api.scenarios().then((scenarios: ScenarioListItem[]) => {
    const infos = scenarios.map(scenarioInfo);
    stackable = new Set(infos.filter((s) => s.stackable).map((s) => s.id));
    const tags = [...new Set(infos.flatMap((s) => s.tags))].sort();
    fill(filters, tags.length === 0 ? [] : [undefined, ...tags].map((t) =>
      h('button', { type: 'button', class: 'tag-toggle', 'data-tag': t ?? '', 'aria-pressed': String(t === undefined), onclick: () => filterBy(t) }, t ?? 'all')));
    fill(list, infos.length === 0 ? h('p', { class: 'muted' }, 'No scenarios are installed.') : infos.map((s, i) =>
      h('div', { class: 'scenario', role: 'radio', tabindex: i === 0 ? 0 : -1, 'aria-checked': 'false', 'data-id': s.id, 'data-tags': s.tags.join(' '),
        onclick: () => choose(s.id),
        onkeydown: (e: KeyboardEvent) => {
          const cards = visibleCards();
          const at = cards.findIndex((c) => c.dataset.id === s.id);
          const step = e.key === 'ArrowDown' || e.key === 'ArrowRight' ? 1 : e.key === 'ArrowUp' || e.key === 'ArrowLeft' ? -1 : 0;
          if (e.key === ' ' || e.key === 'Enter') (e.preventDefault(), choose(s.id));
          if (step && cards.length > 0) {
            e.preventDefault();
            const next = cards[(at + step + cards.length) % cards.length]!;
            choose(next.dataset.id!);
            next.focus();
          }
        } },
      h('h2', {}, s.title),
      h('p', { class: 'meta' },
        s.difficulty && h('span', { class: `difficulty ${s.difficulty}` }, s.difficulty),
        s.estimatedMinutes !== undefined && h('span', { class: 'estimate', title: 'estimated time' }, `~${s.estimatedMinutes} min`),
        s.timeLimitMs !== undefined && h('span', { title: 'time limit' }, `limit ${Math.round(s.timeLimitMs / 60_000)} min`),
        s.tags.map((t) => h('span', { class: 'tag' }, t))),
      s.briefing && briefingPreview(s.briefing))));
    if (infos[0]) choose(infos[0].id);
  }, (error: Error) => fill(list, h('p', { class: 'error' }, `Could not load scenarios: ${error.message}`)));
}

/** The briefing's first paragraph, rendered as the room shows it (`code` spans, no raw backticks). */
function briefingPreview(briefing: string): HTMLElement | undefined {
  const first = prose(briefing)[0];
  first?.classList.add('small', 'briefing-preview');
  return first;
}
