// Refunds of a charge (named directly or by its PaymentIntent): full or partial, never more than
// what is left, refused while a chargeback is open. They book a balance transaction, update the
// charge and emit refund.created and charge.refunded; a refund of pm_card_refundFail's charge
// fails a moment later (refund.failed, charge.refund.updated) and its money comes back.
import { emit, metadataParam, str, type RequestContext } from '../context.ts';
import { invalidInteger, invalidParam, missing } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';
import { recordMovement } from './balance.ts';
import { cardOf } from './payment-methods.ts';

const RESOURCE = 'refund';
const REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'];

function find(ctx: RequestContext, id: string) {
  const r = ctx.state.get(ctx.account, RESOURCE, id);
  if (!r) throw missing('refund', id);
  return r;
}

function chargeToRefund(ctx: RequestContext): StoredObject {
  const chargeId = str(ctx.params.charge, 'charge');
  const piId = str(ctx.params.payment_intent, 'payment_intent');
  if (chargeId) {
    const charge = ctx.state.get(ctx.account, 'charge', chargeId);
    if (!charge) throw missing('charge', chargeId, 'charge');
    return charge;
  }
  if (!piId) {
    throw invalidParam(
      'charge',
      'One of the following params should be provided for this request: payment_intent or charge.',
      'parameter_missing',
    );
  }
  const pi = ctx.state.get(ctx.account, 'payment_intent', piId);
  if (!pi) throw missing('payment_intent', piId, 'payment_intent');
  const charge = pi.latest_charge
    ? ctx.state.get(ctx.account, 'charge', pi.latest_charge as string)
    : undefined;
  if (!charge || charge.status !== 'succeeded') {
    throw invalidParam(
      'payment_intent',
      `This PaymentIntent (${piId}) does not have a successful charge to refund.`,
      'charge_not_refundable',
    );
  }
  return charge;
}

function fail(ctx: RequestContext, refund: StoredObject, charge: StoredObject) {
  if (refund.status !== 'succeeded') return;
  const previous = { status: refund.status };
  refund.status = 'failed';
  refund.failure_reason = 'expired_or_canceled_card';
  refund.failure_balance_transaction = recordMovement(ctx, {
    amount: refund.amount as number,
    currency: refund.currency as string,
    type: 'refund_failure',
    reportingCategory: 'refund_failure',
    source: refund.id,
    availableIn: 0,
  }).id;
  charge.amount_refunded = (charge.amount_refunded as number) - (refund.amount as number);
  charge.refunded = false;
  emit(ctx, 'refund.failed', refund, previous);
  emit(ctx, 'refund.updated', refund, previous);
  emit(ctx, 'charge.refund.updated', refund, previous);
}

/** POST /v1/refunds: a refund of a charge or PaymentIntent, up to what is left. */
export function createRefund(ctx: RequestContext) {
  const charge = chargeToRefund(ctx);
  const chargeAmount = charge.amount_captured as number;
  const left = chargeAmount - (charge.amount_refunded as number);
  if (charge.status !== 'succeeded') {
    throw invalidParam(
      'charge',
      `Charge ${charge.id} has not succeeded and cannot be refunded.`,
      'charge_not_refundable',
    );
  }
  if (left <= 0) {
    throw invalidParam(
      'charge',
      `Charge ${charge.id} has already been refunded.`,
      'charge_already_refunded',
    );
  }
  const open = [...ctx.state.newestFirst(ctx.account, 'dispute')].find(
    (d) => d.charge === charge.id && ['needs_response', 'under_review'].includes(String(d.status)),
  );
  if (open) {
    throw invalidParam(
      'charge',
      `Charge ${charge.id} has been charged back; cannot issue a refund.`,
      'charge_disputed',
    );
  }
  const raw = ctx.params.amount;
  const amount = raw === undefined ? left : Number(raw);
  if (!Number.isInteger(amount)) throw invalidInteger('amount', raw);
  if (amount <= 0)
    throw invalidParam('amount', 'Refund amount must be positive.', 'parameter_invalid_integer');
  if (amount > left) {
    throw invalidParam(
      'amount',
      `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
      'amount_too_large',
    );
  }
  const reason = str(ctx.params.reason, 'reason');
  if (reason && !REASONS.includes(reason)) {
    throw invalidParam('reason', `Invalid reason: must be one of ${REASONS.join(', ')}`);
  }
  const id = newId('re');
  const txn = recordMovement(ctx, {
    amount: -amount,
    currency: charge.currency as string,
    type: 'refund',
    reportingCategory: 'refund',
    source: id,
    description: reason ? `REFUND FOR ${reason.toUpperCase()}` : 'REFUND FOR CHARGE',
    availableIn: 0,
  });
  const refund: StoredObject = {
    id,
    object: 'refund',
    amount,
    balance_transaction: txn.id,
    charge: charge.id,
    created: nowSeconds(),
    currency: charge.currency,
    customer: charge.customer ?? null,
    customer_account: null,
    destination_details: {
      card: {
        reference_status: 'pending',
        reference_type: 'acquirer_reference_number',
        type: 'refund',
      },
      type: 'card',
    },
    metadata: metadataParam(ctx.params.metadata),
    payment_intent: charge.payment_intent ?? null,
    payment_method: charge.payment_method ?? null,
    reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
  ctx.state.insert(ctx.account, RESOURCE, refund);
  const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
  charge.amount_refunded = (charge.amount_refunded as number) + amount;
  charge.refunded = charge.amount_refunded === chargeAmount;
  emit(ctx, 'refund.created', refund);
  emit(ctx, 'charge.refunded', charge, previous);
  const pm = ctx.state.get(ctx.account, 'payment_method', charge.payment_method as string);
  if (pm && cardOf(pm)?.refundFails) {
    setTimeout(() => fail(ctx, refund, charge), ctx.state.settings.settleDelayMs).unref();
  }
  return refund;
}

export const refundRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/refunds',
    handle: createRefund,
  },
  { method: 'GET', path: '/v1/refunds/:id', handle: (ctx, { id }) => find(ctx, id!) },
  {
    method: 'POST',
    path: '/v1/refunds/:id',
    handle: (ctx, { id }) => {
      const refund = find(ctx, id!);
      const previous = { metadata: refund.metadata };
      refund.metadata = metadataParam(
        ctx.params.metadata,
        refund.metadata as Record<string, string>,
      );
      emit(ctx, 'refund.updated', refund, previous);
      emit(ctx, 'charge.refund.updated', refund, previous);
      return refund;
    },
  },
  {
    method: 'POST',
    path: '/v1/refunds/:id/cancel',
    handle: (ctx, { id }) => {
      const refund = find(ctx, id!);
      throw invalidParam(
        'refund',
        `Can't cancel a refund with status ${String(refund.status)}: only refunds that require action can be canceled.`,
        'refund_unexpected_state',
      );
    },
  },
  {
    method: 'GET',
    path: '/v1/refunds',
    handle: (ctx) => {
      const charge = str(ctx.params.charge, 'charge');
      const pi = str(ctx.params.payment_intent, 'payment_intent');
      return list(ctx.state, ctx.account, RESOURCE, ctx.params, {
        url: '/v1/refunds',
        kind: 'refund',
        where: (r) => (!charge || r.charge === charge) && (!pi || r.payment_intent === pi),
      });
    },
  },
];
