// /r/CODE and /host/ROOMID: rejoin with the saved seat, or show the join form; then hand
// the open room to the player, spectator or host screen.
import { api, ApiError } from '../net/api.js';
import { forgetSeat, seatByCode, seatByRoom } from '../net/seats.js';
import { navigate } from '../router.js';
import { fill, h } from './dom.js';
import { PENDING_JOIN_KEY } from './home.js';
import { MODE_WORDS, STATUS_WORDS } from '../../../server/protocol/index.js';
import { hostView } from './host.js';
import { prose } from './panels.js';
import { playView } from './play.js';
import { openRoom, type RoomSession } from './room-session.js';
import { watchView } from './watch.js';

type Cleanup = () => void;

function mountSession(root: HTMLElement, session: RoomSession): Cleanup {
  const role = session.model.view.you.role;
  const dispose = role === 'host' ? hostView(root, session) : role === 'spectator' ? watchView(root, session) : playView(root, session);
  return () => {
    dispose();
    session.close();
  };
}

function message(root: HTMLElement, title: string, text: string): void {
  fill(root, h('div', { class: 'centered panel' }, h('h1', {}, title), h('p', {}, text), h('p', {}, h('a', { href: '/' }, 'Back to the lobby'))));
}

export function roomRoute(root: HTMLElement, code: string): Cleanup {
  let cleanup: Cleanup | undefined;
  let gone = false;
  const open = async (join: Parameters<typeof openRoom>[0]) => {
    fill(root, h('p', { class: 'centered muted' }, 'Joining…'));
    const session = await openRoom(join, (waiting) => {
      if (!gone) message(root, 'Waiting for the host', `${waiting.name}, the host has been asked to let you into room ${waiting.code}. This page continues by itself once they do.`);
    });
    if (gone) return 'error' in session ? undefined : session.close();
    if ('error' in session) return session;
    if (session.model.view.you.role === 'host') {
      session.close();
      navigate(`/host/${session.model.view.roomId}`, { replace: true });
      return;
    }
    cleanup = mountSession(root, session);
    return undefined;
  };

  /** The join form; with a co-host invite (from the link's fragment) it opens a host seat instead. */
  const showForm = (error = '', invite?: string) => {
    const name = h('input', { id: 'rj-name', required: true, maxlength: 40, value: localStorage.getItem('kubedrill:name') ?? '' });
    const watch = h('option', { value: 'spectator' }, 'Spectator (watch only)');
    const role = h('select', { id: 'rj-role' }, h('option', { value: 'player' }, 'Player'), watch);
    const errorEl = h('p', { class: 'error', role: 'alert' }, error);
    const title = h('p', { class: 'muted' }, `Room ${code}`);
    const briefing = h('div', { class: 'briefing small', 'data-testid': 'join-briefing' });
    const form = h('form', { class: 'centered panel join', onsubmit: async (e: Event) => {
      e.preventDefault();
      localStorage.setItem('kubedrill:name', name.value.trim());
      const failed = await open(invite ? { code, name: name.value.trim(), invite } : { code, name: name.value.trim(), role: role.value as 'player' | 'spectator' });
      if (failed) showForm(failed.error, invite);
    } }, h('h1', {}, invite ? 'Join as co-host' : 'Join the room'), title, briefing, h('label', { for: 'rj-name' }, 'Your name'), name,
      !invite && [h('label', { for: 'rj-role' }, 'Join as'), role], errorEl,
      h('button', { type: 'submit', class: 'primary' }, invite ? 'Open the host console' : 'Join'));
    // A room that does not exist gets no form to fill in.
    fill(root, h('p', { class: 'centered muted' }, 'Looking up the room…'));
    api.roomByCode(code).then((r) => {
      if (gone) return;
      title.textContent = `${r.title} · ${MODE_WORDS[r.mode]} · ${STATUS_WORDS[r.status]} · ${r.players === 1 ? '1 player' : `${r.players} players`}`;
      // This room's own briefing (its names), as the room will show it.
      if (r.briefing) fill(briefing, h('h2', {}, 'Briefing'), prose(r.briefing));
      // The host decides whether anyone may watch.
      watch.disabled = !r.allowSpectators;
      if (!r.allowSpectators) watch.textContent = 'Spectator (the host does not allow it)';
      fill(root, form);
      name.focus();
    }, (lookup: Error) => {
      if (gone) return;
      if (lookup instanceof ApiError && lookup.status === 404) return message(root, 'Room not found', `No room has the join code ${code}. Check the code with the person who invited you.`);
      title.textContent = `Room ${code} (could not check it: ${lookup.message})`;
      fill(root, form);
    });
  };

  // A co-host link carries its secret in the fragment: read it once, then keep it out of the address bar.
  const invite = new URLSearchParams(location.hash.slice(1)).get('cohost') ?? undefined;
  if (invite) history.replaceState(null, '', location.pathname);

  void (async () => {
    if (invite) return showForm('', invite);
    const seat = seatByCode(code);
    let seatError = '';
    if (seat) {
      const failed = await open({ token: seat.token });
      if (!failed) return;
      forgetSeat(seat);
      seatError = failed.error;
    }
    const pendingText = sessionStorage.getItem(PENDING_JOIN_KEY);
    sessionStorage.removeItem(PENDING_JOIN_KEY);
    const pending = pendingText ? (JSON.parse(pendingText) as { code: string; name: string; role: 'player' | 'spectator' }) : undefined;
    if (pending?.code === code && pending.name) {
      const failed = await open({ code, name: pending.name, role: pending.role });
      if (failed) showForm(failed.error);
      return;
    }
    if (!gone) showForm(seatError);
  })();
  return () => {
    gone = true;
    cleanup?.();
  };
}

export function hostRoute(root: HTMLElement, roomId: string): Cleanup {
  let cleanup: Cleanup | undefined;
  let gone = false;
  const seat = seatByRoom(roomId);
  if (!seat) {
    message(root, 'Not your room', 'This browser has no host seat for this room. Open the console from the browser that created it, or ask the host for a co-host link (Invite a co-host).');
    return () => undefined;
  }
  fill(root, h('p', { class: 'centered muted' }, 'Opening the console…'));
  void openRoom({ token: seat.token }).then((session) => {
    if ('error' in session) return message(root, 'Could not open the room', session.error);
    if (gone) return session.close();
    if (session.model.view.you.role !== 'host') {
      session.close();
      return navigate(`/r/${session.model.view.code}`, { replace: true });
    }
    cleanup = mountSession(root, session);
  });
  return () => {
    gone = true;
    cleanup?.();
  };
}

export { message as messageView };
