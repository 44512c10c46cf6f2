-- Analytics aggregates, maintained as rows are written (issue 16): the overview reads these
-- instead of counting a tenant's charges and disputes per request.
--
-- Each aggregate is a table of signed contributions. Statement-level triggers on the source
-- tables append one row per group touched by a statement (a batch's upsert of 200 charges adds
-- a handful), +1 for a row's new state and -1 for its old one: appending never waits on another
-- transaction and never deadlocks, whatever the batches hold. Reads sum a tenant's rows. The
-- maintenance pass folds appended rows (compacted = false) into one row per key
-- (compacted = true, unique) so the tables stay small (analytics/compact-aggregates.ts).
-- Not in schema.prisma: Prisma cannot express the partial unique indexes, and the client does
-- not read these tables.
--
-- Trigger bodies are written as E'' strings with \x3b for each semicolon: the migration runner
-- splits scripts at semicolons.

CREATE TABLE "agg_dispute_days" (
  "tenant_id" UUID NOT NULL,
  "day" DATE NOT NULL,
  "currency" TEXT NOT NULL,
  "status" TEXT NOT NULL,
  "reason" TEXT NOT NULL,
  "network_reason_code" TEXT NOT NULL,
  "card_brand" TEXT NOT NULL,
  "case_type" TEXT NOT NULL,
  "amount_band" SMALLINT NOT NULL,
  "retrieval" BOOLEAN NOT NULL,
  "n" INTEGER NOT NULL,
  "amount" BIGINT NOT NULL,
  "compacted" BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX "agg_dispute_days_tenant_day_idx" ON "agg_dispute_days" ("tenant_id", "day");
CREATE UNIQUE INDEX "agg_dispute_days_key" ON "agg_dispute_days"
  ("tenant_id", "day", "currency", "status", "reason", "network_reason_code", "card_brand", "case_type",
   "amount_band", "retrieval") WHERE "compacted";
CREATE INDEX "agg_dispute_days_appended_idx" ON "agg_dispute_days" ("tenant_id") WHERE NOT "compacted";

CREATE TABLE "agg_sales_months" (
  "tenant_id" UUID NOT NULL,
  "month" DATE NOT NULL,
  "card_brand" TEXT NOT NULL,
  "currency" TEXT NOT NULL,
  "n" INTEGER NOT NULL,
  "amount" BIGINT NOT NULL,
  "compacted" BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX "agg_sales_months_tenant_month_idx" ON "agg_sales_months" ("tenant_id", "month");
CREATE UNIQUE INDEX "agg_sales_months_key" ON "agg_sales_months" ("tenant_id", "month", "card_brand", "currency")
  WHERE "compacted";
CREATE INDEX "agg_sales_months_appended_idx" ON "agg_sales_months" ("tenant_id") WHERE NOT "compacted";

CREATE TABLE "agg_ledger_days" (
  "tenant_id" UUID NOT NULL,
  "day" DATE NOT NULL,
  "currency" TEXT NOT NULL,
  "category" TEXT NOT NULL,
  "amount" BIGINT NOT NULL,
  "fee" BIGINT NOT NULL,
  "n" INTEGER NOT NULL,
  "compacted" BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX "agg_ledger_days_tenant_day_idx" ON "agg_ledger_days" ("tenant_id", "day");
CREATE UNIQUE INDEX "agg_ledger_days_key" ON "agg_ledger_days" ("tenant_id", "day", "currency", "category")
  WHERE "compacted";
CREATE INDEX "agg_ledger_days_appended_idx" ON "agg_ledger_days" ("tenant_id") WHERE NOT "compacted";

-- The ratios' fraud reports are read by month.
CREATE INDEX "early_fraud_warnings_tenant_id_stripe_created_at_idx"
  ON "early_fraud_warnings" ("tenant_id", "stripe_created_at");

-- The rows a statement changed, signed: +1 for each new state, -1 for each old one. Read by the
-- trigger functions through EXECUTE (transition tables exist only in the trigger that has them).
CREATE FUNCTION agg_signed_rows(op text) RETURNS text LANGUAGE sql IMMUTABLE AS '
  SELECT CASE op
    WHEN ''INSERT'' THEN ''SELECT r.*, 1 AS sign FROM new_rows r''
    WHEN ''DELETE'' THEN ''SELECT r.*, -1 AS sign FROM old_rows r''
    ELSE ''SELECT r.*, 1 AS sign FROM new_rows r UNION ALL SELECT r.*, -1 AS sign FROM old_rows r'' END';

-- Disputes: by the UTC day they were opened and every dimension the figures break down by.
CREATE FUNCTION agg_disputes_changed() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  EXECUTE format($q$
    INSERT INTO agg_dispute_days (tenant_id, day, currency, status, reason, network_reason_code, card_brand,
                                  case_type, amount_band, retrieval, n, amount)
    SELECT r.tenant_id, (r.stripe_created_at AT TIME ZONE ''UTC'')::date, r.currency, r.status, r.reason,
           coalesce(r.network_reason_code, ''none''), coalesce(r.card_brand, ''unknown''),
           coalesce(r.case_type, ''unknown''),
           CASE WHEN r.amount < 5000 THEN 0 WHEN r.amount < 20000 THEN 1 WHEN r.amount < 100000 THEN 2 ELSE 3 END,
           r.type = ''RETRIEVAL'', sum(r.sign), sum(r.sign * r.amount)
      FROM (%s) r
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    HAVING sum(r.sign) <> 0 OR sum(r.sign * r.amount) <> 0 $q$, agg_signed_rows(TG_OP))\x3b
  RETURN NULL\x3b
END';

-- Charges: settled sales (status succeeded) by UTC month, card brand and currency — count and
-- amount, the ratios' denominators.
CREATE FUNCTION agg_charges_changed() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  EXECUTE format($q$
    INSERT INTO agg_sales_months (tenant_id, month, card_brand, currency, n, amount)
    SELECT r.tenant_id, date_trunc(''month'', r.stripe_created_at AT TIME ZONE ''UTC'')::date,
           coalesce(r.card_brand, ''unknown''), r.currency, sum(r.sign), sum(r.sign * r.amount)
      FROM (%s) r
     WHERE r.status = ''succeeded''
     GROUP BY 1, 2, 3, 4
    HAVING sum(r.sign) <> 0 OR sum(r.sign * r.amount) <> 0 $q$, agg_signed_rows(TG_OP))\x3b
  RETURN NULL\x3b
END';

-- Balance transactions of disputes (their source is a dispute, or their category says so): the
-- money ledger, by the UTC day they were booked.
CREATE FUNCTION agg_balance_transactions_changed() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  EXECUTE format($q$
    INSERT INTO agg_ledger_days (tenant_id, day, currency, category, amount, fee, n)
    SELECT r.tenant_id, (r.stripe_created_at AT TIME ZONE ''UTC'')::date, upper(r.currency),
           coalesce(r.reporting_category, r.type), sum(r.sign * r.amount), sum(r.sign * r.fee), sum(r.sign)
      FROM (%s) r
     WHERE r.source_id LIKE ''du\\_%%'' OR r.source_id LIKE ''dp\\_%%''
        OR r.reporting_category IN (''dispute'', ''dispute_reversal'')
     GROUP BY 1, 2, 3, 4
    HAVING sum(r.sign) <> 0 OR sum(r.sign * r.amount) <> 0 OR sum(r.sign * r.fee) <> 0 $q$,
    agg_signed_rows(TG_OP))\x3b
  RETURN NULL\x3b
END';

CREATE TRIGGER "disputes_agg_insert" AFTER INSERT ON "disputes"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_disputes_changed();
CREATE TRIGGER "disputes_agg_update" AFTER UPDATE ON "disputes"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_disputes_changed();
CREATE TRIGGER "disputes_agg_delete" AFTER DELETE ON "disputes"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_disputes_changed();

CREATE TRIGGER "charges_agg_insert" AFTER INSERT ON "charges"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_charges_changed();
CREATE TRIGGER "charges_agg_update" AFTER UPDATE ON "charges"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_charges_changed();
CREATE TRIGGER "charges_agg_delete" AFTER DELETE ON "charges"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_charges_changed();

CREATE TRIGGER "balance_transactions_agg_insert" AFTER INSERT ON "balance_transactions"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_balance_transactions_changed();
CREATE TRIGGER "balance_transactions_agg_update" AFTER UPDATE ON "balance_transactions"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_balance_transactions_changed();
CREATE TRIGGER "balance_transactions_agg_delete" AFTER DELETE ON "balance_transactions"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_balance_transactions_changed();

-- What is already stored, folded in once.
INSERT INTO agg_dispute_days (tenant_id, day, currency, status, reason, network_reason_code, card_brand, case_type,
                              amount_band, retrieval, n, amount, compacted)
SELECT tenant_id, (stripe_created_at AT TIME ZONE 'UTC')::date, currency, status, reason,
       coalesce(network_reason_code, 'none'), coalesce(card_brand, 'unknown'), coalesce(case_type, 'unknown'),
       CASE WHEN amount < 5000 THEN 0 WHEN amount < 20000 THEN 1 WHEN amount < 100000 THEN 2 ELSE 3 END,
       type = 'RETRIEVAL', count(*), sum(amount), true
  FROM disputes GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
INSERT INTO agg_sales_months (tenant_id, month, card_brand, currency, n, amount, compacted)
SELECT tenant_id, date_trunc('month', stripe_created_at AT TIME ZONE 'UTC')::date, coalesce(card_brand, 'unknown'),
       currency, count(*), sum(amount), true
  FROM charges WHERE status = 'succeeded' GROUP BY 1, 2, 3, 4;
INSERT INTO agg_ledger_days (tenant_id, day, currency, category, amount, fee, n, compacted)
SELECT tenant_id, (stripe_created_at AT TIME ZONE 'UTC')::date, upper(currency),
       coalesce(reporting_category, type), sum(amount), sum(fee), count(*), true
  FROM balance_transactions
 WHERE source_id LIKE 'du\_%' OR source_id LIKE 'dp\_%' OR reporting_category IN ('dispute', 'dispute_reversal')
 GROUP BY 1, 2, 3, 4;

-- Ratio alerts are now kept per program (Mastercard has two, EFM one per currency).
UPDATE ratio_alerts SET network = CASE network WHEN 'visa' THEN 'visa-vamp' WHEN 'mastercard' THEN 'mastercard-ecm'
                                               ELSE network END;
