// Every player's terminal mirrored side by side (host console, spectators, replay).
import type { RoomView, TerminalEntry } from '../../../server/protocol/index.js';
import { adjustedScore, hostPart, type RoomModel } from '../net/room-model.js';
import { MirrorTerminal } from '../terminal/mirror-terminal.js';
import { fill, h } from './dom.js';

interface Tile {
  el: HTMLElement;
  title: HTMLElement;
  badges: HTMLElement;
  mirror: MirrorTerminal;
  /** The player's own tools' requests to the room's Kubernetes API, newest last. */
  apiCalls: HTMLElement;
}

export class TerminalGrid {
  readonly el = h('div', { class: 'term-grid', 'data-testid': 'terminal-grid' });
  private readonly tiles = new Map<string, Tile>();
  private readonly empty = h('p', { class: 'empty muted' }, 'No player has joined yet. Share the join code.');

  constructor(private readonly model: RoomModel) {
    this.sync();
  }

  /** Adds tiles for new players and refreshes names, presence and integrity badges. */
  sync(): void {
    const { view } = this.model;
    for (const terminal of view.terminals) if (!this.tiles.has(terminal.participantId)) this.add(terminal.participantId, terminal.entries);
    for (const [id, tile] of this.tiles) {
      this.label(view, id, tile);
      this.listApiCalls(id, tile);
    }
    this.el.dataset.count = String(this.tiles.size);
    if (this.tiles.size === 0) this.el.append(this.empty);
    else this.empty.remove();
  }

  append(participantId: string, entry: TerminalEntry): void {
    if (!this.tiles.has(participantId)) this.sync();
    this.tiles.get(participantId)?.mirror.append(entry);
  }

  /** A running command's later output (`kubectl get -w`…), or its `^C`. */
  appendOutput(participantId: string, text: string): void {
    this.tiles.get(participantId)?.mirror.appendOutput(text);
  }

  /** Redraws every terminal from the model (replay scrubbing). */
  reload(): void {
    this.sync();
    for (const [id, tile] of this.tiles) tile.mirror.load(this.model.view.terminals.find((t) => t.participantId === id)?.entries ?? []);
  }

  dispose(): void {
    for (const tile of this.tiles.values()) tile.mirror.dispose();
  }

  private add(participantId: string, entries: readonly TerminalEntry[]): void {
    const title = h('span', { class: 'tile-name' });
    const badges = h('span', { class: 'badges' });
    const box = h('div', { class: 'term-box' });
    const apiCalls = h('ol', { class: 'api-calls', 'aria-label': 'requests of the player\'s own tools', 'data-testid': 'api-calls', hidden: true });
    const el = h('section', { class: 'tile', 'data-participant': participantId }, h('header', {}, title, badges), box, apiCalls);
    this.el.append(el);
    const mirror = new MirrorTerminal(box);
    mirror.load(entries);
    this.tiles.set(participantId, { el, title, badges, mirror, apiCalls });
  }

  /** `kubectl → GET pods -n kube-system (200, 14 items)`: what the player's own tools asked, and the answer's status. */
  private listApiCalls(id: string, tile: Tile): void {
    const calls = this.model.apiCalls?.[id] ?? [];
    tile.apiCalls.hidden = calls.length === 0;
    if (tile.apiCalls.dataset.last === String(calls.at(-1)?.seq ?? 0)) return;
    tile.apiCalls.dataset.last = String(calls.at(-1)?.seq ?? 0);
    fill(tile.apiCalls, calls.slice(-8).map((c) => h('li', { class: c.status >= 400 || c.status === 0 ? 'failed' : '' }, c.summary)));
  }

  private label(view: RoomView, id: string, tile: Tile): void {
    const person = view.participants.find((p) => p.id === id);
    fill(tile.title, h('span', { class: `dot ${person?.online ? 'online' : 'offline'}` }), ` ${person?.name ?? '—'}`, person?.left ? ' (left)' : '');
    // Each tile named for its player, for screen readers (every tile said "player terminal").
    tile.el.setAttribute('aria-label', `${person?.name ?? 'a player'}'s terminal`);
    tile.mirror.label(`${person?.name ?? 'a player'}'s terminal (read-only)`);
    const signals = hostPart(view)?.signals.filter((s) => s.participantId === id) ?? [];
    const pastes = signals.filter((s) => s.kind === 'paste').length;
    const focus = signals.filter((s) => s.kind === 'focus-lost').length;
    const score = adjustedScore(view, id);
    fill(tile.badges,
      pastes > 0 && h('span', { class: 'badge warn', title: 'text pasted into the terminal' }, `paste ×${pastes}`),
      focus > 0 && h('span', { class: 'badge warn', title: 'the tab lost focus' }, `left tab ×${focus}`),
      view.diagnoses.some((d) => d.participantId === id) && h('span', { class: 'badge' }, 'diagnosed'),
      score && h('span', { class: 'badge ok' }, `${score.total}/${score.max}`));
  }
}
