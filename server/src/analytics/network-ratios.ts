// Card-network monitoring ratios per month, as the programs count them (docs/ANALYTICS.md gives
// the thresholds and their sources):
// - Visa VAMP: (fraud reports — Stripe's early fraud warnings come from them — plus disputes, a
//   fraud dispute with a report counted once) / settled Visa sales of the month. Merchant
//   "excessive": 1.5 % with at least 1,500 counted in the month (from April 2026; 2.2 % before).
// - Mastercard ECM: chargebacks of the month / Mastercard sales of the previous month. Chargeback
//   monitored (early warning) at 1.0 % and 100 chargebacks, excessive at 1.5 % and 100.
// - Mastercard EFM: fraud reported (SAFE; Stripe's early fraud warnings) / sales of the month, by
//   amount, per currency: 0.50 % with at least USD 50,000 of fraud (compared for USD only).
// The current month is also projected to its end (counts scaled by the days left); a level is
// `warning` when the projection reaches 75 % of the threshold, `over` when the month already has.
import type { Pool } from '../db.ts';

export interface NetworkRatio {
  /** One per program (and per currency for EFM): `visa-vamp`, `mastercard-ecm`, `mastercard-efm-USD`. */
  key: string;
  network: 'visa' | 'mastercard';
  program: string;
  /** What numerator and denominator count: payments, or money in `currency`'s minor units. */
  unit: 'count' | 'amount';
  currency: string | null;
  month: string;
  numerator: number;
  denominator: number;
  ratio: number | null;
  projected: { numerator: number; denominator: number; ratio: number | null } | null;
  threshold: number;
  /** The least numerator the program counts (payments, or minor units of `currency`); null
   *  when it cannot be compared here (EFM's USD minimum for another currency: no exchange rate). */
  minimumCount: number | null;
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
  const [sales, disputes, overlap, warnings, mcFraud] = await Promise.all([
    pool.query<{ brand: string; month: string; currency: string; n: number; amount: number }>(
      `SELECT card_brand AS brand, to_char(month, 'YYYY-MM') AS month, currency, sum(n)::int AS n,
              sum(amount)::float8 AS amount
         FROM agg_sales_months
        WHERE tenant_id = $1 AND card_brand IN ('visa', 'mastercard') AND month >= $2::timestamptz::date
        GROUP BY 1, 2, 3`,
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
    // Mastercard's fraud reports (SAFE, which Stripe's early fraud warnings also come from), by
    // the reported payment's amount and currency.
    pool.query<{ month: string; currency: string; amount: number }>(
      `SELECT to_char(w.stripe_created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, c.currency,
              sum(c.amount)::float8 AS amount
         FROM early_fraud_warnings w JOIN charges c ON c.tenant_id = w.tenant_id AND c.stripe_id = w.charge_id
        WHERE w.tenant_id = $1 AND c.card_brand = 'mastercard' AND w.stripe_created_at >= $2 GROUP BY 1, 2`,
      [tenantId, from],
    ),
  ]);
  const key = (brand: string, m: Date | string) =>
    `${brand}:${typeof m === 'string' ? m : m.toISOString().slice(0, 7)}`;
  const salesBy = new Map<string, number>();
  for (const r of sales.rows)
    salesBy.set(key(r.brand, r.month), (salesBy.get(key(r.brand, r.month)) ?? 0) + r.n);
  const mcSalesAmount = new Map(
    sales.rows
      .filter((r) => r.brand === 'mastercard')
      .map((r) => [`${r.currency}:${r.month}`, r.amount]),
  );
  const mcFraudAmount = new Map(mcFraud.rows.map((r) => [`${r.currency}:${r.month}`, r.amount]));
  const efmCurrencies = [
    ...new Set([...mcSalesAmount.keys(), ...mcFraudAmount.keys()].map((k) => k.split(':')[0]!)),
  ].sort();
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
    const programs: Array<Omit<Program, 'month'>> = [
      {
        key: 'visa-vamp',
        network: 'visa',
        program: 'VAMP (merchant, excessive)',
        unit: 'count',
        currency: null,
        num: visaNum,
        den: visaDen,
        threshold: 0.015,
        minimum: 1500,
        projectDen: true,
      },
      {
        key: 'mastercard-ecm',
        network: 'mastercard',
        program: 'ECM (excessive chargeback merchant)',
        unit: 'count',
        currency: null,
        num: mcNum,
        den: mcDen,
        threshold: 0.015,
        minimum: 100,
        projectDen: false,
      },
      // EFM: fraud reported / sales, by amount, per currency (never converted). Its USD 50,000
      // minimum is compared for USD only; the 3-D Secure share that exempts a merchant is not
      // counted (docs/ANALYTICS.md).
      ...efmCurrencies.map((currency) => ({
        key: `mastercard-efm-${currency}`,
        network: 'mastercard' as const,
        program: 'EFM (excessive fraud merchant)',
        unit: 'amount' as const,
        currency,
        num: mcFraudAmount.get(`${currency}:${month}`) ?? 0,
        den: mcSalesAmount.get(`${currency}:${month}`) ?? 0,
        threshold: 0.005,
        minimum: currency === 'USD' ? 5_000_000 : null,
        projectDen: true,
      })),
    ];
    for (const p of programs) out.push(assess({ ...p, month }, isCurrent ? scale : null));
  }
  return out;
}

interface Program {
  key: string;
  network: 'visa' | 'mastercard';
  program: string;
  unit: 'count' | 'amount';
  currency: string | null;
  month: string;
  num: number;
  den: number;
  threshold: number;
  minimum: number | null;
  /** Whether the denominator grows with the month too (this month's sales), or is fixed. */
  projectDen: boolean;
}

/** A program's ratio for one month, projected when `scale` is given (this month), and its level. */
function assess(p: Program, scale: number | null): NetworkRatio {
  const { num, den, threshold } = p;
  const minimum = p.minimum ?? 0;
  const ratio = den ? num / den : null;
  const projected =
    scale === null
      ? null
      : {
          numerator: Math.round(num * scale),
          denominator: p.projectDen ? Math.round(den * scale) : den,
          ratio: den ? (num * scale) / (p.projectDen ? den * scale : den) : null,
        };
  const over = ratio !== null && ratio >= threshold && num >= minimum;
  const heading =
    projected?.ratio != null &&
    projected.ratio >= 0.75 * threshold &&
    projected.numerator >= 0.75 * minimum;
  // Without an exchange rate the USD minimum cannot be compared: such a row warns, never says over.
  const level = over ? (p.minimum === null ? 'warning' : 'over') : heading ? 'warning' : 'ok';
  return {
    key: p.key,
    network: p.network,
    program: p.program,
    unit: p.unit,
    currency: p.currency,
    month: p.month,
    numerator: num,
    denominator: den,
    ratio: round(ratio),
    projected: projected && { ...projected, ratio: round(projected.ratio) },
    threshold,
    minimumCount: p.minimum,
    level,
  };
}
