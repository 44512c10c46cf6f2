-- CreateTable
CREATE TABLE "ratio_alerts" (
    "tenant_id" UUID NOT NULL,
    "network" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ratio_alerts_pkey" PRIMARY KEY ("tenant_id","network","month","level")
);


-- The deadline pass finds the tenants with disputes or fraud warnings this month, across tenants
CREATE INDEX "disputes_created_idx" ON "disputes"("stripe_created_at");
CREATE INDEX "early_fraud_warnings_created_idx" ON "early_fraud_warnings"("stripe_created_at");
