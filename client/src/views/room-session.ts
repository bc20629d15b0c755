// Opening a room over the socket: join (code or token), keep the seat for reloads, fold
// every event into the model, and show the connection banner while the socket is down.
import type { ClientMessage, ViewerEvent, WaitingAck } from '../../../server/protocol/index.js';
import { RoomConnection, type ConnectionStatus } from '../net/connection.js';
import { applyEvent, modelFromView, type RoomModel } from '../net/room-model.js';
import { saveSeat } from '../net/seats.js';
import { banner } from './dom.js';

export interface RoomSession {
  conn: RoomConnection;
  model: RoomModel;
  /** Called after each event has been folded into the model. */
  subscribe(listener: (event: ViewerEvent) => void): () => void;
  /** Called after a new cluster overview replaced `model.view.overview` (hosts and spectators). */
  subscribeOverview(listener: () => void): () => void;
  close(): void;
}

/**
 * Joins a room. When the room needs the host's approval for this new identity, the seat is
 * kept (a reload waits again), `onWaiting` is told, and the join completes once the host
 * lets it in (or fails when the host refuses).
 */
export async function openRoom(
  join: ClientMessage<'room:join'>, onWaiting?: (waiting: WaitingAck['waiting']) => void,
): Promise<RoomSession | { error: string; code: string }> {
  const listeners = new Set<(event: ViewerEvent) => void>();
  const overviewListeners = new Set<() => void>();
  let overviewSeq = -1;
  let model: RoomModel | undefined;
  let wasOffline = false;
  const conn = new RoomConnection({
    onEvent: (event) => {
      if (!model) return;
      applyEvent(model, event);
      for (const listener of listeners) listener(event);
    },
    onOverview: (message) => {
      // A resume's view and a push may cross: keep the newest.
      if (!model || message.seq < overviewSeq) return;
      overviewSeq = message.seq;
      model.view.overview = message.overview;
      for (const listener of overviewListeners) listener();
    },
    onStatus: (status: ConnectionStatus) => {
      if (status === 'online') {
        if (wasOffline) banner('Reconnected.', 'info', 2000);
        wasOffline = false;
      } else if (model) {
        wasOffline = true;
        banner(status === 'offline' ? 'Connection lost — reconnecting…' : 'Reconnecting…', 'warn');
      }
    },
    // Sticky while the room waits for its database; a short notice when it goes on.
    onStorage: (message) => banner(`${message.message.charAt(0).toUpperCase()}${message.message.slice(1)}.`, message.available ? 'info' : 'warn', message.available ? 3000 : undefined),
    onLost: (message) => banner(`Could not rejoin the room: ${message}. Reload the page.`, 'error'),
  });
  let ack = await conn.join(join);
  if (ack.ok && 'waiting' in ack) {
    const token = conn.participantToken;
    const { waiting } = ack;
    if (token) saveSeat({ roomId: waiting.roomId, code: waiting.code, token, role: 'player', participantId: '' });
    onWaiting?.(waiting);
    ack = await conn.admission();
  }
  if (!ack.ok || 'waiting' in ack) {
    conn.close();
    return ack.ok ? { error: 'still waiting for the host', code: 'conflict' } : { error: ack.error.message, code: ack.error.code };
  }
  model = modelFromView(ack.view);
  overviewSeq = ack.view.seq;
  const { view } = ack;
  const token = conn.participantToken;
  if (token) saveSeat({ roomId: view.roomId, code: view.code, token, role: view.you.role, participantId: view.you.participantId });
  return {
    conn,
    model,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscribeOverview: (listener) => {
      overviewListeners.add(listener);
      return () => overviewListeners.delete(listener);
    },
    close: () => {
      listeners.clear();
      overviewListeners.clear();
      conn.close();
      banner(undefined);
    },
  };
}
