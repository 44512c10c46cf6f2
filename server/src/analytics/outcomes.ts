// Outcomes and money for one tenant and period (disputes opened in it), per currency — amounts are
// never summed across currencies. Counts and amounts by outcome; win rates (won / (won + lost):
// contested disputes decided by the issuer) by unified reason, network reason code, card brand,
// case type and amount band; the fee ledger from the balance transactions Stripe booked for those
// disputes (withdrawals and their dispute fees, reinstatements, other dispute fees such as the
// counter fee for contesting) and the net recovered. "partial" until the tenant's history import
// has finished: figures from incomplete data are never shown as final.
import type { Pool } from '../db.ts';

export interface Period {
  from: Date;
  to: Date;
}

interface Money {
  count: number;
  amount: number;
}

export interface CurrencyOutcomes {
  currency: string;
  disputed: Money;
  open: Money;
  won: Money;
  lost: Money;
  accepted: Money;
  expired: Money;
  cancelled: Money;
  ledger: {
    withdrawn: number;
    reinstated: number;
    disputeFees: number;
    otherFees: number;
    /** reinstated − all dispute fees (what contesting brought back, net of its cost). */
    netRecovered: number;
    /** withdrawn + fees − reinstated: what disputes cost in the end (open ones included). */
    netCost: number;
  };
}

export interface WinRate {
  key: string;
  won: number;
  lost: number;
  rate: number | null;
}

export interface Outcomes {
  from: string;
  to: string;
  partial: boolean;
  currencies: CurrencyOutcomes[];
  winRates: Record<
    'reason' | 'networkReasonCode' | 'cardBrand' | 'caseType' | 'amountBand',
    WinRate[]
  >;
}

const BANDS = `CASE WHEN d.amount < 5000 THEN 'under 50' WHEN d.amount < 20000 THEN '50–200'
                   WHEN d.amount < 100000 THEN '200–1,000' ELSE '1,000 and more' END`;

export async function disputeOutcomes(
  pool: Pool,
  tenantId: string,
  period: Period,
): Promise<Outcomes> {
  const args = [tenantId, period.from, period.to];
  const scope = `d.tenant_id = $1 AND d.stripe_created_at >= $2 AND d.stripe_created_at < $3`;
  const [byCurrency, ledger, rates, partial] = await Promise.all([
    pool.query<{ currency: string; status: string; n: number; amount: number }>(
      `SELECT d.currency, d.status, count(*)::int AS n, sum(d.amount)::float8 AS amount
         FROM disputes d WHERE ${scope} GROUP BY 1, 2`,
      args,
    ),
    pool.query<{ currency: string; category: string; amount: number; fee: number }>(
      `SELECT b.currency, coalesce(b.reporting_category, b.type) AS category,
              sum(b.amount)::float8 AS amount, sum(b.fee)::float8 AS fee
         FROM disputes d
         JOIN balance_transactions b ON b.tenant_id = d.tenant_id AND b.source_id = d.stripe_id
        WHERE ${scope} GROUP BY 1, 2`,
      args,
    ),
    pool.query<{ dim: string; key: string; won: number; lost: number }>(
      `SELECT dim, key, count(*) FILTER (WHERE status = 'WON')::int AS won,
              count(*) FILTER (WHERE status = 'LOST')::int AS lost
         FROM disputes d,
              LATERAL (VALUES ('reason', d.reason), ('networkReasonCode', coalesce(d.network_reason_code, 'none')),
                              ('cardBrand', coalesce(d.card_brand, 'unknown')),
                              ('caseType', coalesce(d.case_type, 'unknown')), ('amountBand', ${BANDS})) v(dim, key)
        WHERE ${scope} AND d.status IN ('WON', 'LOST')
        GROUP BY dim, key ORDER BY dim, key`,
      args,
    ),
    pool.query<{ done: boolean }>(
      `SELECT coalesce((SELECT status = 'succeeded' FROM backfill_runs WHERE tenant_id = $1
                         ORDER BY started_at DESC LIMIT 1), false) AS done`,
      [tenantId],
    ),
  ]);
  const currencies = new Map<string, CurrencyOutcomes>();
  const empty = (): Money => ({ count: 0, amount: 0 });
  const of = (currency: string) => {
    let c = currencies.get(currency);
    if (!c) {
      c = {
        currency,
        disputed: empty(),
        open: empty(),
        won: empty(),
        lost: empty(),
        accepted: empty(),
        expired: empty(),
        cancelled: empty(),
        ledger: {
          withdrawn: 0,
          reinstated: 0,
          disputeFees: 0,
          otherFees: 0,
          netRecovered: 0,
          netCost: 0,
        },
      };
      currencies.set(currency, c);
    }
    return c;
  };
  const BUCKET: Record<string, keyof Omit<CurrencyOutcomes, 'currency' | 'disputed' | 'ledger'>> = {
    OPEN: 'open',
    CHALLENGED: 'open',
    WON: 'won',
    LOST: 'lost',
    ACCEPTED: 'accepted',
    EXPIRED: 'expired',
    CANCELLED: 'cancelled',
  };
  for (const r of byCurrency.rows) {
    const c = of(r.currency);
    c.disputed.count += r.n;
    c.disputed.amount += r.amount;
    const bucket = c[BUCKET[r.status] ?? 'open'];
    bucket.count += r.n;
    bucket.amount += r.amount;
  }
  for (const r of ledger.rows) {
    const c = of(r.currency.toUpperCase());
    if (r.category === 'dispute') {
      c.ledger.withdrawn += -r.amount;
      c.ledger.disputeFees += r.fee;
    } else if (r.category === 'dispute_reversal') {
      c.ledger.reinstated += r.amount;
      c.ledger.disputeFees += r.fee; // a refunded fee is a negative fee
    } else {
      c.ledger.otherFees += r.fee - Math.min(r.amount, 0);
    }
  }
  for (const c of currencies.values()) {
    const fees = c.ledger.disputeFees + c.ledger.otherFees;
    c.ledger.netRecovered = c.ledger.reinstated - fees;
    c.ledger.netCost = c.ledger.withdrawn + fees - c.ledger.reinstated;
  }
  const winRates: Outcomes['winRates'] = {
    reason: [],
    networkReasonCode: [],
    cardBrand: [],
    caseType: [],
    amountBand: [],
  };
  for (const r of rates.rows) {
    winRates[r.dim as keyof Outcomes['winRates']].push({
      key: r.key,
      won: r.won,
      lost: r.lost,
      rate: r.won + r.lost ? Math.round((1000 * r.won) / (r.won + r.lost)) / 1000 : null,
    });
  }
  return {
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    partial: !partial.rows[0]?.done,
    currencies: [...currencies.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    winRates,
  };
}
