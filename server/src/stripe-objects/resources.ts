// The catalog of normalized Stripe resources: table, typed key columns, and a progression rank
// used to order two snapshots taken in the same second (Stripe timestamps are whole seconds).
import type Stripe from 'stripe';
import { normalizeDispute } from '../disputes/normalize-dispute.ts';

export type SqlType = 'text' | 'bool' | 'int8' | 'int4' | 'timestamptz';

export interface ResourceSpec<T extends { id: string }> {
  table: string;
  /** Typed columns beyond the common ones (tenant_id, stripe_id, livemode, stripe_created_at…). */
  columns: Record<string, SqlType>;
  /** Columns whose existing value survives an update that carries null (derived, filled later). */
  keepExisting?: readonly string[];
  values: (o: T, snapshotAt: Date) => Record<string, unknown>;
  /** Higher = further along its lifecycle. Only breaks ties between same-second snapshots. */
  rank: (o: T) => number[];
}

const idOf = (v: string | { id: string } | null | undefined): string | null =>
  v == null ? null : typeof v === 'string' ? v : v.id;
const ts = (seconds: number | null | undefined) => (seconds ? new Date(seconds * 1000) : null);
const order = (list: readonly string[], value: string | null | undefined) =>
  list.indexOf(value ?? '') + 1;
const orderId = (m: Stripe.Metadata | null | undefined) => m?.order_id ?? null;

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
  keepExisting: ['order_id'],
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
    ) || (['won', 'lost', 'prevented'].includes(d.status) ? 9 : 0),
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
    order_id: 'text',
  },
  values: (c) => ({
    payment_intent_id: idOf(c.payment_intent),
    customer_id: idOf(c.customer),
    amount: c.amount,
    amount_refunded: c.amount_refunded,
    currency: c.currency.toUpperCase(),
    status: c.status,
    paid: c.paid,
    captured: c.captured,
    refunded: c.refunded,
    disputed: c.disputed,
    card_brand: c.payment_method_details?.card?.brand ?? null,
    card_last4: c.payment_method_details?.card?.last4 ?? null,
    order_id: orderId(c.metadata),
  }),
  rank: (c) => [
    order(['pending', 'failed', 'succeeded'], c.status),
    c.captured ? 1 : 0,
    c.amount_refunded,
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
  values: (p) => ({
    customer_id: idOf(p.customer),
    latest_charge_id: idOf(p.latest_charge),
    amount: p.amount,
    amount_received: p.amount_received,
    currency: p.currency.toUpperCase(),
    status: p.status,
    order_id: orderId(p.metadata),
  }),
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
    p.amount_received,
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
    amount: r.amount,
    currency: r.currency.toUpperCase(),
    status: r.status,
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
    amount: p.amount,
    currency: p.currency.toUpperCase(),
    status: p.status,
    method: p.method,
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
    amount: b.amount,
    fee: b.fee,
    net: b.net,
    currency: b.currency.toUpperCase(),
    type: b.type,
    reporting_category: b.reporting_category,
    source_id: idOf(b.source),
    status: b.status,
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
    fraud_type: w.fraud_type,
    actionable: w.actionable,
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

const invoice: ResourceSpec<Stripe.Invoice> = {
  table: 'invoices',
  columns: {
    customer_id: 'text',
    status: 'text',
    amount_due: 'int8',
    amount_paid: 'int8',
    currency: 'text',
  },
  values: (i) => ({
    customer_id: idOf(i.customer),
    status: i.status,
    amount_due: i.amount_due,
    amount_paid: i.amount_paid,
    currency: i.currency.toUpperCase(),
  }),
  rank: (i) => [order(['draft', 'open'], i.status) || (i.status ? 9 : 0), i.amount_paid],
};

const paymentMethod: ResourceSpec<Stripe.PaymentMethod> = {
  table: 'payment_methods',
  columns: { customer_id: 'text', type: 'text', card_brand: 'text', card_last4: 'text' },
  values: (p) => ({
    customer_id: idOf(p.customer),
    type: p.type,
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
};
