-- The analytics aggregates' trigger functions (migration 20261201051000_analytics_aggregates)
-- built their INSERT as text and ran it with EXECUTE, so Postgres parsed and planned it again on
-- every statement that touched disputes, charges or balance transactions - including each of the
-- order-link UPDATEs of disputes that changed no row. bench:processing measured it (perf, and
-- pg_stat_statements with track_planning): about a tenth of Postgres's CPU per processed event,
-- most of it planning, 2.6 ms of the 3.0 ms an order-link update that matched nothing took.
--
-- The same statements, now written out once per operation (static SQL): PL/pgSQL prepares each
-- on first use in a session and reuses the plan. What they write is unchanged - one signed row
-- per group a statement touched, +1 for a row's new state and -1 for its old one, nothing for a
-- group whose contributions cancel.
-- (Bodies are E'' strings with \x3b for each semicolon: the migration engine splits on them.)

CREATE OR REPLACE FUNCTION agg_disputes_changed() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''INSERT'' THEN
    INSERT INTO agg_dispute_days (tenant_id, day, currency, status, reason, network_reason_code, card_brand,
                                  case_type, amount_band, retrieval, n, amount)
    SELECT r.tenant_id, (r.stripe_created_at AT TIME ZONE ''UTC'')::date, r.currency, r.status, r.reason,
           coalesce(r.network_reason_code, ''none''), coalesce(r.card_brand, ''unknown''),
           coalesce(r.case_type, ''unknown''),
           CASE WHEN r.amount < 5000 THEN 0 WHEN r.amount < 20000 THEN 1 WHEN r.amount < 100000 THEN 2 ELSE 3 END,
           r.type = ''RETRIEVAL'', sum(r.sign), sum(r.sign * r.amount)
      FROM (SELECT n.*, 1 AS sign FROM new_rows n) r
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    HAVING sum(r.sign) <> 0 OR sum(r.sign * r.amount) <> 0\x3b
  ELSIF TG_OP = ''UPDATE'' THEN
    INSERT INTO agg_dispute_days (tenant_id, day, currency, status, reason, network_reason_code, card_brand,
                                  case_type, amount_band, retrieval, n, amount)
    SELECT r.tenant_id, (r.stripe_created_at AT TIME ZONE ''UTC'')::date, r.currency, r.status, r.reason,
           coalesce(r.network_reason_code, ''none''), coalesce(r.card_brand, ''unknown''),
           coalesce(r.case_type, ''unknown''),
           CASE WHEN r.amount < 5000 THEN 0 WHEN r.amount < 20000 THEN 1 WHEN r.amount < 100000 THEN 2 ELSE 3 END,
           r.type = ''RETRIEVAL'', sum(r.sign), sum(r.sign * r.amount)
      FROM (SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 AS sign FROM old_rows o) r
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    HAVING sum(r.sign) <> 0 OR sum(r.sign * r.amount) <> 0\x3b
  ELSE
    INSERT INTO agg_dispute_days (tenant_id, day, currency, status, reason, network_reason_code, card_brand,
                                  case_type, amount_band, retrieval, n, amount)
    SELECT r.tenant_id, (r.stripe_created_at AT TIME ZONE ''UTC'')::date, r.currency, r.status, r.reason,
           coalesce(r.network_reason_code, ''none''), coalesce(r.card_brand, ''unknown''),
           coalesce(r.case_type, ''unknown''),
           CASE WHEN r.amount < 5000 THEN 0 WHEN r.amount < 20000 THEN 1 WHEN r.amount < 100000 THEN 2 ELSE 3 END,
           r.type = ''RETRIEVAL'', sum(r.sign), sum(r.sign * r.amount)
      FROM (SELECT o.*, -1 AS sign FROM old_rows o) r
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    HAVING sum(r.sign) <> 0 OR sum(r.sign * r.amount) <> 0\x3b
  END IF\x3b
  RETURN NULL\x3b
END';

CREATE OR REPLACE FUNCTION agg_charges_changed() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''INSERT'' THEN
    INSERT INTO agg_sales_months (tenant_id, month, card_brand, currency, n, amount)
    SELECT r.tenant_id, date_trunc(''month'', r.stripe_created_at AT TIME ZONE ''UTC'')::date,
           coalesce(r.card_brand, ''unknown''), r.currency, sum(r.sign), sum(r.sign * r.amount)
      FROM (SELECT n.*, 1 AS sign FROM new_rows n) r
     WHERE r.status = ''succeeded''
     GROUP BY 1, 2, 3, 4
    HAVING sum(r.sign) <> 0 OR sum(r.sign * r.amount) <> 0\x3b
  ELSIF TG_OP = ''UPDATE'' THEN
    INSERT INTO agg_sales_months (tenant_id, month, card_brand, currency, n, amount)
    SELECT r.tenant_id, date_trunc(''month'', r.stripe_created_at AT TIME ZONE ''UTC'')::date,
           coalesce(r.card_brand, ''unknown''), r.currency, sum(r.sign), sum(r.sign * r.amount)
      FROM (SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 AS sign FROM old_rows o) r
     WHERE r.status = ''succeeded''
     GROUP BY 1, 2, 3, 4
    HAVING sum(r.sign) <> 0 OR sum(r.sign * r.amount) <> 0\x3b
  ELSE
    INSERT INTO agg_sales_months (tenant_id, month, card_brand, currency, n, amount)
    SELECT r.tenant_id, date_trunc(''month'', r.stripe_created_at AT TIME ZONE ''UTC'')::date,
           coalesce(r.card_brand, ''unknown''), r.currency, sum(r.sign), sum(r.sign * r.amount)
      FROM (SELECT o.*, -1 AS sign FROM old_rows o) r
     WHERE r.status = ''succeeded''
     GROUP BY 1, 2, 3, 4
    HAVING sum(r.sign) <> 0 OR sum(r.sign * r.amount) <> 0\x3b
  END IF\x3b
  RETURN NULL\x3b
END';

CREATE OR REPLACE FUNCTION agg_balance_transactions_changed() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''INSERT'' THEN
    INSERT INTO agg_ledger_days (tenant_id, day, currency, category, amount, fee, n)
    SELECT r.tenant_id, (r.stripe_created_at AT TIME ZONE ''UTC'')::date, upper(r.currency),
           coalesce(r.reporting_category, r.type), sum(r.sign * r.amount), sum(r.sign * r.fee), sum(r.sign)
      FROM (SELECT n.*, 1 AS sign FROM new_rows n) r
     WHERE r.source_id LIKE ''du\\_%'' OR r.source_id LIKE ''dp\\_%''
        OR r.reporting_category IN (''dispute'', ''dispute_reversal'')
     GROUP BY 1, 2, 3, 4
    HAVING sum(r.sign) <> 0 OR sum(r.sign * r.amount) <> 0 OR sum(r.sign * r.fee) <> 0\x3b
  ELSIF TG_OP = ''UPDATE'' THEN
    INSERT INTO agg_ledger_days (tenant_id, day, currency, category, amount, fee, n)
    SELECT r.tenant_id, (r.stripe_created_at AT TIME ZONE ''UTC'')::date, upper(r.currency),
           coalesce(r.reporting_category, r.type), sum(r.sign * r.amount), sum(r.sign * r.fee), sum(r.sign)
      FROM (SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 AS sign FROM old_rows o) r
     WHERE r.source_id LIKE ''du\\_%'' OR r.source_id LIKE ''dp\\_%''
        OR r.reporting_category IN (''dispute'', ''dispute_reversal'')
     GROUP BY 1, 2, 3, 4
    HAVING sum(r.sign) <> 0 OR sum(r.sign * r.amount) <> 0 OR sum(r.sign * r.fee) <> 0\x3b
  ELSE
    INSERT INTO agg_ledger_days (tenant_id, day, currency, category, amount, fee, n)
    SELECT r.tenant_id, (r.stripe_created_at AT TIME ZONE ''UTC'')::date, upper(r.currency),
           coalesce(r.reporting_category, r.type), sum(r.sign * r.amount), sum(r.sign * r.fee), sum(r.sign)
      FROM (SELECT o.*, -1 AS sign FROM old_rows o) r
     WHERE r.source_id LIKE ''du\\_%'' OR r.source_id LIKE ''dp\\_%''
        OR r.reporting_category IN (''dispute'', ''dispute_reversal'')
     GROUP BY 1, 2, 3, 4
    HAVING sum(r.sign) <> 0 OR sum(r.sign * r.amount) <> 0 OR sum(r.sign * r.fee) <> 0\x3b
  END IF\x3b
  RETURN NULL\x3b
END';

-- agg_signed_rows built the dynamic statements' source text: nothing uses it now.
DROP FUNCTION agg_signed_rows(text);
