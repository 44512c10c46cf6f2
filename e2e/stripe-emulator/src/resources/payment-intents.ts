// PaymentIntents: create, confirm (with Stripe's test payment methods), capture, cancel,
// retrieve, list. Confirming creates the charge and, for the dispute cards, the dispute.
import { emit, metadataParam, str, type RequestContext } from '../context.ts';
import { invalidInteger, invalidParam, missing, StripeApiError } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import { testCard } from '../test-cards.ts';
import type { Route } from '../router.ts';
import { createCharge } from './charges.ts';

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

function confirm(ctx: RequestContext, pi: StoredObject) {
  const shortcut =
    str(ctx.params.payment_method, 'payment_method') ??
    (pi.payment_method_shortcut as string | null);
  if (!shortcut) {
    throw invalidParam(
      'payment_method',
      'You cannot confirm this PaymentIntent because it’s missing a payment method.',
      'payment_intent_unexpected_state',
    );
  }
  const card = testCard(shortcut);
  if (!card) throw missing('payment_method', shortcut, 'payment_method');
  const paymentMethod = newId('pm');
  const charge = createCharge(ctx, pi, { card, paymentMethod });
  pi.latest_charge = charge.id;
  pi.payment_method = paymentMethod;
  if (card.outcome === 'decline') {
    pi.status = 'requires_payment_method';
    pi.last_payment_error = {
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
      message: 'Your card was declined.',
      charge: charge.id,
    };
    emit(ctx, 'payment_intent.payment_failed', pi);
    throw new StripeApiError(
      402,
      'card_error',
      'Your card was declined.',
      'card_declined',
      undefined,
    );
  }
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

export const paymentIntentRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/payment_intents',
    handle: (ctx) => {
      const p = ctx.params;
      const currency = str(p.currency, 'currency');
      if (!currency)
        throw invalidParam('currency', 'Missing required param: currency.', 'parameter_missing');
      const id = newId('pi');
      const pi: StoredObject = {
        id,
        object: 'payment_intent',
        amount: amountParam(p.amount),
        amount_capturable: 0,
        amount_received: 0,
        application: null,
        application_fee_amount: null,
        canceled_at: null,
        cancellation_reason: null,
        capture_method: str(p.capture_method, 'capture_method') ?? 'automatic',
        client_secret: `${id}_secret_${newId('x', 16).slice(2)}`,
        confirmation_method: 'automatic',
        created: nowSeconds(),
        currency: currency.toLowerCase(),
        customer: str(p.customer, 'customer'),
        description: str(p.description, 'description'),
        last_payment_error: null,
        latest_charge: null,
        livemode: ctx.livemode,
        metadata: metadataParam(p.metadata),
        next_action: null,
        on_behalf_of: null,
        payment_method: null,
        payment_method_types: Array.isArray(p.payment_method_types)
          ? p.payment_method_types
          : ['card'],
        receipt_email: null,
        setup_future_usage: null,
        shipping: null,
        statement_descriptor: null,
        status: 'requires_payment_method',
        transfer_data: null,
        transfer_group: null,
      };
      const shortcut = str(p.payment_method, 'payment_method');
      if (shortcut) {
        if (!testCard(shortcut)) throw missing('payment_method', shortcut, 'payment_method');
        pi.status = 'requires_confirmation';
        // Kept out of the returned object: the id a real PaymentMethod gets on confirmation.
        Object.defineProperty(pi, 'payment_method_shortcut', {
          value: shortcut,
          enumerable: false,
          writable: true,
        });
      }
      ctx.state.insert(ctx.account, RESOURCE, pi);
      emit(ctx, 'payment_intent.created', pi);
      if (p.confirm === 'true' || p.confirm === true) confirm(ctx, pi);
      return pi;
    },
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
        charge.captured = true;
        charge.amount_captured = charge.amount;
        emit(ctx, 'charge.captured', charge);
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
