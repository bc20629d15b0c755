// Every room this process serves, in memory. At start-up it rebuilds each open room from
// its log, so a restarted server continues where it stopped. Ended rooms are rebuilt on
// demand (reports, replays, late score adjustments); only the most recently used ones stay
// in memory, and never one a connection still sits in, so a server that runs for weeks
// does not keep every cluster it ever simulated.
import { randomUUID } from 'node:crypto';
import type { RoomRecord, RoomStore } from '../db/room-store.js';
import type { AckError, DraftEvent, RoomEvent, RoomMode, RoomSettings, Role } from '../protocol/index.js';
import { DEFAULT_SETTINGS, failure } from '../protocol/index.js';
import { RoomRunner, type RunnerHooks } from './runner.js';
import { placementOf, type Placement } from './state.js';
import type { ScenarioCatalog, ScenarioRuntime } from './runtime.js';
import { hashToken, newJoinCode, newSeed, newToken } from './tokens.js';

export interface RegistryOptions {
  store: RoomStore;
  catalog: ScenarioCatalog;
  hooks?: RunnerHooks;
  /** Ended rooms kept in memory when nobody is connected to them (default 100). */
  maxEndedRooms?: number;
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
  private readonly byCode = new Map<string, string>();
  /** Connections sitting in each room (see hold). */
  private readonly holds = new Map<string, number>();

  constructor(private readonly options: RegistryOptions) {}

  get store(): RoomStore {
    return this.options.store;
  }

  get catalog(): ScenarioCatalog {
    return this.options.catalog;
  }

  /** Rebuilds every open room from its log. Rooms that fail to rebuild are reported, not fatal. */
  async loadOpenRooms(): Promise<{ loaded: number; failed: string[] }> {
    const failed: string[] = [];
    for (const record of await this.options.store.listOpenRooms()) {
      try {
        await this.load(record);
      } catch (error) {
        this.options.hooks?.onError?.(error, `rebuild room ${record.id}`);
        failed.push(record.id);
      }
    }
    return { loaded: this.rooms.size, failed };
  }

  /** Running rooms by status, for metrics. */
  list(): RoomRunner[] {
    return [...this.rooms.values()];
  }

  async create(request: NewRoomRequest): Promise<CreatedRoom | AckError> {
    // Only a host may choose the variant; a solo seed always comes from the server (leaderboard fairness).
    const seed = request.mode === 'solo' ? newSeed() : (request.seed ?? newSeed());
    const runtime = this.options.catalog.runtime(request.scenarioId, seed);
    if (!runtime) return failure('not_found', `no scenario ${request.scenarioId}`);
    let record: RoomRecord | undefined;
    for (let attempt = 0; attempt < 5 && !record; attempt++) {
      const outcome = await this.options.store.createRoom({
        code: newJoinCode(), mode: request.mode, scenarioId: request.scenarioId, seed, timeLimitSec: Math.round(runtime.timeLimitMs / 1000),
      });
      if (outcome.ok) record = outcome.room;
    }
    if (!record) return failure('internal', 'could not pick a free join code');

    const participantId = randomUUID();
    const token = newToken();
    const role: Role = request.mode === 'solo' ? 'player' : 'host';
    const first: DraftEvent[] = [
      {
        type: 'room.created', simTime: 0, mode: request.mode, scenarioId: request.scenarioId, seed, code: record.code, timeLimitMs: runtime.timeLimitMs,
        settings: request.settings ?? DEFAULT_SETTINGS,
      },
      { type: 'participant.joined', simTime: 0, participantId, name: request.name, role },
    ];
    if (request.mode === 'solo') first.push({ type: 'room.started', simTime: 0, by: participantId });
    const runner = await RoomRunner.open(record.id, first, [{ id: participantId, name: request.name, role, tokenHash: hashToken(token) }], this.runnerOptions(runtime));
    if (!('room' in runner)) return runner;
    return { runner: this.keep(runner), participantId, token };
  }

  /**
   * First join by code: a new participant with a new token. With `hold`, the room is held
   * for the joining connection (see hold), and released again if the join fails.
   */
  async joinByCode(code: string, name: string, role: 'player' | 'spectator', hold = false): Promise<Joined | AckError> {
    const runner = await this.findByCode(code, hold);
    if (!runner) return failure('not_found', 'no room with that code');
    const participantId = randomUUID();
    const token = newToken();
    const result = await runner.act({ participantId, role }, { type: 'join', participantId, name, role }, {
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
    const identity = await this.options.store.findParticipantByTokenHash(hashToken(token));
    if (!identity) return failure('forbidden', 'unknown token');
    const runner = await this.get(identity.roomId, hold);
    if (!runner) return failure('not_found', 'the room no longer exists');
    const placement = placementOf(runner.room, identity.id);
    if (placement.kind === 'seat' || placement.kind === 'waiting') return { runner, placement };
    if (hold) this.release(runner);
    return failure('forbidden', placement.kind === 'refused' ? 'the host did not let you in' : 'unknown token');
  }

  /**
   * An open room from memory, or any room (ended ones too) rebuilt from the store. `hold`
   * holds it in the same step that finds it, so no release elsewhere can drop it meanwhile.
   */
  async get(roomId: string, hold = false): Promise<RoomRunner | undefined> {
    const open = this.rooms.get(roomId);
    if (open) return this.handOut(open, hold);
    const record = await this.options.store.getRoom(roomId);
    return record ? this.load(record, hold) : undefined;
  }

  async findByCode(code: string, hold = false): Promise<RoomRunner | undefined> {
    const roomId = this.byCode.get(code);
    if (roomId) return this.get(roomId, hold);
    const record = await this.options.store.findRoomByCode(code);
    return record ? this.load(record, hold) : undefined;
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

  /** Stops every room's clock. */
  dispose(): void {
    for (const runner of this.rooms.values()) runner.dispose();
    this.rooms.clear();
    this.byCode.clear();
    this.holds.clear();
  }

  private async load(record: RoomRecord, hold = false): Promise<RoomRunner> {
    const runtime = this.options.catalog.runtime(record.scenarioId, record.seed);
    if (!runtime) throw new Error(`room ${record.id}: scenario ${record.scenarioId} is not installed`);
    const runner = await RoomRunner.load(record.id, this.runnerOptions(runtime));
    return this.handOut(this.keep(runner), hold);
  }

  /** Two concurrent loads of one room keep the first; the other is disposed. */
  private keep(runner: RoomRunner): RoomRunner {
    const existing = this.rooms.get(runner.room.id);
    if (existing && existing !== runner) {
      runner.dispose();
      return existing;
    }
    this.rooms.set(runner.room.id, runner);
    this.byCode.set(runner.room.code, runner.room.id);
    this.trimEnded(runner);
    return runner;
  }

  /** The room asked for: now the most recently used, and held if asked. */
  private handOut(runner: RoomRunner, hold: boolean): RoomRunner {
    this.rooms.delete(runner.room.id);
    this.rooms.set(runner.room.id, runner);
    if (hold) this.hold(runner);
    return runner;
  }

  /** Drops the least recently used ended rooms nobody holds, down to maxEndedRooms (never `asked`, the room being handed out). */
  private trimEnded(asked?: RoomRunner): void {
    const max = this.options.maxEndedRooms ?? 100;
    const idle = [...this.rooms.values()].filter((r) => r.room.status === 'ended' && !this.holds.has(r.room.id));
    let excess = idle.length - max;
    for (const runner of idle) {
      if (excess <= 0) break;
      if (runner === asked) continue;
      runner.dispose();
      this.rooms.delete(runner.room.id);
      this.byCode.delete(runner.room.code);
      excess--;
    }
  }

  private runnerOptions(runtime: ScenarioRuntime) {
    const hooks = this.options.hooks;
    return {
      store: this.options.store,
      runtime,
      tickMs: this.options.tickMs ?? 1000,
      ...(this.options.flushMs !== undefined ? { flushMs: this.options.flushMs } : {}),
      hooks: {
        ...hooks,
        onCommitted: (runner: RoomRunner, events: RoomEvent[], origin?: string) => {
          hooks?.onCommitted?.(runner, events, origin);
          // A room that just ended may push an older ended one out of memory.
          if (events.some((e) => e.type === 'room.ended')) this.trimEnded();
        },
      },
      ...(this.options.now ? { now: this.options.now } : {}),
    };
  }
}
