-- A host may stack a second fault onto the incident (the scenario's `stacks`): the room is
-- rebuilt with it, so the flag sits beside the seed. Rooms from before have none.
ALTER TABLE "Room" ADD COLUMN "stacked" BOOLEAN NOT NULL DEFAULT false;
