// A "seat" is what makes a reload or a new tab come back as the same participant: the
// token the server gave on the first join, kept in localStorage per room (by id and code).
import type { Role } from '../../../server/protocol/index.js';

export interface Seat {
  roomId: string;
  code: string;
  token: string;
  role: Role;
  participantId: string;
}

const seatKey = (roomId: string) => `kubedrill:seat:${roomId}`;
const codeKey = (code: string) => `kubedrill:code:${code.toUpperCase()}`;

export function saveSeat(seat: Seat): void {
  localStorage.setItem(seatKey(seat.roomId), JSON.stringify(seat));
  localStorage.setItem(codeKey(seat.code), seat.roomId);
}

export function seatByRoom(roomId: string): Seat | undefined {
  const text = localStorage.getItem(seatKey(roomId));
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Seat;
  } catch {
    return undefined;
  }
}

export function seatByCode(code: string): Seat | undefined {
  const roomId = localStorage.getItem(codeKey(code));
  return roomId ? seatByRoom(roomId) : undefined;
}

export function forgetSeat(seat: Pick<Seat, 'roomId' | 'code'>): void {
  localStorage.removeItem(seatKey(seat.roomId));
  localStorage.removeItem(codeKey(seat.code));
}
