// Every room this process serves, in memory. Nothing is rebuilt before the server
// listens: a room is rebuilt from its latest snapshot and the log after it when someone
// first needs it (a join, a resume, a report), and `reconcile` (run in the background
// after start-up and then periodically, a few rooms at a time) brings back running rooms
// so their clocks go on, ends solo rooms whose time is up (even after a restart) and
// expires lobbies nobody started. A room whose log cannot be rebuilt is marked broken in
// the store and refused with `room_broken`; it never stops the others.
//
// Ended rooms are rebuilt on demand (late score adjustments, a player looking back); only
// the most recently used stay in memory, by count and by size, and never one a connection
// still sits in, so a server that runs for weeks does not keep every cluster it simulated.
import { randomUUID } from 'node:crypto';
import type { RoomRecord, RoomStore } from '../db/room-store.js';
import { isStorageUnavailable } from '../db/unavailable.js';
import type { AckError, DraftEvent, RoomEvent, RoomMode, RoomSettings, Role } from '../protocol/index.js';
import { DEFAULT_SETTINGS, failure } from '../protocol/index.js';
import { BrokenLogError } from './restore.js';
import { RoomRunner, type RunnerHooks, type RunnerOptions } from './runner.js';
import { placementOf, type Placement } from './state.js';
import type { ScenarioCatalog, ScenarioRuntime } from './runtime.js';
import { hashToken, newJoinCode, newSeed, newToken } from './tokens.js';

/**
 * Room ownership when several processes serve rooms (server/fleet/ownership.ts): a room
 * is rebuilt or created here only once this process holds its lease.
 */
export interface RoomClaims {
  /** undefined: the room is this process's now; otherwise another process owns it. */
  claim(roomId: string): Promise<{ ownerUrl: string; remainingMs: number } | undefined>;
  /** The room left memory: give its lease up. */
  forget(roomId: string): void;
}

export interface RegistryOptions {
  store: RoomStore;
  /** Absent: this process is the only one and owns every room. */
  claims?: RoomClaims;
  /** A room was taken from this process (another owns it now): its connections must go. */
  onEvicted?: (runner: RoomRunner) => void;
  catalog: ScenarioCatalog;
  hooks?: RunnerHooks;
  /** Ended rooms kept in memory when nobody is connected to them (default 100). */
  maxEndedRooms?: number;
  /** Their total size (bytes of their snapshots, default 256 MiB). */
  maxEndedBytes?: number;
  /** A lobby nobody started ends after this long (ms, default 24 h). */
  lobbyTtlMs?: number;
  /** Rooms rebuilt at once by reconcile (default 2). */
  rebuildConcurrency?: number;
  /** Passed to every runner: snapshot cadence and storage retry backoff. */
  snapshotEvery?: number;
  snapshotWorkMs?: number;
  snapshotMs?: number;
  retryMs?: RunnerOptions['retryMs'];
  maxStateBytes?: number;
  /** Clock period of running rooms (ms); 0 disables clocks (tests tick by hand). */
  tickMs?: number;
  /** Longest a running room goes without logging its time (ms, default 5000). */
  flushMs?: number;
  now?: () => Date;
}

export interface NewRoomRequest {
  scenarioId: string;
  mode: RoomMode;
  /** Hosted rooms only; ignored for solo rooms, which always get a server-drawn seed. */
  seed?: number;
  /** The creator: the host, or the solo player. */
  name: string;
  /** Default: both off. */
  settings?: RoomSettings;
  /** Solo: false waits for the player's start (after the briefing); default true. */
  startNow?: boolean;
  /** Hosted rooms: stack a second fault onto the incident (a scenario that declares stacks). */
  stacked?: boolean;
}

export interface CreatedRoom {
  runner: RoomRunner;
  participantId: string;
  token: string;
}

export interface Joined {
  runner: RoomRunner;
  /** Where the token's identity sits: a seat, or waiting for the host (never refused or unknown). */
  placement: Extract<Placement, { kind: 'seat' | 'waiting' }>;
  /** Only on a first join by code. */
  token?: string;
}

export class RoomRegistry {
  /** By room id, least recently used first. */
  private readonly rooms = new Map<string, RoomRunner>();
  /** Rebuilds under way, so two callers asking for one room share one rebuild. */
  private readonly loading = new Map<string, Promise<RoomRunner | AckError>>();
  private readonly byCode = new Map<string, string>();
  /** Connections sitting in each room (see hold). */
  private readonly holds = new Map<string, number>();
  /** After dispose: rebuilds that finish late are thrown away. */
  private closed = false;

  constructor(private readonly options: RegistryOptions) {}

  get store(): RoomStore {
    return this.options.store;
  }

  get catalog(): ScenarioCatalog {
    return this.options.catalog;
  }

  /**
   * Brings the store's open rooms in line with time, a few at a time: running rooms are
   * rebuilt (their clocks go on; a solo room catches up with wall time and ends if its time
   * is up), lobbies older than lobbyTtlMs end. Lobbies and paused rooms otherwise wait
   * until someone asks for them. Rooms that cannot be rebuilt are marked broken, not fatal.
   */
  async reconcile(): Promise<{ resumed: number; expired: number; broken: string[] }> {
    const now = this.now();
    const ttl = this.options.lobbyTtlMs ?? 24 * 3600_000;
    const due = (await this.options.store.listOpenRooms()).filter(
      (r) => r.status === 'running' || (r.status === 'lobby' && now.getTime() - r.createdAt.getTime() >= ttl),
    );
    const outcome = { resumed: 0, expired: 0, broken: [] as string[] };
    await eachLimited(due, this.options.rebuildConcurrency ?? 2, async (record) => {
      if (this.closed) return;
      const runner = await this.loadRecord(record);
      if (!('room' in runner)) {
        if (runner.error.code === 'room_broken') outcome.broken.push(record.id);
        return;
      }
      if (runner.room.status === 'lobby') {
        if ((await runner.expire()).ok) outcome.expired++;
      } else if (runner.room.status === 'running') {
        await runner.catchUp(this.now(), record.startedAt);
        outcome.resumed++;
      }
      // Sockets and timers get a turn between two rooms.
      await new Promise((resolve) => setImmediate(resolve));
    });
    return outcome;
  }

  /** Running rooms by status, for metrics. */
  list(): RoomRunner[] {
    return [...this.rooms.values()];
  }

  async create(request: NewRoomRequest): Promise<CreatedRoom | AckError> {
    // Only a host may choose the variant; a solo seed always comes from the server (leaderboard fairness).
    const seed = request.mode === 'solo' ? newSeed() : (request.seed ?? newSeed());
    const stacked = request.mode !== 'solo' && request.stacked === true;
    const runtime = this.options.catalog.runtime(request.scenarioId, seed, stacked);
    if (!runtime) return failure('not_found', `no scenario ${request.scenarioId}`);
    if (stacked && !runtime.stacked) return failure('bad_request', `scenario ${request.scenarioId} declares no fault to stack`);
    let record: RoomRecord | undefined;
    for (let attempt = 0; attempt < 5 && !record; attempt++) {
      // A database that cannot be reached is `unavailable` (503), as for joins, not a 500.
      const outcome = await this.lookUp(() => this.options.store.createRoom({
        code: newJoinCode(), mode: request.mode, scenarioId: request.scenarioId, seed, stacked, timeLimitSec: Math.round(runtime.timeLimitMs / 1000),
      }));
      if ('error' in outcome) return outcome;
      if (outcome.ok) record = outcome.room;
    }
    if (!record) return failure('internal', 'could not pick a free join code');
    if (await this.lookUp(() => this.claimElsewhere(record.id))) return failure('unavailable', ELSEWHERE);

    const participantId = randomUUID();
    const token = newToken();
    const role: Role = request.mode === 'solo' ? 'player' : 'host';
    const first: DraftEvent[] = [
      {
        type: 'room.created', simTime: 0, mode: request.mode, scenarioId: request.scenarioId, seed, ...(stacked ? { stacked } : {}), code: record.code, timeLimitMs: runtime.timeLimitMs,
        settings: request.settings ?? DEFAULT_SETTINGS,
      },
      { type: 'participant.joined', simTime: 0, participantId, name: request.name, role },
    ];
    if (request.mode === 'solo' && request.startNow !== false) first.push({ type: 'room.started', simTime: 0, by: participantId });
    const opened = await this.lookUp(() => RoomRunner.open(record.id, first, [{ id: participantId, name: request.name, role, tokenHash: hashToken(token) }], this.runnerOptions(runtime)));
    const runner = 'room' in opened ? this.keep(opened) : opened;
    if (!('room' in runner)) return runner;
    return { runner, participantId, token };
  }

  /**
   * First join by code: a new participant with a new token. With `hold`, the room is held
   * for the joining connection (see hold), and released again if the join fails.
   */
  async joinByCode(code: string, name: string, seat: 'player' | 'spectator' | { cohostInvite: string }, hold = false, spectatorSeats?: number): Promise<Joined | AckError> {
    const runner = await this.findByCode(code, hold);
    if (!('room' in runner)) return runner;
    const participantId = randomUUID();
    const token = newToken();
    // A co-host brings the invite's secret; the room knows only its hash.
    const role: Role = typeof seat === 'string' ? seat : 'host';
    const invite = typeof seat === 'string' ? {} : { invite: hashToken(seat.cohostInvite) };
    const result = await runner.act({ participantId, role }, { type: 'join', participantId, name, role, ...invite, ...(spectatorSeats === undefined ? {} : { spectatorSeats }) }, {
      newParticipant: { id: participantId, name, role, tokenHash: hashToken(token) },
    });
    const placement = placementOf(runner.room, participantId);
    if (!result.ok || (placement.kind !== 'seat' && placement.kind !== 'waiting')) {
      if (hold) this.release(runner);
      return result.ok ? failure('internal', 'the join left no seat') : result;
    }
    return { runner, placement, token };
  }

  /**
   * Re-join with a token (reload, new tab, reconnect): the seat it holds, or its request still
   * waiting for the host. `hold` as for joinByCode (the caller releases, also on a refusal).
   */
  async findByToken(token: string, hold = false): Promise<Joined | AckError> {
    const identity = await this.lookUp(() => this.options.store.findParticipantByTokenHash(hashToken(token)));
    if (!identity) return failure('forbidden', 'unknown token');
    if (!('id' in identity)) return identity;
    const runner = await this.get(identity.roomId, hold);
    if (!('room' in runner)) return runner;
    const placement = placementOf(runner.room, identity.id);
    if (placement.kind === 'seat' || placement.kind === 'waiting') return { runner, placement };
    if (hold) this.release(runner);
    return failure('forbidden', placement.kind === 'refused' ? 'the host did not let you in' : 'unknown token');
  }

  /**
   * A room from memory, or rebuilt from the store (ended ones too). `hold` holds it in the
   * same step that finds it, so no release elsewhere can drop it meanwhile.
   */
  async get(roomId: string, hold = false): Promise<RoomRunner | AckError> {
    const open = this.rooms.get(roomId);
    if (open) return this.handOut(open, hold);
    const record = await this.lookUp(() => this.options.store.getRoom(roomId));
    if (!record || !('id' in record)) return record ?? failure('not_found', 'the room no longer exists');
    return this.loadRecord(record, hold);
  }

  async findByCode(code: string, hold = false): Promise<RoomRunner | AckError> {
    const roomId = this.byCode.get(code);
    if (roomId) return this.get(roomId, hold);
    const record = await this.lookUp(() => this.options.store.findRoomByCode(code));
    if (!record || !('id' in record)) return record ?? failure('not_found', 'no room with that code');
    return this.loadRecord(record, hold);
  }

  /** The room if it is in memory now (no rebuild, no store read). */
  inMemory(roomId: string): RoomRunner | undefined {
    return this.rooms.get(roomId);
  }

  inMemoryByCode(code: string): RoomRunner | undefined {
    const roomId = this.byCode.get(code);
    return roomId === undefined ? undefined : this.rooms.get(roomId);
  }

  /** A connection sits in the room: it stays in memory, ended or not, until `release`. */
  hold(runner: RoomRunner): void {
    this.holds.set(runner.room.id, (this.holds.get(runner.room.id) ?? 0) + 1);
  }

  /** The connection left; an ended room nobody holds may now leave memory. */
  release(runner: RoomRunner): void {
    const id = runner.room.id;
    const count = (this.holds.get(id) ?? 0) - 1;
    if (count > 0) this.holds.set(id, count);
    else this.holds.delete(id);
    this.trimEnded();
  }

  /**
   * The room is no longer this process's (its lease was lost, or the store refused an
   * append because another process holds it): it leaves memory, its connections are let go.
   */
  evict(roomId: string): void {
    const runner = this.rooms.get(roomId);
    if (!runner) return;
    runner.dispose(true);
    this.forget(runner);
    this.holds.delete(roomId);
    this.options.onEvicted?.(runner);
  }

  /** A rolling deploy: the room is stopped here, its time logged and a snapshot stored, and it leaves memory. */
  async handOver(roomId: string): Promise<void> {
    const runner = this.rooms.get(roomId);
    if (!runner) return;
    await runner.handOver();
    this.evict(roomId);
  }

  /** Stops every room's clock. */
  dispose(): void {
    this.closed = true;
    for (const runner of this.rooms.values()) runner.dispose();
    this.rooms.clear();
    this.byCode.clear();
    this.holds.clear();
  }

  /** A store read; an unreachable database is an `unavailable` answer, not a crash. */
  async lookUp<T>(read: () => Promise<T>): Promise<T | AckError> {
    try {
      return await read();
    } catch (error) {
      if (!isStorageUnavailable(error)) throw error;
      return failure('unavailable', 'the database is unavailable; try again shortly');
    }
  }

  /** The room of `record`, rebuilding it once however many ask at the same time. */
  private async loadRecord(record: RoomRecord, hold = false): Promise<RoomRunner | AckError> {
    const present = this.rooms.get(record.id);
    if (present) return this.handOut(present, hold);
    if (record.brokenReason !== null) return brokenRoom(record.code);
    let loading = this.loading.get(record.id);
    if (!loading) {
      loading = this.rebuild(record).finally(() => this.loading.delete(record.id));
      this.loading.set(record.id, loading);
    }
    const runner = await loading;
    return 'room' in runner ? this.handOut(runner, hold) : runner;
  }

  private async rebuild(record: RoomRecord): Promise<RoomRunner | AckError> {
    const runtime = this.options.catalog.runtime(record.scenarioId, record.seed, record.stacked);
    let claimed = false;
    let kept = false;
    try {
      if (await this.claimElsewhere(record.id)) return failure('unavailable', ELSEWHERE);
      claimed = true;
      if (!runtime) throw new BrokenLogError(record.id, new Error(`scenario ${record.scenarioId} is not installed`));
      const runner = this.keep(await RoomRunner.load(record.id, this.runnerOptions(runtime)));
      kept = 'room' in runner;
      return runner;
    } catch (error) {
      if (isStorageUnavailable(error)) return failure('unavailable', 'the database is unavailable; try again shortly');
      this.options.hooks?.onError?.(error, `rebuild room ${record.id}`);
      if (!(error instanceof BrokenLogError)) return failure('internal', 'the room could not be opened');
      await this.markBroken(record.id, error);
      return brokenRoom(record.code);
    } finally {
      // Not served here after all: its lease goes (once a broken room is marked, so no other
      // process adopts it), or this process would renew it for good.
      if (claimed && !kept) this.options.claims?.forget(record.id);
    }
  }

  private async markBroken(roomId: string, error: unknown): Promise<void> {
    try {
      await this.options.store.markBroken(roomId, error instanceof Error ? error.message : String(error));
    } catch (failed) {
      this.options.hooks?.onError?.(failed, `mark room ${roomId} broken`);
    }
  }

  private keep(runner: RoomRunner): RoomRunner | AckError {
    if (this.closed) {
      runner.dispose();
      return failure('unavailable', 'the server is shutting down');
    }
    this.rooms.set(runner.room.id, runner);
    this.byCode.set(runner.room.code, runner.room.id);
    this.trimEnded(runner);
    return runner;
  }

  private forget(runner: RoomRunner): void {
    runner.dispose();
    if (this.rooms.get(runner.room.id) === runner) this.rooms.delete(runner.room.id);
    this.byCode.delete(runner.room.code);
    this.options.claims?.forget(runner.room.id);
  }

  /** True when another process owns the room (never without claims: then every room is ours). */
  private async claimElsewhere(roomId: string): Promise<boolean> {
    return (await this.options.claims?.claim(roomId)) !== undefined;
  }

  /** The room asked for: now the most recently used, and held if asked. */
  private handOut(runner: RoomRunner, hold: boolean): RoomRunner {
    this.rooms.delete(runner.room.id);
    this.rooms.set(runner.room.id, runner);
    if (hold) this.hold(runner);
    return runner;
  }

  /**
   * Drops the least recently used ended rooms nobody holds until at most maxEndedRooms of
   * them, weighing at most maxEndedBytes, are left (never `asked`, the room being handed out).
   */
  private trimEnded(asked?: RoomRunner): void {
    const maxCount = this.options.maxEndedRooms ?? 100;
    const maxBytes = this.options.maxEndedBytes ?? 256 * 1024 * 1024;
    const idle = [...this.rooms.values()].filter((r) => r.room.status === 'ended' && !this.holds.has(r.room.id));
    let count = idle.length;
    let bytes = idle.reduce((sum, r) => sum + r.approximateBytes, 0);
    for (const runner of idle) {
      if (count <= maxCount && bytes <= maxBytes) break;
      if (runner === asked) continue;
      this.forget(runner);
      count--;
      bytes -= runner.approximateBytes;
    }
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private runnerOptions(runtime: ScenarioRuntime): RunnerOptions {
    const { hooks, flushMs, snapshotEvery, snapshotWorkMs, snapshotMs, retryMs, maxStateBytes, now } = this.options;
    return {
      store: this.options.store,
      runtime,
      tickMs: this.options.tickMs ?? 1000,
      ...(flushMs !== undefined ? { flushMs } : {}),
      ...(snapshotEvery !== undefined ? { snapshotEvery } : {}),
      ...(snapshotWorkMs !== undefined ? { snapshotWorkMs } : {}),
      ...(snapshotMs !== undefined ? { snapshotMs } : {}),
      ...(retryMs ? { retryMs } : {}),
      ...(maxStateBytes !== undefined ? { maxStateBytes } : {}),
      hooks: {
        ...hooks,
        onCommitted: (runner: RoomRunner, events: RoomEvent[], origin?: string, answer?: () => void, late?: boolean) => {
          if (hooks?.onCommitted) hooks.onCommitted(runner, events, origin, answer, late);
          else answer?.();
          // A room that just ended may push an older ended one out of memory.
          if (events.some((e) => e.type === 'room.ended')) this.trimEnded();
        },
        // An ended room's final snapshot gives its size: it may now push others out.
        onSnapshot: (runner: RoomRunner) => {
          hooks?.onSnapshot?.(runner);
          if (runner.room.status === 'ended') this.trimEnded();
        },
        onDeposed: (runner: RoomRunner) => {
          hooks?.onDeposed?.(runner);
          this.evict(runner.room.id);
        },
        onBroken: (runner: RoomRunner, error: unknown) => {
          hooks?.onBroken?.(runner, error);
          this.forget(runner);
          void this.markBroken(runner.room.id, error);
        },
      },
      ...(now ? { now } : {}),
    };
  }
}

/** What a process answers for a room another process owns (the socket layer routes joins there first). */
export const ELSEWHERE = 'this room is served by another server process; try again';

const brokenRoom = (code: string): AckError =>
  failure('room_broken', `room ${code} could not be restored from its log and is closed; its report may still be available to the host`);

/** Runs `task` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
