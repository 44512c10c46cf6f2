// Stripe objects as Stripe really renders them at different API versions — not as our emulator
// does. The 2022–2023 shapes follow the published fixtures (stripe/openapi `openapi/fixtures3.json`
// of that time: a dispute with `payment_intent: null` and no payment_method_details, a
// PaymentIntent event at 2022-11-15 carrying its client_secret); older shapes apply the documented
// API upgrades backwards (charges named `dispute` before `disputed`, carried the card as `source`
// before payment_method_details, PaymentIntents listed `charges` before `latest_charge`, disputes
// had `balance_transaction` and could be `charge_refunded`). Ids and amounts are fresh per call.
import { emptyEvidence } from './fixtures.ts';
import { nowSeconds, stripeId } from './ids.ts';

type Json = Record<string, unknown>;

export interface Shape {
  apiVersion: string;
  type: string;
  object: Json & { id: string; object: string };
}

const card = (brand = 'Visa') => ({
  id: stripeId('card'),
  object: 'card',
  brand,
  country: 'US',
  cvc_check: 'pass',
  exp_month: 8,
  exp_year: 2024,
  fingerprint: 'J21EyCt2DJaVH6H0',
  funding: 'credit',
  last4: '4242',
  metadata: {},
  name: 'Jenny Rosen',
});

/** A charge at 2019-08-14 or earlier: `dispute` (id or null), `source` card, no `disputed`. */
export function charge2019(o: { disputeId?: string | null; orderId?: string } = {}) {
  const id = stripeId('ch');
  return {
    id,
    object: 'charge',
    amount: 2000,
    amount_refunded: 0,
    application_fee: null,
    balance_transaction: stripeId('txn'),
    captured: true,
    created: nowSeconds() - 3600,
    currency: 'usd',
    customer: null,
    description: 'Old charge',
    dispute: o.disputeId ?? null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    invoice: null,
    livemode: false,
    metadata: o.orderId ? { order_id: o.orderId } : {},
    outcome: { network_status: 'approved_by_network', type: 'authorized' },
    paid: true,
    receipt_email: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
    shipping: null,
    source: card(),
    status: 'succeeded',
  };
}

/** A charge at 2023 (fixtures3): payment_method_details, `disputed`, a PaymentIntent. */
export function charge2023(o: { paymentIntentId?: string | null; disputed?: boolean } = {}) {
  const id = stripeId('ch');
  return {
    id,
    object: 'charge',
    amount: 100,
    amount_captured: 100,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: stripeId('txn'),
    billing_details: {
      address: {
        city: null,
        country: null,
        line1: null,
        line2: null,
        postal_code: null,
        state: null,
      },
      email: null,
      name: 'Jenny Rosen',
      phone: null,
    },
    calculated_statement_descriptor: null,
    captured: true,
    created: nowSeconds() - 3600,
    currency: 'usd',
    customer: null,
    description: 'My First Test Charge (created for API docs)',
    disputed: o.disputed ?? false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    invoice: null,
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: null,
    paid: true,
    payment_intent: o.paymentIntentId === undefined ? stripeId('pi') : o.paymentIntentId,
    payment_method: stripeId('card'),
    payment_method_details: {
      card: {
        brand: 'visa',
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
        country: 'US',
        exp_month: 8,
        exp_year: 2024,
        fingerprint: 'J21EyCt2DJaVH6H0',
        funding: 'credit',
        installments: null,
        last4: '4242',
        mandate: null,
        network: 'visa',
        three_d_secure: null,
        wallet: null,
      },
      type: 'card',
    },
    receipt_email: null,
    receipt_number: null,
    refunded: false,
    refunds: { data: [], has_more: false, object: 'list', url: `/v1/charges/${id}/refunds` },
    review: null,
    shipping: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}

/** Every evidence field empty; versions before 2022 had no `enhanced_evidence`. */
const evidence = () => {
  const { enhanced_evidence: _newer, ...fields } = emptyEvidence();
  return fields;
};

/** A dispute as fixtures3 (2023) renders it: `payment_intent: null`, no payment_method_details. */
export function dispute2023(o: { charge: string | Json; status?: string; reason?: string }) {
  return {
    id: stripeId('dp'),
    object: 'dispute',
    amount: 1000,
    balance_transactions: [],
    charge: o.charge,
    created: nowSeconds() - 600,
    currency: 'usd',
    evidence: evidence(),
    evidence_details: {
      due_by: nowSeconds() + 7 * 86400,
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: true,
    livemode: false,
    metadata: {},
    payment_intent: null,
    reason: o.reason ?? 'general',
    status: o.status ?? 'warning_needs_response',
  };
}

/**
 * A dispute of an older API version (before 2019): no `payment_intent` field at all,
 * `balance_transaction` (singular), the network's reason code at the top level, and statuses
 * such as `charge_refunded` that newer versions no longer use.
 */
export function dispute2017(o: { charge: string; status: string; networkReasonCode?: string }) {
  return {
    id: stripeId('dp'),
    object: 'dispute',
    amount: 2000,
    balance_transaction: stripeId('txn'),
    charge: o.charge,
    created: nowSeconds() - 600,
    currency: 'usd',
    evidence: evidence(),
    evidence_details: {
      due_by: nowSeconds() + 5 * 86400,
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    network_reason_code: o.networkReasonCode ?? '4837',
    reason: 'fraudulent',
    status: o.status,
  };
}

/** A 2026 dispute: payment_method_details.card with case type and reason code, CE3.0 eligibility. */
export function dispute2026(o: { charge: string; paymentIntent: string }) {
  return {
    ...dispute2023({ charge: o.charge, status: 'needs_response', reason: 'fraudulent' }),
    payment_intent: o.paymentIntent,
    enhanced_eligibility_types: ['visa_compelling_evidence_3'],
    evidence_details: {
      due_by: nowSeconds() + 7 * 86400,
      enhanced_eligibility: {
        visa_compelling_evidence_3: {
          required_actions: ['missing_prior_undisputed_transactions'],
          status: 'requires_action',
        },
      },
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    payment_method_details: {
      card: { brand: 'visa', case_type: 'chargeback', network_reason_code: '10.4' },
      type: 'card',
    },
  };
}

/** A PaymentIntent at 2022-11-15, as in fixtures3's event (client_secret and latest_charge). */
export function paymentIntent2022(o: { orderId?: string } = {}) {
  const id = stripeId('pi');
  return {
    id,
    object: 'payment_intent',
    amount: 1099,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 1099,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: `${id}_secret_cNX47t3aloK4vIY9LI1LLX2ry`,
    confirmation_method: 'automatic',
    created: nowSeconds() - 3600,
    currency: 'usd',
    customer: null,
    description: null,
    invoice: null,
    last_payment_error: null,
    latest_charge: stripeId('ch'),
    livemode: false,
    metadata: o.orderId ? { order_id: o.orderId } : {},
    next_action: null,
    on_behalf_of: null,
    payment_method: stripeId('pm'),
    payment_method_options: {},
    payment_method_types: ['card'],
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}

/** Before 2022-11-15: `charges` listed on the PaymentIntent, no `latest_charge`. */
export function paymentIntent2020() {
  const pi = paymentIntent2022();
  const { latest_charge: _gone, ...rest } = pi;
  const chargeId = stripeId('ch');
  return {
    ...rest,
    charges: {
      object: 'list',
      data: [{ ...charge2023({ paymentIntentId: pi.id }), id: chargeId }],
      has_more: false,
      url: `/v1/charges?payment_intent=${pi.id}`,
    },
    chargeId,
  };
}

/**
 * The least any version renders of each resource we store: id, object, created, livemode (and
 * what no version omits, amount and currency where the resource has money). Nothing else may be
 * required to store a row.
 */
export function minimalObjects(): Array<{
  type: string;
  object: Json & { id: string; object: string };
}> {
  const base = (prefix: string, object: string, extra: Json = {}) => ({
    id: stripeId(prefix),
    object,
    created: nowSeconds() - 60,
    livemode: false,
    ...extra,
  });
  const money = { amount: 500, currency: 'eur' };
  return [
    { type: 'charge.succeeded', object: base('ch', 'charge', money) },
    {
      type: 'charge.dispute.created',
      object: base('dp', 'dispute', { ...money, charge: stripeId('ch') }),
    },
    { type: 'payment_intent.created', object: base('pi', 'payment_intent', money) },
    { type: 'charge.refund.updated', object: base('re', 'refund', money) },
    { type: 'payout.created', object: base('po', 'payout', money) },
    {
      type: 'radar.early_fraud_warning.created',
      object: base('issfr', 'radar.early_fraud_warning', { charge: stripeId('ch') }),
    },
    { type: 'customer.created', object: base('cus', 'customer') },
    { type: 'invoice.created', object: base('in', 'invoice', { currency: 'eur' }) },
    { type: 'payment_method.attached', object: base('pm', 'payment_method') },
    { type: 'customer.subscription.created', object: base('sub', 'subscription') },
    { type: 'checkout.session.completed', object: base('cs_test', 'checkout.session') },
    { type: 'product.created', object: base('prod', 'product') },
    { type: 'price.created', object: base('price', 'price') },
    { type: 'invoice_payment.paid', object: base('inpay', 'invoice_payment') },
  ];
}

/**
 * Billing as API versions before 2025 render it (2019-12-03): the period and `plan` on the
 * subscription, the invoice naming its subscription, charge and PaymentIntent, and the charge
 * naming its invoice.
 */
export function billing2019() {
  const created = nowSeconds() - 40 * 86_400;
  const ids = {
    customer: stripeId('cus'),
    product: stripeId('prod'),
    plan: stripeId('plan'),
    subscription: stripeId('sub'),
    invoice: stripeId('in'),
    charge: stripeId('ch'),
    intent: stripeId('pi'),
  };
  const plan = {
    id: ids.plan,
    object: 'plan',
    active: true,
    amount: 1900,
    currency: 'usd',
    interval: 'month',
    interval_count: 1,
    product: ids.product,
    created,
    livemode: false,
  };
  const subscription = {
    id: ids.subscription,
    object: 'subscription',
    cancel_at_period_end: false,
    canceled_at: created + 20 * 86_400,
    created,
    current_period_end: created + 30 * 86_400,
    current_period_start: created,
    customer: ids.customer,
    ended_at: created + 20 * 86_400,
    items: {
      object: 'list',
      data: [{ id: stripeId('si'), object: 'subscription_item', plan, quantity: 1 }],
    },
    livemode: false,
    plan,
    quantity: 1,
    start: created,
    status: 'canceled',
  };
  const invoice = {
    id: ids.invoice,
    object: 'invoice',
    amount_due: 1900,
    amount_paid: 1900,
    billing_reason: 'subscription_create',
    charge: ids.charge,
    created,
    currency: 'usd',
    customer: ids.customer,
    livemode: false,
    paid: true,
    payment_intent: ids.intent,
    period_end: created,
    period_start: created,
    status: 'paid',
    subscription: ids.subscription,
    total: 1900,
  };
  const charge = {
    id: ids.charge,
    object: 'charge',
    amount: 1900,
    amount_refunded: 0,
    captured: true,
    created,
    currency: 'usd',
    customer: ids.customer,
    invoice: ids.invoice,
    livemode: false,
    paid: true,
    payment_intent: ids.intent,
    refunded: false,
    status: 'succeeded',
  };
  return { ids, plan, subscription, invoice, charge };
}
