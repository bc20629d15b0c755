// socket.io rooms per viewer kind, so each broadcast is filtered once per audience:
// `<roomId>:host`, `<roomId>:spectator` and one per player `<roomId>:p:<participantId>`;
// an identity waiting for the host to let it in listens on `<roomId>:w:<identityId>`.
// One commit (say a tick and a command) is one `room:event` message per audience, its
// events as the message's arguments in order: socket.io encodes each emit once.
import type { Server, Socket } from 'socket.io';
import { SERVER_EVENTS, type AdmissionMessage, type ClusterOverview, type OverviewMessage, type RoomEvent, type StorageMessage, type ViewerEvent } from '../protocol/index.js';
import { inOneFlush } from './one-flush.js';
import { CHANGES_CLUSTER } from '../rooms/overview.js';
import type { RoomRunner } from '../rooms/runner.js';
import { viewFor, type Viewer } from '../rooms/view.js';

export function channelOf(roomId: string, viewer: Viewer): string {
  return viewer.role === 'player' ? `${roomId}:p:${viewer.participantId}` : `${roomId}:${viewer.role}`;
}

export const waitingChannel = (roomId: string, identityId: string): string => `${roomId}:w:${identityId}`;

export function joinChannel(socket: Socket, roomId: string, viewer: Viewer): void {
  void socket.join(channelOf(roomId, viewer));
}

/**
 * `answer` sends the ack of the socket that acted (`origin`): its own share of the commit
 * goes first, then the answer, then everyone else's. So the actor's round trip does not wait
 * for the other sockets' frames, and it still reads every event below its ack's sequence
 * before the ack (a client takes the ack's sequence as applied). The share and the answer
 * leave in one flush (one-flush.ts): the answer does not wait for the rest of the turn.
 */
export function broadcast(
  io: Server, runner: RoomRunner, events: readonly RoomEvent[], onError: (error: unknown, context: string) => void, origin?: string, answer?: () => void, late = false,
): void {
  const roomId = runner.room.id;
  const playerIds = Object.values(runner.room.participants).filter((p) => p.role === 'player').map((p) => p.id);
  const audiences: Viewer[] = [
    { role: 'host', participantId: '' },
    { role: 'spectator', participantId: '' },
    ...playerIds.map((participantId) => ({ role: 'player' as const, participantId })),
  ];
  const channels = io.of('/').adapter.rooms;
  const later: (() => void)[] = [];
  let ownShare: ViewerEvent[] = [];
  for (const viewer of audiences) {
    const channel = channelOf(roomId, viewer);
    const members = channels.get(channel);
    if (!members?.size) continue; // nobody of that audience is connected
    const views = events.map((event) => viewFor(viewer, event)).filter((view) => view !== null);
    if (views.length === 0) continue;
    if (!origin || !members.has(origin)) {
      later.push(() => io.to(channel).emit(SERVER_EVENTS.event, ...views));
      continue;
    }
    // The socket that ran a command has its output in the ack already; its other tabs do not.
    // A late ack (the store was down or slow) may come after the client stopped waiting (10 s) and be
    // dropped: then the command reaches it only as an event (the terminal skips its own pending line).
    ownShare = !late && views.some((v) => v.type === 'command') ? views.filter((v) => v.type !== 'command') : views;
    if (members.size > 1) later.push(() => io.to(channel).except(origin).emit(SERVER_EVENTS.event, ...views));
  }
  inOneFlush(origin === undefined ? undefined : io.of('/').sockets.get(origin), () => {
    if (ownShare.length > 0) io.to(origin!).emit(SERVER_EVENTS.event, ...ownShare);
    answer?.();
  });
  for (const send of later) send();
  pushOverview(io, runner, events, onError);
  answerWaiting(io, roomId, events);
  // Closed to spectators: those watching are let go now (their token no longer opens a seat).
  if (events.some((e) => e.type === 'room.settings' && e.allowSpectators === false)) {
    io.in(channelOf(roomId, { role: 'spectator', participantId: '' })).disconnectSockets(true);
  }
}

/** Tells each identity the host answered whether it may come in. */
function answerWaiting(io: Server, roomId: string, events: readonly RoomEvent[]): void {
  for (const event of events) {
    if (event.type !== 'seat.admitted' && event.type !== 'seat.refused') continue;
    const channel = waitingChannel(roomId, event.participantId);
    const message: AdmissionMessage = { admitted: event.type === 'seat.admitted' };
    io.to(channel).emit(SERVER_EVENTS.admission, message);
    io.in(channel).socketsLeave(channel);
  }
}

/** Every audience channel of the room. */
function roomChannels(runner: RoomRunner): string[] {
  const roomId = runner.room.id;
  return [
    channelOf(roomId, { role: 'host', participantId: '' }),
    channelOf(roomId, { role: 'spectator', participantId: '' }),
    ...Object.keys(runner.room.terminals).map((participantId) => channelOf(roomId, { role: 'player', participantId })),
    ...Object.keys(runner.room.participants).map((identityId) => waitingChannel(roomId, identityId)),
  ];
}

/**
 * The room is served by another process now: its connections here are closed, and the
 * clients (which reconnect after a server disconnect) resume wherever they land.
 */
export function letGo(io: Server, runner: RoomRunner): void {
  io.in(roomChannels(runner)).disconnectSockets(true);
}

/** Connections piped to the process that owns their room (server/fleet/gateway.ts). */
export const PIPED_CHANNEL = 'piped';

/**
 * This process is shutting down: the connections it only relays to other processes are
 * closed at once, so their clients resume on another process (straight to their room's
 * owner, or through another pipe) instead of waiting for this one to hand its own rooms over.
 */
export function letGoPiped(io: Server): void {
  io.in(PIPED_CHANNEL).disconnectSockets(true);
}

/** Tells everyone in the room that saving stopped working (the room waits) or works again. */
export function broadcastStorage(io: Server, runner: RoomRunner, available: boolean): void {
  const channels = roomChannels(runner);
  const message: StorageMessage = available
    ? { available, message: 'saving works again; the room goes on' }
    : { available, message: 'saving is unavailable, retrying; the room is paused until it works again' };
  io.to(channels).emit(SERVER_EVENTS.storage, message);
}

/** The overview text each room last sent (pushed or in a view), so an unchanged overview is not sent again. */
const lastOverview = new WeakMap<RoomRunner, string>();

/** A view carrying `overview` went out: the room's watchers have seen it. */
export function overviewSent(runner: RoomRunner, overview: ClusterOverview | undefined): void {
  if (overview) lastOverview.set(runner, JSON.stringify(overview));
}

/** At most one overview push per room in this many ms: a busy room's every command no longer recomputes it. */
const OVERVIEW_EVERY_MS = 500;
const lastPushAt = new WeakMap<RoomRunner, number>();
const pushScheduled = new WeakSet<RoomRunner>();

/**
 * Sends the cluster overview to the room's hosts and spectators when these events changed
 * it. Never to players: they see the cluster only through their terminal. The first change
 * goes out at once; changes within OVERVIEW_EVERY_MS after a push go out together at its end.
 */
function pushOverview(io: Server, runner: RoomRunner, events: readonly RoomEvent[], onError: (error: unknown, context: string) => void): void {
  if (!runner.runtime.overview || !events.some((e) => CHANGES_CLUSTER.has(e.type)) || pushScheduled.has(runner)) return;
  const wait = (lastPushAt.get(runner) ?? -Infinity) + OVERVIEW_EVERY_MS - performance.now();
  if (wait <= 0) return sendOverview(io, runner);
  pushScheduled.add(runner);
  // In the room's turn: between two inputs its state is all stored (never an append in flight).
  setTimeout(() => void runner.exclusive(() => {
    pushScheduled.delete(runner);
    sendOverview(io, runner);
  }).catch((error: unknown) => onError(error, `overview of room ${runner.room.id}`)), wait).unref();
}

function sendOverview(io: Server, runner: RoomRunner): void {
  const { overview } = runner.runtime;
  const roomId = runner.room.id;
  const channels = io.of('/').adapter.rooms;
  const watchers = [channelOf(roomId, { role: 'host', participantId: '' }), channelOf(roomId, { role: 'spectator', participantId: '' })]
    .filter((channel) => channels.get(channel)?.size);
  if (!overview || watchers.length === 0) return;
  lastPushAt.set(runner, performance.now());
  const current = overview(runner.room.cluster);
  const text = JSON.stringify(current);
  if (lastOverview.get(runner) === text) return;
  lastOverview.set(runner, text);
  const message: OverviewMessage = { seq: runner.room.seq, overview: current };
  io.to(watchers).emit(SERVER_EVENTS.overview, message);
}
