// Prometheus metrics of one server instance (GET /metrics). Each app has its own registry
// so tests can build several apps in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RoomStatus } from './protocol/index.js';

export interface ServerMetrics {
  registry: Registry;
  sockets: Gauge;
  /** Connections cut for holding more unsent than their limit (socket/backlog.ts). */
  socketsCut: Counter;
  commands: Counter;
  commandSeconds: Histogram;
  eventWriteSeconds: Histogram;
}

/** `roomsByStatus` is read at scrape time, so the gauge never drifts from the registry. */
export function createMetrics(roomsByStatus: () => Record<RoomStatus, number>): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kubedrill_' });
  new Gauge({
    name: 'kubedrill_rooms',
    help: 'Rooms held in memory, by status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      for (const [status, count] of Object.entries(roomsByStatus())) this.set({ status }, count);
    },
  });
  return {
    registry,
    sockets: new Gauge({ name: 'kubedrill_sockets', help: 'Connected socket.io clients', registers: [registry] }),
    socketsCut: new Counter({ name: 'kubedrill_sockets_cut_total', help: 'socket.io connections cut because they held more unsent bytes than KUBEDRILL_SOCKET_BACKLOG (a client that does not read)', registers: [registry] }),
    commands: new Counter({ name: 'kubedrill_commands_total', help: 'Commands run by players', registers: [registry] }),
    commandSeconds: new Histogram({
      name: 'kubedrill_command_duration_seconds',
      help: 'cmd:run from receipt to ack (engine + event write)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    eventWriteSeconds: new Histogram({
      name: 'kubedrill_event_write_duration_seconds',
      help: 'Appending a batch of room events to the store',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
}
