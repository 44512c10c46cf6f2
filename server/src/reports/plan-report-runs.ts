// Creates the report runs a tenant needs: for each ingested report type, one run per month of
// its available data (the last REPORTS_HISTORY_MONTHS months, clipped to the type's
// data_available_start..end). Runs already asked for are not asked again, so this is run safely
// on connect and whenever `reporting.report_type.updated` says more data exists: only the new or
// grown intervals become runs.
import type Stripe from 'stripe';
import type { Pool } from '../db.ts';
import type { Logger } from '../logger.ts';
import type { StripeRateLimiter } from '../backfill/rate-limiter.ts';
import type { TenantClients } from '../connections/credentials/tenant-clients.ts';
import { REPORT_TYPES } from './report-types.ts';

export function monthlyIntervals(
  start: number,
  end: number,
  months: number,
): Array<[number, number]> {
  const endDate = new Date(end * 1000);
  let cursor = Date.UTC(endDate.getUTCFullYear(), endDate.getUTCMonth() - months + 1, 1) / 1000;
  cursor = Math.max(cursor, start);
  const out: Array<[number, number]> = [];
  while (cursor < end) {
    const d = new Date(cursor * 1000);
    const next = Math.min(end, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000);
    out.push([cursor, next]);
    cursor = next;
  }
  return out;
}

export async function planReportRuns(
  deps: {
    pool: Pool;
    logger: Logger;
    clients: Pick<TenantClients, 'forTenant'>;
    limiter: StripeRateLimiter;
    historyMonths: number;
  },
  tenantId: string,
): Promise<{ created: number }> {
  const { rows } = await deps.pool.query<{ account: string; livemode: boolean }>(
    'SELECT stripe_account_id AS account, livemode FROM tenants WHERE id = $1',
    [tenantId],
  );
  const t = rows[0];
  if (!t) return { created: 0 };
  const stripe = await deps.clients.forTenant(tenantId);
  await deps.limiter.take(t.account, t.livemode);
  const types = (await stripe.reporting.reportTypes.list()).data.filter((rt) =>
    (REPORT_TYPES as readonly string[]).includes(rt.id),
  );
  let created = 0;
  for (const type of types) {
    for (const [start, end] of monthlyIntervals(
      type.data_available_start,
      type.data_available_end,
      deps.historyMonths,
    )) {
      const exists = await deps.pool.query(
        `SELECT 1 FROM report_runs WHERE tenant_id = $1 AND report_type = $2 AND interval_start = $3 AND interval_end = $4`,
        [tenantId, type.id, new Date(start * 1000), new Date(end * 1000)],
      );
      if (exists.rowCount) continue;
      await deps.limiter.take(t.account, t.livemode);
      const run: Stripe.Reporting.ReportRun = await stripe.reporting.reportRuns.create({
        report_type: type.id,
        parameters: { interval_start: start, interval_end: end },
      });
      await deps.pool.query(
        `INSERT INTO report_runs (id, tenant_id, stripe_run_id, report_type, interval_start, interval_end, status)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, 'pending')
         ON CONFLICT DO NOTHING`,
        [tenantId, run.id, type.id, new Date(start * 1000), new Date(end * 1000)],
      );
      created++;
    }
  }
  deps.logger.info({ tenantId, created }, 'report runs created');
  return { created };
}
