-- CreateTable
CREATE TABLE "report_runs" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "stripe_run_id" TEXT NOT NULL,
    "report_type" TEXT NOT NULL,
    "interval_start" TIMESTAMPTZ(3) NOT NULL,
    "interval_end" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "file_id" TEXT,
    "file_url" TEXT,
    "rows" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "report_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "report_rows" (
    "tenant_id" UUID NOT NULL,
    "report_run_id" UUID NOT NULL,
    "row_number" INTEGER NOT NULL,
    "report_type" TEXT NOT NULL,
    "balance_transaction_id" TEXT,
    "source_id" TEXT,
    "payout_id" TEXT,
    "created_at" TIMESTAMPTZ(3),
    "available_on" TIMESTAMPTZ(3),
    "effective_at" TIMESTAMPTZ(3),
    "currency" TEXT,
    "gross" BIGINT,
    "fee" BIGINT,
    "net" BIGINT,
    "reporting_category" TEXT,
    "category" TEXT,
    "extra" JSONB NOT NULL,

    CONSTRAINT "report_rows_pkey" PRIMARY KEY ("report_run_id","row_number")
);

-- CreateIndex
CREATE INDEX "report_runs_status_updated_at_idx" ON "report_runs"("status", "updated_at");

-- CreateIndex
CREATE UNIQUE INDEX "report_runs_tenant_id_stripe_run_id_key" ON "report_runs"("tenant_id", "stripe_run_id");

-- CreateIndex
CREATE UNIQUE INDEX "report_runs_tenant_id_report_type_interval_start_interval_e_key" ON "report_runs"("tenant_id", "report_type", "interval_start", "interval_end");

-- CreateIndex
CREATE INDEX "report_rows_tenant_id_report_type_idx" ON "report_rows"("tenant_id", "report_type");

