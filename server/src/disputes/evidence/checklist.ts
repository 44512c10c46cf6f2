// Which evidence matters for which dispute reason, and how complete a draft is. The table follows
// Stripe's guidance per dispute category ("Respond to disputes" → recommended evidence per
// reason) and the card networks' compelling-evidence rules (docs/EVIDENCE.md cites each). Each
// field is `required` (the response fails without it) or `recommended` (it strengthens it);
// completeness weighs required fields twice.
import type { UnifiedReason } from '../reason-codes.ts';
import type { DraftFields, EvidenceField } from './fields.ts';

export type Importance = 'required' | 'recommended';
type Rule = readonly [EvidenceField, Importance];

const PROOF_OF_PURCHASE: Rule[] = [
  ['receipt', 'recommended'],
  ['product_description', 'required'],
  ['customer_communication', 'recommended'],
];

export const CHECKLIST: Readonly<Record<UnifiedReason, readonly Rule[]>> = {
  FRAUD: [
    ['customer_name', 'required'],
    ['customer_email_address', 'required'],
    ['billing_address', 'required'],
    ['customer_purchase_ip', 'recommended'],
    ['shipping_address', 'recommended'],
    ['shipping_tracking_number', 'recommended'],
    ['access_activity_log', 'recommended'],
    ...PROOF_OF_PURCHASE,
  ],
  UNRECOGNIZED: [
    ['customer_name', 'required'],
    ['customer_email_address', 'required'],
    ['billing_address', 'recommended'],
    ...PROOF_OF_PURCHASE,
  ],
  PRODUCT_NOT_RECEIVED: [
    ['shipping_address', 'required'],
    ['shipping_carrier', 'required'],
    ['shipping_tracking_number', 'required'],
    ['shipping_date', 'required'],
    ['shipping_documentation', 'recommended'],
    ['service_date', 'recommended'],
    ...PROOF_OF_PURCHASE,
  ],
  PRODUCT_UNACCEPTABLE: [
    ['refund_policy', 'recommended'],
    ['refund_policy_disclosure', 'required'],
    ['refund_refusal_explanation', 'required'],
    ...PROOF_OF_PURCHASE,
  ],
  CREDIT_NOT_PROCESSED: [
    ['refund_policy', 'recommended'],
    ['refund_policy_disclosure', 'required'],
    ['refund_refusal_explanation', 'required'],
    ...PROOF_OF_PURCHASE,
  ],
  SUBSCRIPTION_CANCELED: [
    ['cancellation_policy', 'recommended'],
    ['cancellation_policy_disclosure', 'required'],
    ['cancellation_rebuttal', 'required'],
    ['service_date', 'recommended'],
    ...PROOF_OF_PURCHASE,
  ],
  DUPLICATE: [
    ['duplicate_charge_id', 'required'],
    ['duplicate_charge_explanation', 'required'],
    ['duplicate_charge_documentation', 'recommended'],
    ['receipt', 'recommended'],
  ],
  AUTHORIZATION: [['uncategorized_text', 'required'], ...PROOF_OF_PURCHASE],
  PROCESSING_ERROR: [['uncategorized_text', 'required'], ...PROOF_OF_PURCHASE],
  NONCOMPLIANT: [['uncategorized_text', 'required'], ...PROOF_OF_PURCHASE],
  GENERAL: [['uncategorized_text', 'recommended'], ...PROOF_OF_PURCHASE],
};

export interface ChecklistItem {
  field: EvidenceField;
  importance: Importance;
  filled: boolean;
}

export interface Checklist {
  items: ChecklistItem[];
  /** 0–100: filled weight over total weight, required fields weighing 2. */
  completeness: number;
  missingRequired: EvidenceField[];
}

export function checklistFor(reason: UnifiedReason, fields: DraftFields): Checklist {
  const items = CHECKLIST[reason].map(([field, importance]) => ({
    field,
    importance,
    filled: Boolean(fields[field].value?.trim()),
  }));
  const weight = (i: ChecklistItem) => (i.importance === 'required' ? 2 : 1);
  const total = items.reduce((n, i) => n + weight(i), 0);
  const got = items.filter((i) => i.filled).reduce((n, i) => n + weight(i), 0);
  return {
    items,
    completeness: total ? Math.round((100 * got) / total) : 100,
    missingRequired: items
      .filter((i) => i.importance === 'required' && !i.filled)
      .map((i) => i.field),
  };
}
