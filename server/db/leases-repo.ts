// Room leases (prisma/migrations/20261202120000_room_leases): which process owns a room
// when several serve rooms. Every time is the database's clock, so the processes' own
// clocks never have to agree. Leases are UTC timestamps (TIMESTAMP columns, as Prisma's).
import type pg from 'pg';

const NOW = `(clock_timestamp() AT TIME ZONE 'UTC')`;
const UNTIL = `${NOW} + $3 * interval '1 millisecond'`;

export type Claim =
  | { held: true; token: number }
  /** Another process holds the lease for `remainingMs` more (by the database's clock). */
  | ({ held: false } & LeaseOwner);

/** Another process holding a room: its incarnation, where it is reached, how long its lease still runs. */
export interface LeaseOwner {
  owner: string;
  ownerUrl: string;
  /** Its Kubernetes API (https://…; empty: not served). */
  kubeApiUrl: string;
  remainingMs: number;
}

export class LeaseRepo {
  constructor(
    private readonly pool: pg.Pool,
    /** This process's incarnation (the same value its connections carry as kubedrill.owner). */
    readonly owner: string,
    readonly ownerUrl: string,
    /** Where the others reach this process's Kubernetes API (empty: not served). */
    readonly kubeApiUrl = '',
  ) {}

  /**
   * Takes the room's lease if it is free, expired or already ours (then renewed), for `ttlMs`.
   * The token goes up each time the room changes hands.
   */
  async claim(roomId: string, ttlMs: number): Promise<Claim> {
    for (;;) {
      const taken = await this.pool.query<{ token: string }>(
        `INSERT INTO "RoomLease" ("roomId", "owner", "ownerUrl", "kubeApiUrl", "token", "expiresAt")
         SELECT $1, $2, $4, $5, 1, ${UNTIL} WHERE EXISTS (SELECT 1 FROM "Room" WHERE "id" = $1)
         ON CONFLICT ("roomId") DO UPDATE SET
           "token" = "RoomLease"."token" + CASE WHEN "RoomLease"."owner" = EXCLUDED."owner" AND "RoomLease"."expiresAt" > ${NOW} THEN 0 ELSE 1 END,
           "owner" = EXCLUDED."owner", "ownerUrl" = EXCLUDED."ownerUrl", "kubeApiUrl" = EXCLUDED."kubeApiUrl", "expiresAt" = EXCLUDED."expiresAt"
         WHERE "RoomLease"."owner" = EXCLUDED."owner" OR "RoomLease"."expiresAt" <= ${NOW}
         RETURNING "token"`,
        [roomId, this.owner, ttlMs, this.ownerUrl, this.kubeApiUrl],
      );
      if (taken.rows[0]) return { held: true, token: Number(taken.rows[0].token) };
      const other = await this.pool.query<LeaseOwner>(
        `SELECT "owner", "ownerUrl", "kubeApiUrl", GREATEST(0, EXTRACT(EPOCH FROM ("expiresAt" - ${NOW})) * 1000)::float8 AS "remainingMs"
         FROM "RoomLease" WHERE "roomId" = $1`,
        [roomId],
      );
      // No row: the room does not exist (nothing to own), or the lease was dropped meanwhile.
      if (!other.rows[0]) {
        const exists = await this.pool.query('SELECT 1 FROM "Room" WHERE "id" = $1', [roomId]);
        if (exists.rowCount === 0) return { held: true, token: 0 };
        continue;
      }
      // Expired between the two statements: claim it again.
      if (other.rows[0].remainingMs > 0) return { held: false, ...other.rows[0] };
    }
  }

  /** Extends the leases this process still holds among `roomIds`; returns those it holds. */
  async renew(roomIds: readonly string[], ttlMs: number): Promise<Set<string>> {
    if (roomIds.length === 0) return new Set();
    // The rows are locked in room id order, as every statement that locks several leases
    // does (release, the group commit's fence): a plain multi-row UPDATE locks them in the
    // table's order and deadlocked with an append batch holding some of them FOR SHARE
    // (seen under load: the renewal failed and the process gave up every room it had).
    const { rows } = await this.pool.query<{ roomId: string }>(
      `WITH locked AS (
         SELECT "roomId" FROM "RoomLease" WHERE "roomId" = ANY($1) AND "owner" = $2 AND "expiresAt" > ${NOW}
         ORDER BY "roomId" FOR NO KEY UPDATE
       )
       UPDATE "RoomLease" AS l SET "expiresAt" = ${UNTIL} FROM locked WHERE l."roomId" = locked."roomId" RETURNING l."roomId"`,
      [roomIds, this.owner, ttlMs],
    );
    return new Set(rows.map((r) => r.roomId));
  }

  /** Gives leases up now (they expire at once): another process may claim them. */
  async release(roomIds: readonly string[]): Promise<void> {
    if (roomIds.length === 0) return;
    // Locked in room id order (see renew).
    await this.pool.query(
      `WITH locked AS (SELECT "roomId" FROM "RoomLease" WHERE "roomId" = ANY($1) AND "owner" = $2 ORDER BY "roomId" FOR NO KEY UPDATE)
       UPDATE "RoomLease" AS l SET "expiresAt" = ${NOW} FROM locked WHERE l."roomId" = locked."roomId"`,
      [roomIds, this.owner],
    );
  }

  /**
   * Ends `owner`'s lease of the room now, if it still holds it: that process is known to be
   * dead (nothing listens where it was). Safe even if it were not: the fence refuses the
   * deposed owner's writes, and it gives the room up at its next renewal.
   */
  async expireOf(roomId: string, owner: string): Promise<void> {
    await this.pool.query(`UPDATE "RoomLease" SET "expiresAt" = ${NOW} WHERE "roomId" = $1 AND "owner" = $2 AND "expiresAt" > ${NOW}`, [roomId, owner]);
  }

  /** Running rooms nobody holds (their owner died or gave them up), oldest lease first. */
  async orphans(limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT r."id" FROM "Room" r LEFT JOIN "RoomLease" l ON l."roomId" = r."id"
       WHERE r."status" = 'running' AND r."brokenReason" IS NULL AND (l."roomId" IS NULL OR l."expiresAt" <= ${NOW})
       ORDER BY l."expiresAt" NULLS FIRST LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }
}

/** The SQLSTATE the fence trigger raises when a process appends to a room it does not hold. */
export const NOT_LEASED = 'KD001';

/**
 * True for the fence's refusal, from pg (`code`) or wrapped by Prisma
 * (`meta.driverAdapterError.cause.originalCode`, as Prisma 7 reports it: P2039).
 */
export function isNotLeased(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 8; depth++) {
    const { code, originalCode, cause, meta } = current as { code?: unknown; originalCode?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    if (code === NOT_LEASED || originalCode === NOT_LEASED) return true;
    current = meta?.driverAdapterError ?? cause;
  }
  return false;
}
