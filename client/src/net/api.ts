// HTTP calls under /api. Errors come back as `{ error: { code, message } }`; they are
// thrown as ApiError with the server's message so views can show it as is.
import type { z } from 'zod';
import type {
  ClientMessage, CreateRoomResponse, CreateSoloResponse, LeaderboardResponse, NoteResponse, ReplayResponse, RoomMode, RoomReport, RoomSummary,
} from '../../../server/protocol/index.js';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function request<T>(method: 'GET' | 'POST', path: string, options: { body?: unknown; token?: string } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(path, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  const text = await response.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = text;
  }
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? 'internal', error?.message ?? `${method} ${path} failed (${response.status})`);
  }
  return data as T;
}

export type ScenarioListItem = Record<string, unknown>;

export const api = {
  scenarios: () => request<{ scenarios: ScenarioListItem[] }>('GET', '/api/scenarios').then((r) => r.scenarios),
  createRoom: (body: { scenarioId: string; mode: Exclude<RoomMode, 'solo'>; hostName: string; allowSpectators: boolean; stacked: boolean }) =>
    request<z.infer<typeof CreateRoomResponse>>('POST', '/api/rooms', { body }),
  createSolo: (body: { scenarioId: string; name: string; autoHints: boolean; start: boolean }) => request<z.infer<typeof CreateSoloResponse>>('POST', '/api/solo', { body }),
  roomByCode: (code: string) => request<z.infer<typeof RoomSummary>>('GET', `/api/rooms/${encodeURIComponent(code)}`),
  report: (roomId: string, token: string) => request<RoomReport>('GET', `/api/rooms/${roomId}/report`, { token }),
  leaderboard: (scenarioId: string) => request<z.infer<typeof LeaderboardResponse>>('GET', `/api/leaderboard/${encodeURIComponent(scenarioId)}`),
  /** A host's comment at a moment (`at`: an event's seq) of the replay. */
  addNote: (roomId: string, token: string, body: ClientMessage<'host:note'>) => request<z.infer<typeof NoteResponse>>('POST', `/api/rooms/${roomId}/notes`, { body, token }),
  /** The seat's kubeconfig (YAML) for its own tools; each download replaces the last one's token. */
  kubeconfig: (token: string) => request<string>('POST', '/api/kubeconfig', { token }),
  replay: (roomId: string, token: string) => request<z.infer<typeof ReplayResponse>>('GET', `/api/rooms/${roomId}/replay`, { token }),
};
