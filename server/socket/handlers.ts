// socket.io handlers: the edge. Each message is size-checked, rate-limited, validated with
// its zod schema, authorised by the socket's participant, then handed to the room runner.
// Nothing here decides a game rule.
import type { Server, Socket } from 'socket.io';
import type { FastifyBaseLogger } from 'fastify';
import type { ZodType } from 'zod';
import { ClientMessages, diagnosisOf, failure, LIMITS, type AckError, type ClientMessage, type ClientMessageName, type RoomView, type WaitingAck } from '../protocol/index.js';
import { seatClosed, type Action } from '../rooms/decide.js';
import { buildDebrief } from '../rooms/debrief.js';
import type { Joined, RoomRegistry } from '../rooms/registry.js';
import type { ActResult, RoomRunner } from '../rooms/runner.js';
import { roomViewFor, viewerOf, viewFor, type Viewer } from '../rooms/view.js';
import { forEachPage } from '../rooms/log.js';
import { RETAINED_OUTPUT_CHARS, RetainedEvents } from '../rooms/retained.js';
import { hashToken, newToken } from '../rooms/tokens.js';
import type { ServerMetrics } from '../metrics.js';
import { joinChannel, overviewSent, PIPED_CHANNEL, waitingChannel } from './broadcast.js';
import { Presence } from './presence.js';
import { AddressLimiter, TokenBucket } from './rate-limit.js';
import { clientAddress } from '../http/client-address.js';
import type { EdgeLimits } from '../config.js';
import { Pipe, type Gateway } from '../fleet/gateway.js';
import { ReadGate } from '../http/read-gate.js';
import { Backlog } from './backlog.js';

interface Seat {
  runner: RoomRunner;
  viewer: Viewer;
  /** Shared by every socket of this participant, so more sockets do not mean more messages. */
  bucket: TokenBucket;
}

/**
 * Rate limits of joined participants, keyed by participant id and shared by all their
 * sockets; a bucket is dropped when the participant's last socket goes.
 */
class ParticipantBuckets {
  private readonly buckets = new Map<string, { bucket: TokenBucket; sockets: number }>();

  enter(participantId: string): TokenBucket {
    const entry = this.buckets.get(participantId) ?? { bucket: new TokenBucket(LIMITS.commandsPerSecond, LIMITS.commandBurst), sockets: 0 };
    entry.sockets += 1;
    this.buckets.set(participantId, entry);
    return entry.bucket;
  }

  leave(participantId: string): void {
    const entry = this.buckets.get(participantId);
    if (!entry) return;
    entry.sockets -= 1;
    if (entry.sockets <= 0) this.buckets.delete(participantId);
  }
}

type AckFn = (response: unknown) => void;

export interface SocketDeps {
  registry: RoomRegistry;
  metrics: ServerMetrics;
  log: FastifyBaseLogger;
  limits: EdgeLimits;
  /** See config.ts trustProxyHops. */
  trustProxyHops: number;
  /** Several processes serve rooms: joins of rooms owned elsewhere are piped to their owner. */
  gateway?: Gateway;
}

/**
 * The message schemas by name. A Map, so only the protocol's own names are found: a
 * lookup in an object literal would also find `constructor`, `__proto__`, `toString`…
 */
const MESSAGES: ReadonlyMap<string, ZodType> = new Map(Object.entries(ClientMessages));

/** Messages that turn into one room action (after the socket has joined). */
type ActionBuilders = { [N in ClientMessageName]?: (payload: ClientMessage<N>) => Action };
const ACTIONS: ActionBuilders = {
  'room:leave': () => ({ type: 'leave' }),
  'cmd:run': (p) => ({ type: 'run', line: p.line }),
  'cmd:interrupt': () => ({ type: 'interrupt' }),
  'hint:request': () => ({ type: 'request-hint' }),
  'diagnosis:submit': (p) => ({ type: 'diagnose', ...diagnosisOf(p) }),
  'player:give-up': () => ({ type: 'give-up' }),
  'room:settings': (p) => ({ type: 'settings', settings: p }),
  'host:start': () => ({ type: 'start' }),
  'host:pause': () => ({ type: 'pause' }),
  'host:resume': () => ({ type: 'resume' }),
  'host:end': () => ({ type: 'end' }),
  'host:extend': (p) => ({ type: 'extend', ms: p.minutes * 60_000 }),
  'host:hint': (p) => ({ type: 'push-hint', hintId: p.hintId, ...(p.participantId !== undefined ? { participantId: p.participantId } : {}) }),
  'host:fault': (p) => ({ type: 'inject-fault', faultId: p.faultId }),
  'host:note': (p) => ({ type: 'note', text: p.text, ...(p.at !== undefined ? { at: p.at } : {}) }),
  'player:start': () => ({ type: 'start' }),
  'host:adjust': (p) => ({ type: 'adjust', participantId: p.participantId, points: p.points, reason: p.reason }),
  'host:admit': (p) => ({ type: 'admit', requestId: p.requestId, ...(p.seat !== undefined ? { seat: p.seat } : {}) }),
  'host:refuse': (p) => ({ type: 'refuse', requestId: p.requestId }),
  'host:release': (p) => ({ type: 'release', participantId: p.participantId }),
  'client:signal': (p) => ({ type: 'signal', kind: p.kind, ...(p.amount !== undefined ? { amount: p.amount } : {}) }),
};

export function attachHandlers(io: Server, deps: SocketDeps, presence: Presence): void {
  const participantBuckets = new ParticipantBuckets();
  const badCodes = new AddressLimiter(deps.limits.badJoinCodes.perIp, deps.limits.badJoinCodes.total);
  const spectatorJoins = new AddressLimiter(deps.limits.spectatorJoins.perIp, deps.limits.spectatorJoins.total);
  // Each resume reads the log since the client's seq and answers with it (up to a few MB): one
  // address may not start hundreds at once, nor leave hundreds of answers unread (a slot is
  // held until its answer has been written out, or the connection is gone).
  const resumes = new ReadGate(Infinity, deps.limits.resumesPerIp, 'too many resumes from this address at once; try again shortly');
  io.on('connection', (socket) => {
    const address = clientAddress(socket.request, deps.trustProxyHops);
    deps.metrics.sockets.inc();
    const backlog = new Backlog(socket, deps.limits.socketBacklogBytes, (bytes) => {
      deps.metrics.socketsCut.inc();
      deps.log.warn({ address, bytes, limit: deps.limits.socketBacklogBytes }, 'socket cut: the client does not read (over its unsent limit, or a resume answer left unsent too long)');
    });
    // Until the socket joins, it is limited on its own; after, by its participant's bucket.
    const socketBucket = new TokenBucket(LIMITS.commandsPerSecond, LIMITS.commandBurst);
    let seat: Seat | undefined;
    /** A join or resume is on its way (a second one is refused, like one after it). */
    let joining = false;
    /** This connection's room is owned by another process: everything goes through this pipe. */
    let pipe: Pipe | undefined;

    const stand = (): void => {
      if (!seat) return;
      presence.leave(seat.runner.room.id, seat.viewer.participantId);
      participantBuckets.leave(seat.viewer.participantId);
      deps.registry.release(seat.runner);
    };
    socket.on('disconnect', () => {
      deps.metrics.sockets.dec();
      stand();
      pipe?.close();
    });

    socket.onAny((name: unknown, ...args: unknown[]) => {
      // Every message is a request with an answer: the ack is the last argument, if any.
      const ack = args.at(-1);
      if (typeof ack !== 'function') return;
      const reply = ack as AckFn;
      const payload = args.length > 1 ? args[0] : undefined;
      const schema = typeof name === 'string' ? MESSAGES.get(name) : undefined;
      if (!schema) return reply(failure('bad_request', `unknown message ${String(name).slice(0, 64)}`));
      const messageName = name as ClientMessageName;
      if (exceedsSize(payload, LIMITS.maxMessageBytes)) return reply(failure('too_large', `messages are limited to ${LIMITS.maxMessageBytes} bytes`));
      if (!(seat?.bucket ?? socketBucket).take()) return reply(failure('rate_limited', 'too many messages; slow down'));
      const parsed = schema.safeParse(payload ?? {});
      if (!parsed.success) return reply(failure('bad_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')));
      dispatch(messageName, parsed.data, reply).catch((error: unknown) => {
        deps.log.error({ err: error, message: messageName }, 'socket handler failed');
        reply(failure('internal', 'internal error'));
      });
    });

    /** Resumes go through the address's gate; everything else straight to `route`. */
    async function dispatch(name: ClientMessageName, payload: unknown, reply: AckFn): Promise<void> {
      if (name !== 'room:resume') return route(name, payload, reply);
      // A connection already over its limit is cut (its client resumes once it reads again): no read for it.
      if (backlog.over()) return;
      // One join or resume per connection: a second is refused before it may hold a slot of its address.
      if (seat || joining || pipe) return reply(failure('conflict', 'this connection already joined a room'));
      const refused = await resumes.run(async () => {
        let replied = false;
        let onReply: (() => void) | undefined;
        await route(name, payload, (response) => {
          backlog.answering(() => reply(response));
          replied = true;
          onReply?.();
        });
        // A piped resume is answered later (within the pipe's timeout), unless the connection goes first.
        if (!replied && !socket.disconnected) {
          await new Promise<void>((resolve) => {
            onReply = () => {
              socket.off('disconnect', onReply!);
              resolve();
            };
            socket.once('disconnect', onReply);
          });
        }
        // The slot is held until the answer has been written out (or the connection is gone, or
        // cut for leaving it unread too long).
        await backlog.sent(deps.limits.resumeSentMs);
      }, address);
      if (refused) reply(refused);
    }

    /**
     * Here, or through the pipe to the process that owns the connection's room. The owner's
     * answers through the pipe are passed on the moment they arrive, in order with the events
     * it relays: answered through a promise, a broadcast read from the same packet would
     * overtake the answer and the client would drop the events the answer carried.
     */
    async function route(name: ClientMessageName, payload: unknown, reply: AckFn): Promise<void> {
      if (pipe) return pipe.request(name, payload, reply);
      if (!deps.gateway || seat || (name !== 'room:join' && name !== 'room:resume')) {
        // An action may answer early (once stored, before its broadcast): one answer either way.
        let answered = false;
        const answer: AckFn = (response) => {
          if (answered) return;
          answered = true;
          reply(response);
        };
        return answer(await handle(name, payload, answer));
      }
      if (joining) return reply(failure('conflict', 'this connection already joined a room'));
      joining = true;
      let routed: Awaited<ReturnType<Gateway['route']>>;
      try {
        routed = await deps.gateway.route(payload as ClientMessage<'room:join'>, address);
      } finally {
        joining = false;
      }
      if (routed === undefined) return reply(await handle(name, payload));
      if (!(routed instanceof Pipe)) return reply(routed);
      const opened = routed;
      pipe = opened;
      void socket.join(PIPED_CHANNEL);
      opened.relay((event, ...args) => socket.emit(event, ...args));
      // The owner let go (it died, or handed the room over): the client reconnects and resumes wherever it lands.
      opened.onClose(() => socket.disconnect(true));
      if (socket.disconnected) opened.close();
      opened.request(name, payload, (response) => {
        // Refused (or unanswered): this connection sits nowhere, and may join or resume again
        // (the browser retries an unavailable resume on the same connection).
        if (!(response as { ok?: unknown } | undefined)?.ok && pipe === opened) {
          pipe = undefined;
          void socket.leave(PIPED_CHANNEL);
          opened.abandon();
        }
        reply(response);
      });
    }

    async function handle(name: ClientMessageName, payload: unknown, answer?: AckFn): Promise<unknown> {
      switch (name) {
        case 'room:join':
          return join(payload as ClientMessage<'room:join'>);
        case 'room:resume':
          return resume(payload as ClientMessage<'room:resume'>);
        case 'cmd:complete':
          return completeLine(payload as ClientMessage<'cmd:complete'>);
        case 'room:debrief':
          return debrief();
        case 'host:cohost-invite':
          return inviteCohost();
      }
      if (!seat) return failure('forbidden', 'join a room first');
      // `payload` was parsed with the schema of `name`, so it is that message's type.
      const toAction = ACTIONS[name] as ((payload: unknown) => Action) | undefined;
      if (!toAction) return failure('bad_request', `unknown message ${name}`);
      const started = performance.now();
      const { runner, viewer } = seat;
      const actor = { participantId: viewer.participantId, role: viewer.role };
      // Built when the events are stored (inside the room's turn; the prompt is the one right after the command).
      const acknowledge = (result: ActResult & { ok: true }): unknown => {
        if (name === 'cmd:run' && result.line) {
          deps.metrics.commands.inc();
          deps.metrics.commandSeconds.observe((performance.now() - started) / 1000);
          const { clientSeq } = payload as { clientSeq?: number };
          return {
            ok: true,
            seq: result.events[0]!.seq,
            output: result.line.output,
            exitCode: result.line.exitCode,
            ...(result.line.clear ? { clear: true } : {}),
            ...(result.line.edit ? { edit: result.line.edit } : {}),
            ...(result.line.streaming ? { streaming: true } : {}),
            prompt: result.line.promptAfter,
            ...(clientSeq !== undefined ? { clientSeq } : {}),
          };
        }
        const last = result.events.at(-1);
        return { ok: true, ...(last ? { seq: last.seq } : {}) };
      };
      let acked: unknown;
      const result = await runner.act(actor, toAction(payload), {
        origin: socket.id,
        answer: (stored) => {
          if (!stored.ok) return;
          acked = acknowledge(stored);
          answer?.(acked);
        },
      });
      if (!result.ok) return result;
      return acked ?? acknowledge(result);
    }

    /**
     * Joins or resumes one room, once per connection: the registry holds the room for this
     * connection from the moment it finds it (so an ended room cannot leave memory under
     * it), and lets go if the connection does not end up sitting in it.
     */
    const sittingIn = (runner: RoomRunner): boolean => seat?.runner === runner;
    /** This connection's identity waits for the host: it may join again only with its token. */
    let waiting = false;

    async function enterRoom<T>(
      find: () => Promise<Joined | AckError>,
      build: (entry: Joined & { viewer: Viewer }) => T | Promise<T>,
      prepare?: (entry: Joined & { viewer: Viewer }) => Promise<AckError | void>,
    ): Promise<T | WaitingAck & { ok: true } | AckError> {
      if (seat || joining) return failure('conflict', 'this connection already joined a room');
      joining = true;
      try {
        const entry = await find();
        if (!('runner' in entry)) return entry;
        try {
          const { placement, runner } = entry;
          if (placement.kind === 'waiting') return wait(entry, placement.request.id, placement.request.name);
          const viewer = viewerOf(placement.participant.id, placement.participant.role);
          const closed = seatClosed(runner.room, viewer.role);
          if (closed) return closed;
          // A player who left and comes back with their token sits in their seat again.
          if (placement.participant.left && runner.room.status !== 'ended') {
            const back = await runner.act(viewer, { type: 'return' });
            if (!back.ok) return back;
          }
          const prepared = await prepare?.({ ...entry, viewer });
          if (prepared) return prepared;
          // Inside the room's queue: the view and the channel join happen between two commits,
          // so the first broadcast this socket gets is the first event after the view.
          return await runner.exclusive(() => build({ ...entry, viewer }));
        } finally {
          if (!sittingIn(entry.runner)) deps.registry.release(entry.runner);
        }
      } finally {
        joining = false;
      }
    }

    /** Waits for the host's answer (`room:admission` on this identity's channel). */
    function wait(entry: Joined, identityId: string, name: string): WaitingAck & { ok: true } {
      waiting = true;
      void socket.join(waitingChannel(entry.runner.room.id, identityId));
      const { room } = entry.runner;
      return { ok: true, ...(entry.token ? { token: entry.token } : {}), waiting: { roomId: room.id, code: room.code, name } };
    }

    function join(payload: ClientMessage<'room:join'>) {
      if (waiting && !('token' in payload)) return Promise.resolve(failure('conflict', 'this connection is waiting for the host; join with its token'));
      return enterRoom(
        async () => {
          if ('token' in payload) return deps.registry.findByToken(payload.token, true);
          // Code guessing: only joins with a code that names no room count, so a class behind one address still gets in.
          if (!badCodes.available(address)) return failure('rate_limited', 'too many joins with unknown codes; try again in a minute');
          if ('invite' in payload) {
            const joined = await deps.registry.joinByCode(payload.code, payload.name, { cohostInvite: payload.invite }, true);
            if (!('runner' in joined) && joined.error.code === 'not_found') badCodes.take(address);
            return joined;
          }
          if (payload.role === 'spectator' && !spectatorJoins.take(address)) return failure('rate_limited', 'too many spectator joins; try again in a minute');
          const joined = await deps.registry.joinByCode(payload.code, payload.name, payload.role, true, deps.limits.maxSpectatorsPerRoom);
          if (!('runner' in joined) && joined.error.code === 'not_found') badCodes.take(address);
          return joined;
        },
        ({ runner, viewer, token }) => ({ ok: true, ...(token ? { token } : {}), view: sit(runner, viewer) }),
      );
    }

    function resume(payload: ClientMessage<'room:resume'>) {
      // Read a page at a time and kept as the terminals keep outputs: a log may hold far
      // more than a room keeps in memory, and every resume from 0 read all of it at once.
      let missed: RetainedEvents | undefined;
      let readTo = payload.lastSeq;
      // The database may go between finding the room and this read: `unavailable` (the
      // client retries), not `internal` (the client takes the room as lost).
      const readMissed = ({ runner, viewer }: Joined & { viewer: Viewer }) => deps.registry.lookUp(() => forEachPage(deps.registry.store, runner.room.id, readTo, runner.room.seq, (page) => {
        for (const event of page) {
          const seen = viewFor(viewer, event);
          if (seen !== null) missed!.push(seen);
          readTo = event.seq;
        }
      }));
      return enterRoom(
        async () => {
          const found = await deps.registry.findByToken(payload.token, true);
          if (!('runner' in found) || found.placement.kind !== 'waiting') return found;
          // Nothing to resume before the host lets this identity in: it joins (and waits) again.
          deps.registry.release(found.runner);
          return failure('conflict', 'waiting for the host to let you in: join with the token');
        },
        async (entry) => {
          const { runner, viewer } = entry;
          if (payload.lastSeq > runner.room.seq) return failure('bad_request', `lastSeq ${payload.lastSeq} is ahead of the room (${runner.room.seq})`);
          // Only what was logged since the read before the queue.
          const read = await readMissed(entry);
          if (read !== undefined) return read;
          return { ok: true, events: missed!.events, view: sit(runner, viewer) };
        },
        // Most of it is read before the room's queue: read inside, every command of the room
        // waited for a resume's read of the whole log.
        (entry) => {
          missed = new RetainedEvents(RETAINED_OUTPUT_CHARS * Math.max(1, Object.keys(entry.runner.room.terminals).length));
          return readMissed(entry);
        },
      );
    }

    /** A co-host link's secret: made here (the edge draws randomness), only its hash is logged. */
    async function inviteCohost() {
      if (!seat) return failure('forbidden', 'join a room first');
      const invite = newToken();
      const result = await seat.runner.act(seat.viewer, { type: 'invite-cohost', inviteHash: hashToken(invite) });
      return result.ok ? { ok: true, invite, seq: result.events.at(-1)?.seq } : result;
    }

    function debrief() {
      if (!seat) return failure('forbidden', 'join a room first');
      const { runner, viewer } = seat;
      return runner.exclusive(() => {
        const built = buildDebrief(runner.room, runner.runtime, viewer.participantId);
        return built ? { ok: true, debrief: built } : failure('conflict', 'the debrief comes when your solo run has ended');
      });
    }

    async function completeLine(payload: ClientMessage<'cmd:complete'>) {
      if (!seat) return failure('forbidden', 'join a room first');
      const { runner, viewer } = seat;
      return runner.exclusive(() => {
        const terminal = runner.room.terminals[viewer.participantId];
        if (viewer.role !== 'player' || !terminal) return failure('forbidden', 'only players have a terminal');
        // Completion reads the cluster like a command does: only while commands may run.
        if (runner.room.status === 'ended') return failure('room_ended', 'the room has ended');
        if (runner.room.status !== 'running') return failure('conflict', runner.room.status === 'paused' ? 'the room is paused' : 'the room has not started yet');
        const completion = runner.runtime.complete(runner.room.cluster, terminal.session, payload.line, Math.min(payload.cursor, payload.line.length));
        return { ok: true, from: completion.from, candidates: completion.candidates };
      });
    }

    function sit(runner: RoomRunner, viewer: Viewer): RoomView {
      seat = { runner, viewer, bucket: participantBuckets.enter(viewer.participantId) };
      joinChannel(socket, runner.room.id, viewer);
      presence.enter(runner.room.id, viewer.participantId);
      const view = roomViewFor(runner.room, runner.runtime, viewer, presence.online(runner.room.id));
      overviewSent(runner, view.overview);
      // Gone while the join was on its way: nothing will call the disconnect handler again.
      if (socket.disconnected) stand();
      return view;
    }
  });
}

/**
 * Whether the payload, as JSON text, is longer than `limit` characters (roughly: escapes are
 * not counted). It stops the moment it knows, so a payload costs at most about `limit` steps
 * however big or deep: socket.io's maxHttpBufferSize bounds each frame, but a message may carry
 * up to 10 binary attachments of that size, and JSON.stringify turned each Buffer into an
 * array of numbers first (600 ms of blocked event loop for one message).
 */
function exceedsSize(payload: unknown, limit: number): boolean {
  let size = 0;
  const pending: unknown[] = [payload];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') size += value.length + 2;
    else if (value === null || typeof value !== 'object') size += String(value).length;
    else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) size += value.byteLength;
    else if (Array.isArray(value)) {
      size += value.length + 2;
      if (size > limit) return true;
      pending.push(...value);
    } else {
      const keys = Object.keys(value);
      size += keys.length * 4 + 2;
      if (size > limit) return true;
      for (const key of keys) {
        size += key.length;
        pending.push((value as Record<string, unknown>)[key]);
      }
    }
    if (size > limit) return true;
  }
  return false;
}
