// Everything stored that a dispute's evidence can be drawn from, for one tenant: the dispute, its
// charge and PaymentIntent, the customer, the invoice and subscription, the payment's refunds, charges that look
// like duplicates, and (Visa CE3.0) earlier undisputed payments of the same customer or card.
// Tenant-scoped reads only, each on an index. Loaded for many disputes of any tenants at once (a
// batch's new disputes): six statements whatever their number.
import pg from 'pg';
import type Stripe from 'stripe';
import type { Queryable } from '../../stripe-objects/upsert-objects.ts';
import type { UnifiedReason } from '../reason-codes.ts';
import type { PaymentBilling } from '../dispute-contract.ts';
import { loadPaymentBillings } from '../payment-billing.ts';
import { idOf } from '../../stripe-objects/id-of.ts';
import { keyArrays, type DisputeKey } from '../../stripe-objects/dispute-key.ts';

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

interface DisputeRow {
  i: number;
  tenant_id: string;
  stripe_id: string;
  raw: Stripe.Dispute;
  reason: UnifiedReason;
  card_brand: string | null;
  charge: Stripe.Charge | null;
  intent: Stripe.PaymentIntent | null;
  charge_created: Date | null;
  customer_id: string | null;
  fingerprint: string | null;
}

export async function loadEvidenceContext(
  db: Queryable,
  tenantId: string,
  disputeId: string,
): Promise<EvidenceContext | null> {
  const [ctx] = await loadEvidenceContexts(db, [{ tenantId, disputeId }]);
  return ctx ?? null;
}

/** The contexts of `disputes`, aligned with them: null for a dispute not stored. */
export async function loadEvidenceContexts(
  db: Queryable,
  disputes: readonly DisputeKey[],
): Promise<Array<EvidenceContext | null>> {
  const result: Array<EvidenceContext | null> = disputes.map(() => null);
  if (disputes.length === 0) return result;
  const [tenantIds, disputeIds] = keyArrays(disputes);
  const { rows } = await db.query<DisputeRow>({
    name: 'evidence-disputes',
    text: `SELECT k.i, d.tenant_id, d.stripe_id, d.raw, d.reason, d.card_brand, c.raw AS charge,
            p.raw AS intent, c.stripe_created_at AS charge_created,
            coalesce(c.customer_id, p.customer_id) AS customer_id, c.card_fingerprint AS fingerprint
       FROM unnest($1::uuid[], $2::text[], $3::int[]) AS k(tenant_id, stripe_id, i)
       JOIN disputes d ON d.tenant_id = k.tenant_id AND d.stripe_id = k.stripe_id
       LEFT JOIN charges c ON c.tenant_id = d.tenant_id AND c.stripe_id = d.charge_id
       LEFT JOIN payment_intents p ON p.tenant_id = d.tenant_id AND p.stripe_id = d.payment_intent_id`,
    values: [tenantIds, disputeIds, disputes.map((_, i) => i)],
  });
  if (rows.length === 0) return result;
  const related = rows.filter(
    (r) => r.charge && r.charge_created && (r.customer_id || r.fingerprint),
  );
  const [customers, billings, refunds, duplicates, prior] = await inTurnOrAtOnce(db, [
    () => loadCustomers(db, rows),
    () => loadPaymentBillings(db, rows.map(billingRefs)),
    () => loadRefunds(db, rows),
    () => loadDuplicates(db, related),
    () => loadPrior(db, related),
  ] as const);
  rows.forEach((row, n) => {
    const billing = billings[n] ?? null;
    result[row.i] = {
      disputeId: row.stripe_id,
      reason: row.reason,
      cardBrand: row.card_brand,
      dispute: row.raw,
      charge: row.charge,
      intent: row.intent,
      customer: customers.get(row.i) ?? null,
      invoice: billing?.invoice ?? null,
      subscription: billing?.subscription ?? null,
      billing: billing?.view ?? null,
      refunds: refunds.get(row.i) ?? [],
      duplicates: duplicates.get(row.i) ?? [],
      prior: (prior.get(row.i) ?? []).map(({ customer_id, card_fingerprint, ...p }) => ({
        ...p,
        matchedBy: [
          ...(row.customer_id && customer_id === row.customer_id ? ['customer'] : []),
          ...(row.fingerprint && card_fingerprint === row.fingerprint ? ['card_fingerprint'] : []),
        ],
      })),
    };
  });
  return result;
}

/**
 * Independent reads: at once on a pool (a panel's single draft), one after another on a client,
 * which runs one query at a time (the processing transaction's).
 */
async function inTurnOrAtOnce<T extends readonly unknown[]>(
  db: Queryable,
  reads: { readonly [K in keyof T]: () => Promise<T[K]> },
): Promise<T> {
  if (db instanceof pg.Pool)
    return (await Promise.all(reads.map((read) => read()))) as unknown as T;
  const out: unknown[] = [];
  for (const read of reads) out.push(await read());
  return out as unknown as T;
}

function billingRefs(row: DisputeRow) {
  // `invoice` is on charges and PaymentIntents of API versions before 2025 only.
  type WithInvoice = { invoice?: string | { id: string } | null } | null;
  const invoiceId =
    (row.charge as WithInvoice)?.invoice ?? (row.intent as WithInvoice)?.invoice ?? null;
  return {
    tenantId: row.tenant_id,
    chargeId: row.charge?.id ?? null,
    paymentIntentId: row.intent?.id ?? idOf(row.raw.payment_intent),
    legacyInvoiceId: typeof invoiceId === 'string' ? invoiceId : (invoiceId?.id ?? null),
    paidAt: row.charge_created,
  };
}

/** Rows of a statement keyed by `i`, the dispute's place in the request, in the statement's order. */
function byDispute<T extends { i: number }>(rows: T[]): Map<number, Array<Omit<T, 'i'>>> {
  const out = new Map<number, Array<Omit<T, 'i'>>>();
  for (const { i, ...rest } of rows) {
    const list = out.get(i);
    if (list) list.push(rest);
    else out.set(i, [rest]);
  }
  return out;
}

async function loadCustomers(db: Queryable, rows: DisputeRow[]) {
  const asked = rows.filter((r) => r.customer_id);
  const found = new Map<number, Stripe.Customer>();
  if (asked.length === 0) return found;
  const { rows: customers } = await db.query<{ i: number; raw: Stripe.Customer }>({
    name: 'evidence-customers',
    text: `SELECT k.i, c.raw
       FROM unnest($1::uuid[], $2::text[], $3::int[]) AS k(tenant_id, stripe_id, i)
       JOIN customers c ON c.tenant_id = k.tenant_id AND c.stripe_id = k.stripe_id AND NOT c.deleted`,
    values: [asked.map((r) => r.tenant_id), asked.map((r) => r.customer_id), asked.map((r) => r.i)],
  });
  for (const c of customers) found.set(c.i, c.raw);
  return found;
}

async function loadRefunds(db: Queryable, rows: DisputeRow[]) {
  const asked = rows.filter((r) => r.charge);
  if (asked.length === 0) return new Map<number, Array<PaymentRef & { status: string }>>();
  const { rows: refunds } = await db.query<PaymentRef & { status: string; i: number }>({
    name: 'evidence-refunds',
    text: `SELECT k.i, r.stripe_id AS id, r.amount::float8 AS amount, r.currency, r.status,
            to_char(r.stripe_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created
       FROM unnest($1::uuid[], $2::text[], $3::int[]) AS k(tenant_id, charge_id, i)
       JOIN refunds r ON r.tenant_id = k.tenant_id AND r.charge_id = k.charge_id
      ORDER BY k.i, r.stripe_created_at`,
    values: [asked.map((r) => r.tenant_id), asked.map((r) => r.charge!.id), asked.map((r) => r.i)],
  });
  return byDispute(refunds);
}

/** Same customer or card, same amount, within three days either side, not this payment. */
async function loadDuplicates(db: Queryable, rows: DisputeRow[]) {
  if (rows.length === 0) return new Map<number, PaymentRef[]>();
  const { rows: found } = await db.query<PaymentRef & { i: number }>({
    name: 'evidence-duplicates',
    text: `SELECT k.i, x.id, x.amount, x.currency, x.created
       FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[], $7::int[])
              AS k(tenant_id, charge_id, amount, created, customer_id, fingerprint, i)
       JOIN LATERAL (
         SELECT stripe_id AS id, amount::float8 AS amount, currency, stripe_created_at,
                to_char(stripe_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created
           FROM charges
          WHERE tenant_id = k.tenant_id AND stripe_id <> k.charge_id AND status = 'succeeded'
            AND amount = k.amount
            AND stripe_created_at BETWEEN k.created - interval '3 days' AND k.created + interval '3 days'
            AND (customer_id = k.customer_id OR card_fingerprint = k.fingerprint)
          ORDER BY stripe_created_at LIMIT 5) x ON true
      ORDER BY k.i, x.stripe_created_at`,
    values: [
      rows.map((r) => r.tenant_id),
      rows.map((r) => r.charge!.id),
      rows.map((r) => r.charge!.amount),
      rows.map((r) => r.charge_created),
      rows.map((r) => r.customer_id),
      rows.map((r) => r.fingerprint),
      rows.map((r) => r.i),
    ],
  });
  return byDispute(found);
}

/** Visa CE3.0: undisputed payments 120 to 365 days before the disputed one. */
async function loadPrior(db: Queryable, rows: DisputeRow[]) {
  type Prior = PaymentRef & { customer_id: string | null; card_fingerprint: string | null };
  if (rows.length === 0) return new Map<number, Prior[]>();
  const { rows: found } = await db.query<Prior & { i: number }>({
    name: 'evidence-prior',
    text: `SELECT k.i, x.id, x.amount, x.currency, x.customer_id, x.card_fingerprint, x.created
       FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::text[], $6::int[])
              AS k(tenant_id, since, until, customer_id, fingerprint, i)
       JOIN LATERAL (
         SELECT stripe_id AS id, amount::float8 AS amount, currency, customer_id, card_fingerprint,
                stripe_created_at, to_char(stripe_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created
           FROM charges
          WHERE tenant_id = k.tenant_id AND status = 'succeeded' AND NOT disputed
            AND stripe_created_at BETWEEN k.since AND k.until
            AND (customer_id = k.customer_id OR card_fingerprint = k.fingerprint)
          ORDER BY stripe_created_at DESC LIMIT 10) x ON true
      ORDER BY k.i, x.stripe_created_at DESC`,
    values: [
      rows.map((r) => r.tenant_id),
      rows.map((r) => new Date(r.charge_created!.getTime() - 365 * DAY)),
      rows.map((r) => new Date(r.charge_created!.getTime() - 120 * DAY)),
      rows.map((r) => r.customer_id),
      rows.map((r) => r.fingerprint),
      rows.map((r) => r.i),
    ],
  });
  return byDispute(found);
}
