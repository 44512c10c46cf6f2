// Balance transactions: every movement of money on an account (charges, refunds, dispute
// withdrawals and reinstatements, payouts) with Stripe's fee, net, reporting category and
// availability date; the balance is their sum, split by whether the funds are available yet.
import { emit, str, type RequestContext } from '../context.ts';
import { missing } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type Account, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';

const RESOURCE = 'balance_transaction';
const DAY = 86400;

export interface Movement {
  amount: number;
  currency: string;
  type: string;
  reportingCategory: string;
  source: string;
  fee?: number;
  description?: string | null;
  /** Seconds until the funds are available (0: at once). */
  availableIn?: number;
  created?: number;
}

/** Stripe's standard card pricing in the US: 2.9 % + 30 cents. */
export const cardFee = (amount: number) => Math.round(amount * 0.029) + 30;

export function balanceTransaction(m: Movement): StoredObject {
  const created = m.created ?? nowSeconds();
  const fee = m.fee ?? 0;
  const availableOn = created + (m.availableIn ?? 2 * DAY);
  return {
    id: newId('txn'),
    object: 'balance_transaction',
    amount: m.amount,
    available_on: availableOn,
    balance_type: 'payments',
    created,
    currency: m.currency,
    description: m.description ?? null,
    exchange_rate: null,
    fee,
    fee_details: fee
      ? [
          {
            amount: fee,
            application: null,
            currency: m.currency,
            description: 'Stripe processing fees',
            type: 'stripe_fee',
          },
        ]
      : [],
    net: m.amount - fee,
    reporting_category: m.reportingCategory,
    source: m.source,
    status: availableOn <= nowSeconds() ? 'available' : 'pending',
    type: m.type,
  };
}

/** Records a movement; a transaction available at once announces `balance.available`. */
export function recordMovement(ctx: RequestContext, m: Movement): StoredObject {
  const txn = ctx.state.insert(ctx.account, RESOURCE, balanceTransaction(m));
  if (txn.status === 'available' && (txn.net as number) > 0) {
    const balance = balanceOf(ctx, ctx.account);
    emit(ctx, 'balance.available', balance as unknown as StoredObject);
  }
  return txn;
}

export function balanceOf(ctx: RequestContext, account: Account) {
  const now = nowSeconds();
  const available = new Map<string, number>();
  const pending = new Map<string, number>();
  for (const t of ctx.state.newestFirst(account, RESOURCE)) {
    const into = (t.available_on as number) <= now ? available : pending;
    const currency = t.currency as string;
    into.set(currency, (into.get(currency) ?? 0) + (t.net as number));
    if (!available.has(currency)) available.set(currency, 0);
    if (!pending.has(currency)) pending.set(currency, 0);
  }
  const amounts = (m: Map<string, number>) =>
    [...m].map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }));
  return {
    object: 'balance',
    available: amounts(available),
    connect_reserved: [],
    livemode: ctx.livemode,
    pending: amounts(pending),
  };
}

export const balanceRoutes: Route[] = [
  { method: 'GET', path: '/v1/balance', handle: (ctx) => balanceOf(ctx, ctx.account) },
  {
    method: 'GET',
    path: '/v1/balance_transactions/:id',
    handle: (ctx, { id }) => {
      const t = ctx.state.get(ctx.account, RESOURCE, id!);
      if (!t) throw missing('balance transaction', id!);
      return t;
    },
  },
  {
    method: 'GET',
    path: '/v1/balance_transactions',
    handle: (ctx) => {
      const type = str(ctx.params.type, 'type');
      const source = str(ctx.params.source, 'source');
      const currency = str(ctx.params.currency, 'currency');
      const payout = str(ctx.params.payout, 'payout');
      return list(ctx.state, ctx.account, RESOURCE, ctx.params, {
        url: '/v1/balance_transactions',
        kind: 'balance_transaction',
        where: (t) =>
          (!type || t.type === type) &&
          (!source || t.source === source) &&
          (!currency || t.currency === currency) &&
          (!payout || t.payout === payout || t.source === payout),
      });
    },
  },
];
