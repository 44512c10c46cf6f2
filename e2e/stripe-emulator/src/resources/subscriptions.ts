// Subscriptions: create (trial or first period invoiced and paid with the customer's default
// payment method — a decline leaves it `incomplete`), update (metadata, items, cancel at period
// end, pause collection, end a trial now: paused when it has no way to pay and was told to pause),
// resume, cancel now, list (not canceled unless `status=all`) — and one invoice per period as time
// passes (`renewDue`, driven by test clocks).
import { emit, metadataParam, str, type RequestContext } from '../context.ts';
import { invalidParam, missing, StripeApiError } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';
import { booleanParam, findIn, integerParam } from './crud.ts';
import { resolvePrice } from './catalog.ts';
import { createInvoiceObject, pay } from './invoices.ts';

const RESOURCE = 'subscription';
const DAY = 86_400;
const TRIAL_WILL_END_NOTICE = 3 * DAY;

/** The end of one period from `start` (calendar months and years, as Stripe bills). */
export function periodEnd(start: number, interval: string, count: number): number {
  if (interval === 'day') return start + count * DAY;
  if (interval === 'week') return start + count * 7 * DAY;
  const d = new Date(start * 1000);
  if (interval === 'month') d.setUTCMonth(d.getUTCMonth() + count);
  else d.setUTCFullYear(d.getUTCFullYear() + count);
  return Math.floor(d.getTime() / 1000);
}

/** "Now" for a customer: its test clock's frozen time, or the wall clock. */
export function clockNow(ctx: RequestContext, customerId: string): number {
  const customer = ctx.state.get(ctx.account, 'customer', customerId);
  const clock = customer?.test_clock
    ? ctx.state.get(ctx.account, 'test_helpers.test_clock', customer.test_clock as string)
    : undefined;
  return clock ? Number(clock.frozen_time) : nowSeconds();
}

function itemsParam(ctx: RequestContext, subscriptionId: string, start: number) {
  const raw = ctx.params.items;
  const entries = Array.isArray(raw)
    ? raw
    : raw && typeof raw === 'object'
      ? Object.values(raw)
      : [];
  if (entries.length === 0)
    throw invalidParam('items', 'Missing required param: items.', 'parameter_missing');
  const items = entries.map((e: Record<string, unknown>, i) => {
    const priceId = str(e.price, `items[${i}][price]`) ?? str(e.plan, `items[${i}][plan]`);
    if (!priceId)
      throw invalidParam(
        `items[${i}][price]`,
        'Missing required param: price.',
        'parameter_missing',
      );
    const price = resolvePrice(ctx, priceId, `items[${i}][price]`);
    if (price.type !== 'recurring') {
      throw invalidParam(
        `items[${i}][price]`,
        `The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`,
      );
    }
    return item(
      ctx,
      subscriptionId,
      price,
      integerParam(e.quantity, `items[${i}][quantity]`) ?? 1,
      start,
    );
  });
  const currencies = new Set(items.map((i) => (i.price as StoredObject).currency));
  const intervals = new Set(
    items.map((i) =>
      JSON.stringify(((i.price as StoredObject).recurring as { interval: string }).interval),
    ),
  );
  if (currencies.size > 1)
    throw invalidParam('items', 'All prices on a subscription must have the same currency.');
  if (intervals.size > 1)
    throw invalidParam(
      'items',
      'All prices on a subscription must have the same recurring interval.',
    );
  return items;
}

function item(
  ctx: RequestContext,
  subscription: string,
  price: StoredObject,
  quantity: number,
  start: number,
) {
  const r = price.recurring as { interval: string; interval_count: number };
  return {
    id: newId('si', 14),
    object: 'subscription_item',
    created: start,
    current_period_end: periodEnd(start, r.interval, r.interval_count),
    current_period_start: start,
    discounts: [],
    metadata: {},
    // Plans subscribed by plan id show as `plan` too (older integrations read it).
    plan: ctx.state.get(ctx.account, 'plan', price.id) ?? null,
    price,
    quantity,
    subscription,
    tax_rates: [],
  } as Record<string, unknown>;
}

const itemsOf = (sub: StoredObject) => (sub.items as { data: Record<string, unknown>[] }).data;

function setPeriod(sub: StoredObject, start: number) {
  for (const i of itemsOf(sub)) {
    const r = (i.price as StoredObject).recurring as { interval: string; interval_count: number };
    i.current_period_start = start;
    i.current_period_end = periodEnd(start, r.interval, r.interval_count);
  }
  // Older API versions carry the period on the subscription itself.
  sub.current_period_start = start;
  sub.current_period_end = itemsOf(sub)[0]!.current_period_end;
}

function paymentMethodOf(ctx: RequestContext, sub: StoredObject): string | null {
  if (sub.default_payment_method) return sub.default_payment_method as string;
  const customer = ctx.state.get(ctx.account, 'customer', sub.customer as string);
  const settings = customer?.invoice_settings as
    { default_payment_method: string | null } | undefined;
  if (settings?.default_payment_method) return settings.default_payment_method;
  if (customer?.default_source) return customer.default_source as string;
  for (const pm of ctx.state.newestFirst(ctx.account, 'payment_method'))
    if (pm.customer === sub.customer) return pm.id;
  return null;
}

/**
 * Invoices one period of the subscription and tries to pay it. Returns whether it was paid; a
 * decline leaves the invoice open (invoice.payment_failed was emitted by pay()).
 */
function invoicePeriod(
  ctx: RequestContext,
  sub: StoredObject,
  reason: string,
  opts: { amount?: number; attempt?: boolean } = {},
): boolean {
  const amountOverride = opts.amount;
  const customer = ctx.state.get(ctx.account, 'customer', sub.customer as string)!;
  // Everything this period's billing makes (invoice, payment, charge) is dated at the clock.
  ctx = { ...ctx, frozenAt: clockNow(ctx, sub.customer as string) };
  const id = newId('in');
  const start = Number(sub.current_period_start);
  const end = Number(sub.current_period_end);
  const lines = itemsOf(sub).map((i) => {
    const price = i.price as StoredObject;
    const amount = amountOverride ?? Number(price.unit_amount) * Number(i.quantity);
    return {
      id: newId('il'),
      object: 'line_item',
      amount,
      currency: price.currency,
      description: `${String(i.quantity)} × ${String(price.nickname ?? price.product)}`,
      discount_amounts: [],
      discountable: true,
      discounts: [],
      invoice: id,
      livemode: ctx.livemode,
      metadata: {},
      parent: {
        subscription_item_details: {
          subscription: sub.id,
          subscription_item: i.id,
          proration: false,
        },
        type: 'subscription_item_details',
      },
      period: { end, start },
      pricing: {
        price_details: { price: price.id, product: price.product },
        type: 'price_details',
      },
      quantity: i.quantity,
      subscription: sub.id,
      subtotal: amount,
      taxes: [],
    };
  });
  const total = lines.reduce((n, l) => n + l.amount, 0);
  const invoice = createInvoiceObject(ctx, customer, id, {
    lines,
    total,
    currency: sub.currency as string,
    collection: sub.collection_method as string,
    description: null,
    metadata: {},
    billingReason: reason,
    subscription: sub.id,
    periodStart: start,
    periodEnd: end,
    daysUntilDue: Number(sub.days_until_due ?? 30),
  });
  sub.latest_invoice = id;
  if (sub.collection_method === 'send_invoice' || sub.pause_collection || opts.attempt === false)
    return false;
  const pm = paymentMethodOf(ctx, sub);
  try {
    pay({ ...ctx, params: pm ? { payment_method: pm } : {} }, invoice);
    return true;
  } catch (err) {
    if (
      err instanceof StripeApiError &&
      (err.status === 402 || err.code === 'invoice_no_customer_line_items')
    ) {
      if (err.status !== 402) emit(ctx, 'invoice.payment_failed', invoice);
      return false;
    }
    throw err;
  }
}

function update(
  ctx: RequestContext,
  sub: StoredObject,
  changes: Record<string, unknown>,
  previous: Record<string, unknown>,
) {
  for (const [k, v] of Object.entries(changes)) {
    if (JSON.stringify(sub[k]) === JSON.stringify(v)) continue;
    previous[k] = sub[k];
    sub[k] = v;
  }
}

function cancel(ctx: RequestContext, sub: StoredObject, reason: string, at: number) {
  const previous = { status: sub.status };
  sub.status = 'canceled';
  sub.canceled_at ??= at;
  sub.ended_at = at;
  const details = sub.cancellation_details as Record<string, unknown>;
  details.reason = reason;
  emit(ctx, 'customer.subscription.deleted', sub, previous);
}

/** Ends the trial now: the first paid period starts, or the subscription pauses when told to. */
function endTrial(
  ctx: RequestContext,
  sub: StoredObject,
  at: number,
  previous: Record<string, unknown>,
) {
  update(ctx, sub, { trial_end: at }, previous);
  setPeriod(sub, at);
  const behavior = (sub.trial_settings as { end_behavior: { missing_payment_method: string } })
    .end_behavior.missing_payment_method;
  if (!paymentMethodOf(ctx, sub) && behavior !== 'create_invoice') {
    if (behavior === 'pause') {
      update(ctx, sub, { status: 'paused' }, previous);
      emit(ctx, 'customer.subscription.paused', sub, { status: 'trialing' });
    } else {
      cancel(ctx, sub, 'cancellation_requested', at);
    }
    return;
  }
  const paid = invoicePeriod(ctx, sub, 'subscription_cycle');
  update(ctx, sub, { status: paid ? 'active' : 'past_due' }, previous);
}

/** Bills every period of the subscription that has ended by `now` (test clocks call this). */
export function renewDue(ctx: RequestContext, sub: StoredObject, now: number) {
  while (
    ['active', 'past_due', 'trialing'].includes(String(sub.status)) &&
    Number(sub.current_period_end) <= now
  ) {
    const previous: Record<string, unknown> = {};
    const boundary = Number(sub.current_period_end);
    if (sub.cancel_at_period_end || (sub.cancel_at && Number(sub.cancel_at) <= boundary)) {
      cancel(ctx, sub, 'cancellation_requested', boundary);
      return;
    }
    if (sub.status === 'trialing') {
      endTrial(ctx, sub, boundary, previous);
    } else {
      previous.current_period_start = sub.current_period_start;
      setPeriod(sub, boundary);
      const paid = invoicePeriod(ctx, sub, 'subscription_cycle');
      update(ctx, sub, { status: paid ? 'active' : 'past_due' }, previous);
    }
    emit(ctx, 'customer.subscription.updated', sub, previous);
  }
  const trialEnd = Number(sub.trial_end);
  if (
    sub.status === 'trialing' &&
    trialEnd - now <= TRIAL_WILL_END_NOTICE &&
    !sub.trialNoticeSent
  ) {
    Object.defineProperty(sub, 'trialNoticeSent', { value: true, writable: true });
    emit(ctx, 'customer.subscription.trial_will_end', sub);
  }
}

function trialEndParam(v: unknown, now: number): number | null {
  if (v === undefined || v === '') return null;
  if (v === 'now') return now;
  const n = integerParam(v, 'trial_end')!;
  if (n <= now)
    throw invalidParam(
      'trial_end',
      'Invalid timestamp: must be an integer Unix timestamp in the future.',
    );
  return n;
}

function createSubscription(ctx: RequestContext): StoredObject {
  const p = ctx.params;
  const customerId = str(p.customer, 'customer');
  if (!customerId)
    throw invalidParam('customer', 'Missing required param: customer.', 'parameter_missing');
  const customer = findIn(ctx, 'customer', customerId, 'customer', 'customer');
  const now = clockNow(ctx, customer.id);
  const id = newId('sub', 24);
  const items = itemsParam(ctx, id, now);
  const trialDays = integerParam(p.trial_period_days, 'trial_period_days');
  const trialEnd = trialEndParam(p.trial_end, now) ?? (trialDays ? now + trialDays * DAY : null);
  const defaultPm = str(p.default_payment_method, 'default_payment_method');
  if (defaultPm) {
    const pm = ctx.state.get(ctx.account, 'payment_method', defaultPm);
    if (!pm || pm.customer !== customer.id)
      throw missing('PaymentMethod', defaultPm, 'default_payment_method');
  }
  const behavior = str(p.payment_behavior, 'payment_behavior') ?? 'allow_incomplete';
  const trialSettings = (
    p.trial_settings as { end_behavior?: { missing_payment_method?: string } } | undefined
  )?.end_behavior?.missing_payment_method;
  const first = items[0]!.price as StoredObject;
  const sub: StoredObject = {
    id,
    object: 'subscription',
    application: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: trialEnd ?? now,
    cancel_at: integerParam(p.cancel_at, 'cancel_at'),
    cancel_at_period_end: booleanParam(p.cancel_at_period_end, 'cancel_at_period_end') ?? false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: str(p.collection_method, 'collection_method') ?? 'charge_automatically',
    created: now,
    currency: first.currency,
    customer: customer.id,
    days_until_due: integerParam(p.days_until_due, 'days_until_due'),
    default_payment_method: defaultPm,
    default_source: null,
    description: str(p.description, 'description'),
    discounts: [],
    ended_at: null,
    items: {
      object: 'list',
      data: items,
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: null,
    livemode: ctx.livemode,
    metadata: metadataParam(p.metadata),
    pause_collection: null,
    pending_update: null,
    schedule: null,
    start_date: now,
    status: 'incomplete',
    test_clock: customer.test_clock ?? null,
    trial_end: trialEnd,
    trial_settings: { end_behavior: { missing_payment_method: trialSettings ?? 'create_invoice' } },
    trial_start: trialEnd ? now : null,
  };
  setPeriod(sub, now);
  if (trialEnd) {
    sub.current_period_end = trialEnd;
    for (const i of itemsOf(sub)) i.current_period_end = trialEnd;
  }
  ctx.state.insert(ctx.account, RESOURCE, sub);
  emit(ctx, 'customer.subscription.created', sub);
  const previous: Record<string, unknown> = {};
  if (trialEnd) {
    invoicePeriod(ctx, sub, 'subscription_create', { amount: 0 });
    update(ctx, sub, { status: 'trialing' }, previous);
  } else if (behavior === 'default_incomplete') {
    // Invoiced but not attempted: the client confirms the payment.
    invoicePeriod(ctx, sub, 'subscription_create', { attempt: false });
  } else {
    const paid = invoicePeriod(ctx, sub, 'subscription_create');
    if (!paid && behavior === 'error_if_incomplete') {
      throw new StripeApiError(402, 'card_error', 'Your card was declined.', 'card_declined');
    }
    update(ctx, sub, { status: paid ? 'active' : 'incomplete' }, previous);
  }
  if (Object.keys(previous).length > 0) emit(ctx, 'customer.subscription.updated', sub, previous);
  renewDue(ctx, sub, now);
  return sub;
}

/** A schedule moves its subscription to the next phase's items (from the current period). */
export function replaceItems(
  ctx: RequestContext,
  sub: StoredObject,
  items: Array<Record<string, unknown>>,
) {
  const previous = { items: structuredClone(sub.items) };
  const next = itemsParam({ ...ctx, params: { items } }, sub.id, Number(sub.current_period_start));
  for (const i of next) {
    i.current_period_start = sub.current_period_start;
    i.current_period_end = sub.current_period_end;
  }
  (sub.items as { data: unknown[] }).data = next;
  emit(ctx, 'customer.subscription.updated', sub, previous);
}

/** Ends a subscription at `at` (a schedule ending with `end_behavior=cancel`). */
export function cancelAt(ctx: RequestContext, sub: StoredObject, at: number) {
  if (sub.status === 'canceled') return;
  sub.canceled_at ??= at;
  cancel(ctx, sub, 'cancellation_requested', at);
}

/** A subscription another resource starts (Checkout in subscription mode). */
export function createSubscriptionFor(ctx: RequestContext, params: Record<string, unknown>) {
  return createSubscription({ ...ctx, params });
}

function updateSubscription(ctx: RequestContext, sub: StoredObject): StoredObject {
  const p = ctx.params;
  if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
    throw invalidParam(
      'subscription',
      `A canceled subscription can only update its cancellation_details and metadata.`,
      'resource_missing',
    );
  }
  const now = clockNow(ctx, sub.customer as string);
  const previous: Record<string, unknown> = {};
  if (p.metadata !== undefined) {
    update(
      ctx,
      sub,
      { metadata: metadataParam(p.metadata, sub.metadata as Record<string, string>) },
      previous,
    );
  }
  if (p.description !== undefined)
    update(ctx, sub, { description: str(p.description, 'description') }, previous);
  const cape = booleanParam(p.cancel_at_period_end, 'cancel_at_period_end');
  if (cape !== null) {
    update(ctx, sub, { cancel_at_period_end: cape, canceled_at: cape ? now : null }, previous);
    if (cape) update(ctx, sub, { cancel_at: sub.current_period_end }, previous);
    else update(ctx, sub, { cancel_at: null }, previous);
  }
  if (p.cancel_at !== undefined) {
    const at = p.cancel_at === '' ? null : integerParam(p.cancel_at, 'cancel_at');
    update(ctx, sub, { cancel_at: at, canceled_at: at ? now : null }, previous);
  }
  const details = p.cancellation_details as Record<string, unknown> | undefined;
  if (details && typeof details === 'object') {
    const current = sub.cancellation_details as Record<string, unknown>;
    update(
      ctx,
      sub,
      {
        cancellation_details: {
          ...current,
          ...(details.comment !== undefined
            ? { comment: str(details.comment, 'cancellation_details[comment]') }
            : {}),
          ...(details.feedback !== undefined
            ? { feedback: str(details.feedback, 'cancellation_details[feedback]') }
            : {}),
        },
      },
      previous,
    );
  }
  if (p.default_payment_method !== undefined) {
    update(
      ctx,
      sub,
      { default_payment_method: str(p.default_payment_method, 'default_payment_method') },
      previous,
    );
  }
  if (p.pause_collection !== undefined) {
    const pc = p.pause_collection as Record<string, unknown> | '';
    const next =
      pc === ''
        ? null
        : { behavior: str(pc.behavior, 'pause_collection[behavior]'), resumes_at: null };
    if (next && !['keep_as_draft', 'mark_uncollectible', 'void'].includes(String(next.behavior))) {
      throw invalidParam(
        'pause_collection[behavior]',
        'Invalid pause_collection[behavior]: must be one of keep_as_draft, mark_uncollectible, void',
      );
    }
    update(ctx, sub, { pause_collection: next }, previous);
  }
  if (p.items !== undefined) {
    const next = itemsParam(ctx, sub.id, Number(sub.current_period_start));
    for (const i of next) {
      i.current_period_start = sub.current_period_start;
      i.current_period_end = sub.current_period_end;
    }
    previous.items = structuredClone(sub.items);
    (sub.items as { data: unknown[] }).data = next;
  }
  const trialEnd = trialEndParam(p.trial_end, now);
  if (trialEnd !== null) {
    if (trialEnd === now && sub.status === 'trialing') endTrial(ctx, sub, now, previous);
    else {
      update(ctx, sub, { trial_end: trialEnd, current_period_end: trialEnd }, previous);
      if (sub.status !== 'trialing')
        update(ctx, sub, { status: 'trialing', trial_start: now }, previous);
    }
  }
  if (Object.keys(previous).length > 0) emit(ctx, 'customer.subscription.updated', sub, previous);
  return sub;
}

function find(ctx: RequestContext, id: string) {
  const sub = ctx.state.get(ctx.account, RESOURCE, id);
  if (!sub) throw missing('subscription', id);
  return sub;
}

export const subscriptionRoutes: Route[] = [
  { method: 'POST', path: '/v1/subscriptions', handle: (ctx) => createSubscription(ctx) },
  { method: 'GET', path: '/v1/subscriptions/:id', handle: (ctx, { id }) => find(ctx, id!) },
  {
    method: 'POST',
    path: '/v1/subscriptions/:id',
    handle: (ctx, { id }) => updateSubscription(ctx, find(ctx, id!)),
  },
  {
    method: 'POST',
    path: '/v1/subscriptions/:id/resume',
    handle: (ctx, { id }) => {
      const sub = find(ctx, id!);
      if (sub.status !== 'paused') {
        throw invalidParam(
          'subscription',
          'Only a paused subscription can be resumed.',
          'subscription_not_paused',
        );
      }
      const now = clockNow(ctx, sub.customer as string);
      setPeriod(sub, now);
      const paid = invoicePeriod(ctx, sub, 'subscription_cycle');
      sub.status = paid ? 'active' : 'past_due';
      emit(ctx, 'customer.subscription.resumed', sub, { status: 'paused' });
      return sub;
    },
  },
  {
    method: 'DELETE',
    path: '/v1/subscriptions/:id',
    handle: (ctx, { id }) => {
      const sub = find(ctx, id!);
      if (sub.status === 'canceled') {
        throw invalidParam('subscription', `No such subscription: '${id}'`, 'resource_missing');
      }
      const details = ctx.params.cancellation_details as Record<string, unknown> | undefined;
      if (details && typeof details === 'object') {
        const current = sub.cancellation_details as Record<string, unknown>;
        if (details.comment !== undefined) current.comment = str(details.comment);
        if (details.feedback !== undefined) current.feedback = str(details.feedback);
      }
      const now = clockNow(ctx, sub.customer as string);
      sub.canceled_at = now;
      cancel(ctx, sub, 'cancellation_requested', now);
      return sub;
    },
  },
  {
    method: 'GET',
    path: '/v1/subscriptions',
    handle: (ctx) => {
      const customer = str(ctx.params.customer, 'customer');
      const price = str(ctx.params.price, 'price');
      const status = str(ctx.params.status, 'status');
      return list(ctx.state, ctx.account, RESOURCE, ctx.params, {
        url: '/v1/subscriptions',
        kind: 'subscription',
        where: (s) =>
          (!customer || s.customer === customer) &&
          (!price || itemsOf(s).some((i) => (i.price as StoredObject).id === price)) &&
          (status === 'all' || (status ? s.status === status : s.status !== 'canceled')),
      });
    },
  },
];
