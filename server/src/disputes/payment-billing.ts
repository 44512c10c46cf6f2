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
  const [billing] = await loadPaymentBillings(db, [{ tenantId, ...refs }]);
  return billing ?? null;
}

/**
 * The billing behind many payments of any tenants in one statement (a new batch's disputes):
 * the result is aligned with `payments`, null where Billing did not charge it.
 */
export async function loadPaymentBillings(
  db: Queryable,
  payments: ReadonlyArray<PaymentRefs & { tenantId: string }>,
): Promise<Array<LoadedBilling | null>> {
  const result: Array<LoadedBilling | null> = payments.map(() => null);
  const asked = payments
    .map((p, i) => ({ ...p, i }))
    .filter((p) => p.chargeId || p.paymentIntentId || p.legacyInvoiceId);
  if (asked.length === 0) return result;
  const { rows } = await db.query<Row & { i: number }>({
    name: 'payment-billings',
    text: `SELECT k.i, inv.raw AS invoice_raw, inv.stripe_id AS invoice_id, inv.status AS invoice_status,
            inv.billing_reason, inv.period_start, inv.period_end, inv.amount_paid,
            inv.currency AS invoice_currency,
            s.raw AS subscription_raw, s.stripe_id AS subscription_id, s.status AS sub_status,
            s.cancel_at_period_end, s.cancel_at, s.canceled_at, s.ended_at, s.cancellation_reason,
            s.cancellation_feedback, s.current_period_start, s.current_period_end, s.trial_end,
            s.stripe_created_at AS sub_created,
            p.name AS product_name, pr.unit_amount, pr.interval,
            (SELECT cs.stripe_id FROM checkout_sessions cs
              WHERE cs.tenant_id = k.tenant_id
                AND (cs.subscription_id = inv.subscription_id OR cs.payment_intent_id = k.payment_intent_id)
              ORDER BY cs.stripe_created_at LIMIT 1) AS checkout_session_id
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[])
              AS k(tenant_id, charge_id, payment_intent_id, legacy_invoice_id, i)
       JOIN LATERAL (
         SELECT i.* FROM invoices i
          WHERE i.tenant_id = k.tenant_id
            AND (i.stripe_id = k.legacy_invoice_id
                 OR i.payment_intent_id = k.payment_intent_id
                 OR i.charge_id = k.charge_id
                 OR i.stripe_id IN (SELECT ip.invoice_id FROM invoice_payments ip
                                     WHERE ip.tenant_id = k.tenant_id
                                       AND (ip.payment_intent_id = k.payment_intent_id OR ip.charge_id = k.charge_id)))
          ORDER BY i.stripe_created_at DESC LIMIT 1) inv ON true
       LEFT JOIN subscriptions s ON s.tenant_id = k.tenant_id AND s.stripe_id = inv.subscription_id
       LEFT JOIN products p ON p.tenant_id = k.tenant_id AND p.stripe_id = s.product_id
       LEFT JOIN prices pr ON pr.tenant_id = k.tenant_id AND pr.stripe_id = s.price_id`,
    values: [
      asked.map((p) => p.tenantId),
      asked.map((p) => p.chargeId),
      asked.map((p) => p.paymentIntentId),
      asked.map((p) => p.legacyInvoiceId),
      asked.map((p) => p.i),
    ],
  });
  for (const r of rows) result[r.i] = billingOf(r, payments[r.i]!.paidAt);
  return result;
}

function billingOf(r: Row, paidAt: Date | null): LoadedBilling {
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
              canceledAt && paidAt ? canceledAt.getTime() < paidAt.getTime() : null,
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
