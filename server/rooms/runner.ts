// One writer per room. Every input (a participant's action, the clock) goes through a
// serial queue: decide → apply → append to the store → broadcast. Acks and broadcasts go
// out only after the append succeeded; if it fails, the room is rebuilt from the log (which
// never saw the rejected events), so memory never runs ahead of what is stored.
//
// Clock: while the room runs, wall time accrues as pending simulated time. It is logged as
// one tick event riding along with the next action (a command sees the cluster at the
// right time without an extra write), or on its own every `flushMs` when nobody acts.
// The runner owns the interval and clears it on dispose.
import type { AppendChanges, NewParticipant, NewResult, RoomPatch, RoomStore } from '../db/room-store.js';
import type { AckError, DraftEvent, RoomEvent } from '../protocol/index.js';
import { failure } from '../protocol/index.js';
import type { LineResult } from '../shell/types.js';
import { decide, decideTick, type Action, type Actor } from './decide.js';
import { fromStored, toStored } from './log.js';
import { executeCommand, reduceRoom, replayRoom } from './reducer.js';
import type { ScenarioRuntime } from './runtime.js';
import { adjustedTotal, type RoomState } from './state.js';

export interface RunnerHooks {
  /**
   * Called after events are stored and applied, in order: broadcast them. `origin` is the
   * opaque tag the caller of act() gave (the socket that already has the answer in its ack).
   */
  onCommitted?(runner: RoomRunner, events: RoomEvent[], origin?: string): void;
  /** Store append latency. */
  onWrite?(ms: number): void;
  onError?(error: unknown, context: string): void;
}

export interface RunnerOptions {
  store: RoomStore;
  runtime: ScenarioRuntime;
  hooks?: RunnerHooks;
  /** Wall ms between clock beats while running (each adds as much simulated time). 0 = no clock (tests tick by hand). */
  tickMs: number;
  /** Longest a running room goes without logging its pending time (default 5000). */
  flushMs?: number;
  /** Wall clock for the room row's startedAt / endedAt (never enters the simulation). */
  now?: () => Date;
}

export type ActResult = { ok: true; events: RoomEvent[]; line?: LineResult } | AckError;

export class RoomRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private clock: ReturnType<typeof setInterval> | undefined;
  private disposed = false;
  /** Running time not logged yet. */
  private pendingMs = 0;

  private constructor(
    private state: RoomState,
    private readonly options: RunnerOptions,
  ) {
    if (options.tickMs > 0 && state.status !== 'ended') {
      this.clock = setInterval(() => this.beat(), options.tickMs);
      this.clock.unref?.();
    }
  }

  /** Rebuilds a room from its stored log (start-up, or a room opened for a report). */
  static async load(roomId: string, options: RunnerOptions): Promise<RoomRunner> {
    const events = (await options.store.listEvents(roomId, 0)).map(fromStored);
    return new RoomRunner(replayRoom(options.runtime, roomId, events), options);
  }

  /** Writes the first events of a room the store just created (room.created first). */
  static async open(roomId: string, first: DraftEvent[], participants: NewParticipant[], options: RunnerOptions): Promise<RoomRunner | AckError> {
    const outcome = await options.store.appendEvents(roomId, 0, first.map(toStored), { participants, room: roomPatch(first, options.now?.() ?? new Date(), 0) });
    if (!outcome.ok) return failure('conflict', `room ${roomId} already has events`);
    return new RoomRunner(replayRoom(options.runtime, roomId, outcome.events.map(fromStored)), options);
  }

  get room(): Readonly<RoomState> {
    return this.state;
  }

  get runtime(): ScenarioRuntime {
    return this.options.runtime;
  }

  /** Runs `task` when every earlier input of this room is done; nothing else runs meanwhile. */
  exclusive<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  act(actor: Actor, action: Action, extra: { newParticipant?: NewParticipant; origin?: string } = {}): Promise<ActResult> {
    return this.exclusive(async () => {
      if (this.disposed) return failure('room_ended', 'the room is closed');
      let decision: ReturnType<typeof decide>;
      let acted: { events: RoomEvent[]; line?: LineResult };
      let events: RoomEvent[];
      try {
        const ticked = this.applyDrafts(this.takePendingTime());
        decision = decide(this.state, this.options.runtime, actor, action);
        acted = decision.ok ? this.applyDrafts(decision.events) : { events: [] };
        events = [...ticked.events, ...acted.events];
      } catch (error) {
        return this.abandon(error, `${action.type} in room ${this.state.id}`);
      }
      if (events.length > 0) {
        const stored = await this.persist(events, decision.ok && extra.newParticipant ? [named(extra.newParticipant, acted.events)] : [], extra.origin);
        if (!stored.ok) return stored;
      }
      if (!decision.ok) return decision;
      return { ok: true, events: acted.events, ...(acted.line ? { line: acted.line } : {}) };
    });
  }

  /** Advances the room by `ms` of running time now (the clock's flush; tests call it directly). */
  tick(ms: number): Promise<ActResult> {
    return this.exclusive(async () => {
      if (this.disposed) return { ok: true as const, events: [] };
      this.pendingMs += ms;
      let events: RoomEvent[];
      try {
        events = this.applyDrafts(this.takePendingTime()).events;
      } catch (error) {
        return this.abandon(error, `tick of room ${this.state.id}`);
      }
      if (events.length === 0) return { ok: true as const, events };
      const stored = await this.persist(events, []);
      return stored.ok ? { ok: true as const, events } : stored;
    });
  }

  /** Stops the clock and refuses further inputs. Safe to call twice. */
  dispose(): void {
    this.disposed = true;
    this.stopClock();
  }

  private beat(): void {
    if (this.state.status !== 'running') return;
    this.pendingMs += this.options.tickMs;
    const due = this.pendingMs >= (this.options.flushMs ?? 5000) || this.state.elapsedMs + this.pendingMs >= this.state.limitMs;
    if (due) void this.tick(0).catch((error: unknown) => this.options.hooks?.onError?.(error, `clock of room ${this.state.id}`));
  }

  private takePendingTime(): DraftEvent[] {
    const ms = this.pendingMs;
    this.pendingMs = 0;
    return ms > 0 ? decideTick(this.state, this.options.runtime, ms) : [];
  }

  /**
   * Applies drafts to the room, numbering them. A command's output is only known by
   * running it; that is when its event gets its output and exit code.
   */
  private applyDrafts(drafts: DraftEvent[]): { events: RoomEvent[]; line?: LineResult } {
    const events: RoomEvent[] = [];
    let line: ReturnType<typeof executeCommand> | undefined;
    for (const draft of drafts) {
      const seq = this.state.seq + 1;
      if (draft.type === 'command') {
        const { internalError, ...result } = executeCommand(this.state, this.options.runtime, draft.participantId, draft.line, seq);
        line = result;
        this.state.seq = seq;
        if (internalError !== undefined) this.options.hooks?.onError?.(internalError, `command \`${draft.line}\` in room ${this.state.id}`);
        events.push({ ...draft, seq, prompt: line.prompt, output: line.output, exitCode: line.exitCode, ...(line.clear ? { clear: true } : {}) });
      } else {
        const event = { ...draft, seq } as RoomEvent;
        reduceRoom(this.state, event, this.options.runtime);
        events.push(event);
      }
    }
    return line ? { events, line } : { events };
  }

  private async persist(events: RoomEvent[], participants: NewParticipant[], origin?: string): Promise<{ ok: true } | AckError> {
    const expectedSeq = events[0]!.seq - 1;
    const started = performance.now();
    let outcome;
    try {
      outcome = await this.options.store.appendEvents(this.state.id, expectedSeq, events.map(toStored), this.projections(events, participants));
    } catch (error) {
      this.options.hooks?.onError?.(error, `append to room ${this.state.id}`);
    }
    this.options.hooks?.onWrite?.(performance.now() - started);
    if (!outcome?.ok) {
      await this.rebuild();
      if (outcome?.code === 'seq_conflict') return failure('conflict', 'the room changed elsewhere; try again');
      return failure('internal', 'the event could not be stored');
    }
    if (this.state.status === 'ended') this.stopClock();
    this.options.hooks?.onCommitted?.(this, events, origin);
    return { ok: true };
  }

  /**
   * An engine bug threw halfway through applying events that were never stored: the memory
   * is ahead of the log, so it is thrown away and rebuilt from the log.
   */
  private async abandon(error: unknown, context: string): Promise<AckError> {
    this.options.hooks?.onError?.(error, context);
    await this.rebuild();
    return failure('internal', 'the action failed; the room was restored from its log');
  }

  private stopClock(): void {
    if (this.clock) clearInterval(this.clock);
    this.clock = undefined;
  }

  private async rebuild(): Promise<void> {
    this.pendingMs = 0;
    try {
      const events = (await this.options.store.listEvents(this.state.id, 0)).map(fromStored);
      this.state = replayRoom(this.options.runtime, this.state.id, events);
    } catch (error) {
      // The store is unreachable: refuse inputs rather than serve a state the log lacks.
      this.options.hooks?.onError?.(error, `rebuild room ${this.state.id}`);
      this.dispose();
    }
  }

  /** Room row, participant rows and results written in the same transaction as the events (state is already after them). */
  private projections(events: RoomEvent[], participants: NewParticipant[]): AppendChanges {
    const changes: AppendChanges = {};
    const patch = roomPatch(events, this.options.now?.() ?? new Date(), this.state.limitMs);
    if (Object.keys(patch).length > 0) changes.room = patch;
    if (participants.length > 0) changes.participants = participants;
    const rescored = new Set(events.filter((e) => e.type === 'score.computed' || e.type === 'score.adjusted').map((e) => (e as { participantId: string }).participantId));
    const results: NewResult[] = [];
    for (const participantId of rescored) {
      const score = this.state.scores[participantId];
      if (!score) continue;
      results.push({
        participantId,
        score: adjustedTotal(this.state, participantId) ?? score.total,
        maxScore: score.max,
        breakdown: score.breakdown as NewResult['breakdown'],
        durationMs: this.state.elapsedMs,
      });
    }
    if (results.length > 0) changes.results = results;
    return changes;
  }
}

/** The new participant's row under the name the decision gave it ("Pat (2)"). */
function named(participant: NewParticipant, events: readonly RoomEvent[]): NewParticipant {
  const joined = events.find((e) => (e.type === 'participant.joined' || e.type === 'seat.requested') && e.participantId === participant.id);
  return joined && 'name' in joined ? { ...participant, name: joined.name } : participant;
}

/** Room columns the events change; `limitMs` is the limit after them. */
function roomPatch(events: readonly DraftEvent[], now: Date, limitMs: number): RoomPatch {
  const patch: RoomPatch = {};
  for (const event of events) {
    if (event.type === 'room.started') Object.assign(patch, { status: 'running', startedAt: now });
    if (event.type === 'room.resumed') patch.status = 'running';
    if (event.type === 'room.paused') patch.status = 'paused';
    if (event.type === 'room.ended') Object.assign(patch, { status: 'ended', endedAt: now });
    if (event.type === 'room.extended') patch.timeLimitSec = Math.round(limitMs / 1000);
  }
  return patch;
}
