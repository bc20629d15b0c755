// Connections one client address may hold open at once on a listener: without a cap one
// address could open every connection the process can hold (each TLS connection costs a
// handshake and buffers), and nobody else would get one. Counted while a socket is open.
import type { Socket } from 'node:net';

export class ConnectionCap {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts `socket` for `key` until it closes; false (not counted) when `key` holds `max` open already. */
  take(key: string, socket: Socket): boolean {
    const held = this.open.get(key) ?? 0;
    if (held >= this.max) return false;
    this.open.set(key, held + 1);
    socket.once('close', () => {
      const left = (this.open.get(key) ?? 1) - 1;
      if (left === 0) this.open.delete(key);
      else this.open.set(key, left);
    });
    return true;
  }
}
