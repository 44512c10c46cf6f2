-- The overview reads a tenant's open disputes (counts, amount at risk per currency) and its last
-- 90 days of disputes (status and reason per week). The same two indexes, now carrying those
-- columns, answer both from the index alone instead of visiting thousands of heap pages
-- (docs/BENCHMARKS.md, app API). Prisma cannot express INCLUDE, so this is written by hand with
-- the names Prisma gave the indexes.
DROP INDEX "disputes_tenant_id_status_challenge_required_by_idx";
CREATE INDEX "disputes_tenant_id_status_challenge_required_by_idx"
  ON "disputes" ("tenant_id", "status", "challenge_required_by") INCLUDE ("currency", "amount");

DROP INDEX "disputes_tenant_id_stripe_created_at_idx";
CREATE INDEX "disputes_tenant_id_stripe_created_at_idx"
  ON "disputes" ("tenant_id", "stripe_created_at") INCLUDE ("status", "reason");
