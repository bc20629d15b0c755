// Every room this process serves, in memory. At start-up it rebuilds each open room from
// its log, so a restarted server continues where it stopped. Ended rooms are rebuilt on
// demand (reports, replays, late score adjustments) and then kept like the others.
import { randomUUID } from 'node:crypto';
import type { ParticipantRecord, RoomRecord, RoomStore } from '../db/room-store.js';
import type { AckError, DraftEvent, RoomMode, Role } from '../protocol/index.js';
import { failure } from '../protocol/index.js';
import { RoomRunner, type RunnerHooks } from './runner.js';
import type { ScenarioCatalog, ScenarioRuntime } from './runtime.js';
import { hashToken, newJoinCode, newSeed, newToken } from './tokens.js';

export interface RegistryOptions {
  store: RoomStore;
  catalog: ScenarioCatalog;
  hooks?: RunnerHooks;
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
}

export interface CreatedRoom {
  runner: RoomRunner;
  participantId: string;
  token: string;
}

export interface Joined {
  runner: RoomRunner;
  participant: { id: string; name: string; role: Role };
  /** Only on a first join by code. */
  token?: string;
}

export class RoomRegistry {
  private readonly rooms = new Map<string, RoomRunner>();
  private readonly byCode = new Map<string, string>();

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
      { type: 'room.created', simTime: 0, mode: request.mode, scenarioId: request.scenarioId, seed, code: record.code, timeLimitMs: runtime.timeLimitMs },
      { type: 'participant.joined', simTime: 0, participantId, name: request.name, role },
    ];
    if (request.mode === 'solo') first.push({ type: 'room.started', simTime: 0, by: participantId });
    const runner = await RoomRunner.open(record.id, first, [{ id: participantId, name: request.name, role, tokenHash: hashToken(token) }], this.runnerOptions(runtime));
    if (!('room' in runner)) return runner;
    return { runner: this.keep(runner), participantId, token };
  }

  /** First join by code: a new participant with a new token. */
  async joinByCode(code: string, name: string, role: 'player' | 'spectator'): Promise<Joined | AckError> {
    const runner = await this.findByCode(code);
    if (!runner) return failure('not_found', 'no room with that code');
    const participantId = randomUUID();
    const token = newToken();
    const result = await runner.act({ participantId, role }, { type: 'join', participantId, name, role }, {
      newParticipant: { id: participantId, name, role, tokenHash: hashToken(token) },
    });
    if (!result.ok) return result;
    return { runner, participant: { id: participantId, name, role }, token };
  }

  /** Re-join with a token (reload, new tab, reconnect). */
  async findByToken(token: string): Promise<{ runner: RoomRunner; participant: ParticipantRecord } | AckError> {
    const participant = await this.options.store.findParticipantByTokenHash(hashToken(token));
    if (!participant) return failure('forbidden', 'unknown token');
    const runner = await this.get(participant.roomId);
    if (!runner) return failure('not_found', 'the room no longer exists');
    return { runner, participant };
  }

  /** An open room from memory, or any room (ended ones too) rebuilt from the store. */
  async get(roomId: string): Promise<RoomRunner | undefined> {
    const open = this.rooms.get(roomId);
    if (open) return open;
    const record = await this.options.store.getRoom(roomId);
    return record ? this.load(record) : undefined;
  }

  async findByCode(code: string): Promise<RoomRunner | undefined> {
    const roomId = this.byCode.get(code);
    if (roomId) return this.get(roomId);
    const record = await this.options.store.findRoomByCode(code);
    return record ? this.load(record) : undefined;
  }

  /** Stops every room's clock. */
  dispose(): void {
    for (const runner of this.rooms.values()) runner.dispose();
    this.rooms.clear();
    this.byCode.clear();
  }

  private async load(record: RoomRecord): Promise<RoomRunner> {
    const runtime = this.options.catalog.runtime(record.scenarioId, record.seed);
    if (!runtime) throw new Error(`room ${record.id}: scenario ${record.scenarioId} is not installed`);
    const runner = await RoomRunner.load(record.id, this.runnerOptions(runtime));
    return this.keep(runner);
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
    return runner;
  }

  private runnerOptions(runtime: ScenarioRuntime) {
    return {
      store: this.options.store,
      runtime,
      tickMs: this.options.tickMs ?? 1000,
      ...(this.options.flushMs !== undefined ? { flushMs: this.options.flushMs } : {}),
      ...(this.options.hooks ? { hooks: this.options.hooks } : {}),
      ...(this.options.now ? { now: this.options.now } : {}),
    };
  }
}
