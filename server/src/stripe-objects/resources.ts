// The catalog of normalized Stripe resources: table, typed key columns, and a progression rank
// used to order two snapshots taken in the same second (Stripe timestamps are whole seconds).
// Objects come from any API version (webhook endpoints pin their own; old accounts send old
// shapes): no column may depend on a field that some version lacks. Required columns fall back
// to what the object implies (e.g. `disputed` from an old charge's `dispute`), never to a crash.
import type Stripe from 'stripe';
import { FINAL_STRIPE_STATUSES, normalizeDispute } from '../disputes/normalize-dispute.ts';
import { idOf } from './id-of.ts';

export type SqlType = 'text' | 'bool' | 'int8' | 'int4' | 'timestamptz';

export interface ResourceSpec<T extends { id: string }> {
  table: string;
  /** Typed columns beyond the common ones (tenant_id, stripe_id, livemode, stripe_created_at…). */
  columns: Record<string, SqlType>;
  /** Columns whose existing value survives an update that carries null (derived, filled later). */
  keepExisting?: readonly string[];
  /** SQL for a column on update, instead of EXCLUDED.<column> (`t` is the stored row). */
  onUpdate?: Readonly<Record<string, string>>;
  values: (o: T, snapshotAt: Date) => Record<string, unknown>;
  /** Higher = further along its lifecycle. Only breaks ties between same-second snapshots. */
  rank: (o: T) => number[];
}

const ts = (seconds: number | null | undefined) => (seconds ? new Date(seconds * 1000) : null);
const order = (list: readonly string[], value: string | null | undefined) =>
  list.indexOf(value ?? '') + 1;
const orderId = (m: Stripe.Metadata | null | undefined) => m?.order_id ?? null;
const upper = (currency: string | null | undefined) => (currency ?? '').toUpperCase();
/** Fields that some API versions do not render, read without trusting the type. */
const legacy = <T>(o: object) => o as Partial<T> & Record<string, unknown>;

const dispute: ResourceSpec<Stripe.Dispute> = {
  table: 'disputes',
  columns: {
    charge_id: 'text',
    payment_intent_id: 'text',
    transaction_id: 'text',
    order_id: 'text',
    type: 'text',
    status: 'text',
    stripe_status: 'text',
    reason: 'text',
    network_reason_code: 'text',
    stripe_reason: 'text',
    card_brand: 'text',
    case_type: 'text',
    amount: 'int8',
    currency: 'text',
    challenge_required_by: 'timestamptz',
    evidence_submissions: 'int4',
  },
  // A PaymentIntent found later through the charge (old disputes have none of their own) stays,
  // and the transaction id follows it (Forter's mapping: the pi_ when there is one).
  keepExisting: ['order_id', 'payment_intent_id'],
  onUpdate: {
    transaction_id:
      'COALESCE(EXCLUDED.payment_intent_id, t.payment_intent_id, EXCLUDED.transaction_id)',
  },
  values: (d, snapshotAt) => {
    const n = normalizeDispute(d, snapshotAt);
    return {
      charge_id: n.chargeId,
      payment_intent_id: n.paymentIntentId,
      transaction_id: n.transactionId,
      order_id: n.metadataOrderId,
      type: n.type,
      status: n.status,
      stripe_status: n.stripeStatus,
      reason: n.reason,
      network_reason_code: n.networkReasonCode,
      stripe_reason: n.stripeReason,
      card_brand: n.cardBrand,
      case_type: n.caseType,
      amount: n.amount,
      currency: n.currency,
      challenge_required_by: n.challengeRequiredBy,
      evidence_submissions: n.evidenceSubmissions,
    };
  },
  rank: (d) => [
    order(
      [
        'warning_needs_response',
        'warning_under_review',
        'warning_closed',
        'needs_response',
        'under_review',
        'appeal_needs_response',
        'appeal_under_review',
      ],
      d.status,
    ) || (FINAL_STRIPE_STATUSES.includes(d.status) ? 9 : 0),
    d.evidence_details?.submission_count ?? 0,
  ],
};

const charge: ResourceSpec<Stripe.Charge> = {
  table: 'charges',
  columns: {
    payment_intent_id: 'text',
    customer_id: 'text',
    amount: 'int8',
    amount_refunded: 'int8',
    currency: 'text',
    status: 'text',
    paid: 'bool',
    captured: 'bool',
    refunded: 'bool',
    disputed: 'bool',
    card_brand: 'text',
    card_last4: 'text',
    card_fingerprint: 'text',
    order_id: 'text',
  },
  values: (c) => {
    const old = legacy<Stripe.Charge>(c);
    // Before 2019-10 a charge named its dispute (`dispute`) instead of `disputed`; before 2019-02
    // the card was `source` (and `card` before 2015) instead of payment_method_details.
    const card: {
      brand?: string | null;
      last4?: string | null;
      fingerprint?: string | null;
    } | null =
      c.payment_method_details?.card ??
      (old.source as { brand?: string } | undefined) ??
      (old.card as { brand?: string } | undefined) ??
      null;
    const amount = c.amount ?? 0;
    const refundedAmount = c.amount_refunded ?? 0;
    const status = c.status ?? (c.paid === false ? 'failed' : 'succeeded');
    return {
      payment_intent_id: idOf(c.payment_intent),
      customer_id: idOf(c.customer),
      amount,
      amount_refunded: refundedAmount,
      currency: upper(c.currency),
      status,
      paid: c.paid ?? status === 'succeeded',
      captured: c.captured ?? true,
      refunded: c.refunded ?? (amount > 0 && refundedAmount >= amount),
      disputed: c.disputed ?? old.dispute != null,
      card_brand: card?.brand?.toLowerCase() ?? null,
      card_last4: card?.last4 ?? null,
      card_fingerprint: card?.fingerprint ?? null,
      order_id: orderId(c.metadata),
    };
  },
  rank: (c) => [
    order(['pending', 'failed', 'succeeded'], c.status),
    c.captured ? 1 : 0,
    c.amount_refunded ?? 0,
    c.disputed ? 1 : 0,
  ],
};

const paymentIntent: ResourceSpec<Stripe.PaymentIntent> = {
  table: 'payment_intents',
  columns: {
    customer_id: 'text',
    latest_charge_id: 'text',
    amount: 'int8',
    amount_received: 'int8',
    currency: 'text',
    status: 'text',
    order_id: 'text',
  },
  values: (p) => {
    // Before 2022-11-15 a PaymentIntent listed its charges instead of naming the latest one.
    const charges = legacy<Stripe.PaymentIntent>(p).charges as { data?: Array<{ id: string }> };
    return {
      customer_id: idOf(p.customer),
      latest_charge_id: idOf(p.latest_charge) ?? charges?.data?.[0]?.id ?? null,
      amount: p.amount ?? 0,
      amount_received: p.amount_received ?? 0,
      currency: upper(p.currency),
      status: p.status ?? 'requires_payment_method',
      order_id: orderId(p.metadata),
    };
  },
  rank: (p) => [
    order(
      [
        'requires_payment_method',
        'requires_confirmation',
        'requires_action',
        'processing',
        'requires_capture',
      ],
      p.status,
    ) || (p.status === 'canceled' || p.status === 'succeeded' ? 9 : 0),
    p.amount_received ?? 0,
  ],
};

const refund: ResourceSpec<Stripe.Refund> = {
  table: 'refunds',
  columns: {
    charge_id: 'text',
    payment_intent_id: 'text',
    amount: 'int8',
    currency: 'text',
    status: 'text',
    reason: 'text',
  },
  values: (r) => ({
    charge_id: idOf(r.charge),
    payment_intent_id: idOf(r.payment_intent),
    amount: r.amount ?? 0,
    currency: upper(r.currency),
    status: r.status ?? 'succeeded', // refunds had no status before 2016
    reason: r.reason,
  }),
  rank: (r) => [r.status === 'pending' || r.status === 'requires_action' ? 1 : r.status ? 2 : 0],
};

const payout: ResourceSpec<Stripe.Payout> = {
  table: 'payouts',
  columns: {
    amount: 'int8',
    currency: 'text',
    status: 'text',
    method: 'text',
    arrival_date: 'timestamptz',
  },
  values: (p) => ({
    amount: p.amount ?? 0,
    currency: upper(p.currency),
    status: p.status ?? 'paid',
    method: p.method ?? 'standard',
    arrival_date: ts(p.arrival_date),
  }),
  rank: (p) => [order(['pending', 'in_transit'], p.status) || 9],
};

const balanceTransaction: ResourceSpec<Stripe.BalanceTransaction> = {
  table: 'balance_transactions',
  columns: {
    amount: 'int8',
    fee: 'int8',
    net: 'int8',
    currency: 'text',
    type: 'text',
    reporting_category: 'text',
    source_id: 'text',
    status: 'text',
    available_on: 'timestamptz',
  },
  values: (b) => ({
    amount: b.amount ?? 0,
    fee: b.fee ?? 0,
    net: b.net ?? (b.amount ?? 0) - (b.fee ?? 0),
    currency: upper(b.currency),
    type: b.type ?? 'adjustment',
    reporting_category: b.reporting_category ?? null, // added in 2018
    status: b.status ?? 'available',
    source_id: idOf(b.source),
    available_on: ts(b.available_on),
  }),
  rank: (b) => [order(['pending', 'available'], b.status)],
};

const earlyFraudWarning: ResourceSpec<Stripe.Radar.EarlyFraudWarning> = {
  table: 'early_fraud_warnings',
  columns: { charge_id: 'text', payment_intent_id: 'text', fraud_type: 'text', actionable: 'bool' },
  values: (w) => ({
    charge_id: idOf(w.charge),
    payment_intent_id: idOf(w.payment_intent ?? null),
    fraud_type: w.fraud_type ?? 'unknown',
    actionable: w.actionable ?? true,
  }),
  // A warning only ever stops being actionable (refunded or disputed).
  rank: (w) => [w.actionable ? 0 : 1],
};

type CustomerLike = Stripe.Customer | (Stripe.DeletedCustomer & { created?: number });
const customer: ResourceSpec<CustomerLike> = {
  table: 'customers',
  columns: { email: 'text', name: 'text', deleted: 'bool' },
  values: (c) =>
    'deleted' in c && c.deleted
      ? { email: null, name: null, deleted: true }
      : { email: c.email, name: c.name ?? null, deleted: false },
  rank: (c) => ['deleted' in c && c.deleted ? 1 : 0],
};

/** The subscription an invoice bills, in every API version's shape. */
export function invoiceSubscriptionId(i: Stripe.Invoice): string | null {
  const old = legacy<Stripe.Invoice>(i);
  return (
    idOf(old.subscription as string | { id: string } | null | undefined) ??
    idOf(i.parent?.subscription_details?.subscription) ??
    null
  );
}

/** The PaymentIntent that paid an invoice: `payment_intent` (old) or its default payment (new). */
export function invoicePaymentIntentId(i: Stripe.Invoice): string | null {
  const old = legacy<Stripe.Invoice>(i);
  const direct = idOf(old.payment_intent as string | { id: string } | null | undefined);
  if (direct) return direct;
  const payments = i.payments?.data ?? [];
  const paid = payments.find((p) => p.status === 'paid') ?? payments[0];
  return idOf(paid?.payment?.payment_intent) ?? null;
}

const invoice: ResourceSpec<Stripe.Invoice> = {
  table: 'invoices',
  columns: {
    customer_id: 'text',
    status: 'text',
    amount_due: 'int8',
    amount_paid: 'int8',
    currency: 'text',
    subscription_id: 'text',
    payment_intent_id: 'text',
    charge_id: 'text',
    billing_reason: 'text',
    period_start: 'timestamptz',
    period_end: 'timestamptz',
  },
  // A payment link read from one snapshot stays when a later one (another API version) lacks it.
  keepExisting: ['payment_intent_id', 'charge_id'],
  values: (i) => {
    // amount_due / amount_paid arrived in 2018; older invoices have total and paid.
    const old = legacy<Stripe.Invoice>(i);
    const total = typeof old.total === 'number' ? old.total : 0;
    return {
      customer_id: idOf(i.customer),
      status: i.status ?? null,
      amount_due: i.amount_due ?? total,
      amount_paid: i.amount_paid ?? (old.paid === true ? total : 0),
      currency: upper(i.currency),
      subscription_id: invoiceSubscriptionId(i),
      payment_intent_id: invoicePaymentIntentId(i),
      charge_id: idOf(old.charge as string | { id: string } | null | undefined) ?? null,
      billing_reason: i.billing_reason ?? null,
      period_start: ts(i.period_start),
      period_end: ts(i.period_end),
    };
  },
  rank: (i) => [order(['draft', 'open'], i.status) || (i.status ? 9 : 0), i.amount_paid ?? 0],
};

const invoicePayment: ResourceSpec<Stripe.InvoicePayment> = {
  table: 'invoice_payments',
  columns: { invoice_id: 'text', payment_intent_id: 'text', charge_id: 'text', status: 'text' },
  values: (p) => ({
    invoice_id: idOf(p.invoice) ?? '',
    payment_intent_id: idOf(p.payment?.payment_intent) ?? null,
    charge_id: idOf(p.payment?.charge) ?? null,
    status: p.status ?? null,
  }),
  rank: (p) => [order(['open', 'paid', 'canceled'], p.status)],
};

const SUBSCRIPTION_PROGRESS = ['incomplete', 'trialing', 'active', 'past_due', 'unpaid', 'paused'];
const ENDED = ['canceled', 'incomplete_expired'];

/** The current period: on the items since 2025, on the subscription before. */
function subscriptionPeriod(s: Stripe.Subscription) {
  const old = legacy<{ current_period_start: number; current_period_end: number }>(s);
  const item = s.items?.data?.[0];
  return {
    start: item?.current_period_start ?? old.current_period_start ?? null,
    end: item?.current_period_end ?? old.current_period_end ?? null,
  };
}

const subscription: ResourceSpec<Stripe.Subscription> = {
  table: 'subscriptions',
  columns: {
    customer_id: 'text',
    status: 'text',
    price_id: 'text',
    product_id: 'text',
    currency: 'text',
    cancel_at_period_end: 'bool',
    cancel_at: 'timestamptz',
    canceled_at: 'timestamptz',
    ended_at: 'timestamptz',
    cancellation_reason: 'text',
    cancellation_feedback: 'text',
    current_period_start: 'timestamptz',
    current_period_end: 'timestamptz',
    trial_end: 'timestamptz',
  },
  values: (s) => {
    const price = s.items?.data?.[0]?.price;
    const old = legacy<{ plan: { id: string; product: string | { id: string } } | null }>(s);
    const period = subscriptionPeriod(s);
    return {
      customer_id: idOf(s.customer),
      status: s.status ?? 'active',
      price_id: price?.id ?? old.plan?.id ?? null,
      product_id: idOf(price?.product) ?? idOf(old.plan?.product) ?? null,
      currency: s.currency ? upper(s.currency) : null,
      cancel_at_period_end: s.cancel_at_period_end ?? false,
      cancel_at: ts(s.cancel_at),
      canceled_at: ts(s.canceled_at),
      ended_at: ts(s.ended_at),
      cancellation_reason: s.cancellation_details?.reason ?? null,
      cancellation_feedback: s.cancellation_details?.feedback ?? null,
      current_period_start: ts(period.start),
      current_period_end: ts(period.end),
      trial_end: ts(s.trial_end),
    };
  },
  rank: (s) => [
    ENDED.includes(s.status) ? 9 : order(SUBSCRIPTION_PROGRESS, s.status),
    s.canceled_at ?? 0,
  ],
};

const checkoutSession: ResourceSpec<Stripe.Checkout.Session> = {
  table: 'checkout_sessions',
  columns: {
    customer_id: 'text',
    payment_intent_id: 'text',
    subscription_id: 'text',
    mode: 'text',
    status: 'text',
    payment_status: 'text',
    amount_total: 'int8',
    currency: 'text',
  },
  values: (c) => ({
    customer_id: idOf(c.customer),
    payment_intent_id: idOf(c.payment_intent),
    subscription_id: idOf(c.subscription),
    mode: c.mode ?? 'payment',
    status: c.status ?? null,
    payment_status: c.payment_status ?? null,
    amount_total: c.amount_total ?? null,
    currency: c.currency ? upper(c.currency) : null,
  }),
  rank: (c) => [
    order(['open', 'complete', 'expired'], c.status),
    order(['unpaid', 'no_payment_required', 'paid'], c.payment_status),
  ],
};

const product: ResourceSpec<Stripe.Product> = {
  table: 'products',
  columns: { name: 'text', active: 'bool', deleted: 'bool' },
  values: (p) =>
    'deleted' in p && p.deleted
      ? { name: null, active: false, deleted: true }
      : { name: p.name ?? null, active: p.active ?? true, deleted: false },
  rank: (p) => ['deleted' in p && p.deleted ? 1 : 0],
};

const price: ResourceSpec<Stripe.Price> = {
  table: 'prices',
  columns: {
    product_id: 'text',
    active: 'bool',
    type: 'text',
    unit_amount: 'int8',
    currency: 'text',
    interval: 'text',
  },
  values: (p) => {
    // A plan (older Billing) is a recurring price: `amount` and `interval` on the object.
    const plan = legacy<Stripe.Plan>(p);
    const interval = p.recurring?.interval ?? plan.interval ?? null;
    return {
      product_id: idOf(p.product),
      active: p.active ?? true,
      type: p.type ?? (interval ? 'recurring' : 'one_time'),
      unit_amount: p.unit_amount ?? plan.amount ?? null,
      currency: p.currency ? upper(p.currency) : null,
      interval,
    };
  },
  rank: () => [0],
};

const paymentMethod: ResourceSpec<Stripe.PaymentMethod> = {
  table: 'payment_methods',
  columns: { customer_id: 'text', type: 'text', card_brand: 'text', card_last4: 'text' },
  values: (p) => ({
    customer_id: idOf(p.customer),
    type: p.type ?? 'card',
    card_brand: p.card?.brand ?? null,
    card_last4: p.card?.last4 ?? null,
  }),
  rank: () => [0],
};

export const RESOURCES = {
  dispute,
  charge,
  payment_intent: paymentIntent,
  refund,
  payout,
  balance_transaction: balanceTransaction,
  early_fraud_warning: earlyFraudWarning,
  customer,
  invoice,
  payment_method: paymentMethod,
  invoice_payment: invoicePayment,
  subscription,
  checkout_session: checkoutSession,
  product,
  price,
} as const;

export type ResourceName = keyof typeof RESOURCES;

/** Stripe's `object` field → our resource (the EFW object is `radar.early_fraud_warning`). */
export const RESOURCE_BY_OBJECT: Record<string, ResourceName> = {
  dispute: 'dispute',
  charge: 'charge',
  payment_intent: 'payment_intent',
  refund: 'refund',
  payout: 'payout',
  balance_transaction: 'balance_transaction',
  'radar.early_fraud_warning': 'early_fraud_warning',
  customer: 'customer',
  invoice: 'invoice',
  payment_method: 'payment_method',
  invoice_payment: 'invoice_payment',
  subscription: 'subscription',
  'checkout.session': 'checkout_session',
  product: 'product',
  price: 'price',
  plan: 'price',
};
