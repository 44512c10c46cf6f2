// Card-network monitoring ratios per month, as the programs count them (docs/ANALYTICS.md gives
// the thresholds and their sources):
// - Visa VAMP: (fraud reports — Stripe's early fraud warnings come from them — plus disputes, a
//   fraud dispute with a report counted once) / settled Visa sales of the month. Merchant
//   "excessive": 1.5 % with at least 1,500 counted in the month (from April 2026; 2.2 % before).
// - Mastercard ECM: chargebacks of the month / Mastercard sales of the previous month. Chargeback
//   monitored (early warning) at 1.0 % and 100 chargebacks, excessive at 1.5 % and 100.
// The current month is also projected to its end (counts scaled by the days left); a level is
// `warning` when the projection reaches 75 % of the threshold, `over` when the month already has.
import type { Pool } from '../db.ts';

export interface NetworkRatio {
  network: 'visa' | 'mastercard';
  program: string;
  month: string;
  numerator: number;
  denominator: number;
  ratio: number | null;
  projected: { numerator: number; denominator: number; ratio: number | null } | null;
  threshold: number;
  minimumCount: number;
  level: 'ok' | 'warning' | 'over';
}

const monthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
const addMonths = (d: Date, n: number) =>
  new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
const round = (v: number | null) => (v === null ? null : Math.round(v * 1e6) / 1e6);

export async function networkRatios(
  pool: Pool,
  tenantId: string,
  now = new Date(),
): Promise<NetworkRatio[]> {
  const current = monthStart(now);
  const months = [addMonths(current, -2), addMonths(current, -1), current];
  const from = addMonths(current, -3); // Mastercard divides by the month before
  // Sales and dispute counts from the aggregates the triggers keep; the fraud reports (a few per
  // thousand payments) and which fraud disputes have one are read from their own tables.
  const [sales, disputes, overlap, warnings] = await Promise.all([
    pool.query<{ brand: string; month: string; n: number }>(
      `SELECT card_brand AS brand, to_char(month, 'YYYY-MM') AS month, sum(n)::int AS n FROM agg_sales_months
        WHERE tenant_id = $1 AND card_brand IN ('visa', 'mastercard') AND month >= $2::timestamptz::date
        GROUP BY 1, 2`,
      [tenantId, from],
    ),
    pool.query<{ brand: string; month: string; n: number }>(
      `SELECT card_brand AS brand, to_char(day, 'YYYY-MM') AS month, sum(n)::int AS n
         FROM agg_dispute_days WHERE tenant_id = $1 AND card_brand IN ('visa', 'mastercard') AND NOT retrieval
          AND day >= $2::timestamptz::date GROUP BY 1, 2`,
      [tenantId, from],
    ),
    pool.query<{ brand: string; month: string; n: number }>(
      `SELECT d.card_brand AS brand, to_char(d.stripe_created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
              count(*)::int AS n
         FROM disputes d WHERE d.tenant_id = $1 AND d.card_brand = 'visa' AND d.type <> 'RETRIEVAL'
          AND d.reason = 'FRAUD' AND d.stripe_created_at >= $2
          AND EXISTS (SELECT 1 FROM early_fraud_warnings w WHERE w.tenant_id = d.tenant_id AND w.charge_id = d.charge_id)
        GROUP BY 1, 2`,
      [tenantId, from],
    ),
    pool.query<{ month: string; n: number }>(
      `SELECT to_char(w.stripe_created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, count(*)::int AS n
         FROM early_fraud_warnings w JOIN charges c ON c.tenant_id = w.tenant_id AND c.stripe_id = w.charge_id
        WHERE w.tenant_id = $1 AND c.card_brand = 'visa' AND w.stripe_created_at >= $2 GROUP BY 1`,
      [tenantId, from],
    ),
  ]);
  const key = (brand: string, m: Date | string) =>
    `${brand}:${typeof m === 'string' ? m : m.toISOString().slice(0, 7)}`;
  const salesBy = new Map(sales.rows.map((r) => [key(r.brand, r.month), r.n]));
  const disputesBy = new Map(disputes.rows.map((r) => [key(r.brand, r.month), r.n]));
  const overlapBy = new Map(overlap.rows.map((r) => [key(r.brand, r.month), r.n]));
  const reportsBy = new Map(warnings.rows.map((r) => [key('visa', r.month), r.n]));
  const elapsed = Math.max(1, (now.getTime() - current.getTime()) / 86400_000);
  const days = (addMonths(current, 1).getTime() - current.getTime()) / 86400_000;
  const scale = days / elapsed;
  const out: NetworkRatio[] = [];
  for (const m of months) {
    const month = m.toISOString().slice(0, 7);
    const isCurrent = m.getTime() === current.getTime();
    const visaNum =
      (reportsBy.get(key('visa', m)) ?? 0) +
      (disputesBy.get(key('visa', m)) ?? 0) -
      (overlapBy.get(key('visa', m)) ?? 0);
    const visaDen = salesBy.get(key('visa', m)) ?? 0;
    const mcNum = disputesBy.get(key('mastercard', m)) ?? 0;
    const mcDen = salesBy.get(key('mastercard', addMonths(m, -1))) ?? 0;
    for (const [network, program, num, den, threshold, minimum, projectDen] of [
      ['visa', 'VAMP (merchant, excessive)', visaNum, visaDen, 0.015, 1500, true],
      ['mastercard', 'ECM (excessive chargeback merchant)', mcNum, mcDen, 0.015, 100, false],
    ] as const) {
      const ratio = den ? num / den : null;
      const projected = isCurrent
        ? {
            numerator: Math.round(num * scale),
            denominator: projectDen ? Math.round(den * scale) : den,
            ratio: den ? (num * scale) / (projectDen ? den * scale : den) : null,
          }
        : null;
      const over = ratio !== null && ratio >= threshold && num >= minimum;
      const heading =
        projected?.ratio != null &&
        projected.ratio >= 0.75 * threshold &&
        projected.numerator >= 0.75 * minimum;
      out.push({
        network,
        program,
        month,
        numerator: num,
        denominator: den,
        ratio: round(ratio),
        projected: projected && { ...projected, ratio: round(projected.ratio) },
        threshold,
        minimumCount: minimum,
        level: over ? 'over' : heading ? 'warning' : 'ok',
      });
    }
  }
  return out;
}
