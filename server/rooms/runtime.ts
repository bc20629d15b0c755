// What a room needs from the scenario, the engine and the scorer, as one object bound to
// (scenario, seed). The room layer depends on this interface only, so its reducer and
// runner are tested with a small fake; scenario-runtime.ts binds the real modules.
import type { Fact } from '../cluster/facts.js';
import type { ClusterState } from '../cluster/types.js';
import type { Completion, LineResult, ShellSession } from '../shell/types.js';
import type { ClusterOverview, Diagnosis, KeyInWords, ScorePart } from '../protocol/index.js';
import type { ApiRequest, Target } from '../kubeapi/handler.js';
import type { SeatAccess, SeatAnswer } from '../kubeapi/seat.js';
import type { WatchEvent } from '../kubeapi/watch.js';

export interface RuntimeHint {
  id: string;
  text: string;
  cost: number;
  /** Solo rooms give it automatically only from this running time on. */
  afterMs?: number;
}

export interface RuntimeFault {
  id: string;
  /** What the host sees on the fault button. */
  description: string;
}

export interface ScoreInput {
  participantId: string;
  diagnosis: Diagnosis | null;
  commands: { line: string; output: string; exitCode: number; simTime: number; observed?: Fact[] }[];
  hintsUsed: { hintId: string; cost: number }[];
  elapsedMs: number;
  cluster: ClusterState;
}

export interface RuntimeScore {
  total: number;
  max: number;
  /** Category points only (rootCause, evidence, remediation, time, hints, harmful). */
  parts: ScorePart[];
  /** The scorer's full breakdown, answer-key explanations included: hosts only. */
  breakdown: Record<string, unknown>;
}


export interface ScenarioRuntime {
  readonly scenarioId: string;
  readonly seed: number;
  readonly title: string;
  readonly timeLimitMs: number;
  /** A second fault is stacked on the incident: the diagnosis names two causes. */
  readonly stacked: boolean;
  /** Safe for players: title, briefing, diagnosis choices. */
  readonly playerView: Record<string, unknown>;
  /** Hosts only. */
  readonly answerKey: Record<string, unknown>;
  /** The answer key in words: the host console reads it; a solo player gets part of it after the end (debrief). */
  readonly keyInWords: KeyInWords;
  readonly hints: readonly RuntimeHint[];
  /** Optional faults a host may inject. */
  readonly faults: readonly RuntimeFault[];

  /** The cluster at simulated time 0, incident faults applied. */
  start(): ClusterState;
  /** Advances simulated time (controllers and timed faults run). Mutates `cluster`. */
  advance(cluster: ClusterState, ms: number): void;
  injectFault(cluster: ClusterState, faultId: string): void;
  newSession(cluster: ClusterState): ShellSession;
  /**
   * `actor`: the participant whose line it is (the world records who changed it). `interactive`:
   * a terminal that can send Ctrl-C, where a following command keeps printing (session.stream).
   */
  runLine(cluster: ClusterState, session: ShellSession, line: string, actor?: string, interactive?: boolean): LineResult;
  /** The session's running command prints what time brought; absent where nothing streams (test doubles, the ledger). */
  continueStream?(cluster: ClusterState, session: ShellSession, actor?: string): { output: string; ended: boolean; observed?: Fact[] };
  /**
   * A seat's request to the room's Kubernetes API (kubeapi/seat.ts), credited to `actor` like a
   * typed line; absent where no cluster answers (test doubles, the ledger).
   */
  apiRequest?(cluster: ClusterState, request: ApiRequest, target: Target, access: SeatAccess, actor: string): SeatAnswer;
  /** What a seat's watch streamed after its first batch showed (kubeapi/seat.ts observeWatch); absent where nothing is scored. */
  watchObserved?(cluster: ClusterState, target: Target, events: WatchEvent[]): Fact[];
  /** Ctrl-C on the session's running command: what the terminal shows (`^C`). */
  interrupt?(session: ShellSession): string;
  complete(cluster: ClusterState, session: ShellSession, line: string, cursor: number): Completion;
  prompt(cluster: ClusterState, session: ShellSession): string;
  score(input: ScoreInput): RuntimeScore;
  /** The evidence items (ids) these facts observe: what a line showed, for the host's checklist. */
  evidenceIn(observed: readonly Fact[]): string[];
  /** Nodes, pods by status and recent events for hosts and spectators; absent when the cluster is not a real one (test doubles). */
  overview?(cluster: ClusterState): ClusterOverview;
}

/** Where rooms get runtimes: the loaded scenarios. */
export interface ScenarioCatalog {
  /** Player views of every scenario, easiest first (lobbyOrder), for GET /api/scenarios. */
  list(): Record<string, unknown>[];
  has(scenarioId: string): boolean;
  /** undefined when the scenario does not exist. `stacked`: with a second fault stacked on it (rooms whose host chose it). */
  runtime(scenarioId: string, seed: number, stacked?: boolean): ScenarioRuntime | undefined;
}
