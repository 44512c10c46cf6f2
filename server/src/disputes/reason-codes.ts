// Unified dispute reasons from card-network reason codes (per brand), with Stripe's `reason` as
// the fallback. Stripe folds authorization and processing errors into `general`; the network
// code tells them apart. Tables follow ../../../shared/DESIGN.md ("Unified reason").

export const UNIFIED_REASONS = [
  'FRAUD',
  'UNRECOGNIZED',
  'AUTHORIZATION',
  'PROCESSING_ERROR',
  'DUPLICATE',
  'PRODUCT_NOT_RECEIVED',
  'PRODUCT_UNACCEPTABLE',
  'CREDIT_NOT_PROCESSED',
  'SUBSCRIPTION_CANCELED',
  'NONCOMPLIANT',
  'GENERAL',
] as const;
export type UnifiedReason = (typeof UNIFIED_REASONS)[number];

type CodeTable = Partial<Record<UnifiedReason, readonly string[]>>;

const VISA: CodeTable = {
  FRAUD: ['10.1', '10.2', '10.3', '10.4', '10.5'],
  AUTHORIZATION: ['11.1', '11.2', '11.3'],
  PROCESSING_ERROR: ['12.1', '12.2', '12.3', '12.4', '12.5', '12.7'],
  DUPLICATE: ['12.6.1', '12.6.2'],
  PRODUCT_NOT_RECEIVED: ['13.1', '13.9'],
  PRODUCT_UNACCEPTABLE: ['13.3', '13.4', '13.5'],
  CREDIT_NOT_PROCESSED: ['13.6', '13.7'],
  SUBSCRIPTION_CANCELED: ['13.2'],
  GENERAL: ['13.8'],
};

const MASTERCARD: CodeTable = {
  FRAUD: ['4837', '4840', '4849', '4870', '4871'],
  UNRECOGNIZED: ['4863'],
  AUTHORIZATION: ['4807', '4808', '4812'],
  PROCESSING_ERROR: ['4831', '4842', '4846'],
  DUPLICATE: ['4834'],
  PRODUCT_NOT_RECEIVED: ['4855'],
  PRODUCT_UNACCEPTABLE: ['4853'],
  CREDIT_NOT_PROCESSED: ['4860'],
  SUBSCRIPTION_CANCELED: ['4841'],
  GENERAL: ['4859', '4999'],
};

const AMEX: CodeTable = {
  FRAUD: ['F10', 'F14', 'F24', 'F29', 'F30', 'F31'],
  UNRECOGNIZED: ['127', '176'],
  AUTHORIZATION: ['A01', 'A02', 'A08'],
  PROCESSING_ERROR: ['P01', 'P03', 'P04', 'P05', 'P07', 'P22', 'P23'],
  DUPLICATE: ['P08', 'C14'],
  PRODUCT_NOT_RECEIVED: ['C08'],
  PRODUCT_UNACCEPTABLE: ['C31', 'C32'],
  CREDIT_NOT_PROCESSED: ['C02', 'C04', 'C05', 'C18'],
  SUBSCRIPTION_CANCELED: ['C28'],
  GENERAL: ['M01', 'M10', 'R03', 'R13', 'S01', 'S02', 'S03', 'S04'],
};

const DISCOVER: CodeTable = {
  FRAUD: ['UA01', 'UA02', 'UA05', 'UA06', 'UA10', 'UA11'],
  UNRECOGNIZED: ['AA'],
  AUTHORIZATION: ['AT', 'DA', 'NA', 'EX'],
  PROCESSING_ERROR: ['LP', 'IN', 'CD', 'AW'],
  DUPLICATE: ['DP', 'PM'],
  PRODUCT_NOT_RECEIVED: ['RG', 'NF'],
  PRODUCT_UNACCEPTABLE: ['RM'],
  CREDIT_NOT_PROCESSED: ['RN2'],
  SUBSCRIPTION_CANCELED: ['AP'],
};

function index(table: CodeTable): Map<string, UnifiedReason> {
  const map = new Map<string, UnifiedReason>();
  for (const [reason, codes] of Object.entries(table) as Array<[UnifiedReason, string[]]>) {
    for (const code of codes) map.set(code, reason);
  }
  return map;
}

const BY_BRAND: Record<string, Map<string, UnifiedReason>> = {
  visa: index(VISA),
  mastercard: index(MASTERCARD),
  amex: index(AMEX),
  american_express: index(AMEX),
  discover: index(DISCOVER),
};

/** Code families given as ranges in the design table. */
function byRange(brand: string, code: string): UnifiedReason | null {
  if (brand === 'visa') {
    // Compliance cases C028–C0135 (Visa writes them with a leading C and a zero).
    const compliance = /^C0?(\d{2,3})$/.exec(code);
    if (compliance && Number(compliance[1]) >= 28 && Number(compliance[1]) <= 135)
      return 'NONCOMPLIANT';
    // Retrieval (copy request) codes are two digits, e.g. 27, 28, 33.
    if (/^\d{2}$/.test(code)) return 'GENERAL';
  }
  if (brand === 'mastercard' && /^\d{4}$/.test(code)) {
    const n = Number(code);
    if (n >= 6305 && n <= 6343) return 'GENERAL';
  }
  return null;
}

// Stripe's own reasons: https://docs.stripe.com/disputes/categories
const STRIPE_REASONS: Record<string, UnifiedReason> = {
  fraudulent: 'FRAUD',
  unrecognized: 'UNRECOGNIZED',
  duplicate: 'DUPLICATE',
  product_not_received: 'PRODUCT_NOT_RECEIVED',
  product_unacceptable: 'PRODUCT_UNACCEPTABLE',
  credit_not_processed: 'CREDIT_NOT_PROCESSED',
  subscription_canceled: 'SUBSCRIPTION_CANCELED',
  noncompliant: 'NONCOMPLIANT',
  debit_not_authorized: 'UNRECOGNIZED',
  bank_cannot_process: 'PROCESSING_ERROR',
  incorrect_account_details: 'PROCESSING_ERROR',
  insufficient_funds: 'PROCESSING_ERROR',
  check_returned: 'PROCESSING_ERROR',
  customer_initiated: 'GENERAL',
  general: 'GENERAL',
};

export function normalizeBrand(brand: string | null | undefined): string | null {
  if (!brand) return null;
  const b = brand.toLowerCase().replace(/[\s-]+/g, '_');
  return b === 'master_card' ? 'mastercard' : b;
}

/**
 * The unified reason: the network code of a known brand first, then Stripe's reason. A code that
 * is not in the tables falls back to Stripe's reason, which is more precise than GENERAL.
 */
export function unifiedReason(input: {
  brand: string | null | undefined;
  networkReasonCode: string | null | undefined;
  stripeReason: string | null | undefined;
}): UnifiedReason {
  const brand = normalizeBrand(input.brand);
  const code = input.networkReasonCode?.trim().toUpperCase();
  if (brand && code) {
    const hit = BY_BRAND[brand]?.get(code) ?? byRange(brand, code);
    if (hit) return hit;
  }
  return STRIPE_REASONS[input.stripeReason ?? ''] ?? 'GENERAL';
}
