-- CreateTable
CREATE TABLE "dispute_reminders" (
    "tenant_id" UUID NOT NULL,
    "dispute_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dispute_reminders_pkey" PRIMARY KEY ("tenant_id","dispute_id","kind")
);

-- CreateTable
CREATE TABLE "evidence_settings" (
    "tenant_id" UUID NOT NULL,
    "auto_submit" BOOLEAN NOT NULL DEFAULT false,
    "hours_before" INTEGER NOT NULL DEFAULT 24,
    "min_completeness" INTEGER NOT NULL DEFAULT 80,
    "updated_by" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evidence_settings_pkey" PRIMARY KEY ("tenant_id")
);


-- Open disputes by deadline, across tenants (the deadline pass looks at the next 72 hours)
CREATE INDEX "disputes_open_deadline_idx" ON "disputes"("challenge_required_by") WHERE "status" = 'OPEN';
