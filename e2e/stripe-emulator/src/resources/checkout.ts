// Checkout Sessions in payment and subscription mode: create (prices, inline price_data or the
// legacy name/amount line items), the hosted page's confirm (`/v1/payment_pages/:id/confirm`, as
// Stripe.js and the CLI call it), expire, line items, list. A card completes the session at once;
// a bank debit completes it unpaid and later emits async_payment_succeeded or _failed.
import { emit, metadataParam, str, type RequestContext } from '../context.ts';
import { invalidParam, missing } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';
import { createPlain, integerParam } from './crud.ts';
import { PRICE, resolvePrice } from './catalog.ts';
import { createCustomerObject } from './customers.ts';
import { attach, resolvePaymentMethod } from './payment-methods.ts';
import { createPaymentIntent, onAsyncPaymentResult } from './payment-intents.ts';
import { createSubscriptionFor } from './subscriptions.ts';

const RESOURCE = 'checkout.session';
const PATH = '/v1/checkout/sessions';
const MODES = ['payment', 'subscription', 'setup'];

interface Line {
  price: StoredObject;
  quantity: number;
  description: string | null;
}

/** One line item: a price id, inline `price_data`, or the legacy name/amount/currency. */
function line(ctx: RequestContext, raw: Record<string, unknown>, i: number): Line {
  const quantity = integerParam(raw.quantity, `line_items[${i}][quantity]`) ?? 1;
  if (quantity < 1)
    throw invalidParam(`line_items[${i}][quantity]`, 'Quantity must be at least 1.');
  const priceId = str(raw.price, `line_items[${i}][price]`);
  if (priceId)
    return {
      price: resolvePrice(ctx, priceId, `line_items[${i}][price]`),
      quantity,
      description: null,
    };
  const data = raw.price_data as Record<string, unknown> | undefined;
  if (data && typeof data === 'object') {
    const price = createPlain(PRICE, { ...ctx, params: data });
    price.active = false;
    return { price, quantity, description: null };
  }
  const amount = integerParam(raw.amount, `line_items[${i}][amount]`);
  const currency = str(raw.currency, `line_items[${i}][currency]`);
  const name = str(raw.name, `line_items[${i}][name]`);
  if (amount === null || !currency || !name) {
    throw invalidParam(
      `line_items[${i}][price]`,
      'You must specify either `price` or `price_data` in each line item.',
      'parameter_missing',
    );
  }
  const price = createPlain(PRICE, {
    ...ctx,
    params: { currency, unit_amount: amount, product_data: { name } },
  });
  price.active = false;
  return { price, quantity, description: str(raw.description) ?? name };
}

function linesOf(session: StoredObject): Line[] {
  return (session as unknown as { lines: Line[] }).lines;
}

function createSession(ctx: RequestContext): StoredObject {
  const p = ctx.params;
  const mode = str(p.mode, 'mode') ?? 'payment';
  if (!MODES.includes(mode))
    throw invalidParam('mode', `Invalid mode: must be one of ${MODES.join(', ')}`);
  const raw = p.line_items;
  const entries = Array.isArray(raw)
    ? raw
    : raw && typeof raw === 'object'
      ? Object.values(raw)
      : [];
  if (mode !== 'setup' && entries.length === 0) {
    throw invalidParam(
      'line_items',
      'You must provide line_items in `payment` or `subscription` mode.',
      'parameter_missing',
    );
  }
  const lines = entries.map((e: Record<string, unknown>, i) => line(ctx, e, i));
  const currencies = new Set(lines.map((l) => l.price.currency));
  if (currencies.size > 1)
    throw invalidParam('line_items', 'All line items must use the same currency.');
  if (mode === 'payment' && lines.some((l) => l.price.type === 'recurring')) {
    throw invalidParam(
      'line_items',
      'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.',
    );
  }
  if (mode === 'subscription' && !lines.some((l) => l.price.type === 'recurring')) {
    throw invalidParam(
      'line_items',
      'You must provide at least one recurring price in `subscription` mode when using prices.',
    );
  }
  const customer = str(p.customer, 'customer');
  if (customer && !ctx.state.get(ctx.account, 'customer', customer))
    throw missing('customer', customer, 'customer');
  const now = nowSeconds();
  const expiresAt = integerParam(p.expires_at, 'expires_at') ?? now + 24 * 3600;
  if (expiresAt < now + 30 * 60 || expiresAt > now + 24 * 3600) {
    throw invalidParam(
      'expires_at',
      'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.',
    );
  }
  const total = lines.reduce((n, l) => n + Number(l.price.unit_amount) * l.quantity, 0);
  const id = `cs_${ctx.livemode ? 'live' : 'test'}_${newId('x', 58).slice(2)}`;
  const intentData = (p.payment_intent_data ?? {}) as Record<string, unknown>;
  const session: StoredObject = {
    id,
    object: RESOURCE,
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: total,
    amount_total: total,
    automatic_tax: { enabled: false, liability: null, status: null },
    billing_address_collection: null,
    cancel_url: str(p.cancel_url, 'cancel_url'),
    client_reference_id: str(p.client_reference_id, 'client_reference_id'),
    created: now,
    currency: lines[0]?.price.currency ?? str(p.currency, 'currency'),
    customer,
    customer_creation: customer ? null : mode === 'payment' ? 'if_required' : 'always',
    customer_details: null,
    customer_email: str(p.customer_email, 'customer_email'),
    expires_at: expiresAt,
    invoice: null,
    livemode: ctx.livemode,
    locale: null,
    metadata: metadataParam(p.metadata),
    mode,
    payment_intent: null,
    payment_link: str(p.payment_link, 'payment_link'),
    payment_method_types: Array.isArray(p.payment_method_types) ? p.payment_method_types : ['card'],
    payment_status: mode === 'setup' ? 'no_payment_required' : 'unpaid',
    recovered_from: null,
    setup_intent: null,
    shipping_details: intentData.shipping ?? null,
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: str(p.success_url, 'success_url'),
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: `${ctx.state.baseUrl}/c/pay/${id}`,
  };
  Object.defineProperty(session, 'lines', { value: lines, enumerable: false });
  Object.defineProperty(session, 'intentData', { value: intentData, enumerable: false });
  ctx.state.insert(ctx.account, RESOURCE, session);
  return session;
}

function findSession(ctx: RequestContext, id: string) {
  const s = ctx.state.get(ctx.account, RESOURCE, id);
  if (!s) throw missing('checkout.session', id);
  return s;
}

function customerFor(ctx: RequestContext, session: StoredObject, pm: StoredObject): string | null {
  if (session.customer) return session.customer as string;
  const email = ((pm.billing_details as { email: string | null }).email ??
    session.customer_email) as string | null;
  session.customer_details = {
    address: null,
    email,
    name: null,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  };
  const setupFuture = (session as unknown as { intentData: { setup_future_usage?: string } })
    .intentData.setup_future_usage;
  if (session.customer_creation === 'always' || setupFuture) {
    const customer = createCustomerObject({ ...ctx, params: { email: email ?? undefined } });
    session.customer = customer.id;
    return customer.id;
  }
  return null;
}

/** The hosted page submits: pay (or subscribe) with the payment method the customer entered. */
function confirmSession(ctx: RequestContext, session: StoredObject): StoredObject {
  if (session.status !== 'open') {
    throw invalidParam(
      'checkout_session',
      `This Checkout Session is no longer active (status: ${String(session.status)}).`,
      'checkout_session_not_active',
    );
  }
  const expected = integerParam(ctx.params.expected_amount, 'expected_amount');
  if (expected !== null && expected !== session.amount_total) {
    throw invalidParam(
      'expected_amount',
      `The expected amount (${expected}) does not match the session's total (${String(session.amount_total)}).`,
    );
  }
  const pmId = str(ctx.params.payment_method, 'payment_method');
  if (!pmId)
    throw invalidParam(
      'payment_method',
      'Missing required param: payment_method.',
      'parameter_missing',
    );
  const pm = resolvePaymentMethod(ctx, pmId);
  const allowed = session.payment_method_types as string[];
  if (!allowed.includes(String(pm.type))) {
    throw invalidParam(
      'payment_method',
      `This Checkout Session does not accept ${String(pm.type)} payments (payment_method_types: ${allowed.join(', ')}).`,
      'payment_method_not_available',
    );
  }
  const customer = customerFor(ctx, session, pm);
  if (customer) attach(ctx, pm, customer);
  const previous = { status: 'open' };
  if (session.mode === 'subscription') {
    const sub = createSubscriptionFor(ctx, {
      customer: customer!,
      items: linesOf(session).map((l) => ({ price: l.price.id, quantity: l.quantity })),
      default_payment_method: pm.id,
      metadata: session.metadata,
    });
    session.subscription = sub.id;
    session.invoice = sub.latest_invoice;
    session.status = 'complete';
    session.payment_status =
      sub.status === 'active' || sub.status === 'trialing' ? 'paid' : 'unpaid';
    emit(ctx, 'checkout.session.completed', session, previous);
    return session;
  }
  const intentData = (session as unknown as { intentData: Record<string, unknown> }).intentData;
  // A decline (402) leaves the session open for another try, as the hosted page does.
  const pi = createPaymentIntent({
    ...ctx,
    params: {
      amount: session.amount_total,
      currency: session.currency,
      customer: customer ?? undefined,
      payment_method: pm.id,
      payment_method_types: allowed,
      confirm: 'true',
      metadata: intentData.metadata,
      shipping: intentData.shipping,
      description: intentData.description,
    },
  });
  session.payment_intent = pi.id;
  session.status = 'complete';
  session.payment_status = pi.status === 'succeeded' ? 'paid' : 'unpaid';
  Object.defineProperty(pi, 'checkoutSession', { value: session.id, enumerable: false });
  emit(ctx, 'checkout.session.completed', session, previous);
  return session;
}

onAsyncPaymentResult((ctx, pi) => {
  const sessionId = (pi as unknown as { checkoutSession?: string }).checkoutSession;
  if (!sessionId) return;
  const session = ctx.state.get(ctx.account, RESOURCE, sessionId);
  if (!session) return;
  if (pi.status === 'succeeded') {
    session.payment_status = 'paid';
    emit(ctx, 'checkout.session.async_payment_succeeded', session, { payment_status: 'unpaid' });
  } else {
    emit(ctx, 'checkout.session.async_payment_failed', session);
  }
});

export const checkoutRoutes: Route[] = [
  { method: 'POST', path: PATH, handle: (ctx) => createSession(ctx) },
  { method: 'GET', path: `${PATH}/:id`, handle: (ctx, { id }) => findSession(ctx, id!) },
  {
    method: 'POST',
    path: `${PATH}/:id`,
    handle: (ctx, { id }) => {
      const session = findSession(ctx, id!);
      if (ctx.params.metadata !== undefined) {
        session.metadata = metadataParam(
          ctx.params.metadata,
          session.metadata as Record<string, string>,
        );
      }
      return session;
    },
  },
  {
    method: 'POST',
    path: `${PATH}/:id/expire`,
    handle: (ctx, { id }) => {
      const session = findSession(ctx, id!);
      if (session.status !== 'open') {
        throw invalidParam(
          'session',
          `Only Checkout Sessions with a status of \`open\` can be expired. This one is ${String(session.status)}.`,
          'checkout_session_not_open',
        );
      }
      session.status = 'expired';
      session.url = null;
      emit(ctx, 'checkout.session.expired', session, { status: 'open' });
      return session;
    },
  },
  {
    method: 'GET',
    path: `${PATH}/:id/line_items`,
    handle: (ctx, { id }) => {
      const session = findSession(ctx, id!);
      const data = linesOf(session).map((l, i) => ({
        id: `li_${session.id.slice(-20)}${i}`,
        object: 'item',
        amount_discount: 0,
        amount_subtotal: Number(l.price.unit_amount) * l.quantity,
        amount_tax: 0,
        amount_total: Number(l.price.unit_amount) * l.quantity,
        currency: l.price.currency,
        description: l.description,
        price: l.price,
        quantity: l.quantity,
      }));
      return { object: 'list', data, has_more: false, url: `${PATH}/${id}/line_items` };
    },
  },
  {
    method: 'GET',
    path: PATH,
    handle: (ctx) => {
      const pi = str(ctx.params.payment_intent, 'payment_intent');
      const sub = str(ctx.params.subscription, 'subscription');
      const customer = str(ctx.params.customer, 'customer');
      const status = str(ctx.params.status, 'status');
      return list(ctx.state, ctx.account, RESOURCE, ctx.params, {
        url: PATH,
        kind: 'checkout.session',
        where: (s) =>
          (!pi || s.payment_intent === pi) &&
          (!sub || s.subscription === sub) &&
          (!customer || s.customer === customer) &&
          (!status || s.status === status),
      });
    },
  },
  // The hosted payment page (Stripe.js and the CLI's fixtures call it).
  {
    method: 'GET',
    path: '/v1/payment_pages/:id',
    handle: (ctx, { id }) => ({ ...findSession(ctx, id!), object: 'checkout.session' }),
  },
  {
    method: 'POST',
    path: '/v1/payment_pages/:id/confirm',
    handle: (ctx, { id }) => confirmSession(ctx, findSession(ctx, id!)),
  },
];
