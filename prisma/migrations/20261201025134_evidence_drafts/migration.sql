-- AlterTable
ALTER TABLE "charges" ADD COLUMN     "card_fingerprint" TEXT;

-- CreateTable
CREATE TABLE "evidence_drafts" (
    "tenant_id" UUID NOT NULL,
    "dispute_id" TEXT NOT NULL,
    "fields" JSONB NOT NULL,
    "ce3" JSONB,
    "state" TEXT NOT NULL DEFAULT 'draft',
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evidence_drafts_pkey" PRIMARY KEY ("tenant_id","dispute_id")
);

-- CreateTable
CREATE TABLE "dispute_actions" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" UUID NOT NULL,
    "dispute_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT,
    "actor_name" TEXT NOT NULL,
    "draft_version" INTEGER,
    "idempotency_key" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "dispute_actions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "dispute_actions_tenant_id_dispute_id_id_idx" ON "dispute_actions"("tenant_id", "dispute_id", "id");

-- CreateIndex
CREATE INDEX "charges_tenant_id_customer_id_stripe_created_at_idx" ON "charges"("tenant_id", "customer_id", "stripe_created_at");

-- CreateIndex
CREATE INDEX "charges_tenant_id_card_fingerprint_stripe_created_at_idx" ON "charges"("tenant_id", "card_fingerprint", "stripe_created_at");


-- Fingerprints of the charges stored before the column existed (card details, or the old source)
UPDATE "charges"
   SET "card_fingerprint" = coalesce("raw" #>> '{payment_method_details,card,fingerprint}', "raw" #>> '{source,fingerprint}')
 WHERE "card_fingerprint" IS NULL;
