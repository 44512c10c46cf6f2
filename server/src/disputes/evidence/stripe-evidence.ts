// The draft as Stripe's `evidence` parameter: every field (empty ones as '' so a cleared field is
// cleared at Stripe too), Visa CE3.0's prior undisputed transactions when found, and the Visa
// compliance fee acknowledgement when the merchant gave it.
import type Stripe from 'stripe';
import type { Ce3 } from './assemble-draft.ts';
import { EVIDENCE_FIELDS, type DraftFields } from './fields.ts';

export function stripeEvidence(
  fields: DraftFields,
  ce3: Ce3 | null,
  opts: { feeAcknowledged?: boolean } = {},
): Stripe.DisputeUpdateParams.Evidence {
  const evidence: Record<string, unknown> = Object.fromEntries(
    EVIDENCE_FIELDS.map((f) => [f, fields[f].value ?? '']),
  );
  const enhanced: Record<string, unknown> = {};
  if (ce3?.enoughPriorTransactions) {
    enhanced.visa_compelling_evidence_3 = {
      disputed_transaction: {
        customer_email_address: fields.customer_email_address.value ?? undefined,
        customer_purchase_ip: fields.customer_purchase_ip.value ?? undefined,
        product_description: fields.product_description.value ?? undefined,
        merchandise_or_services: 'merchandise',
      },
      prior_undisputed_transactions: ce3.priorTransactions.slice(0, 5).map((p) => ({
        charge: p.id,
        customer_email_address: fields.customer_email_address.value ?? undefined,
      })),
    };
  }
  if (opts.feeAcknowledged) enhanced.visa_compliance = { fee_acknowledged: true };
  if (Object.keys(enhanced).length) evidence.enhanced_evidence = enhanced;
  return evidence;
}
