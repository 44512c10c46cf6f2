// Charges come from confirming a PaymentIntent; here they are created, listed and retrieved.
import { createdAt, emit, str, type RequestContext } from '../context.ts';
import { missing } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import { cardFee, recordMovement } from './balance.ts';
import type { TestCard } from '../test-cards.ts';
import type { Route } from '../router.ts';
import { createDispute } from './disputes.ts';

/** Books a charge's funds: the balance transaction (fee 2.9 % + 30), available in two days. */
function book(ctx: RequestContext, charge: StoredObject, card: TestCard | undefined) {
  const txn = recordMovement(ctx, {
    amount: charge.amount as number,
    currency: charge.currency as string,
    type: 'charge',
    reportingCategory: 'charge',
    source: charge.id,
    fee: cardFee(charge.amount as number),
    description: (charge.description as string | null) ?? null,
    availableIn: card?.bypassPending ? 0 : undefined,
  });
  charge.balance_transaction = txn.id;
}

/** A pending (bank debit) charge succeeds. */
export function settleCharge(ctx: RequestContext, charge: StoredObject) {
  charge.status = 'succeeded';
  charge.paid = true;
  charge.captured = true;
  charge.amount_captured = charge.amount;
  charge.outcome = {
    ...(charge.outcome as object),
    network_status: 'approved_by_network',
    type: 'authorized',
  };
  book(ctx, charge, undefined);
  emit(ctx, 'charge.succeeded', charge, { status: 'pending' });
}

/** A pending (bank debit) charge fails: the bank returned it. */
export function failPendingCharge(ctx: RequestContext, charge: StoredObject, code: string) {
  charge.status = 'failed';
  charge.failure_code = code;
  charge.failure_message = "The customer's account has insufficient funds to cover this payment.";
  charge.outcome = {
    ...(charge.outcome as object),
    network_status: 'declined_by_network',
    type: 'issuer_declined',
  };
  emit(ctx, 'charge.failed', charge, { status: 'pending' });
}

export function createCharge(
  ctx: RequestContext,
  pi: StoredObject,
  opts: { card: TestCard; paymentMethod: StoredObject; status: 'succeeded' | 'failed' | 'pending' },
) {
  const succeeded = opts.status === 'succeeded';
  const declineCode = opts.card.declineCode ?? 'generic_decline';
  const captured = succeeded && pi.capture_method !== 'manual';
  const sepa = opts.paymentMethod.type === 'sepa_debit';
  const charge: StoredObject = {
    id: newId('ch'),
    object: 'charge',
    amount: pi.amount,
    amount_captured: captured ? pi.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: 'DISPUTEDESK EMULATOR',
    captured,
    created: createdAt(ctx),
    currency: pi.currency,
    customer: pi.customer ?? null,
    description: pi.description ?? null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: opts.status === 'failed' ? 'card_declined' : null,
    failure_message: opts.status === 'failed' ? 'Your card was declined.' : null,
    fraud_details: {},
    livemode: ctx.livemode,
    metadata: { ...(pi.metadata as Record<string, string>) },
    on_behalf_of: null,
    outcome: {
      network_status: opts.status === 'failed' ? 'declined_by_network' : 'approved_by_network',
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      reason: opts.status === 'failed' ? declineCode : null,
      risk_level: declineCode === 'fraudulent' ? 'highest' : 'normal',
      seller_message:
        opts.status === 'failed'
          ? 'The bank did not return any further details with this decline.'
          : 'Payment complete.',
      type: opts.status === 'failed' ? 'issuer_declined' : 'authorized',
    },
    paid: succeeded,
    payment_intent: pi.id,
    payment_method: opts.paymentMethod.id,
    payment_method_details: sepa
      ? {
          sepa_debit: { bank_code: '19043', country: 'AT', last4: opts.card.last4 },
          type: 'sepa_debit',
        }
      : opts.paymentMethod.type === 'customer_balance'
        ? { customer_balance: {}, type: 'customer_balance' }
        : opts.paymentMethod.type === 'bacs_debit'
          ? {
              bacs_debit: {
                fingerprint: `fpbacs${opts.card.last4}`,
                last4: opts.card.last4,
                sort_code: '108800',
              },
              type: 'bacs_debit',
            }
          : {
              card: {
                amount_authorized: opts.status === 'failed' ? null : pi.amount,
                authorization_code: opts.status === 'failed' ? null : '123456',
                brand: opts.card.brand,
                checks: {
                  address_line1_check: null,
                  address_postal_code_check: null,
                  cvc_check: 'pass',
                },
                country: 'US',
                electronic_commerce_indicator: null,
                exp_month: 12,
                exp_year: 2034,
                // The same card number gives the same fingerprint (as the PaymentMethod's).
                fingerprint: `fp${opts.card.last4}${opts.card.brand}`,
                funding: 'credit',
                installments: null,
                last4: opts.card.last4,
                mandate: null,
                network: opts.card.brand,
                network_transaction_id: newId('x', 15).slice(2),
                regulated_status: 'unregulated',
                three_d_secure: null,
                transaction_link_id: null,
                wallet: null,
              },
              type: 'card',
            },
    receipt_email: pi.receipt_email ?? null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: pi.shipping ?? null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: opts.status,
    transfer_data: null,
    transfer_group: null,
  };
  ctx.state.insert(ctx.account, 'charge', charge);
  if (succeeded) book(ctx, charge, opts.card);
  emit(ctx, `charge.${opts.status}`, charge);
  if (succeeded && opts.card.dispute) createDispute(ctx, charge, opts.card.dispute);
  if (succeeded && opts.card.earlyFraudWarning) {
    const warning: StoredObject = {
      id: newId('issfr'),
      object: 'radar.early_fraud_warning',
      actionable: true,
      charge: charge.id,
      created: nowSeconds(),
      fraud_type: 'made_with_stolen_card',
      livemode: ctx.livemode,
      payment_intent: pi.id,
    };
    ctx.state.insert(ctx.account, 'early_fraud_warning', warning);
    emit(ctx, 'radar.early_fraud_warning.created', warning);
  }
  return charge;
}

function find(ctx: RequestContext, id: string) {
  const c = ctx.state.get(ctx.account, 'charge', id);
  if (!c) throw missing('charge', id);
  return c;
}

export const chargeRoutes: Route[] = [
  { method: 'GET', path: '/v1/charges/:id', handle: (ctx, { id }) => find(ctx, id!) },
  {
    method: 'GET',
    path: '/v1/charges',
    handle: (ctx) => {
      const pi = str(ctx.params.payment_intent, 'payment_intent');
      const customer = str(ctx.params.customer, 'customer');
      return list(ctx.state, ctx.account, 'charge', ctx.params, {
        url: '/v1/charges',
        kind: 'charge',
        where: (c) => (!pi || c.payment_intent === pi) && (!customer || c.customer === customer),
      });
    },
  },
];
