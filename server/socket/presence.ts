// Who is connected right now, per room: presence is not part of the log (a reload must not
// write events), it only colours the participant list.
export class Presence {
  private readonly counts = new Map<string, Map<string, number>>();

  enter(roomId: string, participantId: string): void {
    const room = this.counts.get(roomId) ?? new Map<string, number>();
    room.set(participantId, (room.get(participantId) ?? 0) + 1);
    this.counts.set(roomId, room);
  }

  leave(roomId: string, participantId: string): void {
    const room = this.counts.get(roomId);
    const count = room?.get(participantId) ?? 0;
    if (!room) return;
    if (count <= 1) room.delete(participantId);
    else room.set(participantId, count - 1);
    if (room.size === 0) this.counts.delete(roomId);
  }

  online(roomId: string): ReadonlySet<string> {
    return new Set(this.counts.get(roomId)?.keys() ?? []);
  }
}
