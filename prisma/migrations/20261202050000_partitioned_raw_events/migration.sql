-- raw_events becomes a table partitioned by month of the event's Stripe creation time
-- (docs/SCALING.md, server/src/events/event-partitions.ts). Old months are then dropped whole
-- instead of deleted row by row, and an index never spans more than a month of events.
--
-- The partition key is stripe_created_at, not received_at: a unique index of a partitioned table
-- must contain the partition key, and an event's `created` never changes between deliveries, so
-- (tenant_id, stripe_event_id, stripe_created_at) still refuses every redelivery and replay.
--
-- Converting, not copying: the existing table (every event stored so far) is attached as the
-- partition raw_events_history, holding everything created before next month. No row is moved
-- or rewritten. What it costs on a big table is building its two new unique indexes and one scan
-- to check the range (measured in docs/BENCHMARKS.md, "raw_events partitioning"). The other two
-- indexes match the new table's and are attached as they are.
-- The months from next month on are created ahead by the worker's maintenance pass. Until then
-- (and for any event outside every month's range) rows go to raw_events_default, from which
-- maintenance moves them into their month when it creates it.
-- (No semicolons inside these comments or statements: the migration engine splits on them.)

ALTER TABLE "raw_events" RENAME TO "raw_events_history";
ALTER TABLE "raw_events_history" DROP CONSTRAINT "raw_events_pkey";
ALTER INDEX "raw_events_received_idx" RENAME TO "raw_events_history_received_idx";
ALTER INDEX "raw_events_tenant_id_received_at_idx" RENAME TO "raw_events_history_tenant_id_received_at_idx";
ALTER INDEX "raw_events_tenant_id_stripe_event_id_key" RENAME TO "raw_events_history_tenant_id_stripe_event_id_key";

CREATE TABLE "raw_events" (LIKE "raw_events_history" INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMPRESSION)
  PARTITION BY RANGE ("stripe_created_at");
ALTER SEQUENCE "raw_events_id_seq" OWNED BY "raw_events"."id";

ALTER TABLE "raw_events" ADD CONSTRAINT "raw_events_pkey" PRIMARY KEY ("id", "stripe_created_at");
CREATE UNIQUE INDEX "raw_events_tenant_id_stripe_event_id_stripe_created_at_key"
  ON "raw_events" ("tenant_id", "stripe_event_id", "stripe_created_at");
CREATE INDEX "raw_events_tenant_id_received_at_idx" ON "raw_events" ("tenant_id", "received_at");
CREATE INDEX "raw_events_received_idx" ON "raw_events" ("received_at", "id") WHERE "status" = 'received';

ALTER TABLE "raw_events" ATTACH PARTITION "raw_events_history"
  FOR VALUES FROM (MINVALUE) TO (((date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC'));
DROP INDEX "raw_events_history_tenant_id_stripe_event_id_key";

CREATE TABLE "raw_events_default" PARTITION OF "raw_events" DEFAULT;

-- Autovacuum analyzes the partitions but never a partitioned parent, whose statistics the planner
-- uses for joins: the maintenance pass analyzes it, and so does this migration.
ANALYZE "raw_events";
