-- AlterTable
ALTER TABLE "invoices" ADD COLUMN     "billing_reason" TEXT,
ADD COLUMN     "charge_id" TEXT,
ADD COLUMN     "payment_intent_id" TEXT,
ADD COLUMN     "period_end" TIMESTAMPTZ(3),
ADD COLUMN     "period_start" TIMESTAMPTZ(3),
ADD COLUMN     "subscription_id" TEXT;

-- CreateTable
CREATE TABLE "subscriptions" (
    "tenant_id" UUID NOT NULL,
    "stripe_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "customer_id" TEXT,
    "status" TEXT NOT NULL,
    "price_id" TEXT,
    "product_id" TEXT,
    "currency" TEXT,
    "cancel_at_period_end" BOOLEAN NOT NULL DEFAULT false,
    "cancel_at" TIMESTAMPTZ(3),
    "canceled_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),
    "cancellation_reason" TEXT,
    "cancellation_feedback" TEXT,
    "current_period_start" TIMESTAMPTZ(3),
    "current_period_end" TIMESTAMPTZ(3),
    "trial_end" TIMESTAMPTZ(3),
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "raw" JSONB NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_tiebreak" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "subscriptions_pkey" PRIMARY KEY ("tenant_id","stripe_id")
);

-- CreateTable
CREATE TABLE "invoice_payments" (
    "tenant_id" UUID NOT NULL,
    "stripe_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "invoice_id" TEXT NOT NULL,
    "payment_intent_id" TEXT,
    "charge_id" TEXT,
    "status" TEXT,
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "raw" JSONB NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_tiebreak" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invoice_payments_pkey" PRIMARY KEY ("tenant_id","stripe_id")
);

-- CreateTable
CREATE TABLE "checkout_sessions" (
    "tenant_id" UUID NOT NULL,
    "stripe_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "customer_id" TEXT,
    "payment_intent_id" TEXT,
    "subscription_id" TEXT,
    "mode" TEXT NOT NULL,
    "status" TEXT,
    "payment_status" TEXT,
    "amount_total" BIGINT,
    "currency" TEXT,
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "raw" JSONB NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_tiebreak" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "checkout_sessions_pkey" PRIMARY KEY ("tenant_id","stripe_id")
);

-- CreateTable
CREATE TABLE "products" (
    "tenant_id" UUID NOT NULL,
    "stripe_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "name" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "raw" JSONB NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_tiebreak" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "products_pkey" PRIMARY KEY ("tenant_id","stripe_id")
);

-- CreateTable
CREATE TABLE "prices" (
    "tenant_id" UUID NOT NULL,
    "stripe_id" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "product_id" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "type" TEXT,
    "unit_amount" BIGINT,
    "currency" TEXT,
    "interval" TEXT,
    "stripe_created_at" TIMESTAMPTZ(3) NOT NULL,
    "raw" JSONB NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_tiebreak" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "prices_pkey" PRIMARY KEY ("tenant_id","stripe_id")
);

-- CreateIndex
CREATE INDEX "subscriptions_tenant_id_stripe_created_at_idx" ON "subscriptions"("tenant_id", "stripe_created_at");

-- CreateIndex
CREATE INDEX "subscriptions_tenant_id_customer_id_idx" ON "subscriptions"("tenant_id", "customer_id");

-- CreateIndex
CREATE INDEX "invoice_payments_tenant_id_payment_intent_id_idx" ON "invoice_payments"("tenant_id", "payment_intent_id");

-- CreateIndex
CREATE INDEX "invoice_payments_tenant_id_charge_id_idx" ON "invoice_payments"("tenant_id", "charge_id");

-- CreateIndex
CREATE INDEX "checkout_sessions_tenant_id_stripe_created_at_idx" ON "checkout_sessions"("tenant_id", "stripe_created_at");

-- CreateIndex
CREATE INDEX "checkout_sessions_tenant_id_payment_intent_id_idx" ON "checkout_sessions"("tenant_id", "payment_intent_id");

-- CreateIndex
CREATE INDEX "products_tenant_id_stripe_created_at_idx" ON "products"("tenant_id", "stripe_created_at");

-- CreateIndex
CREATE INDEX "prices_tenant_id_stripe_created_at_idx" ON "prices"("tenant_id", "stripe_created_at");

-- CreateIndex
CREATE INDEX "invoices_tenant_id_payment_intent_id_idx" ON "invoices"("tenant_id", "payment_intent_id");

-- CreateIndex
CREATE INDEX "invoices_tenant_id_charge_id_idx" ON "invoices"("tenant_id", "charge_id");

-- CreateIndex
CREATE INDEX "invoices_tenant_id_subscription_id_idx" ON "invoices"("tenant_id", "subscription_id");

