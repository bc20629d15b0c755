// Small shared vocabularies: modes, roles, statuses and the shapes of names and codes.
import { z } from 'zod';
import { typedText } from './text.js';

export const RoomMode = z.enum(['interview', 'gameday', 'solo']);
export type RoomMode = z.infer<typeof RoomMode>;
export const MODE_WORDS: Record<RoomMode, string> = { solo: 'Solo', interview: 'Interview', gameday: 'Game day' };

export const RoomStatus = z.enum(['lobby', 'running', 'paused', 'ended']);
export type RoomStatus = z.infer<typeof RoomStatus>;
/** Statuses and modes as people read them (screens and the printed report). */
export const STATUS_WORDS: Record<RoomStatus, string> = { lobby: 'Waiting to start', running: 'Running', paused: 'Paused', ended: 'Ended' };

export const Role = z.enum(['player', 'host', 'spectator']);
export type Role = z.infer<typeof Role>;

/** Join codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L). */
export const JOIN_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const JoinCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/, 'a join code is 8 letters or digits');

/** Reconnect tokens: 32 random bytes, base64url. */
export const Token = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a participant token');

export const DisplayName = typedText({ max: 40, trim: true }).min(1, 'a name is required');
// (LIMITS.maxNameChars below is the same 40: a made-unique "Pat (2)" stays within it.)
export const ScenarioId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'not a scenario id');
export const ParticipantId = z.string().min(1).max(64);
export const Seed = z.number().int().min(0).max(0xffffffff);

/** Limits the server enforces; the client may show them. */
export const LIMITS = {
  /** Largest socket.io message the server accepts (bytes). */
  maxMessageBytes: 16 * 1024,
  maxLineChars: 4096,
  maxNameChars: 40,
  maxTextChars: 4000,
  /** Token bucket per socket for cmd:run / cmd:complete / hint:request / client:signal. */
  commandsPerSecond: 10,
  commandBurst: 20,
} as const;
