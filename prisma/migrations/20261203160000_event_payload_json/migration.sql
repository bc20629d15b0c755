-- An event's payload is kept as the JSON text it was written as (json, not jsonb): jsonb
-- refuses the escape \u0000, and a player's bytes carry NULs (the tar `kubectl cp` sends on an
-- exec's stdin, a forwarded request, a manifest's string). The log is only ever read whole,
-- never queried inside, so nothing needs jsonb's binary form (and json costs less to write).
ALTER TABLE "Event" ALTER COLUMN "payload" TYPE JSON USING "payload"::json;
