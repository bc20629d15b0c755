// HTTP bodies and responses under /api. Fastify validates with these and serialises the
// OpenAPI document from them. Host and participant tokens go in `Authorization: Bearer …`.
import { z } from 'zod';
import { DisplayName, JoinCode, ParticipantId, Role, RoomMode, RoomStatus, ScenarioId, Seed } from './common.js';
import { ErrorBody } from './errors.js';
import { RoomEvent, PublicEvent } from './events.js';
import { ClientMessages, OverviewMessage, TerminalEntry } from './socket.js';

/** One problem with a request, from its zod schema: `path` like `/hostName`, `/` for the whole body. */
export const RequestIssue = z.object({ path: z.string(), message: z.string() });
export const HttpError = z.object({ error: ErrorBody.extend({ issues: z.array(RequestIssue).optional() }) });
export type HttpError = z.infer<typeof HttpError>;

export const CreateRoomBody = z.object({
  scenarioId: ScenarioId,
  mode: z.enum(['interview', 'gameday']),
  seed: Seed.optional(),
  hostName: DisplayName,
  /** Whether anyone with the join code may watch; the host can change it later. */
  allowSpectators: z.boolean().default(false),
  /** Stack a second fault onto the incident: two root causes (scenarios listed `stackable`). */
  stacked: z.boolean().default(false),
});
export const CreateRoomResponse = z.object({ roomId: z.string(), code: z.string(), hostToken: z.string() });

// No seed: the seed picks the variant, so a solo player choosing it could memorise answers
// for the leaderboard. The server draws it (unknown keys such as a sent seed are dropped).
export const CreateSoloBody = z.object({
  scenarioId: ScenarioId,
  name: DisplayName,
  /** Opt in to a hint (at its cost) after two minutes without a command; changeable while playing. */
  autoHints: z.boolean().default(false),
  /** false: the room waits until the player, having read the briefing, starts it (`player:start`); the clock starts then. */
  start: z.boolean().default(true),
});
/** The room is running (unless created with `start: false`); join it over the socket with `{ token }`. */
export const CreateSoloResponse = z.object({ roomId: z.string(), code: z.string(), token: z.string(), participantId: z.string() });

export const ScenarioListResponse = z.object({ scenarios: z.array(z.record(z.string(), z.unknown())) });
/** `?tag=dns`: only the scenarios with this tag (the lobby's filter). */
export const ScenarioListQuery = z.object({ tag: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a tag is lowercase letters, digits and dashes').optional() });

export const RoomCodeParams = z.object({ code: JoinCode });
export const RoomIdParams = z.object({ id: z.uuid() });
export const ScenarioIdParams = z.object({ scenarioId: ScenarioId });

export const RoomSummary = z.object({
  roomId: z.string(),
  code: z.string(),
  mode: RoomMode,
  scenarioId: ScenarioId,
  title: z.string(),
  status: RoomStatus,
  players: z.number().int(),
  spectators: z.number().int(),
  /** Whether the join form may offer "watch": the host's setting. */
  allowSpectators: z.boolean(),
  /** The room's own briefing (its seed's names), for the join form. */
  briefing: z.string().optional(),
});

export const ReportParticipant = z.object({
  id: ParticipantId,
  name: z.string(),
  role: Role,
  /** Left the room (everyone who ever joined is listed). */
  left: z.boolean(),
  commands: z.array(TerminalEntry.extend({ simTime: z.number() })),
  hintsUsed: z.array(z.object({ hintId: z.string(), cost: z.number() })),
  diagnosis: z.object({ rootCause: z.string(), secondCause: z.string().optional(), text: z.string(), evidence: z.array(z.string()) }).nullable(),
  score: z
    .object({
      total: z.number(),
      max: z.number(),
      adjustedTotal: z.number(),
      breakdown: z.record(z.string(), z.unknown()),
      adjustments: z.array(z.object({ points: z.number(), reason: z.string() })),
      /** Whether the player was shown their score (released by the host, or at the end). */
      released: z.boolean(),
    })
    .nullable(),
});

export const RoomReport = z.object({
  roomId: z.string(),
  code: z.string(),
  mode: RoomMode,
  scenarioId: ScenarioId,
  title: z.string(),
  seed: z.number(),
  status: RoomStatus,
  timeLimitMs: z.number(),
  elapsedMs: z.number(),
  participants: z.array(ReportParticipant),
  /** `by`: the author's name; `at`: the event a replay comment is about (`simTime` is then that moment's). */
  notes: z.array(z.object({ simTime: z.number(), text: z.string(), by: z.string().optional(), at: z.number().int().optional() })),
  /** Every event except ticks, in order (host view). */
  timeline: z.array(RoomEvent),
});
export type RoomReport = z.infer<typeof RoomReport>;

export const ReplayResponse = z.object({
  roomId: z.string(),
  scenarioId: ScenarioId,
  seed: z.number().optional(),
  /** The log as this viewer may see it (hosts: everything; a player: their public view). */
  events: z.array(z.union([RoomEvent, PublicEvent])),
  /** Hosts only: the cluster overview after the first event and after each event that changed it. */
  overviews: z.array(OverviewMessage).optional(),
  /** Players: when the other players ran a command (not what), so the replay counts everyone's commands. */
  otherCommands: z.array(z.object({ seq: z.number().int(), participantId: ParticipantId })).optional(),
});

/** A host's comment at a moment of the replay (`at`: the event it is about). */
export const NoteBody = ClientMessages['host:note'];
export const NoteResponse = z.object({ seq: z.number().int() });

export const LeaderboardResponse = z.object({
  scenarioId: ScenarioId,
  entries: z.array(
    z.object({ rank: z.number().int(), name: z.string(), score: z.number(), maxScore: z.number(), durationMs: z.number(), finishedAt: z.string() }),
  ),
});
