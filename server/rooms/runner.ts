// One writer per room. Every input (a participant's action, the clock) goes through a
// serial queue: decide → apply → append to the store → broadcast. Acks and broadcasts go
// out only after the append succeeded. If the store refused the events (the log moved on,
// or the request itself failed), the room is rebuilt from the log, which never saw them,
// so memory never runs ahead of what is stored. If the store cannot be reached, the room
// waits instead: its clock stops, new inputs are refused with `unavailable`, its players
// are told (onStorage), and the same events are appended again with backoff until the
// database answers; then the held ack goes out and the room carries on by itself.
//
// Snapshots: after `snapshotEvery` events, or once applying the events since the last one
// took `snapshotWorkMs` of engine time (what a rebuild would spend again), or `snapshotMs`
// of wall time with events, and when the room ends, the state is serialised between two inputs
// (when the process's pacer gives the room its turn: snapshot-pacer.ts), then deflated
// (thread pool) and stored in the background, after the ack, so a rebuild replays at most
// that tail (restore.ts).
//
// Clock: while the room runs, wall time accrues as pending simulated time. It is logged as
// one tick event riding along with the next action (a command sees the cluster at the
// right time without an extra write), or on its own every `flushMs` when nobody acts.
// The runner owns the interval and clears it on dispose.
import { isDeepStrictEqual } from 'node:util';
import type { AppendChanges, NewEvent, NewParticipant, NewResult, RoomPatch, RoomStore } from '../db/room-store.js';
import { isStorageUnavailable } from '../db/unavailable.js';
import type { AckError, DraftEvent, RoomEvent } from '../protocol/index.js';
import { failure } from '../protocol/index.js';
import type { LineResult } from '../shell/types.js';
import { decide, decideExpiry, decideTick, type Action, type Actor } from './decide.js';
import { fromStored, toStored } from './log.js';
import { executeApiRequest, executeCommand, executeStream, reduceRoom, replayRoom } from './reducer.js';
import type { ApiRequest } from '../kubeapi/handler.js';
import type { SeatAnswer } from '../kubeapi/seat.js';
import { BrokenLogError, restoreRoom } from './restore.js';
import type { ScenarioRuntime } from './runtime.js';
import { deflateRoom, encodeRoom, serializeRoom } from './snapshot.js';
import { processSnapshotPacer, snapshotSpread, type SnapshotPacer } from './snapshot-pacer.js';
import { isNotLeased } from '../db/leases-repo.js';
import { adjustedTotal, type RoomState } from './state.js';

export interface RunnerHooks {
  /**
   * Called after events are stored and applied, in order: broadcast them. `origin` is the
   * opaque tag the caller of act() gave (the socket that already has the answer in its ack);
   * `answer` sends that ack, and the hook calls it once the origin's own share went out,
   * before the rest (without a call, act()'s caller answers when act() resolves).
   * `late`: the store was unreachable on the first try, or the input took LATE_ANSWER_MS or
   * more (a slow store), so the origin may have stopped waiting for that answer: its own
   * share includes what the answer carries.
   */
  onCommitted?(runner: RoomRunner, events: RoomEvent[], origin?: string, answer?: () => void, late?: boolean): void;
  /** Saving stopped working (the room waits and retries) or works again. */
  onStorage?(runner: RoomRunner, available: boolean): void;
  /** The room's log could not be folded again: the runner is closed for good. */
  onBroken?(runner: RoomRunner, error: unknown): void;
  /**
   * The store refused an append because another process owns the room now (several
   * processes serve rooms): the runner is closed; what it applied in memory was never stored.
   */
  onDeposed?(runner: RoomRunner): void;
  /** A snapshot was stored (approximateBytes is its size now). */
  onSnapshot?(runner: RoomRunner): void;
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
  /**
   * Events between two snapshots (default 128); 0 = no snapshots. The engine-time bound below
   * is what keeps a rebuild short; this one only caps the log tail a rebuild reads. (At 32, a
   * 200-room load spent an eighth of its CPU serialising and deflating snapshots.)
   */
  snapshotEvery?: number;
  /**
   * Engine time (ms) spent applying events since the last snapshot that calls for a new one
   * (default 40): a rebuild replays that tail again, so this bounds its cost.
   */
  snapshotWorkMs?: number;
  /** Wall ms after which any events since the last snapshot get one (default 30 000). */
  snapshotMs?: number;
  /** Spreads the serialisations of due rooms over time (default: the process's one). */
  snapshotPacer?: SnapshotPacer;
  /** First and longest wait between two attempts to reach an unavailable store (default 100 and 5000 ms). */
  retryMs?: { first: number; max: number };
  /** Wall clock for the room row's startedAt / endedAt (never enters the simulation). */
  now?: () => Date;
  /**
   * A room whose state (serialised, at its last snapshot) outgrew this many bytes takes no more
   * command lines (default 64 MiB): no player can grow the server's memory without bound
   * through objects, files or variables. The check lags by at most one snapshot's worth of work.
   */
  maxStateBytes?: number;
}

export const DEFAULT_MAX_STATE_BYTES = 64 * 1024 * 1024;

/** `api`: a Kubernetes API request's answer (and its watch, if one opened), for the edge to send. */
/** A typed line's result, and the prompt after it (the ack's: later inputs of the same turn may change it). */
export type RunLine = LineResult & { promptAfter: string };

export type ActResult = { ok: true; events: RoomEvent[]; line?: RunLine; api?: SeatAnswer } | AckError;

/**
 * An answer this long after its input may come after the client stopped waiting (a pipe
 * waits 8 s, the browser 10 s, both from before the input reached the room).
 */
const LATE_ANSWER_MS = 3_000;

/** Most inputs one turn applies before its append (the rest wait for the next turn). */
const MAX_TURN_INPUTS = 64;

/**
 * Engine time (ms) after which a turn applies no more of its inputs: the rest wait for the next
 * turn, after this one's append let the other rooms run. A burst of heavy lines (each may work
 * ~30 ms) would otherwise hold the whole process for all of them at once.
 */
const TURN_WORK_MS = 30;

const MOVED = 'this room moved to another server process; reconnect';
const UNAVAILABLE = 'saving is unavailable, retrying; the room waits until it works again';

/** What act()'s caller passes along with an action. */
interface ActExtra {
  newParticipant?: NewParticipant;
  origin?: string;
  answer?: (result: ActResult) => void;
}

/** An input waiting for the room's turn. */
interface Input {
  actor: Actor;
  action: Action;
  extra: ActExtra;
  /** When it arrived (an answer LATE_ANSWER_MS after may come after the client stopped waiting). */
  asked: number;
  resolve(result: ActResult): void;
}

/** Events stored together, broadcast apart: one input's (and its result), or the system's. */
interface Commit {
  input?: Input;
  events: RoomEvent[];
  result?: ActResult;
}

export class RoomRunner {
  private queue: Promise<unknown> = Promise.resolve();
  /** Inputs waiting for the room's next turn, and whether that turn is queued. */
  private inbox: Input[] = [];
  private turnQueued = false;
  private clock: ReturnType<typeof setInterval> | undefined;
  private disposed = false;
  /** Another process serves the room now (handed over or deposed): inputs get `unavailable`, not `room_ended`. */
  private moved = false;
  /** Running time not logged yet. */
  private pendingMs = 0;
  /** The store cannot be reached: the room waits (see the file comment). */
  private stalled = false;
  /** Sequence of the last snapshot taken, and when (wall ms). */
  private snapshotSeq: number;
  private snapshotAt = Date.now();
  /** Snapshots this runner stored (the first one's cadence is spread: snapshotIfDue). */
  private snapshotsStored = 0;
  private snapshotting = false;
  /** Size of the last snapshot (bytes): the room's weight in memory, roughly. */
  private snapshotBytes = 0;
  /** Engine ms spent applying events since the last snapshot (what a rebuild would redo). */
  private workSinceSnapshot = 0;
  /** The state's serialised size at the last snapshot (before deflating). */
  private stateBytes = 0;

  private constructor(
    private state: RoomState,
    private readonly options: RunnerOptions,
    snapshotSeq: number,
  ) {
    this.snapshotSeq = snapshotSeq;
    if (options.tickMs > 0 && state.status !== 'ended') {
      this.clock = setInterval(() => this.beat(), options.tickMs);
      this.clock.unref?.();
    }
  }

  /** Rebuilds a room from its latest snapshot and the log after it (start-up, a join, a report). */
  static async load(roomId: string, options: RunnerOptions): Promise<RoomRunner> {
    const started = performance.now();
    const { state, snapshotSeq } = await restoreRoom(options.store, options.runtime, roomId);
    const runner = new RoomRunner(state, options, snapshotSeq);
    // The tail just replayed is work the next rebuild would redo.
    runner.workSinceSnapshot = snapshotSeq < state.seq ? performance.now() - started : 0;
    runner.snapshotIfDue();
    return runner;
  }

  /** Writes the first events of a room the store just created (room.created first). */
  static async open(roomId: string, first: DraftEvent[], participants: NewParticipant[], options: RunnerOptions): Promise<RoomRunner | AckError> {
    const outcome = await options.store.appendEvents(roomId, 0, first.map(toStored), { participants, room: roomPatch(first, options.now?.() ?? new Date(), 0) });
    if (!outcome.ok) return failure('conflict', `room ${roomId} already has events`);
    return new RoomRunner(replayRoom(options.runtime, roomId, outcome.events.map(fromStored)), options, 0);
  }

  get room(): Readonly<RoomState> {
    return this.state;
  }

  get runtime(): ScenarioRuntime {
    return this.options.runtime;
  }

  /** True while the store cannot be reached and the room waits. */
  get waitingForStorage(): boolean {
    return this.stalled;
  }

  /** True from a snapshot falling due until it is stored or given up (tests wait on it: a busy pacer may hold one a while). */
  get snapshotPending(): boolean {
    return this.snapshotting;
  }

  /** Bytes of the room's last snapshot and of the outputs it left to the log: what the registry weighs ended rooms by. */
  get approximateBytes(): number {
    return this.snapshotBytes;
  }

  /** Runs `task` when every earlier input of this room is done; nothing else runs meanwhile. */
  exclusive<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * `answer`, when given, gets the result while the events are broadcast, once the actor's
   * own share went out and before everyone else's (onCommitted): the actor's round trip does
   * not wait for the others'. Called only on success; act() resolves with the same result after.
   */
  act(actor: Actor, action: Action, extra: ActExtra = {}): Promise<ActResult> {
    if (this.stalled) return Promise.resolve(failure('unavailable', UNAVAILABLE));
    return new Promise((resolve) => {
      this.inbox.push({ actor, action, extra, asked: performance.now(), resolve });
      this.scheduleTurn();
    });
  }

  /** One room turn takes the inputs waiting then (see takeInputs); those arriving meanwhile wait for the next. */
  private scheduleTurn(): void {
    if (this.turnQueued || this.inbox.length === 0) return;
    this.turnQueued = true;
    // Nobody awaits a turn: what threw outside the engine (a hook, a broadcast) is reported
    // here, or it would vanish (its inputs are answered `internal` by turn()).
    this.exclusive(() => this.takeInputs()).catch((error: unknown) => this.options.hooks?.onError?.(error, `turn of room ${this.state.id}`));
  }

  /**
   * Applies the waiting inputs in order and stores all their events with ONE append, then
   * answers and broadcasts each (its own events, origin and answer). A room's players who
   * type at the same moment no longer wait for each other's writes one after another: under
   * load (4 players of a room within a few ms) the last one's ack waited for three appends
   * before its own. An input that adds a participant goes alone (its rows are written with
   * its events), and a turn takes at most MAX_TURN_INPUTS, and none after TURN_WORK_MS of
   * engine time (it holds the event loop while it applies them). An engine error stops the
   * turn before anything is stored: the room is rebuilt from the log, that input fails, and the
   * others of the turn wait for the next one (nothing of them was stored or answered: they run
   * again on the rebuilt room).
   */
  private async takeInputs(): Promise<void> {
    this.turnQueued = false;
    const joining = this.inbox.findIndex((input, i) => i > 0 && input.extra.newParticipant !== undefined);
    const count = this.inbox[0]?.extra.newParticipant !== undefined ? 1 : Math.min(MAX_TURN_INPUTS, joining === -1 ? this.inbox.length : joining);
    const inputs = this.inbox.splice(0, count);
    try {
      await this.turn(inputs);
    } finally {
      this.scheduleTurn();
    }
  }

  private async turn(inputs: Input[]): Promise<void> {
    const settled = new Set<Input>();
    const settle = (input: Input, result: ActResult) => {
      settled.add(input);
      input.resolve(result);
    };
    try {
      if (this.disposed) return inputs.forEach((input) => settle(input, this.moved ? failure('unavailable', MOVED) : failure('room_ended', 'the room is closed')));
      if (this.stalled) return inputs.forEach((input) => settle(input, failure('unavailable', UNAVAILABLE)));
      const maxBytes = this.options.maxStateBytes ?? DEFAULT_MAX_STATE_BYTES;
      const commits: Commit[] = [];
      const participants: NewParticipant[] = [];
      let broken: { error: unknown; input: Input } | undefined;
      let ticked: RoomEvent[] = [];
      try {
        ticked = this.applyDrafts(this.takePendingTime()).events;
      } catch (error) {
        broken = { error, input: inputs[0]! };
      }
      const started = performance.now();
      let rest: Input[] = [];
      for (const [i, input] of (broken ? [] : inputs).entries()) {
        if (commits.length > 0 && performance.now() - started >= TURN_WORK_MS) {
          rest = inputs.slice(i);
          break;
        }
        const { actor, action, extra } = input;
        // Typed lines and API writes grow the world; reads, diagnoses and host actions still go through.
        const grows = action.type === 'run' || (action.type === 'api' && action.request.method !== 'GET');
        // The time that passed before the turn rides with its first input's events.
        const lead = commits.length === 0 ? ticked : [];
        if (grows && this.stateBytes > maxBytes) {
          commits.push({ input, events: lead, result: failure('conflict', `this room's simulated world grew past ${Math.round(maxBytes / 1048576)} MiB: it takes no more commands (the host can end it)`) });
          continue;
        }
        let decision: ReturnType<typeof decide>;
        let acted: { events: RoomEvent[]; line?: RunLine; api?: SeatAnswer };
        try {
          decision = decide(this.state, this.options.runtime, actor, action);
          acted = decision.ok ? this.applyDrafts(decision.events) : { events: [] };
        } catch (error) {
          broken = { error, input };
          break;
        }
        const result: ActResult = decision.ok ? { ok: true, events: acted.events, ...(acted.line ? { line: acted.line } : {}), ...(acted.api ? { api: acted.api } : {}) } : decision;
        const events = [...lead, ...acted.events];
        if (decision.ok && extra.newParticipant) participants.push(named(extra.newParticipant, acted.events));
        commits.push({ input, events, result });
      }
      this.inbox.unshift(...rest);
      if (broken) {
        const failed = broken.input;
        settle(failed, await this.abandon(broken.error, `${failed.action.type} in room ${this.state.id}`));
        this.inbox.unshift(...inputs.filter((input) => input !== failed));
        return;
      }
      if (commits.length === 0 && ticked.length > 0) commits.push({ events: ticked });
      const events = commits.flatMap((commit) => commit.events);
      if (events.length > 0) {
        const stored = await this.persist(events, participants, commits);
        if (!stored.ok) for (const commit of commits) if (commit.input) settle(commit.input, commit.result?.ok ? stored : commit.result!);
      } else {
        for (const commit of commits) if (commit.input && commit.result?.ok) commit.input.extra.answer?.(commit.result);
      }
      for (const commit of commits) if (commit.input && !settled.has(commit.input)) settle(commit.input, commit.result!);
    } finally {
      // Never left waiting, whatever threw.
      for (const input of inputs) if (!settled.has(input) && !this.inbox.includes(input)) settle(input, failure('internal', 'the action failed'));
    }
  }

  /** Advances the room by `ms` of running time now (the clock's flush; tests call it directly). */
  tick(ms: number): Promise<ActResult> {
    return this.system(() => {
      this.pendingMs += ms;
      return this.takePendingTime();
    }, 'tick');
  }

  /**
   * A solo room runs on wall time from its start, whether anyone is connected or the server
   * was down: the time it is behind at `now` is added (ending it if its time is up).
   */
  catchUp(now: Date, startedAt: Date | null): Promise<ActResult> {
    return this.system(() => {
      if (this.state.mode !== 'solo' || this.state.status !== 'running' || !startedAt) return [];
      const behind = now.getTime() - startedAt.getTime() - this.state.elapsedMs - this.pendingMs;
      this.pendingMs += Math.max(0, Math.min(behind, this.state.limitMs - this.state.elapsedMs - this.pendingMs));
      return this.takePendingTime();
    }, 'catch-up');
  }

  /** Ends a room that is not ended, by the server (a lobby left unstarted too long). */
  expire(): Promise<ActResult> {
    return this.system(() => decideExpiry(this.state, this.options.runtime), 'expiry');
  }

  /** Applies and stores what the server (not a participant) decides. */
  private system(drafts: () => DraftEvent[], what: string): Promise<ActResult> {
    return this.exclusive(async () => {
      if (this.disposed) return { ok: true as const, events: [] };
      let events: RoomEvent[];
      try {
        events = this.applyDrafts(drafts()).events;
      } catch (error) {
        return this.abandon(error, `${what} of room ${this.state.id}`);
      }
      if (events.length === 0) return { ok: true as const, events };
      const stored = await this.persist(events, []);
      return stored.ok ? { ok: true as const, events } : stored;
    });
  }

  /**
   * Before another process takes the room over (a rolling deploy): after the inputs already
   * queued, the running time not yet logged is logged, the room stops here, and a snapshot
   * of its last state is stored so the next owner rebuilds it without replaying a tail.
   */
  handOver(): Promise<void> {
    return this.exclusive(async () => {
      if (this.disposed) return;
      if (!this.stalled) {
        const events = this.applyDrafts(this.takePendingTime()).events;
        if (events.length > 0) await this.persist(events, []);
      }
      this.dispose(true);
      if (!this.stalled && this.state.seq > this.snapshotSeq) await this.options.store.saveSnapshot(this.state.id, this.state.seq, encodeRoom(this.state));
    });
  }

  /** Stops the clock and refuses further inputs (`movedAway`: another process serves the room now). Safe to call twice. */
  dispose(movedAway = false): void {
    this.moved ||= movedAway;
    this.disposed = true;
    this.stopClock();
  }

  private beat(): void {
    // A room waiting for storage is paused: no time passes for it.
    if (this.state.status !== 'running' || this.stalled) return;
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
  private applyDrafts(drafts: DraftEvent[]): { events: RoomEvent[]; line?: RunLine; api?: SeatAnswer } {
    const started = performance.now();
    try {
      return this.applyEach(drafts);
    } finally {
      this.workSinceSnapshot += performance.now() - started;
    }
  }

  private applyEach(drafts: DraftEvent[]): { events: RoomEvent[]; line?: RunLine; api?: SeatAnswer } {
    const events: RoomEvent[] = [];
    let line: (RunLine & { prompt: string }) | undefined;
    let api: SeatAnswer | undefined;
    for (const draft of drafts) {
      const seq = this.state.seq + 1;
      if (draft.type === 'command') {
        const { internalError, ...result } = executeCommand(this.state, this.options.runtime, draft.participantId, draft.line, seq, true);
        line = { ...result, promptAfter: this.options.runtime.prompt(this.state.cluster, this.state.terminals[draft.participantId]!.session) };
        this.state.seq = seq;
        if (internalError !== undefined) this.options.hooks?.onError?.(internalError, `command \`${draft.line}\` in room ${this.state.id}`);
        // What the line showed of the answer key, for the hosts' checklist (never in a public event).
        const evidence = line.observed ? this.options.runtime.evidenceIn(line.observed) : [];
        events.push({
          ...draft, seq, prompt: line.prompt, output: line.output, exitCode: line.exitCode, ...(line.clear ? { clear: true } : {}),
          ...(evidence.length > 0 ? { evidence } : {}), ...(line.streaming ? { streaming: true } : {}),
        });
      } else if (draft.type === 'command.output') {
        // Like a command: the step runs now, after the tick before it, and its output is logged.
        const { internalError, ...step } = executeStream(this.state, this.options.runtime, draft.participantId);
        this.state.seq = seq;
        if (internalError !== undefined) this.options.hooks?.onError?.(internalError, `stream of ${draft.participantId} in room ${this.state.id}`);
        events.push({ ...draft, seq, output: step.output, ...(step.ended ? { ended: true } : {}) });
      } else if (draft.type === 'api.request') {
        // Like a command: served now, and its answer's status and console line are logged.
        const answer = executeApiRequest(this.state, this.options.runtime, draft.participantId, draft.request as ApiRequest, seq);
        this.state.seq = seq;
        if (answer?.internalError !== undefined) this.options.hooks?.onError?.(answer.internalError, `API request ${draft.request.method} ${draft.request.path} in room ${this.state.id}`);
        const evidence = answer?.observed.length ? this.options.runtime.evidenceIn(answer.observed) : [];
        events.push({ ...draft, seq, summary: answer?.summary ?? '', status: answer?.response.status ?? 404, ...(evidence.length > 0 ? { evidence } : {}) });
        api = answer;
      } else {
        const event = { ...draft, seq } as RoomEvent;
        reduceRoom(this.state, event, this.options.runtime);
        events.push(event);
      }
    }
    return { events, ...(line ? { line } : {}), ...(api ? { api } : {}) };
  }

  /**
   * Appends the events (already applied in memory). While the store cannot be reached the
   * same append is retried, so the events are acknowledged if and only if they are stored.
   * Then each commit (an input's events, or the system's) is broadcast in order, its input's
   * answer with it.
   */
  private async persist(events: RoomEvent[], participants: NewParticipant[], commits: Commit[] = [{ events }]): Promise<{ ok: true } | AckError> {
    const expectedSeq = events[0]!.seq - 1;
    const rows = events.map(toStored);
    const changes = this.projections(events, participants);
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      let outcome;
      let error: unknown;
      try {
        outcome = await this.options.store.appendEvents(this.state.id, expectedSeq, rows, changes);
      } catch (caught) {
        error = caught;
      }
      this.options.hooks?.onWrite?.(performance.now() - started);
      // An earlier attempt may have committed although its answer was lost with the connection.
      if (outcome && !outcome.ok && attempt > 0 && (await this.wasStored(expectedSeq, rows))) outcome = { ok: true as const };
      if (outcome?.ok) {
        this.setStalled(false);
        if (this.state.status === 'ended') this.stopClock();
        for (const commit of commits) this.committed(commit, attempt > 0);
        this.snapshotIfDue();
        return { ok: true };
      }
      if (error !== undefined && isStorageUnavailable(error) && !this.disposed) {
        if (!this.stalled) this.options.hooks?.onError?.(error, `append to room ${this.state.id}: storage unavailable, retrying`);
        this.setStalled(true);
        await this.backoff(attempt);
        continue;
      }
      if (error !== undefined && isNotLeased(error)) {
        this.dispose(true);
        this.options.hooks?.onDeposed?.(this);
        return failure('unavailable', MOVED);
      }
      if (error !== undefined) this.options.hooks?.onError?.(error, `append to room ${this.state.id}`);
      await this.rebuild();
      if (outcome?.code === 'seq_conflict') return failure('conflict', 'the room changed elsewhere; try again');
      return failure(this.disposed ? 'unavailable' : 'internal', 'the event could not be stored');
    }
  }

  /** Broadcasts one commit's stored events; its input is answered with them (or at once, if it has none). */
  private committed({ input, events, result }: Commit, retried: boolean): void {
    const answer = input?.extra.answer && result?.ok ? () => input.extra.answer!(result) : undefined;
    if (events.length === 0) return answer?.();
    const late = retried || (input !== undefined && performance.now() - input.asked >= LATE_ANSWER_MS);
    if (this.options.hooks?.onCommitted) this.options.hooks.onCommitted(this, events, input?.extra.origin, answer, late);
    else answer?.();
  }

  /** True when the log after `expectedSeq` holds exactly `rows`. */
  private async wasStored(expectedSeq: number, rows: NewEvent[]): Promise<boolean> {
    try {
      const stored = await this.options.store.listEvents(this.state.id, expectedSeq, rows.length + 1);
      // Compared as JSON values: JSONB keeps neither key order nor undefined fields.
      return stored.length === rows.length && stored.every((r, i) => r.type === rows[i]!.type && isDeepStrictEqual(r.payload, JSON.parse(JSON.stringify(rows[i]!.payload))));
    } catch {
      return false;
    }
  }

  private setStalled(stalled: boolean): void {
    if (this.stalled === stalled) return;
    this.stalled = stalled;
    this.options.hooks?.onStorage?.(this, !stalled);
  }

  private backoff(attempt: number): Promise<void> {
    const { first, max } = this.options.retryMs ?? { first: 100, max: 5000 };
    const ms = Math.min(max, first * 2 ** Math.min(attempt, 16));
    return new Promise((resolve) => setTimeout(resolve, ms));
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

  /** Throws the memory away and restores the room from the store, waiting while the store cannot be reached. */
  private async rebuild(): Promise<void> {
    this.pendingMs = 0;
    for (let attempt = 0; !this.disposed; attempt++) {
      try {
        const { state, snapshotSeq } = await restoreRoom(this.options.store, this.options.runtime, this.state.id);
        this.state = state;
        this.snapshotSeq = snapshotSeq;
        this.setStalled(false);
        return;
      } catch (error) {
        if (!isStorageUnavailable(error)) {
          // The log itself cannot be folded: refuse inputs rather than serve a state the log lacks.
          this.options.hooks?.onError?.(error, `rebuild room ${this.state.id}`);
          this.dispose();
          if (error instanceof BrokenLogError) this.options.hooks?.onBroken?.(this, error);
          return;
        }
        this.setStalled(true);
        await this.backoff(attempt);
      }
    }
  }

  /** Takes a snapshot after the current input (never on its ack path) when enough happened since the last. */
  private snapshotIfDue(): void {
    const every = this.options.snapshotEvery ?? 128;
    const since = this.state.seq - this.snapshotSeq;
    if (every <= 0 || since <= 0 || this.snapshotting) return;
    // A room's first snapshot here comes at its own share (½–1) of the cadence: rooms that
    // start together (a load of 200, a game day's teams, rooms adopted together) would otherwise
    // all be due in the same second, every cycle, and that burst (serialising, deflating and
    // storing 200 states at once) was the worst stall a loaded server had. Once out of step they
    // stay so at the full cadence.
    const spread = this.snapshotsStored === 0 ? snapshotSpread(this.state.id, this.snapshotSeq) : 1;
    const due = since >= every * spread || this.state.status === 'ended' || this.workSinceSnapshot >= (this.options.snapshotWorkMs ?? 40) * spread ||
      Date.now() - this.snapshotAt >= (this.options.snapshotMs ?? 30_000) * spread;
    if (!due) return;
    this.snapshotting = true;
    const pacer = this.options.snapshotPacer ?? processSnapshotPacer;
    const take = async (current: () => boolean): Promise<number> => {
      let taken: { seq: number; raw: Buffer; loggedChars: number; ms: number } | undefined;
      let late = false;
      try {
        taken = await this.exclusive(() => {
          if (this.disposed && this.state.status !== 'ended') return undefined;
          // The pacer moved on while this room was busy: wait for another turn rather than serialise unpaced.
          if (!current()) {
            late = true;
            return undefined;
          }
          this.workSinceSnapshot = 0;
          const started = performance.now();
          const { raw, loggedChars } = serializeRoom(this.state);
          this.stateBytes = raw.byteLength + loggedChars;
          return { seq: this.state.seq, raw, loggedChars, ms: performance.now() - started };
        });
      } catch (error) {
        this.options.hooks?.onError?.(error, `snapshot of room ${this.state.id}`);
      }
      if (late) pacer.enqueue(take);
      else if (!taken) this.snapshotting = false;
      if (!taken) return 0;
      void this.storeSnapshot(taken.seq, taken.raw, taken.loggedChars);
      return taken.ms;
    };
    pacer.enqueue(take);
  }

  /** Deflates (thread pool) and stores a serialised state, in the background. */
  private async storeSnapshot(seq: number, raw: Buffer, loggedChars: number): Promise<void> {
    try {
      const data = await deflateRoom(raw);
      await this.options.store.saveSnapshot(this.state.id, seq, data);
      this.snapshotSeq = Math.max(this.snapshotSeq, seq);
      this.snapshotAt = Date.now();
      this.snapshotsStored++;
      // The outputs left to the log are still held in memory.
      this.snapshotBytes = data.byteLength + loggedChars;
      this.options.hooks?.onSnapshot?.(this);
    } catch (error) {
      this.options.hooks?.onError?.(error, `snapshot of room ${this.state.id}`);
    } finally {
      this.snapshotting = false;
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
