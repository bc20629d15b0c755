// Pieces several screens share: the room header with its timer, the cluster overview and
// the activity feed. Each returns an element and an `update()` to call after events.
import { MODE_WORDS, STATUS_WORDS, type RoomView, type ViewerEvent } from '../../../server/protocol/index.js';
import { commandCount, nameOf, type RoomModel } from '../net/room-model.js';
import { formatClock, scenarioInfo } from '../net/scenario-info.js';
import { screenReaderMode, setScreenReaderMode, TERMINAL_HELP_ID, TERMINAL_KEYS_HELP } from '../terminal/xterm.js';
import { fill, h } from './dom.js';

export interface Panel {
  el: HTMLElement;
  update(): void;
}


/** Counts the clock down between the server's ticks (one per second while running). */
export function timerText(view: RoomView, syncedAt: number, now: number): string {
  const drift = view.status === 'running' ? Math.min(1000, now - syncedAt) : 0;
  return formatClock(view.timer.remainingMs - drift);
}

export function roomHeader(model: RoomModel, extra: HTMLElement[] = []): Panel & { dispose(): void } {
  const status = h('span', { class: 'pill', 'data-testid': 'room-status' });
  const timer = h('span', { class: 'timer', 'data-testid': 'timer', role: 'timer', 'aria-label': 'time remaining' });
  const title = h('h1', { class: 'room-title' });
  const code = h('span', { class: 'code', title: 'join code' });
  let syncedAt = performance.now();
  let lastRemaining = model.view.timer.remainingMs;
  const renderTimer = () => {
    timer.textContent = timerText(model.view, syncedAt, performance.now());
    timer.classList.toggle('low', model.view.timer.remainingMs < 60_000 && model.view.status !== 'ended');
  };
  const interval = setInterval(renderTimer, 250);
  const update = () => {
    const { view } = model;
    if (view.timer.remainingMs !== lastRemaining) {
      lastRemaining = view.timer.remainingMs;
      syncedAt = performance.now();
    }
    status.textContent = STATUS_WORDS[view.status];
    status.dataset.status = view.status;
    title.textContent = scenarioInfo(view.scenario).title;
    code.textContent = `${MODE_WORDS[view.mode]} · ${view.code}`;
    renderTimer();
  };
  update();
  const el = h('header', { class: 'topbar' }, h('a', { class: 'brand', href: '/', 'aria-label': 'kubedrill home' }, 'kubedrill'), title, code, status, timer, h('div', { class: 'spacer' }), ...extra, keyboardMenu());
  return { el, update, dispose: () => clearInterval(interval) };
}

/**
 * Keyboard and screen reader: how to leave a terminal (its text is every terminal's
 * description) and xterm's screen-reader mode, kept in this browser.
 */
export function keyboardMenu(): HTMLElement {
  const reader = h('input', { type: 'checkbox', id: 'screen-reader', 'data-testid': 'screen-reader', checked: screenReaderMode(),
    onchange: () => setScreenReaderMode(reader.checked) });
  return h('details', { class: 'keyboard-menu' }, h('summary', {}, 'Keyboard'),
    h('div', { class: 'keyboard-popup' },
      h('p', { id: TERMINAL_HELP_ID, 'data-testid': 'terminal-help' }, TERMINAL_KEYS_HELP),
      h('label', { class: 'check', for: 'screen-reader' }, reader, ' Screen reader mode for terminals')));
}

/**
 * The cluster overview (nodes, pods by status, recent events — hosts and spectators get it
 * in the view and as `room:overview` pushes) and who is playing and what they have done.
 */
export function overviewPanel(model: RoomModel): Panel {
  const el = h('section', { class: 'panel overview', 'aria-labelledby': 'overview-h' });
  const update = () => {
    const { view } = model;
    const cluster = view.overview;
    const players = view.participants.filter((p) => p.role === 'player');
    fill(
      el,
      h('h2', { id: 'overview-h' }, 'Overview'),
      cluster?.nodes && h('table', { class: 'compact' },
        h('thead', {}, h('tr', {}, h('th', {}, 'node'), h('th', {}, 'status'), h('th', {}, 'roles'))),
        h('tbody', {}, cluster.nodes.map((n) => h('tr', {}, h('td', {}, n.name), h('td', { class: n.status === 'Ready' ? 'ok' : 'bad' }, n.status), h('td', {}, n.roles ?? ''))))),
      // Separated in the text too (screen readers, copying), not only by the layout.
      cluster?.pods && h('p', { class: 'pods', 'data-testid': 'pod-counts' }, Object.entries(cluster.pods).flatMap(([phase, n], i) =>
        [i > 0 && ' · ', h('span', { class: `pod-count ${phase.toLowerCase()}` }, `${phase} ${n}`)])),
      cluster?.events && h('ul', { class: 'events', 'data-testid': 'cluster-events' }, cluster.events.slice(-8).map((e) => h('li', { class: e.type === 'Warning' ? 'warn' : '' },
        h('span', { class: 'clock' }, formatClock(e.lastSeen)), ` ${e.reason} ${e.object}: ${e.message}${e.count > 1 ? ` (×${e.count})` : ''}`))),
      h('table', { class: 'compact', 'data-testid': 'players-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'player'), h('th', {}, 'commands'), h('th', {}, 'hints'), h('th', {}, 'diagnosis'))),
        h('tbody', {}, players.length === 0
          ? h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No players yet.'))
          : players.map((p) => {
            const commands = commandCount(model, p.id);
            const hints = view.hints.filter((x) => x.participantId === p.id || x.participantId === undefined).length;
            const diagnosed = view.diagnoses.some((d) => d.participantId === p.id);
            return h('tr', {},
              h('td', {}, h('span', { class: `dot ${p.online ? 'online' : 'offline'}`, title: p.online ? 'online' : 'offline' }), ` ${p.name}`, p.left ? h('span', { class: 'muted' }, ' (left)') : null),
              h('td', {}, commands), h('td', {}, hints), h('td', {}, diagnosed ? 'submitted' : '—'));
          }))),
    );
  };
  update();
  return { el, update };
}

export function describeEvent(view: RoomView, event: ViewerEvent): string | undefined {
  const who = (id: string) => nameOf(view, id);
  switch (event.type) {
    case 'room.created': return 'Room created';
    case 'participant.joined': return `${event.name} joined as ${'invite' in event && event.invite ? 'co-host' : event.role}`;
    case 'participant.left': return `${who(event.participantId)} left`;
    case 'participant.returned': return `${who(event.participantId)} came back`;
    case 'room.settings': return [
      event.allowSpectators !== undefined && (event.allowSpectators ? 'Spectators allowed' : 'Spectators not allowed'),
      event.autoHints !== undefined && (event.autoHints ? 'Automatic hints on' : 'Automatic hints off'),
      event.allowApi !== undefined && (event.allowApi ? 'Own tools (kubeconfig) allowed' : 'Own tools (kubeconfig) not allowed'),
    ].filter(Boolean).join('; ');
    case 'cohost.invited': return `${who(event.by)} made a co-host link`;
    case 'seat.requested': return `${event.name} asked to join`;
    case 'seat.admitted': return `${who(event.participantId)} let in${event.seatId !== event.participantId ? ` (into ${who(event.seatId)}'s seat)` : ''}`;
    case 'seat.refused': return `${who(event.participantId)} refused`;
    case 'score.released': return `${who(event.participantId)} was shown their score (${event.total}/${event.max})`;
    case 'room.started': return 'Started';
    case 'room.paused': return 'Paused';
    case 'room.resumed': return 'Resumed';
    case 'room.extended': return `Extended by ${Math.round(event.ms / 60_000)} min`;
    case 'room.ended': return `Ended (${{ time: 'time is up', submitted: 'diagnosis submitted', 'gave-up': 'gave up', host: 'by the host' }[event.reason]})`;
    case 'command': return `${who(event.participantId)}: ${event.line}`;
    case 'api.request': return `${who(event.participantId)} (own tools): ${event.summary}`;
    case 'api.token': return `${who(event.participantId)} downloaded a kubeconfig`;
    case 'hint.requested': return `${who(event.participantId)} asked for a hint`;
    case 'hint.pushed': return `Hint ${event.hintId} → ${event.participantId ? who(event.participantId) : 'everyone'} (−${event.cost})`;
    case 'diagnosis.submitted': return `${who(event.participantId)} submitted a diagnosis`;
    case 'score.computed': return `${who(event.participantId)} scored ${event.total}/${event.max}`;
    case 'fault.injected': return `Fault injected: ${event.faultId}`;
    case 'score.adjusted': return `Score of ${who(event.participantId)} adjusted ${event.points > 0 ? '+' : ''}${event.points}: ${event.reason}`;
    case 'note.added': return `${event.at !== undefined ? 'Comment' : 'Note'} by ${who(event.by)}: ${event.text}`;
    case 'signal': return `⚠ ${who(event.participantId)}: ${event.kind === 'paste' ? `pasted ${event.amount ?? '?'} characters` : `left the tab${event.amount ? ` for ${Math.round(event.amount / 1000)} s` : ''}`}`;
    case 'tick': return undefined;
  }
}

export function activityPanel(model: RoomModel, title = 'Activity'): Panel {
  const list = h('ol', { class: 'activity', 'aria-live': 'polite' });
  const el = h('section', { class: 'panel' }, h('h2', {}, title), list);
  // The list is a live region, which reads out what is added: shown events keep their items
  // (by seq) and only new ones are inserted (redrawing all 40 had every event re-read them all).
  const items = new Map<number, HTMLElement>();
  const update = () => {
    const shown = new Set<number>();
    let at = list.firstElementChild;
    for (const e of model.activity.slice(-40).reverse()) {
      let item = items.get(e.seq);
      if (!item) {
        const text = describeEvent(model.view, e);
        if (!text) continue;
        item = h('li', { class: `ev-${e.type.replace('.', '-')}` }, h('span', { class: 'clock' }, formatClock(e.simTime)), ' ', text);
        items.set(e.seq, item);
      }
      shown.add(e.seq);
      if (item === at) at = at.nextElementSibling;
      else list.insertBefore(item, at);
    }
    for (const [seq, item] of items) {
      if (shown.has(seq)) continue;
      item.remove();
      items.delete(seq);
    }
  };
  update();
  return { el, update };
}

/** Briefing text as paragraphs: blank lines separate them, single line breaks are wraps, `code` stays code. */
export function prose(text: string): HTMLElement[] {
  return text.split(/\n\s*\n/).map((para) => para.trim()).filter(Boolean).map((para) =>
    h('p', {}, inlineCode(para.replace(/\s*\n\s*/g, ' '))));
}

/** Text with its `backticked` spans as code elements. */
export function inlineCode(text: string): (HTMLElement | string)[] {
  return text.split(/(`[^`]+`)/).map((part) => (part.startsWith('`') && part.endsWith('`') && part.length > 1 ? h('code', {}, part.slice(1, -1)) : part));
}
