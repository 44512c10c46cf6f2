-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "connection_type" AS ENUM ('oauth', 'platform', 'api_key', 'unknown');

-- CreateEnum
CREATE TYPE "tenant_status" AS ENUM ('pending', 'active', 'paused', 'disconnected', 'purged');

-- CreateEnum
CREATE TYPE "raw_event_status" AS ENUM ('received', 'processed', 'ignored', 'deferred', 'failed');

-- CreateEnum
CREATE TYPE "raw_event_source" AS ENUM ('webhook_connect', 'webhook_direct', 'catchup', 'replay');

-- CreateTable
CREATE TABLE "tenants" (
    "id" UUID NOT NULL,
    "stripe_account_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "connection_type" "connection_type" NOT NULL DEFAULT 'unknown',
    "status" "tenant_status" NOT NULL DEFAULT 'pending',
    "status_reason" TEXT,
    "display_name" TEXT,
    "connected_at" TIMESTAMPTZ(3),
    "disconnected_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tenants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "credentials" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "valid_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credentials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "raw_events" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" UUID NOT NULL,
    "stripe_event_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "api_version" TEXT,
    "livemode" BOOLEAN NOT NULL,
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "payload" JSONB NOT NULL,
    "source" "raw_event_source" NOT NULL,
    "status" "raw_event_status" NOT NULL DEFAULT 'received',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "enqueued_at" TIMESTAMPTZ(3),
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "raw_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_rejection_counts" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" UUID,
    "endpoint" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "last_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhook_rejection_counts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "disputes" (
    "tenant_id" UUID NOT NULL,
    "stripe_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "charge_id" TEXT,
    "payment_intent_id" TEXT,
    "transaction_id" TEXT,
    "order_id" TEXT,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "stripe_status" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "network_reason_code" TEXT,
    "stripe_reason" TEXT NOT NULL,
    "card_brand" TEXT,
    "case_type" TEXT,
    "amount" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "challenge_required_by" TIMESTAMPTZ(3),
    "evidence_submissions" INTEGER NOT NULL DEFAULT 0,
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "raw" JSONB NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_tiebreak" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "disputes_pkey" PRIMARY KEY ("tenant_id","stripe_id")
);

-- CreateTable
CREATE TABLE "dispute_timeline" (
    "tenant_id" UUID NOT NULL,
    "dispute_id" TEXT NOT NULL,
    "stripe_status" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "source_event_id" TEXT NOT NULL,

    CONSTRAINT "dispute_timeline_pkey" PRIMARY KEY ("tenant_id","dispute_id","stripe_status")
);

-- CreateTable
CREATE TABLE "charges" (
    "tenant_id" UUID NOT NULL,
    "stripe_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "payment_intent_id" TEXT,
    "customer_id" TEXT,
    "amount" BIGINT NOT NULL,
    "amount_refunded" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "paid" BOOLEAN NOT NULL,
    "captured" BOOLEAN NOT NULL,
    "refunded" BOOLEAN NOT NULL,
    "disputed" BOOLEAN NOT NULL,
    "card_brand" TEXT,
    "card_last4" TEXT,
    "order_id" TEXT,
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "raw" JSONB NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_tiebreak" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "charges_pkey" PRIMARY KEY ("tenant_id","stripe_id")
);

-- CreateTable
CREATE TABLE "payment_intents" (
    "tenant_id" UUID NOT NULL,
    "stripe_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "customer_id" TEXT,
    "latest_charge_id" TEXT,
    "amount" BIGINT NOT NULL,
    "amount_received" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "order_id" TEXT,
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "raw" JSONB NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_tiebreak" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_intents_pkey" PRIMARY KEY ("tenant_id","stripe_id")
);

-- CreateTable
CREATE TABLE "refunds" (
    "tenant_id" UUID NOT NULL,
    "stripe_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "charge_id" TEXT,
    "payment_intent_id" TEXT,
    "amount" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT,
    "reason" TEXT,
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "raw" JSONB NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_tiebreak" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "refunds_pkey" PRIMARY KEY ("tenant_id","stripe_id")
);

-- CreateTable
CREATE TABLE "payouts" (
    "tenant_id" UUID NOT NULL,
    "stripe_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "method" TEXT,
    "arrival_date" TIMESTAMPTZ(3),
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "raw" JSONB NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_tiebreak" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payouts_pkey" PRIMARY KEY ("tenant_id","stripe_id")
);

-- CreateTable
CREATE TABLE "balance_transactions" (
    "tenant_id" UUID NOT NULL,
    "stripe_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "amount" BIGINT NOT NULL,
    "fee" BIGINT NOT NULL,
    "net" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "reporting_category" TEXT,
    "source_id" TEXT,
    "status" TEXT NOT NULL,
    "available_on" TIMESTAMPTZ(3),
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "raw" JSONB NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_tiebreak" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "balance_transactions_pkey" PRIMARY KEY ("tenant_id","stripe_id")
);

-- CreateTable
CREATE TABLE "early_fraud_warnings" (
    "tenant_id" UUID NOT NULL,
    "stripe_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "charge_id" TEXT,
    "payment_intent_id" TEXT,
    "fraud_type" TEXT NOT NULL,
    "actionable" BOOLEAN NOT NULL,
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "raw" JSONB NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_tiebreak" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "early_fraud_warnings_pkey" PRIMARY KEY ("tenant_id","stripe_id")
);

-- CreateTable
CREATE TABLE "customers" (
    "tenant_id" UUID NOT NULL,
    "stripe_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "email" TEXT,
    "name" TEXT,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "raw" JSONB NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_tiebreak" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customers_pkey" PRIMARY KEY ("tenant_id","stripe_id")
);

-- CreateTable
CREATE TABLE "invoices" (
    "tenant_id" UUID NOT NULL,
    "stripe_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "customer_id" TEXT,
    "status" TEXT,
    "amount_due" BIGINT NOT NULL,
    "amount_paid" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "raw" JSONB NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_tiebreak" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invoices_pkey" PRIMARY KEY ("tenant_id","stripe_id")
);

-- CreateTable
CREATE TABLE "payment_methods" (
    "tenant_id" UUID NOT NULL,
    "stripe_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "customer_id" TEXT,
    "type" TEXT NOT NULL,
    "card_brand" TEXT,
    "card_last4" TEXT,
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "raw" JSONB NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_tiebreak" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_methods_pkey" PRIMARY KEY ("tenant_id","stripe_id")
);

-- CreateIndex
CREATE INDEX "tenants_status_idx" ON "tenants"("status");

-- CreateIndex
CREATE UNIQUE INDEX "tenants_stripe_account_id_livemode_key" ON "tenants"("stripe_account_id", "livemode");

-- CreateIndex
CREATE INDEX "credentials_tenant_id_kind_idx" ON "credentials"("tenant_id", "kind");

-- CreateIndex
CREATE INDEX "raw_events_tenant_id_received_at_idx" ON "raw_events"("tenant_id", "received_at");

-- CreateIndex
CREATE INDEX "raw_events_tenant_id_type_stripe_created_at_idx" ON "raw_events"("tenant_id", "type", "stripe_created_at");

-- CreateIndex
CREATE UNIQUE INDEX "raw_events_tenant_id_stripe_event_id_key" ON "raw_events"("tenant_id", "stripe_event_id");

-- CreateIndex
CREATE INDEX "webhook_rejection_counts_hour_idx" ON "webhook_rejection_counts"("hour");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_rejection_counts_tenant_id_endpoint_reason_hour_key" ON "webhook_rejection_counts"("tenant_id", "endpoint", "reason", "hour");

-- CreateIndex
CREATE INDEX "disputes_tenant_id_charge_id_idx" ON "disputes"("tenant_id", "charge_id");

-- CreateIndex
CREATE INDEX "disputes_tenant_id_payment_intent_id_idx" ON "disputes"("tenant_id", "payment_intent_id");

-- CreateIndex
CREATE INDEX "disputes_tenant_id_status_challenge_required_by_idx" ON "disputes"("tenant_id", "status", "challenge_required_by");

-- CreateIndex
CREATE INDEX "disputes_tenant_id_stripe_created_at_idx" ON "disputes"("tenant_id", "stripe_created_at");

-- CreateIndex
CREATE INDEX "charges_tenant_id_payment_intent_id_idx" ON "charges"("tenant_id", "payment_intent_id");

-- CreateIndex
CREATE INDEX "charges_tenant_id_stripe_created_at_idx" ON "charges"("tenant_id", "stripe_created_at");

-- CreateIndex
CREATE INDEX "payment_intents_tenant_id_stripe_created_at_idx" ON "payment_intents"("tenant_id", "stripe_created_at");

-- CreateIndex
CREATE INDEX "refunds_tenant_id_charge_id_idx" ON "refunds"("tenant_id", "charge_id");

-- CreateIndex
CREATE INDEX "refunds_tenant_id_stripe_created_at_idx" ON "refunds"("tenant_id", "stripe_created_at");

-- CreateIndex
CREATE INDEX "payouts_tenant_id_stripe_created_at_idx" ON "payouts"("tenant_id", "stripe_created_at");

-- CreateIndex
CREATE INDEX "balance_transactions_tenant_id_stripe_created_at_idx" ON "balance_transactions"("tenant_id", "stripe_created_at");

-- CreateIndex
CREATE INDEX "balance_transactions_tenant_id_source_id_idx" ON "balance_transactions"("tenant_id", "source_id");

-- CreateIndex
CREATE INDEX "early_fraud_warnings_tenant_id_charge_id_idx" ON "early_fraud_warnings"("tenant_id", "charge_id");

-- CreateIndex
CREATE INDEX "early_fraud_warnings_tenant_id_payment_intent_id_idx" ON "early_fraud_warnings"("tenant_id", "payment_intent_id");

-- CreateIndex
CREATE INDEX "customers_tenant_id_stripe_created_at_idx" ON "customers"("tenant_id", "stripe_created_at");

-- CreateIndex
CREATE INDEX "invoices_tenant_id_stripe_created_at_idx" ON "invoices"("tenant_id", "stripe_created_at");

-- CreateIndex
CREATE INDEX "payment_methods_tenant_id_customer_id_idx" ON "payment_methods"("tenant_id", "customer_id");

-- AddForeignKey
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "raw_events" ADD CONSTRAINT "raw_events_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_rejection_counts" ADD CONSTRAINT "webhook_rejection_counts_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Hand-written (Prisma cannot express these):
-- counters for deliveries that name no tenant share one row per endpoint, reason and hour.
DROP INDEX "webhook_rejection_counts_tenant_id_endpoint_reason_hour_key";
CREATE UNIQUE INDEX "webhook_rejection_counts_tenant_id_endpoint_reason_hour_key"
  ON "webhook_rejection_counts" ("tenant_id", "endpoint", "reason", "hour") NULLS NOT DISTINCT;
-- the sweeper looks only at events that are committed but not processed yet.
CREATE INDEX "raw_events_received_idx" ON "raw_events" ("received_at", "id") WHERE "status" = 'received';
