// What a payment paid for when Billing charged it: its invoice (period, reason) and the
// subscription the invoice bills (status, cancellation — when and why — current period), found
// from the charge or PaymentIntent whichever way the API version links them (charge.invoice before
// 2025; invoice.payment_intent; InvoicePayment rows after). One tenant-scoped query on indexes.
import type Stripe from 'stripe';
import type { Queryable } from '../stripe-objects/upsert-objects.ts';
import type { PaymentBilling } from './dispute-contract.ts';

export interface PaymentRefs {
  chargeId: string | null;
  paymentIntentId: string | null;
  /** `invoice` on charges and PaymentIntents of API versions before 2025. */
  legacyInvoiceId: string | null;
  /** When the disputed payment was made (to say whether the cancellation came before it). */
  paidAt: Date | null;
}

interface Row {
  invoice_raw: Stripe.Invoice;
  invoice_id: string;
  invoice_status: string | null;
  billing_reason: string | null;
  period_start: Date | null;
  period_end: Date | null;
  amount_paid: string;
  invoice_currency: string;
  subscription_raw: Stripe.Subscription | null;
  subscription_id: string | null;
  sub_status: string | null;
  cancel_at_period_end: boolean | null;
  cancel_at: Date | null;
  canceled_at: Date | null;
  ended_at: Date | null;
  cancellation_reason: string | null;
  cancellation_feedback: string | null;
  current_period_start: Date | null;
  current_period_end: Date | null;
  trial_end: Date | null;
  sub_created: Date | null;
  product_name: string | null;
  unit_amount: string | null;
  interval: string | null;
  checkout_session_id: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export interface LoadedBilling {
  view: PaymentBilling;
  invoice: Stripe.Invoice;
  subscription: Stripe.Subscription | null;
}

export async function loadPaymentBilling(
  db: Queryable,
  tenantId: string,
  refs: PaymentRefs,
): Promise<LoadedBilling | null> {
  if (!refs.chargeId && !refs.paymentIntentId && !refs.legacyInvoiceId) return null;
  const { rows } = await db.query<Row>(
    `WITH inv AS (
       SELECT i.* FROM invoices i
        WHERE i.tenant_id = $1
          AND (i.stripe_id = $4
               OR i.payment_intent_id = $3
               OR i.charge_id = $2
               OR i.stripe_id IN (SELECT ip.invoice_id FROM invoice_payments ip
                                   WHERE ip.tenant_id = $1 AND (ip.payment_intent_id = $3 OR ip.charge_id = $2)))
        ORDER BY i.stripe_created_at DESC LIMIT 1)
     SELECT inv.raw AS invoice_raw, inv.stripe_id AS invoice_id, inv.status AS invoice_status,
            inv.billing_reason, inv.period_start, inv.period_end, inv.amount_paid,
            inv.currency AS invoice_currency,
            s.raw AS subscription_raw, s.stripe_id AS subscription_id, s.status AS sub_status,
            s.cancel_at_period_end, s.cancel_at, s.canceled_at, s.ended_at, s.cancellation_reason,
            s.cancellation_feedback, s.current_period_start, s.current_period_end, s.trial_end,
            s.stripe_created_at AS sub_created,
            p.name AS product_name, pr.unit_amount, pr.interval,
            (SELECT cs.stripe_id FROM checkout_sessions cs
              WHERE cs.tenant_id = $1 AND (cs.subscription_id = inv.subscription_id OR cs.payment_intent_id = $3)
              ORDER BY cs.stripe_created_at LIMIT 1) AS checkout_session_id
       FROM inv
       LEFT JOIN subscriptions s ON s.tenant_id = $1 AND s.stripe_id = inv.subscription_id
       LEFT JOIN products p ON p.tenant_id = $1 AND p.stripe_id = s.product_id
       LEFT JOIN prices pr ON pr.tenant_id = $1 AND pr.stripe_id = s.price_id`,
    [tenantId, refs.chargeId, refs.paymentIntentId, refs.legacyInvoiceId],
  );
  const r = rows[0];
  if (!r) return null;
  const canceledAt = r.canceled_at;
  return {
    invoice: r.invoice_raw,
    subscription: r.subscription_raw,
    view: {
      invoice: {
        id: r.invoice_id,
        number: r.invoice_raw.number ?? null,
        status: r.invoice_status,
        billingReason: r.billing_reason,
        periodStart: iso(r.period_start),
        periodEnd: iso(r.period_end),
        amountPaid: Number(r.amount_paid),
        currency: r.invoice_currency,
      },
      subscription: r.subscription_id
        ? {
            id: r.subscription_id,
            status: r.sub_status ?? 'unknown',
            product: r.product_name,
            unitAmount: r.unit_amount === null ? null : Number(r.unit_amount),
            interval: r.interval,
            startedAt: iso(r.sub_created),
            cancelAtPeriodEnd: r.cancel_at_period_end ?? false,
            cancelAt: iso(r.cancel_at),
            canceledAt: iso(canceledAt),
            endedAt: iso(r.ended_at),
            cancellationReason: r.cancellation_reason,
            cancellationFeedback: r.cancellation_feedback,
            currentPeriodStart: iso(r.current_period_start),
            currentPeriodEnd: iso(r.current_period_end),
            trialEnd: iso(r.trial_end),
            // The crux of a "canceled subscription" dispute: was this payment taken after the
            // customer canceled? null when it was never canceled or the payment time is unknown.
            canceledBeforePayment:
              canceledAt && refs.paidAt ? canceledAt.getTime() < refs.paidAt.getTime() : null,
          }
        : null,
      checkoutSessionId: r.checkout_session_id,
    },
  };
}

/** The charge and PaymentIntent behind a payment id (either kind), as stored. */
export async function paymentRefs(
  db: Queryable,
  tenantId: string,
  paymentId: string,
): Promise<PaymentRefs> {
  const { rows } = await db.query<{
    charge_id: string | null;
    payment_intent_id: string | null;
    legacy_invoice: string | null;
    paid_at: Date | null;
  }>(
    `SELECT c.stripe_id AS charge_id, coalesce(c.payment_intent_id, p.stripe_id) AS payment_intent_id,
            coalesce(c.raw->>'invoice', p.raw->>'invoice') AS legacy_invoice,
            coalesce(c.stripe_created_at, p.stripe_created_at) AS paid_at
       FROM (SELECT $2::text AS id) q
       LEFT JOIN LATERAL (SELECT * FROM charges c WHERE c.tenant_id = $1
                            AND (c.stripe_id = q.id OR c.payment_intent_id = q.id)
                          ORDER BY c.stripe_created_at DESC LIMIT 1) c ON true
       LEFT JOIN payment_intents p ON p.tenant_id = $1 AND p.stripe_id = coalesce(c.payment_intent_id, q.id)`,
    [tenantId, paymentId],
  );
  const r = rows[0];
  return {
    chargeId: r?.charge_id ?? null,
    paymentIntentId: r?.payment_intent_id ?? null,
    legacyInvoiceId: r?.legacy_invoice ?? null,
    paidAt: r?.paid_at ?? null,
  };
}
