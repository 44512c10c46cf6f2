// Outcomes and money for one tenant and period of whole UTC days, per currency — amounts are
// never summed across currencies. Counts and amounts by outcome of the disputes opened in the
// period; win rates (won / (won + lost): contested disputes decided by the issuer) by unified
// reason, network reason code, card brand, case type and amount band; the money ledger from the
// disputes' balance transactions booked in the period (withdrawals and their dispute fees,
// reinstatements, other dispute fees such as the counter fee for contesting) and the net
// recovered — booked money, as the balance and payout reports count it, so a dispute opened
// before the period and won in it counts its reinstatement here. Read from aggregates kept as
// rows are written, not recomputed per request. "partial" until the tenant's history import has
// finished: figures from incomplete data are never shown as final.
import type { Pool } from '../db.ts';
import { historyImported } from './history-imported.ts';

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

const BANDS = ['under 50', '50–200', '200–1,000', '1,000 and more'];
const DAY = 86400_000;

/** The period as whole UTC days: from the start of `from`'s day to the end of the day before `to` (or of `to`'s day when it is not midnight). */
export function wholeDays(period: Period): Period {
  const from = new Date(Math.floor(period.from.getTime() / DAY) * DAY);
  const to = new Date(Math.ceil(period.to.getTime() / DAY) * DAY);
  return { from, to: to.getTime() > from.getTime() ? to : new Date(from.getTime() + DAY) };
}

export async function disputeOutcomes(
  pool: Pool,
  tenantId: string,
  asked: Period,
): Promise<Outcomes> {
  // Read from the aggregates the triggers keep (analytics/compact-aggregates.ts): a tenant's
  // rows in the period, whether folded yet or not, summed.
  const period = wholeDays(asked);
  const args = [tenantId, period.from, period.to];
  const scope = `tenant_id = $1 AND day >= $2::timestamptz::date AND day < $3::timestamptz::date`;
  const [byCurrency, ledger, rates, partial] = await Promise.all([
    pool.query<{ currency: string; status: string; n: number; amount: number }>(
      `SELECT currency, status, sum(n)::int AS n, sum(amount)::float8 AS amount
         FROM agg_dispute_days WHERE ${scope} GROUP BY 1, 2 HAVING sum(n) <> 0`,
      args,
    ),
    pool.query<{ currency: string; category: string; amount: number; fee: number }>(
      `SELECT currency, category, sum(amount)::float8 AS amount, sum(fee)::float8 AS fee
         FROM agg_ledger_days WHERE ${scope} GROUP BY 1, 2`,
      args,
    ),
    pool.query<{ dim: string; key: string; won: number; lost: number }>(
      `SELECT dim, key, coalesce(sum(n) FILTER (WHERE status = 'WON'), 0)::int AS won,
              coalesce(sum(n) FILTER (WHERE status = 'LOST'), 0)::int AS lost
         FROM agg_dispute_days a,
              LATERAL (VALUES ('reason', a.reason), ('networkReasonCode', a.network_reason_code),
                              ('cardBrand', a.card_brand), ('caseType', a.case_type),
                              ('amountBand', a.amount_band::text)) v(dim, key)
        WHERE ${scope} AND status IN ('WON', 'LOST')
        GROUP BY dim, key HAVING sum(n) <> 0`,
      args,
    ),
    historyImported(pool, tenantId),
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
    const c = of(r.currency);
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
      key: r.dim === 'amountBand' ? (BANDS[Number(r.key)] ?? r.key) : r.key,
      won: r.won,
      lost: r.lost,
      rate: r.won + r.lost ? Math.round((1000 * r.won) / (r.won + r.lost)) / 1000 : null,
    });
  }
  return {
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    partial: !partial,
    currencies: [...currencies.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    winRates: Object.fromEntries(
      Object.entries(winRates).map(([dim, list]) => [
        dim,
        list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      ]),
    ) as Outcomes['winRates'],
  };
}
