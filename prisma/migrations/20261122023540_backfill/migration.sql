-- CreateTable
CREATE TABLE "backfill_runs" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "backfill_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "backfill_windows" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "resource" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "cursor" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "objects" INTEGER NOT NULL DEFAULT 0,
    "pages" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "backfill_windows_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "backfill_runs_tenant_id_started_at_idx" ON "backfill_runs"("tenant_id", "started_at");

-- CreateIndex
CREATE INDEX "backfill_windows_tenant_id_status_idx" ON "backfill_windows"("tenant_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "backfill_windows_run_id_resource_window_start_key" ON "backfill_windows"("run_id", "resource", "window_start");

-- AddForeignKey
ALTER TABLE "backfill_windows" ADD CONSTRAINT "backfill_windows_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "backfill_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- At most one running backfill per tenant (hand-written: Prisma cannot express partial indexes).
CREATE UNIQUE INDEX "backfill_runs_one_running" ON "backfill_runs"("tenant_id") WHERE status = 'running';
