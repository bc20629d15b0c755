-- Several processes serve rooms (REDIS_URL set): each room has one owner, named by a lease.
-- CreateTable
CREATE TABLE "RoomLease" (
    "roomId" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "ownerUrl" TEXT NOT NULL,
    "token" BIGINT NOT NULL DEFAULT 1,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RoomLease_pkey" PRIMARY KEY ("roomId")
);

-- AddForeignKey
ALTER TABLE "RoomLease" ADD CONSTRAINT "RoomLease_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "Room"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The fence. A process of a cluster tags each of its connections with its incarnation
-- (`-c kubedrill.owner=<uuid>`, new at every start, never reused). An event row it inserts
-- (or snapshot) is refused unless that incarnation holds the room's unexpired lease, by the database's
-- clock (leases are UTC timestamps); FOR SHARE makes a takeover (UPDATE of the lease) wait for an append in flight,
-- and an append after a takeover see the new owner. Connections without the tag (a single
-- process, tools, tests) are not fenced.
CREATE FUNCTION "kubedrill_fence"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  writer TEXT := current_setting('kubedrill.owner', true);
BEGIN
  IF writer IS NULL OR writer = '' THEN
    RETURN NEW;
  END IF;
  PERFORM 1 FROM "RoomLease"
    WHERE "roomId" = NEW."roomId" AND "owner" = writer AND "expiresAt" > (clock_timestamp() AT TIME ZONE 'UTC')
    FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'room % is not leased to this process', NEW."roomId" USING ERRCODE = 'KD001';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "Event_fence" BEFORE INSERT ON "Event" FOR EACH ROW EXECUTE FUNCTION "kubedrill_fence"();
-- A deposed owner's late snapshot is refused too (a snapshot is a cache of the log it appended).
CREATE TRIGGER "RoomSnapshot_fence" BEFORE INSERT ON "RoomSnapshot" FOR EACH ROW EXECUTE FUNCTION "kubedrill_fence"();
