// Several messages to one socket in one write to its transport.
//
// engine.io writes a socket's first message at once and marks its transport busy until that
// write's callback, which Node runs only once the current chain of promise jobs has ended.
// So a second message sent to the same socket in the same turn (the ack after the events it
// follows) waited for everything else that turn did: the host's copies, the overview, and
// under load the next commands of every other room whose append the same commit settled
// (measured: an ack behind its own tick event came 5 ms late when 5 ms of work followed).
// Holding the transport while the messages are queued sends them together, in order.
import type { Socket } from 'socket.io';

/** Runs `send` (which emits and acks on `socket`) so its messages leave in one flush. */
export function inOneFlush(socket: Socket | undefined, send: () => void): void {
  const transport = socket?.conn.transport;
  // Busy already: what `send` queues goes out with the next flush anyway. Upgrading: leave it be.
  if (!socket || !transport?.writable || socket.conn.upgrading) return send();
  transport.writable = false;
  try {
    send();
  } finally {
    // The transport's own "ready" makes the socket flush what was queued (engine.io's setTransport).
    transport.writable = true;
    transport.emit('ready');
  }
}
