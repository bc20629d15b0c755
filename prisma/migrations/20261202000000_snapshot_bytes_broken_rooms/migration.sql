-- Snapshots hold the V8-serialised room state (server/rooms/snapshot.ts) instead of JSON.
-- AlterTable
ALTER TABLE "RoomSnapshot" DROP COLUMN "state",
ADD COLUMN     "data" BYTEA NOT NULL;

-- A room whose log cannot be rebuilt is marked, closed and skipped at start-up.
-- AlterTable
ALTER TABLE "Room" ADD COLUMN     "brokenReason" TEXT;
