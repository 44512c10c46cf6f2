// A tenant's early-fraud-warning rule, read and changed by the merchant (app) or support (admin).
// Off by default; turned on, it starts in dry run.
import type { Pool } from '../db.ts';
import { AppError } from '../errors.ts';

export interface PreventionRuleView {
  enabled: boolean;
  dryRun: boolean;
  maxAmount: number;
  currency: string;
  withinHours: number;
  updatedBy: string | null;
}

const DEFAULTS: PreventionRuleView = {
  enabled: false,
  dryRun: true,
  maxAmount: 0,
  currency: 'USD',
  withinHours: 24,
  updatedBy: null,
};

export async function getPreventionRule(pool: Pool, tenantId: string): Promise<PreventionRuleView> {
  const { rows } = await pool.query<PreventionRuleView>(
    `SELECT enabled, dry_run AS "dryRun", max_amount::float8 AS "maxAmount", currency,
            within_hours AS "withinHours", updated_by AS "updatedBy"
       FROM prevention_rules WHERE tenant_id = $1`,
    [tenantId],
  );
  return rows[0] ?? DEFAULTS;
}

export async function setPreventionRule(
  pool: Pool,
  tenantId: string,
  input: Partial<Omit<PreventionRuleView, 'updatedBy'>>,
  by: string,
): Promise<PreventionRuleView> {
  const known = await pool.query('SELECT 1 FROM tenants WHERE id = $1', [tenantId]);
  if (!known.rowCount) throw new AppError('not_found', `No tenant ${tenantId}.`);
  const next = { ...(await getPreventionRule(pool, tenantId)), ...input };
  await pool.query(
    `INSERT INTO prevention_rules (tenant_id, enabled, dry_run, max_amount, currency, within_hours, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (tenant_id) DO UPDATE SET enabled = $2, dry_run = $3, max_amount = $4, currency = $5,
            within_hours = $6, updated_by = $7, updated_at = now()`,
    [
      tenantId,
      next.enabled,
      next.dryRun,
      next.maxAmount,
      next.currency.toUpperCase(),
      next.withinHours,
      by,
    ],
  );
  return getPreventionRule(pool, tenantId);
}
