// Everything stored that a dispute's evidence can be drawn from, for one tenant: the dispute, its
// charge and PaymentIntent, the customer, the invoice and subscription, the payment's refunds, charges that look
// like duplicates, and (Visa CE3.0) earlier undisputed payments of the same customer or card.
// Tenant-scoped reads only, each on an index.
import type Stripe from 'stripe';
import type { Queryable } from '../../stripe-objects/upsert-objects.ts';
import type { UnifiedReason } from '../reason-codes.ts';
import type { PaymentBilling } from '../dispute-contract.ts';
import { loadPaymentBilling } from '../payment-billing.ts';
import { idOf } from '../../stripe-objects/id-of.ts';

export interface PaymentRef {
  id: string;
  amount: number;
  currency: string;
  created: string;
}

export interface PriorPayment extends PaymentRef {
  /** What ties it to the disputed payment: `customer`, `card_fingerprint`. */
  matchedBy: string[];
}

export interface EvidenceContext {
  disputeId: string;
  reason: UnifiedReason;
  cardBrand: string | null;
  dispute: Stripe.Dispute;
  charge: Stripe.Charge | null;
  intent: Stripe.PaymentIntent | null;
  customer: Stripe.Customer | null;
  invoice: Stripe.Invoice | null;
  /** The subscription the invoice bills, as stored. */
  subscription: Stripe.Subscription | null;
  /** The invoice and subscription as the panel shows them (cancellation before the payment…). */
  billing: PaymentBilling | null;
  refunds: Array<PaymentRef & { status: string }>;
  duplicates: PaymentRef[];
  prior: PriorPayment[];
}

const DAY = 86400_000;

export async function loadEvidenceContext(
  db: Queryable,
  tenantId: string,
  disputeId: string,
): Promise<EvidenceContext | null> {
  const { rows } = await db.query<{
    raw: Stripe.Dispute;
    reason: UnifiedReason;
    card_brand: string | null;
    charge: Stripe.Charge | null;
    intent: Stripe.PaymentIntent | null;
    charge_created: Date | null;
    customer_id: string | null;
    fingerprint: string | null;
  }>(
    `SELECT d.raw, d.reason, d.card_brand, c.raw AS charge, p.raw AS intent,
            c.stripe_created_at AS charge_created, coalesce(c.customer_id, p.customer_id) AS customer_id,
            c.card_fingerprint AS fingerprint
       FROM disputes d
       LEFT JOIN charges c ON c.tenant_id = d.tenant_id AND c.stripe_id = d.charge_id
       LEFT JOIN payment_intents p ON p.tenant_id = d.tenant_id AND p.stripe_id = d.payment_intent_id
      WHERE d.tenant_id = $1 AND d.stripe_id = $2`,
    [tenantId, disputeId],
  );
  const row = rows[0];
  if (!row) return null;
  const chargeId = row.charge?.id ?? null;
  // `invoice` is on charges and PaymentIntents of API versions before 2025 only.
  type WithInvoice = { invoice?: string | { id: string } | null } | null;
  const invoiceId =
    (row.charge as WithInvoice)?.invoice ?? (row.intent as WithInvoice)?.invoice ?? null;
  const [customer, invoice, refunds, duplicates, prior] = await Promise.all([
    row.customer_id
      ? db.query<{ raw: Stripe.Customer }>(
          'SELECT raw FROM customers WHERE tenant_id = $1 AND stripe_id = $2 AND NOT deleted',
          [tenantId, row.customer_id],
        )
      : null,
    loadPaymentBilling(db, tenantId, {
      chargeId,
      paymentIntentId: row.intent?.id ?? idOf(row.raw.payment_intent),
      legacyInvoiceId: typeof invoiceId === 'string' ? invoiceId : (invoiceId?.id ?? null),
      paidAt: row.charge_created,
    }),
    chargeId
      ? db.query<PaymentRef & { status: string }>(
          `SELECT stripe_id AS id, amount::float8 AS amount, currency, status,
                  to_char(stripe_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created
             FROM refunds WHERE tenant_id = $1 AND charge_id = $2 ORDER BY stripe_created_at`,
          [tenantId, chargeId],
        )
      : null,
    // Same customer or card, same amount, within three days either side, not this payment.
    chargeId && row.charge_created && (row.customer_id || row.fingerprint)
      ? db.query<PaymentRef>(
          `SELECT stripe_id AS id, amount::float8 AS amount, currency,
                  to_char(stripe_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created
             FROM charges
            WHERE tenant_id = $1 AND stripe_id <> $2 AND status = 'succeeded' AND amount = $3
              AND stripe_created_at BETWEEN $4::timestamptz - interval '3 days' AND $4::timestamptz + interval '3 days'
              AND (customer_id = $5 OR card_fingerprint = $6)
            ORDER BY stripe_created_at LIMIT 5`,
          [
            tenantId,
            chargeId,
            row.charge!.amount,
            row.charge_created,
            row.customer_id,
            row.fingerprint,
          ],
        )
      : null,
    // Visa CE3.0: undisputed payments 120 to 365 days before the disputed one.
    chargeId && row.charge_created && (row.customer_id || row.fingerprint)
      ? db.query<PaymentRef & { customer_id: string | null; card_fingerprint: string | null }>(
          `SELECT stripe_id AS id, amount::float8 AS amount, currency, customer_id, card_fingerprint,
                  to_char(stripe_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created
             FROM charges
            WHERE tenant_id = $1 AND status = 'succeeded' AND NOT disputed
              AND stripe_created_at BETWEEN $2::timestamptz AND $3::timestamptz
              AND (customer_id = $4 OR card_fingerprint = $5)
            ORDER BY stripe_created_at DESC LIMIT 10`,
          [
            tenantId,
            new Date(row.charge_created.getTime() - 365 * DAY),
            new Date(row.charge_created.getTime() - 120 * DAY),
            row.customer_id,
            row.fingerprint,
          ],
        )
      : null,
  ]);
  return {
    disputeId,
    reason: row.reason,
    cardBrand: row.card_brand,
    dispute: row.raw,
    charge: row.charge,
    intent: row.intent,
    customer: customer?.rows[0]?.raw ?? null,
    invoice: invoice?.invoice ?? null,
    subscription: invoice?.subscription ?? null,
    billing: invoice?.view ?? null,
    refunds: refunds?.rows ?? [],
    duplicates: duplicates?.rows ?? [],
    prior: (prior?.rows ?? []).map(({ customer_id, card_fingerprint, ...p }) => ({
      ...p,
      matchedBy: [
        ...(row.customer_id && customer_id === row.customer_id ? ['customer'] : []),
        ...(row.fingerprint && card_fingerprint === row.fingerprint ? ['card_fingerprint'] : []),
      ],
    })),
  };
}
