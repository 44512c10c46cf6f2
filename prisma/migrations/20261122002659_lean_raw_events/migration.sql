-- DropForeignKey
ALTER TABLE "raw_events" DROP CONSTRAINT "raw_events_tenant_id_fkey";

-- DropIndex
DROP INDEX "raw_events_tenant_id_type_stripe_created_at_idx";

-- AlterTable
ALTER TABLE "raw_events" DROP COLUMN "enqueued_at";

