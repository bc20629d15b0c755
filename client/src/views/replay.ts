// /replay/ROOMID: a room's log folded up to any point. A scrubber moves through events;
// play advances simulated time at 1×, 4× or 16×. Terminals and overview show that moment.
import type { OverviewMessage, RoomView, ViewerEvent } from '../../../server/protocol/index.js';
import { api } from '../net/api.js';
import { applyEvent, countOtherCommands, emptyView, nameOf, type RoomModel } from '../net/room-model.js';
import { formatClock } from '../net/scenario-info.js';
import { seatByRoom } from '../net/seats.js';
import { fill, h } from './dom.js';
import { activityPanel, describeEvent, keyboardMenu, overviewPanel } from './panels.js';
import { messageView } from './room.js';
import { TerminalGrid } from './terminal-grid.js';

const SPEEDS = [1, 4, 16] as const;

/** The events the scrubber marks, by kind (each kind has its colour). */
const MARKER_KIND: Partial<Record<ViewerEvent['type'], string>> = {
  command: 'command', 'hint.pushed': 'hint', 'hint.requested': 'hint', 'fault.injected': 'fault', 'diagnosis.submitted': 'diagnosis', 'note.added': 'comment',
};

/** A command of another player: when, not what (a player's replay counts them). */
type OtherCommand = { seq: number; participantId: string };
const FRAME_MS = 100;

/**
 * The model after the first `count` events, with the cluster overview as it was then (the
 * latest of `overviews` — hosts get them with the replay — at or before that event).
 */
export function foldLog(
  roomId: string, you: RoomView['you'], scenario: Record<string, unknown>, events: readonly ViewerEvent[], count: number, overviews: readonly OverviewMessage[] = [],
  otherCommands: readonly OtherCommand[] = [],
): RoomModel {
  const model: RoomModel = { view: { ...emptyView(roomId, you), scenario }, hintRequests: [], activity: [] };
  for (const event of events.slice(0, count)) applyEvent(model, event);
  const upTo = count === 0 ? 0 : events[count - 1]!.seq;
  countOtherCommands(model, otherCommands, upTo);
  const overview = overviews.findLast((o) => o.seq <= upTo) ?? overviews[0];
  if (overview) model.view.overview = overview.overview;
  return model;
}

export function replayRoute(root: HTMLElement, roomId: string): () => void {
  const seat = seatByRoom(roomId);
  let stop = () => undefined as void;
  if (!seat) {
    messageView(root, 'No access', 'Replays are open to the host and the players of a room, from the browser they played in.');
    return stop;
  }
  fill(root, h('p', { class: 'centered muted' }, 'Loading the replay…'));
  let gone = false;
  // A host's comment is stored with the room's log: the replay is loaded again, at the same moment.
  const load = (at?: number) => void Promise.all([api.replay(roomId, seat.token), api.scenarios().catch(() => [])]).then(([replay, scenarios]) => {
    if (gone) return;
    stop();
    const scenario = scenarios.find((s) => s.id === replay.scenarioId) ?? { title: replay.scenarioId };
    const comment = async (text: string, atSeq: number) => {
      await api.addNote(roomId, seat.token, { text, at: atSeq });
      load(atSeq);
    };
    stop = mountReplay(root, roomId, seat, scenario, replay.events as ViewerEvent[], replay.overviews ?? [], replay.otherCommands ?? [], { at, comment });
  }, (error: Error) => messageView(root, 'Could not load the replay', error.message));
  load();
  return () => {
    gone = true;
    stop();
  };
}

function mountReplay(
  root: HTMLElement, roomId: string, seat: { role: RoomView['you']['role']; participantId: string }, scenario: Record<string, unknown>, events: ViewerEvent[], overviews: OverviewMessage[],
  otherCommands: OtherCommand[], options: { at?: number | undefined; comment(text: string, atSeq: number): Promise<void> },
): () => void {
  const you = { participantId: seat.participantId, name: '', role: seat.role };
  // One model object for the grid and panels; scrubbing refills it.
  const model = foldLog(roomId, you, scenario, events, events.length, overviews, otherCommands);
  const grid = new TerminalGrid(model);
  const overview = overviewPanel(model);
  const activity = activityPanel(model, 'Events so far');
  const simTimeAt = (count: number) => (count === 0 ? 0 : events[count - 1]!.simTime);
  const scrubber = h('input', { type: 'range', min: 0, max: events.length, step: 1, value: String(events.length), 'aria-label': 'position in the timeline', class: 'scrubber', 'data-testid': 'scrubber' });
  const clock = h('span', { class: 'timer', 'data-testid': 'replay-clock' });
  const playButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'play' }, 'Play');
  let speed: (typeof SPEEDS)[number] = 1;
  const speedButtons = SPEEDS.map((s) => h('button', { type: 'button', 'aria-pressed': String(s === speed), onclick: () => setSpeed(s) }, `${s}×`));
  const timeline = h('ol', { class: 'timeline', 'aria-label': 'timeline' });
  const nextCommand = h('button', { type: 'button', 'data-testid': 'next-command', onclick: () => jumpTo((e) => e.type === 'command') }, 'Next command ⏭');
  // Where an event sits on the scrubber; a comment sits at the moment it is about.
  const countOfSeq = new Map(events.map((e, i) => [e.seq, i + 1]));
  const momentOf = (e: ViewerEvent, i: number) => (e.type === 'note.added' && e.at !== undefined ? (countOfSeq.get(e.at) ?? i + 1) : i + 1);
  const markers = h('div', { class: 'markers', 'aria-hidden': 'true', 'data-testid': 'markers' }, events.map((e, i) => {
    const kind = MARKER_KIND[e.type];
    if (!kind) return null;
    const count = momentOf(e, i);
    return h('span', { class: `marker ${kind}`, 'data-kind': kind, title: `${formatClock(simTimeAt(count))} ${describeEvent(model.view, e) ?? kind}`,
      style: `left: ${events.length ? (count / events.length) * 100 : 0}%`, onclick: () => (pause(), show(count)) });
  }));
  const legend = h('p', { class: 'legend small muted' }, Object.values(MARKER_KIND).filter((k, i, all) => all.indexOf(k) === i).map((k) => h('span', { class: `key ${k}` }, h('span', { class: `marker ${k}`, 'aria-hidden': 'true' }), ` ${k}`)));
  const comments = events.flatMap((e, i) => (e.type === 'note.added' ? [{ event: e, count: momentOf(e, i) }] : [])).sort((a, b) => a.count - b.count);
  const commentText = h('textarea', { id: 'comment-text', rows: 3, maxlength: 4000, required: true, 'data-testid': 'comment-text' });
  const commentButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'add-comment' }, 'Comment here');
  const commentError = h('p', { class: 'error', role: 'alert' });
  const commentForm = seat.role === 'host' && h('form', { class: 'comment-form', onsubmit: async (e: Event) => {
    e.preventDefault();
    if (!commentText.value.trim()) return;
    commentButton.disabled = true;
    // The moment on screen: the event the scrubber is at (the first one before any).
    const atSeq = events[Math.max(0, position - 1)]?.seq ?? 1;
    await options.comment(commentText.value, atSeq).catch((error: Error) => {
      commentError.textContent = error.message;
      commentButton.disabled = false;
    });
  } }, h('label', { for: 'comment-text' }, 'Comment on this moment (hosts only; the report shows it)'), commentText, commentError, h('div', { class: 'row end' }, commentButton));
  const commentsPanel = seat.role === 'host' && h('section', { class: 'panel', 'aria-labelledby': 'comments-h' }, h('h2', { id: 'comments-h' }, `Comments (${comments.length})`),
    commentForm,
    h('ol', { class: 'comments', 'data-testid': 'comments' }, comments.map(({ event, count }) => h('li', {},
      h('button', { type: 'button', class: 'link', onclick: () => (pause(), show(count)) }, h('span', { class: 'clock' }, formatClock(simTimeAt(count))), ' ',
        h('strong', {}, `${nameOf(model.view, event.type === 'note.added' ? event.by : '')}: `), event.type === 'note.added' ? event.text : '')))));

  fill(root,
    h('header', { class: 'topbar' }, h('a', { class: 'brand', href: '/' }, 'kubedrill'), h('h1', { class: 'room-title' }, String(scenario.title ?? '')), h('span', { class: 'pill' }, 'Replay'), clock, h('div', { class: 'spacer' }),
      seat.role === 'host' && h('a', { class: 'button', href: `/report/${roomId}` }, 'Report'), keyboardMenu()),
    h('div', { class: 'replay-bar', role: 'toolbar', 'aria-label': 'replay controls' }, playButton, h('div', { class: 'speeds', role: 'group', 'aria-label': 'speed' }, speedButtons), nextCommand,
      h('div', { class: 'scrub' }, markers, scrubber, legend)),
    h('div', { class: 'host-layout' },
      h('div', { class: 'host-main' }, grid.el, h('div', { class: 'under-grid' }, overview.el, activity.el)),
      h('aside', { class: 'sidebar', 'aria-label': 'timeline and comments' }, commentsPanel, h('section', { class: 'panel' }, h('h2', {}, 'Timeline'), timeline))));

  let position = events.length;
  let playing: ReturnType<typeof setInterval> | undefined;
  let cursorTime = 0;

  function show(count: number) {
    position = Math.max(0, Math.min(events.length, count));
    Object.assign(model, foldLog(roomId, you, scenario, events, position, overviews, otherCommands));
    scrubber.value = String(position);
    clock.textContent = `${formatClock(simTimeAt(position))} / ${formatClock(simTimeAt(events.length))}`;
    commentButton.textContent = `Comment at ${formatClock(simTimeAt(position))}`;
    nextCommand.disabled = !events.slice(position).some((e) => e.type === 'command');
    grid.reload();
    overview.update();
    activity.update();
    for (const item of timeline.querySelectorAll<HTMLElement>('li')) item.classList.toggle('past', Number(item.dataset.count) <= position);
  }

  fill(timeline, events.map((e, i) => {
    const text = describeEvent(model.view, e);
    return text ? h('li', { 'data-count': String(i + 1) }, h('button', { type: 'button', class: 'link', onclick: () => (pause(), show(i + 1)) }, h('span', { class: 'clock' }, formatClock(e.simTime)), ' ', text)) : null;
  }));

  /** Moves to just after the next event (after the current position) that matches. */
  function jumpTo(match: (e: ViewerEvent) => boolean) {
    const next = events.findIndex((e, i) => i >= position && match(e));
    if (next >= 0) (pause(), show(next + 1));
  }
  function setSpeed(next: (typeof SPEEDS)[number]) {
    speed = next;
    speedButtons.forEach((b, i) => b.setAttribute('aria-pressed', String(SPEEDS[i] === next)));
  }
  function pause() {
    clearInterval(playing);
    playing = undefined;
    playButton.textContent = 'Play';
  }
  function play() {
    if (position >= events.length) show(0);
    cursorTime = simTimeAt(position);
    playButton.textContent = 'Pause';
    playing = setInterval(() => {
      cursorTime += FRAME_MS * speed;
      let next = position;
      while (next < events.length && events[next]!.simTime <= cursorTime) next++;
      if (next !== position) show(next);
      if (position >= events.length) pause();
    }, FRAME_MS);
  }
  playButton.addEventListener('click', () => (playing ? pause() : play()));
  scrubber.addEventListener('input', () => {
    pause();
    show(Number(scrubber.value));
  });
  show(options.at !== undefined ? (countOfSeq.get(options.at) ?? events.length) : events.length);
  return () => {
    pause();
    grid.dispose();
  };
}
