// The evidence draft, assembled from what is stored — pure: the same context gives the same
// draft. Each value names its source. Nothing is invented: a field with no stored source stays
// empty for the merchant to fill.
import type Stripe from 'stripe';
import { emptyFields, type DraftFields, type EvidenceField } from './fields.ts';
import type { EvidenceContext, PriorPayment } from './load-context.ts';

export interface Ce3 {
  /** Stripe's verdict on the dispute, when it gave one (qualified / requires_action / …). */
  status: string | null;
  /** What Stripe says is still missing (`missing_prior_undisputed_transactions`, …). */
  requiredActions: string[];
  /** Undisputed payments 120–365 days before, of the same customer or card (two are needed). */
  priorTransactions: PriorPayment[];
  /** Our reading: enough prior payments found to qualify. */
  enoughPriorTransactions: boolean;
}

const money = (amount: number, currency: string) =>
  `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;

function address(a: Stripe.Address | null | undefined): string | null {
  if (!a) return null;
  const parts = [
    a.line1,
    a.line2,
    [a.postal_code, a.city].filter(Boolean).join(' '),
    a.state,
    a.country,
  ];
  const text = parts.filter((p) => p && String(p).trim()).join(', ');
  return text || null;
}

/** The first candidate that has a value, with its source. */
function first(...candidates: Array<[unknown, string]>): {
  value: string | null;
  source: string | null;
} {
  for (const [v, source] of candidates) {
    if (typeof v === 'string' && v.trim()) return { value: v.trim(), source };
    if (typeof v === 'number') return { value: String(v), source };
  }
  return { value: null, source: null };
}

const meta = (o: { metadata?: Stripe.Metadata | null } | null, key: string) => o?.metadata?.[key];

export function assembleDraft(ctx: EvidenceContext): { fields: DraftFields; ce3: Ce3 | null } {
  const { charge, intent, customer, invoice } = ctx;
  const fields = emptyFields();
  const set = (field: EvidenceField, found: { value: string | null; source: string | null }) => {
    if (found.value) fields[field] = { ...found, edited: false };
  };
  const shipping = intent?.shipping ?? charge?.shipping ?? null;
  const shippingSource = intent?.shipping ? 'payment_intent.shipping' : 'charge.shipping';

  set(
    'customer_name',
    first(
      [charge?.billing_details?.name, 'charge.billing_details.name'],
      [customer?.name, 'customer.name'],
      [shipping?.name, `${shippingSource}.name`],
    ),
  );
  set(
    'customer_email_address',
    first(
      [charge?.billing_details?.email, 'charge.billing_details.email'],
      [charge?.receipt_email, 'charge.receipt_email'],
      [intent?.receipt_email, 'payment_intent.receipt_email'],
      [customer?.email, 'customer.email'],
    ),
  );
  set(
    'billing_address',
    first(
      [address(charge?.billing_details?.address), 'charge.billing_details.address'],
      [address(customer?.address), 'customer.address'],
    ),
  );
  set(
    'customer_purchase_ip',
    first(
      [meta(intent, 'ip_address') ?? meta(intent, 'customer_ip'), 'payment_intent.metadata'],
      [meta(charge, 'ip_address') ?? meta(charge, 'customer_ip'), 'charge.metadata'],
    ),
  );
  const invoiceLines = invoice?.lines?.data
    ?.map((l) => l.description)
    .filter((d): d is string => Boolean(d))
    .join('; ');
  set(
    'product_description',
    first(
      [intent?.description, 'payment_intent.description'],
      [charge?.description, 'charge.description'],
      [meta(intent, 'product') ?? meta(charge, 'product'), 'metadata.product'],
      [invoiceLines, 'invoice.lines'],
      [subscriptionDescription(ctx.billing), 'subscription'],
    ),
  );
  set('shipping_address', first([address(shipping?.address), `${shippingSource}.address`]));
  set(
    'shipping_carrier',
    first(
      [shipping?.carrier, `${shippingSource}.carrier`],
      [
        meta(intent, 'shipping_carrier') ?? meta(charge, 'shipping_carrier'),
        'metadata.shipping_carrier',
      ],
    ),
  );
  set(
    'shipping_tracking_number',
    first(
      [shipping?.tracking_number, `${shippingSource}.tracking_number`],
      [
        meta(intent, 'tracking_number') ?? meta(charge, 'tracking_number'),
        'metadata.tracking_number',
      ],
    ),
  );
  set(
    'shipping_date',
    first([
      meta(intent, 'shipping_date') ?? meta(charge, 'shipping_date'),
      'metadata.shipping_date',
    ]),
  );
  set(
    'service_date',
    first(
      [meta(intent, 'service_date') ?? meta(charge, 'service_date'), 'metadata.service_date'],
      [servicePeriod(ctx.billing), 'invoice.period'],
    ),
  );
  if (ctx.reason === 'SUBSCRIPTION_CANCELED') {
    set('cancellation_rebuttal', { value: cancellationRebuttal(ctx), source: 'subscription' });
  }
  if (ctx.reason === 'DUPLICATE' && ctx.duplicates[0]) {
    const d = ctx.duplicates[0];
    set('duplicate_charge_id', {
      value: d.id,
      source: 'charges (same customer or card, same amount, within 3 days)',
    });
  }
  const context: string[] = [];
  if (ctx.refunds.length) {
    context.push(
      `Refunds on this payment: ${ctx.refunds
        .map((r) => `${r.id} of ${money(r.amount, r.currency)} on ${r.created} (${r.status})`)
        .join('; ')}.`,
    );
  }
  if (invoice) {
    const sub = ctx.billing?.subscription;
    const period = servicePeriod(ctx.billing);
    context.push(
      `Billed on invoice ${invoice.number ?? invoice.id}${period ? ` for the period ${period}` : ''}${
        sub
          ? ` of subscription ${sub.id}${sub.product ? ` (${sub.product})` : ''}${
              sub.startedAt ? `, started ${day(sub.startedAt)}` : ''
            }`
          : ''
      }.`,
    );
  }
  if (context.length)
    set('uncategorized_text', { value: context.join('\n'), source: 'refunds and invoice' });
  return { fields, ce3: ce3Of(ctx) };
}

const day = (iso: string) => iso.slice(0, 10);

/** The invoice's billing period as `YYYY-MM-DD to YYYY-MM-DD`. */
function servicePeriod(billing: EvidenceContext['billing']): string | null {
  const { periodStart, periodEnd } = billing?.invoice ?? {};
  if (!periodStart || !periodEnd || periodStart === periodEnd) return null;
  return `${day(periodStart)} to ${day(periodEnd)}`;
}

function subscriptionDescription(billing: EvidenceContext['billing']): string | null {
  const sub = billing?.subscription;
  if (!sub?.product) return null;
  return `${sub.product} subscription${sub.interval ? `, billed every ${sub.interval}` : ''}`;
}

/**
 * The facts that answer "the customer canceled": still active when charged, or canceled only after
 * this payment (and kept until the paid period ended). Nothing when the cancellation came first —
 * then the customer is right and the advice is to refund or accept, not to argue.
 */
function cancellationRebuttal(ctx: EvidenceContext): string | null {
  const sub = ctx.billing?.subscription;
  const paidAt = ctx.charge?.created ? new Date(ctx.charge.created * 1000).toISOString() : null;
  if (!sub || sub.canceledBeforePayment === true) return null;
  const period = servicePeriod(ctx.billing);
  const lines: string[] = [];
  if (!sub.canceledAt) {
    lines.push(
      `The customer's subscription ${sub.id}${sub.product ? ` (${sub.product})` : ''} had not been canceled when this payment was taken${paidAt ? ` on ${day(paidAt)}` : ''}; it is ${sub.status} today.`,
    );
  } else {
    lines.push(
      `The customer canceled subscription ${sub.id} on ${day(sub.canceledAt)}, after this payment${paidAt ? ` was taken on ${day(paidAt)}` : ''}.`,
    );
    if (sub.cancelAtPeriodEnd || sub.cancellationReason === 'cancellation_requested') {
      const end = sub.endedAt ?? sub.cancelAt;
      if (end)
        lines.push(`As requested, service continued until the paid period ended on ${day(end)}.`);
    }
  }
  if (period) lines.push(`This payment covers the service period ${period}.`);
  return lines.join(' ');
}

function ce3Of(ctx: EvidenceContext): Ce3 | null {
  const visa = ctx.dispute.evidence_details?.enhanced_eligibility?.visa_compelling_evidence_3;
  const eligible = ctx.reason === 'FRAUD' && (ctx.cardBrand === 'visa' || visa != null);
  if (!eligible) return null;
  return {
    status: visa?.status ?? null,
    requiredActions: [...(visa?.required_actions ?? [])],
    priorTransactions: ctx.prior,
    enoughPriorTransactions: ctx.prior.length >= 2,
  };
}
