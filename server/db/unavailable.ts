// Tells "the database cannot be reached right now" (worth waiting and retrying: nothing
// was decided) from an error in the request itself (retrying would fail the same way).
// pg reports socket errors with Node's errno codes and server shutdowns with SQLSTATEs;
// Prisma wraps both, keeping the original as `cause` or copying its code.

/** Node socket errors: no connection, or it broke. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** SQLSTATEs of a server going away or refusing connections (class 08: connection exception). */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300', '58030']);
/** Prisma's codes for an unreachable database, an exhausted pool, or a transaction cut off under it. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
/** pg's messages for a connection that ended under a query (no code attached). */
const MESSAGES = /connection terminated|connection (?:is )?closed|client has encountered a connection error|timeout exceeded when trying to connect|server closed the connection|cannot use a pool after calling end|terminating connection/i;

export function isStorageUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, message, originalCode, kind } = current as { code?: unknown; message?: unknown; originalCode?: unknown; kind?: unknown };
    for (const value of [code, originalCode]) {
      if (typeof value !== 'string') continue;
      if (SOCKET_CODES.has(value) || SERVER_CODES.has(value) || PRISMA_CODES.has(value) || value.startsWith('08')) return true;
    }
    // @prisma/driver-adapter-utils: { kind: 'postgres', code } or connection kinds.
    if (typeof kind === 'string' && /^(DatabaseNotReachable|ConnectionClosed|SocketTimeout|TooManyConnections)$/.test(kind)) return true;
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
