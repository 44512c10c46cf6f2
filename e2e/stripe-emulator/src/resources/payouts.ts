// Payouts from the available balance to the account's bank: refused beyond the available
// balance like Stripe (balance_insufficient), pending until paid a moment later (payout.paid),
// cancelable while pending (the money returns), updatable (payout.updated).
import { emit, metadataParam, str, type RequestContext } from '../context.ts';
import { invalidInteger, invalidParam, missing } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';
import { balanceOf, recordMovement } from './balance.ts';

const RESOURCE = 'payout';

function find(ctx: RequestContext, id: string) {
  const p = ctx.state.get(ctx.account, RESOURCE, id);
  if (!p) throw missing('payout', id);
  return p;
}

/** POST /v1/payouts: a payout from the available balance (refused past it). */
export function createPayout(ctx: RequestContext) {
  const p = ctx.params;
  const amount = Number(p.amount);
  if (p.amount === undefined)
    throw invalidParam('amount', 'Missing required param: amount.', 'parameter_missing');
  if (!Number.isInteger(amount) || amount <= 0) throw invalidInteger('amount', p.amount);
  const currency = str(p.currency, 'currency')?.toLowerCase();
  if (!currency)
    throw invalidParam('currency', 'Missing required param: currency.', 'parameter_missing');
  const available =
    balanceOf(ctx, ctx.account).available.find((b) => b.currency === currency)?.amount ?? 0;
  if (available < amount) {
    throw invalidParam(
      'amount',
      `You have insufficient funds in your Stripe account for this transfer. Your card balance is too low. You can use the /v1/balance endpoint to view your Stripe balance (for more details, see stripe.com/docs/api#balance).`,
      'balance_insufficient',
    );
  }
  const id = newId('po');
  const created = nowSeconds();
  const txn = recordMovement(ctx, {
    amount: -amount,
    currency,
    type: 'payout',
    reportingCategory: 'payout',
    source: id,
    description: str(p.description, 'description') ?? 'STRIPE PAYOUT',
    availableIn: 0,
  });
  const payout: StoredObject = {
    id,
    object: 'payout',
    amount,
    application_fee: null,
    application_fee_amount: null,
    arrival_date: created + 2 * 86400,
    automatic: false,
    balance_transaction: txn.id,
    created,
    currency,
    description: str(p.description, 'description'),
    destination: `ba_${ctx.account.id.slice(5)}`,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    livemode: ctx.livemode,
    metadata: metadataParam(p.metadata),
    method: str(p.method, 'method') ?? 'standard',
    original_payout: null,
    payout_method: null,
    reconciliation_status: 'completed',
    reversed_by: null,
    source_type: 'card',
    statement_descriptor: str(p.statement_descriptor, 'statement_descriptor'),
    status: 'pending',
    trace_id: null,
    type: 'bank_account',
  };
  txn.payout = id;
  ctx.state.insert(ctx.account, RESOURCE, payout);
  emit(ctx, 'payout.created', payout);
  setTimeout(() => {
    if (payout.status !== 'pending') return;
    payout.status = 'paid';
    emit(ctx, 'payout.paid', payout, { status: 'pending' });
  }, ctx.state.settings.payoutDelayMs).unref();
  return payout;
}

export const payoutRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/payouts',
    handle: createPayout,
  },
  { method: 'GET', path: '/v1/payouts/:id', handle: (ctx, { id }) => find(ctx, id!) },
  {
    method: 'POST',
    path: '/v1/payouts/:id',
    handle: (ctx, { id }) => {
      const payout = find(ctx, id!);
      const previous = { metadata: payout.metadata };
      payout.metadata = metadataParam(
        ctx.params.metadata,
        payout.metadata as Record<string, string>,
      );
      emit(ctx, 'payout.updated', payout, previous);
      return payout;
    },
  },
  {
    method: 'POST',
    path: '/v1/payouts/:id/cancel',
    handle: (ctx, { id }) => {
      const payout = find(ctx, id!);
      if (payout.status !== 'pending') {
        throw invalidParam(
          'payout',
          `Payouts can only be canceled while they are pending; this one is ${String(payout.status)}.`,
          'payout_not_cancelable',
        );
      }
      payout.status = 'canceled';
      payout.failure_balance_transaction = recordMovement(ctx, {
        amount: payout.amount as number,
        currency: payout.currency as string,
        type: 'payout_cancel',
        reportingCategory: 'payout_reversal',
        source: payout.id,
        availableIn: 0,
      }).id;
      emit(ctx, 'payout.canceled', payout, { status: 'pending' });
      return payout;
    },
  },
  {
    method: 'GET',
    path: '/v1/payouts',
    handle: (ctx) => {
      const status = str(ctx.params.status, 'status');
      return list(ctx.state, ctx.account, RESOURCE, ctx.params, {
        url: '/v1/payouts',
        kind: 'payout',
        where: status ? (p) => p.status === status : undefined,
      });
    },
  },
];
