// SetupIntents: save a card for later. Confirming with a test card succeeds (and attaches it to
// the customer), fails with the card's decline (402, setup_intent.setup_failed) or asks for
// authentication (requires_action).
import { emit, metadataParam, str, type RequestContext } from '../context.ts';
import { invalidParam, missing, StripeApiError } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';
import { attach, cardOf, resolvePaymentMethod } from './payment-methods.ts';

const RESOURCE = 'setup_intent';

function find(ctx: RequestContext, id: string) {
  const si = ctx.state.get(ctx.account, RESOURCE, id);
  if (!si) throw missing('setup_intent', id);
  return si;
}

function confirm(ctx: RequestContext, si: StoredObject) {
  const named = str(ctx.params.payment_method, 'payment_method');
  if (named) si.payment_method = resolvePaymentMethod(ctx, named).id;
  const pm = si.payment_method
    ? ctx.state.get(ctx.account, 'payment_method', si.payment_method as string)
    : undefined;
  if (!pm) {
    throw invalidParam(
      'payment_method',
      'You cannot confirm this SetupIntent because it’s missing a payment method.',
      'setup_intent_unexpected_state',
    );
  }
  const card = cardOf(pm);
  if (card?.outcome === 'decline') {
    si.status = 'requires_payment_method';
    si.last_setup_error = {
      type: 'card_error',
      code: 'card_declined',
      decline_code: card.declineCode ?? 'generic_decline',
      message: 'Your card was declined.',
    };
    emit(ctx, 'setup_intent.setup_failed', si);
    throw new StripeApiError(
      402,
      'card_error',
      'Your card was declined.',
      'card_declined',
      undefined,
      {
        decline_code: card.declineCode ?? 'generic_decline',
        setup_intent: structuredClone(si),
      },
    );
  }
  if (card?.outcome === 'authenticate' && si.status !== 'requires_action') {
    si.status = 'requires_action';
    si.next_action = {
      type: 'use_stripe_sdk',
      use_stripe_sdk: { type: 'three_d_secure_redirect' },
    };
    emit(ctx, 'setup_intent.requires_action', si);
    return si;
  }
  si.status = 'succeeded';
  si.next_action = null;
  if (si.customer) attach(ctx, pm, si.customer as string);
  emit(ctx, 'setup_intent.succeeded', si);
  return si;
}

export const setupIntentRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/setup_intents',
    handle: (ctx) => {
      const p = ctx.params;
      const customer = str(p.customer, 'customer');
      if (customer && !ctx.state.get(ctx.account, 'customer', customer))
        throw missing('customer', customer, 'customer');
      const id = newId('seti');
      const si: StoredObject = {
        id,
        object: 'setup_intent',
        allowed_payment_method_types: null,
        application: null,
        automatic_payment_methods: null,
        cancellation_reason: null,
        client_secret: `${id}_secret_${newId('x', 16).slice(2)}`,
        created: nowSeconds(),
        customer,
        description: str(p.description, 'description'),
        excluded_payment_method_types: null,
        last_setup_error: null,
        latest_attempt: null,
        livemode: ctx.livemode,
        mandate: null,
        metadata: metadataParam(p.metadata),
        next_action: null,
        on_behalf_of: null,
        payment_method: null,
        payment_method_configuration_details: null,
        payment_method_options: {},
        payment_method_types: Array.isArray(p.payment_method_types)
          ? p.payment_method_types
          : ['card'],
        single_use_mandate: null,
        status: 'requires_payment_method',
        usage: str(p.usage, 'usage') ?? 'off_session',
      };
      const named = str(p.payment_method, 'payment_method');
      if (named) {
        si.payment_method = resolvePaymentMethod(ctx, named).id;
        si.status = 'requires_confirmation';
      }
      ctx.state.insert(ctx.account, RESOURCE, si);
      emit(ctx, 'setup_intent.created', si);
      if (p.confirm === 'true' || p.confirm === true) {
        const { payment_method: _named, ...rest } = p;
        confirm({ ...ctx, params: rest }, si);
      }
      return si;
    },
  },
  { method: 'GET', path: '/v1/setup_intents/:id', handle: (ctx, { id }) => find(ctx, id!) },
  {
    method: 'POST',
    path: '/v1/setup_intents/:id/confirm',
    handle: (ctx, { id }) => confirm(ctx, find(ctx, id!)),
  },
  {
    method: 'POST',
    path: '/v1/setup_intents/:id/cancel',
    handle: (ctx, { id }) => {
      const si = find(ctx, id!);
      if (si.status === 'succeeded' || si.status === 'canceled') {
        throw invalidParam(
          'intent',
          `You cannot cancel this SetupIntent because it has a status of ${String(si.status)}.`,
          'setup_intent_unexpected_state',
        );
      }
      si.status = 'canceled';
      si.cancellation_reason = str(ctx.params.cancellation_reason, 'cancellation_reason');
      emit(ctx, 'setup_intent.canceled', si);
      return si;
    },
  },
  {
    method: 'GET',
    path: '/v1/setup_intents',
    handle: (ctx) => {
      const customer = str(ctx.params.customer, 'customer');
      return list(ctx.state, ctx.account, RESOURCE, ctx.params, {
        url: '/v1/setup_intents',
        kind: 'setup_intent',
        where: customer ? (s) => s.customer === customer : undefined,
      });
    },
  },
];
