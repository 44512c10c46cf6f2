// Stripe-shaped fixtures, typed against the `stripe` package so a field Stripe requires cannot
// be forgotten. Every builder takes overrides; ids are unique per call.
import type Stripe from 'stripe';
import { nowSeconds, stripeId } from './ids.ts';

export const API_VERSION = '2026-10-28.endive';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> | T[K] : T[K] };

export const emptyEvidence = (): Stripe.Dispute.Evidence => ({
  access_activity_log: null,
  billing_address: null,
  cancellation_policy: null,
  cancellation_policy_disclosure: null,
  cancellation_rebuttal: null,
  customer_communication: null,
  customer_email_address: null,
  customer_name: null,
  customer_purchase_ip: null,
  customer_signature: null,
  duplicate_charge_documentation: null,
  duplicate_charge_explanation: null,
  duplicate_charge_id: null,
  enhanced_evidence: {},
  product_description: null,
  receipt: null,
  refund_policy: null,
  refund_policy_disclosure: null,
  refund_refusal_explanation: null,
  service_date: null,
  service_documentation: null,
  shipping_address: null,
  shipping_carrier: null,
  shipping_date: null,
  shipping_documentation: null,
  shipping_tracking_number: null,
  uncategorized_file: null,
  uncategorized_text: null,
});

export interface DisputeOptions {
  status?: Stripe.Dispute.Status;
  reason?: string;
  brand?: string;
  networkReasonCode?: string | null;
  caseType?: Stripe.Dispute.PaymentMethodDetails.Card.CaseType;
  dueBy?: number;
  submissionCount?: number;
  charge?: string;
  paymentIntent?: string | null;
  amount?: number;
  currency?: string;
  created?: number;
  livemode?: boolean;
  metadata?: Record<string, string>;
  id?: string;
}

export function dispute(o: DisputeOptions = {}): Stripe.Dispute {
  const created = o.created ?? nowSeconds() - 3600;
  return {
    id: o.id ?? stripeId('du'),
    object: 'dispute',
    amount: o.amount ?? 2500,
    balance_transactions: [],
    charge: o.charge ?? stripeId('ch'),
    created,
    currency: o.currency ?? 'usd',
    enhanced_eligibility_types: [],
    evidence: emptyEvidence(),
    evidence_details: {
      due_by: o.dueBy === undefined ? created + 7 * 86400 : o.dueBy,
      enhanced_eligibility: {},
      has_evidence: (o.submissionCount ?? 0) > 0,
      past_due: false,
      submission_count: o.submissionCount ?? 0,
      submission_method: 'not_submitted',
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: o.livemode ?? false,
    metadata: o.metadata ?? {},
    network_reason_code: o.networkReasonCode ?? null,
    payment_intent: o.paymentIntent === undefined ? stripeId('pi') : o.paymentIntent,
    payment_method_details: {
      card: {
        brand: o.brand ?? 'visa',
        case_type: o.caseType ?? 'chargeback',
        network: o.brand ?? 'visa',
        network_reason_code: o.networkReasonCode ?? null,
      },
      type: 'card',
    },
    reason: o.reason ?? 'fraudulent',
    status: o.status ?? 'needs_response',
  };
}

export function charge(o: DeepPartial<Stripe.Charge> = {}): Stripe.Charge {
  const base: Stripe.Charge = {
    id: stripeId('ch'),
    object: 'charge',
    amount: 2500,
    amount_captured: 2500,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: stripeId('txn'),
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: 'DISPUTEDESK',
    captured: true,
    created: nowSeconds() - 7200,
    currency: 'usd',
    customer: null,
    description: null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: null,
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: null,
    paid: true,
    payment_intent: stripeId('pi'),
    payment_method: stripeId('pm'),
    payment_method_details: null,
    presentment_details: undefined,
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
  return { ...base, ...(o as Partial<Stripe.Charge>) };
}

export function paymentIntent(o: Partial<Stripe.PaymentIntent> = {}): Stripe.PaymentIntent {
  const base: Stripe.PaymentIntent = {
    id: stripeId('pi'),
    object: 'payment_intent',
    allowed_payment_method_types: null,
    customer_account: null,
    managed_payments: null,
    payment_record: null,
    amount: 2500,
    amount_capturable: 0,
    amount_received: 2500,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: null,
    confirmation_method: 'automatic',
    created: nowSeconds() - 7200,
    currency: 'usd',
    customer: null,
    description: null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: {},
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: null,
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
  return { ...base, ...o };
}

export function refund(o: Partial<Stripe.Refund> = {}): Stripe.Refund {
  return {
    id: stripeId('re'),
    object: 'refund',
    amount: 1000,
    balance_transaction: null,
    charge: stripeId('ch'),
    created: nowSeconds() - 600,
    currency: 'usd',
    customer: null,
    customer_account: null,
    metadata: {},
    payment_intent: null,
    payment_method: null,
    reason: 'requested_by_customer',
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
    ...o,
  };
}

export function payout(o: Partial<Stripe.Payout> = {}): Stripe.Payout {
  return {
    id: stripeId('po'),
    object: 'payout',
    amount: 100000,
    application_fee: null,
    application_fee_amount: null,
    arrival_date: nowSeconds() + 86400,
    automatic: true,
    balance_transaction: null,
    created: nowSeconds() - 600,
    currency: 'usd',
    description: null,
    destination: null,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: {},
    method: 'standard',
    original_payout: null,
    payout_method: null,
    reconciliation_status: 'not_applicable',
    reversed_by: null,
    source_type: 'card',
    statement_descriptor: null,
    status: 'pending',
    trace_id: null,
    type: 'bank_account',
    ...o,
  };
}

export function earlyFraudWarning(
  o: Partial<Stripe.Radar.EarlyFraudWarning> = {},
): Stripe.Radar.EarlyFraudWarning {
  return {
    id: stripeId('issfr'),
    object: 'radar.early_fraud_warning',
    actionable: true,
    charge: stripeId('ch'),
    created: nowSeconds() - 600,
    fraud_type: 'made_with_stolen_card',
    livemode: false,
    payment_intent: stripeId('pi'),
    ...o,
  };
}

export function customer(o: Partial<Stripe.Customer> = {}): Stripe.Customer {
  const base: Stripe.Customer = {
    id: stripeId('cus'),
    object: 'customer',
    balance: 0,
    created: nowSeconds() - 86400,
    default_source: null,
    description: null,
    email: 'jenny@example.com',
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: {},
    name: 'Jenny Rosen',
    shipping: null,
  };
  return { ...base, ...o };
}

type ObjectOf = { id: string; object: string; livemode?: boolean };

/** An event as Stripe sends it; `account` makes it a Connect event. */
export function event<T extends ObjectOf>(
  type: string,
  object: T,
  o: { account?: string; created?: number; id?: string; livemode?: boolean } = {},
): Stripe.Event {
  return {
    id: o.id ?? stripeId('evt'),
    object: 'event',
    api_version: API_VERSION,
    created: o.created ?? nowSeconds(),
    data: { object },
    livemode: o.livemode ?? object.livemode ?? false,
    pending_webhooks: 1,
    request: { id: stripeId('req'), idempotency_key: null },
    type,
    ...(o.account ? { account: o.account } : {}),
  } as unknown as Stripe.Event;
}
