// socket.io rooms per viewer kind, so each broadcast is filtered once per audience:
// `<roomId>:host`, `<roomId>:spectator` and one per player `<roomId>:p:<participantId>`.
import type { Server, Socket } from 'socket.io';
import { SERVER_EVENTS, type RoomEvent } from '../protocol/index.js';
import type { RoomRunner } from '../rooms/runner.js';
import { viewFor, type Viewer } from '../rooms/view.js';

export function channelOf(roomId: string, viewer: Viewer): string {
  return viewer.role === 'player' ? `${roomId}:p:${viewer.participantId}` : `${roomId}:${viewer.role}`;
}

export function joinChannel(socket: Socket, roomId: string, viewer: Viewer): void {
  void socket.join(channelOf(roomId, viewer));
}

export function broadcast(io: Server, runner: RoomRunner, events: readonly RoomEvent[], origin?: string): void {
  const roomId = runner.room.id;
  const playerIds = Object.values(runner.room.participants).filter((p) => p.role === 'player').map((p) => p.id);
  const audiences: Viewer[] = [
    { role: 'host', participantId: '' },
    { role: 'spectator', participantId: '' },
    ...playerIds.map((participantId) => ({ role: 'player' as const, participantId })),
  ];
  const channels = io.of('/').adapter.rooms;
  for (const viewer of audiences) {
    const channel = channelOf(roomId, viewer);
    if (!channels.get(channel)?.size) continue; // nobody of that audience is connected
    for (const event of events) {
      const view = viewFor(viewer, event);
      if (!view) continue;
      // The socket that ran a command has its output in the ack already; its other tabs do not.
      const target = event.type === 'command' && origin ? io.to(channel).except(origin) : io.to(channel);
      target.emit(SERVER_EVENTS.event, view);
    }
  }
}
