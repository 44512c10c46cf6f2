-- raw_events keeps each event's body as received, in a json column (the text, checked to be JSON)
-- instead of jsonb. Nothing reads inside a stored event in SQL: the worker and support's event
-- view read the whole body, and parse it themselves. jsonb cost Postgres a full parse, a sort of
-- every object's keys and a larger value (compressed once past the 2 kB row limit) on every
-- delivery - measured, about half of the insert's Postgres CPU, 10 to 20 percent of Postgres's
-- CPU per ingested event (docs/BENCHMARKS.md, "where an ingested event's CPU goes"). json also
-- keeps the bytes Stripe signed, spacing and key order included.
--
-- Without rewriting the table: changing the column's type would rewrite every partition under a
-- lock that stops ingestion for as long. Instead the jsonb column is renamed legacy_payload and
-- a new json payload column is added (both only change the catalog). Events stored before this
-- keep their body in legacy_payload, events from now on in payload, and readers take whichever
-- is set. The rows in legacy_payload leave with their months (EVENTS_RETENTION_DAYS), after which
-- a later migration can drop the column.
-- (No semicolons inside these comments or statements: the migration engine splits on them.)

ALTER TABLE "raw_events" RENAME COLUMN "payload" TO "legacy_payload";
ALTER TABLE "raw_events" ALTER COLUMN "legacy_payload" DROP NOT NULL;
-- COMPRESSION in the column definition reaches every partition (a later SET COMPRESSION on the
-- parent would not).
ALTER TABLE "raw_events" ADD COLUMN "payload" json COMPRESSION lz4;

-- Every row holds its body in one of the two. NOT VALID: checked for every row written from now
-- on, the existing rows (all with legacy_payload) not scanned.
ALTER TABLE "raw_events" ADD CONSTRAINT "raw_events_payload_present"
  CHECK ("payload" IS NOT NULL OR "legacy_payload" IS NOT NULL) NOT VALID;
