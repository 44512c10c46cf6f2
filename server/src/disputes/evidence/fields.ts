// Stripe's dispute evidence fields: text ones (sent as text, 150,000 characters together) and file
// ones (a File id with purpose `dispute_evidence`). The draft keeps every one of them with the
// source its value came from, so the merchant sees why each prefilled value is there.

export const TEXT_FIELDS = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_tracking_number',
  'uncategorized_text',
] as const;

export const FILE_FIELDS = [
  'cancellation_policy',
  'customer_communication',
  'customer_signature',
  'duplicate_charge_documentation',
  'receipt',
  'refund_policy',
  'service_documentation',
  'shipping_documentation',
  'uncategorized_file',
] as const;

export type TextField = (typeof TEXT_FIELDS)[number];
export type FileField = (typeof FILE_FIELDS)[number];
export type EvidenceField = TextField | FileField;
export const EVIDENCE_FIELDS: readonly EvidenceField[] = [...TEXT_FIELDS, ...FILE_FIELDS];

export const isFileField = (f: string): f is FileField =>
  (FILE_FIELDS as readonly string[]).includes(f);

/** Stripe's limit on all text fields of one dispute's evidence together. */
export const TEXT_LIMIT = 150_000;

export interface DraftField {
  /** The text, or the File id for a file field; null when empty. */
  value: string | null;
  /** Where the value came from (`charge.billing_details.name`, `merchant`, …); null when empty. */
  source: string | null;
  /** True once a person changed it: re-assembly never overwrites an edited field. */
  edited: boolean;
}

export type DraftFields = Record<EvidenceField, DraftField>;

export const emptyFields = (): DraftFields =>
  Object.fromEntries(
    EVIDENCE_FIELDS.map((f) => [f, { value: null, source: null, edited: false }]),
  ) as DraftFields;

/** Characters of text the draft would send (Stripe counts all text fields together). */
export const textLength = (fields: DraftFields) =>
  TEXT_FIELDS.reduce((n, f) => n + (fields[f].value?.length ?? 0), 0);
