// PaymentIntents: create, confirm (with Stripe's test payment methods), capture, cancel,
// retrieve, list. Confirming creates the charge and, for the dispute cards, the dispute.
import { createdAt, emit, metadataParam, str, type RequestContext } from '../context.ts';
import { invalidInteger, invalidParam, missing, StripeApiError } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import { testCard } from '../test-cards.ts';
import { cardOf, customerBalanceMethod, resolvePaymentMethod } from './payment-methods.ts';
import type { Route } from '../router.ts';
import { createCharge, failPendingCharge, settleCharge } from './charges.ts';
import { awaitTransfer } from './cash-balance.ts';

const RESOURCE = 'payment_intent';

function find(ctx: RequestContext, id: string) {
  const pi = ctx.state.get(ctx.account, RESOURCE, id);
  if (!pi) throw missing('payment_intent', id);
  return pi;
}

function amountParam(value: unknown): number {
  const n = Number(value);
  if (value === undefined)
    throw invalidParam('amount', 'Missing required param: amount.', 'parameter_missing');
  if (!Number.isInteger(n)) throw invalidInteger('amount', value);
  if (n < 50) throw invalidParam('amount', 'Amount must be at least $0.50 usd', 'amount_too_small');
  return n;
}

function decline(ctx: RequestContext, pi: StoredObject, chargeId: string, code: string): never {
  const message =
    code === 'insufficient_funds'
      ? 'Your card has insufficient funds.'
      : code === 'expired_card'
        ? 'Your card has expired.'
        : 'Your card was declined.';
  pi.status = 'requires_payment_method';
  pi.last_payment_error = {
    type: 'card_error',
    code: code === 'expired_card' ? 'expired_card' : 'card_declined',
    decline_code: code,
    message,
    charge: chargeId,
  };
  emit(ctx, 'payment_intent.payment_failed', pi);
  throw new StripeApiError(402, 'card_error', message, 'card_declined', undefined, {
    decline_code: code,
    charge: chargeId,
    payment_intent: structuredClone(pi),
  });
}

/** Told when a bank debit settles or fails (Checkout turns it into async_payment_* events). */
type AsyncListener = (ctx: RequestContext, pi: StoredObject) => void;
const asyncListeners: AsyncListener[] = [];
export function onAsyncPaymentResult(listener: AsyncListener) {
  asyncListeners.push(listener);
}

export function confirm(ctx: RequestContext, pi: StoredObject) {
  const named = str(ctx.params.payment_method, 'payment_method');
  const pm = named
    ? resolvePaymentMethod(ctx, named)
    : pi.payment_method
      ? ctx.state.get(ctx.account, 'payment_method', pi.payment_method as string)
      : undefined;
  if (!pm) {
    throw invalidParam(
      'payment_method',
      'You cannot confirm this PaymentIntent because it’s missing a payment method.',
      'payment_intent_unexpected_state',
    );
  }
  if (
    !['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(
      String(pi.status),
    )
  ) {
    throw invalidParam(
      'intent',
      `This PaymentIntent's status is ${String(pi.status)}, so it cannot be confirmed.`,
      'payment_intent_unexpected_state',
    );
  }
  pi.payment_method = pm.id;
  const card = cardOf(pm) ?? testCard('pm_card_visa')!;
  if (card.outcome === 'authenticate' && pi.status !== 'requires_action') {
    pi.status = 'requires_action';
    pi.next_action = {
      type: 'use_stripe_sdk',
      use_stripe_sdk: { type: 'three_d_secure_redirect' },
    };
    emit(ctx, 'payment_intent.requires_action', pi);
    return pi;
  }
  pi.next_action = null;
  if (pm.type === 'customer_balance') {
    awaitTransfer(ctx, pi);
    return pi;
  }
  if (pm.type === 'sepa_debit' || pm.type === 'bacs_debit') {
    const charge = createCharge(ctx, pi, { card, paymentMethod: pm, status: 'pending' });
    pi.latest_charge = charge.id;
    pi.status = 'processing';
    emit(ctx, 'payment_intent.processing', pi);
    const timer = setTimeout(() => {
      if (card.declineOnCharge) {
        failPendingCharge(ctx, charge, card.declineCode ?? 'generic_decline');
        pi.status = 'requires_payment_method';
        pi.last_payment_error = {
          type: 'invalid_request_error',
          code: 'payment_method_unactivated',
          decline_code: card.declineCode,
          message: "The customer's account has insufficient funds to cover this payment.",
          charge: charge.id,
        };
        emit(ctx, 'payment_intent.payment_failed', pi);
      } else {
        settleCharge(ctx, charge);
        pi.status = 'succeeded';
        pi.amount_received = pi.amount;
        emit(ctx, 'payment_intent.succeeded', pi);
      }
      for (const listener of asyncListeners) listener(ctx, pi);
    }, ctx.state.settings.settleDelayMs);
    timer.unref();
    return pi;
  }
  const declines = card.outcome === 'decline' || card.declineOnCharge === true;
  const charge = createCharge(ctx, pi, {
    card,
    paymentMethod: pm,
    status: declines ? 'failed' : 'succeeded',
  });
  pi.latest_charge = charge.id;
  if (declines) decline(ctx, pi, charge.id, card.declineCode ?? 'generic_decline');
  if (pi.capture_method === 'manual') {
    pi.status = 'requires_capture';
    pi.amount_capturable = pi.amount;
    emit(ctx, 'payment_intent.amount_capturable_updated', pi);
  } else {
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    emit(ctx, 'payment_intent.succeeded', pi);
  }
  return pi;
}

/** Creates (and with `confirm`, confirms) a PaymentIntent from request parameters. */
export function createPaymentIntent(ctx: RequestContext): StoredObject {
  const p = ctx.params;
  const currency = str(p.currency, 'currency');
  if (!currency)
    throw invalidParam('currency', 'Missing required param: currency.', 'parameter_missing');
  const id = newId('pi');
  const pi: StoredObject = {
    id,
    object: 'payment_intent',
    amount: amountParam(p.amount),
    allowed_payment_method_types: null,
    amount_capturable: 0,
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: str(p.capture_method, 'capture_method') ?? 'automatic',
    client_secret: `${id}_secret_${newId('x', 16).slice(2)}`,
    confirmation_method: 'automatic',
    created: createdAt(ctx),
    currency: currency.toLowerCase(),
    customer: str(p.customer, 'customer'),
    customer_account: null,
    description: str(p.description, 'description'),
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: ctx.livemode,
    managed_payments: null,
    metadata: metadataParam(p.metadata),
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: Array.isArray(p.payment_method_types) ? p.payment_method_types : ['card'],
    payment_record: null,
    processing: null,
    receipt_email: str(p.receipt_email, 'receipt_email'),
    review: null,
    setup_future_usage: null,
    shipping: shippingParam(p.shipping),
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  };
  if (pi.customer && !ctx.state.get(ctx.account, 'customer', pi.customer as string)) {
    throw missing('customer', pi.customer as string, 'customer');
  }
  const data = p.payment_method_data as { type?: unknown } | undefined;
  if (data && typeof data === 'object' && !p.payment_method) {
    const type = str(data.type, 'payment_method_data[type]');
    if (type !== 'customer_balance') {
      throw invalidParam(
        'payment_method_data[type]',
        'The emulator makes payment methods from payment_method_data for customer_balance only.',
      );
    }
    pi.payment_method = customerBalanceMethod(ctx, pi.customer as string | null).id;
    pi.status = 'requires_confirmation';
  }
  const named = str(p.payment_method, 'payment_method');
  if (named) {
    pi.payment_method = resolvePaymentMethod(ctx, named).id;
    pi.status = 'requires_confirmation';
  }
  ctx.state.insert(ctx.account, RESOURCE, pi);
  emit(ctx, 'payment_intent.created', pi);
  if (p.confirm === 'true' || p.confirm === true) {
    const { payment_method: _named, ...rest } = ctx.params;
    confirm({ ...ctx, params: rest }, pi);
  }
  return pi;
}

export const paymentIntentRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/payment_intents',
    handle: (ctx) => createPaymentIntent(ctx),
  },
  { method: 'GET', path: '/v1/payment_intents/:id', handle: (ctx, { id }) => find(ctx, id!) },
  {
    method: 'POST',
    path: '/v1/payment_intents/:id/confirm',
    handle: (ctx, { id }) => confirm(ctx, find(ctx, id!)),
  },
  {
    method: 'POST',
    path: '/v1/payment_intents/:id/capture',
    handle: (ctx, { id }) => {
      const pi = find(ctx, id!);
      if (pi.status !== 'requires_capture') {
        throw invalidParam(
          'intent',
          `This PaymentIntent could not be captured because it has a status of ${String(pi.status)}.`,
          'payment_intent_unexpected_state',
        );
      }
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
      pi.amount_capturable = 0;
      const charge = ctx.state.get(ctx.account, 'charge', pi.latest_charge as string);
      if (charge) {
        const previous = { amount_captured: charge.amount_captured, captured: false };
        charge.captured = true;
        charge.amount_captured = charge.amount;
        emit(ctx, 'charge.captured', charge, previous);
      }
      emit(ctx, 'payment_intent.succeeded', pi);
      return pi;
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_intents/:id/cancel',
    handle: (ctx, { id }) => {
      const pi = find(ctx, id!);
      if (pi.status === 'succeeded' || pi.status === 'canceled') {
        throw invalidParam(
          'intent',
          `You cannot cancel this PaymentIntent because it has a status of ${String(pi.status)}.`,
          'payment_intent_unexpected_state',
        );
      }
      pi.status = 'canceled';
      pi.canceled_at = nowSeconds();
      pi.cancellation_reason = str(ctx.params.cancellation_reason, 'cancellation_reason');
      emit(ctx, 'payment_intent.canceled', pi);
      return pi;
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_intents',
    handle: (ctx) => {
      const customer = str(ctx.params.customer, 'customer');
      return list(ctx.state, ctx.account, RESOURCE, ctx.params, {
        url: '/v1/payment_intents',
        kind: 'payment_intent',
        where: customer ? (o) => o.customer === customer : undefined,
      });
    },
  },
];

/** `shipping` as Stripe stores it: name, address, carrier, phone, tracking number. */
function shippingParam(v: unknown): StoredObject | null {
  if (v === undefined || v === '' || v === null) return null;
  if (typeof v !== 'object')
    throw invalidParam('shipping', 'Invalid hash', 'parameter_invalid_hash');
  const s = v as Record<string, unknown>;
  const a = (s.address ?? {}) as Record<string, unknown>;
  if (!str(s.name, 'shipping[name]')) {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      'Missing required param: shipping[name].',
      'parameter_missing',
      'shipping[name]',
    );
  }
  return {
    address: Object.fromEntries(
      ['city', 'country', 'line1', 'line2', 'postal_code', 'state'].map((k) => [
        k,
        str(a[k], `shipping[address][${k}]`),
      ]),
    ),
    carrier: str(s.carrier, 'shipping[carrier]'),
    name: str(s.name, 'shipping[name]'),
    phone: str(s.phone, 'shipping[phone]'),
    tracking_number: str(s.tracking_number, 'shipping[tracking_number]'),
  } as unknown as StoredObject;
}
