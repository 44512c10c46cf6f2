// The report types DisputeDesk ingests, and how a CSV row of each maps onto report_rows' typed
// columns. Amounts arrive in major units ("12.34"); they are stored in minor units.
export const REPORT_TYPES = [
  'balance.summary.1',
  'balance_change_from_activity.itemized.3',
  'payouts.itemized.3',
  'payout_reconciliation.itemized.5',
  'ending_balance_reconciliation.itemized.4',
] as const;

export type ReportType = (typeof REPORT_TYPES)[number];

const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
  'isk',
]);

export class RowError extends Error {}

/** "12.34" in `currency` → 1234 (exact: no floating point). Empty → null. */
export function minorUnits(
  value: string | undefined,
  currency: string | null,
  column: string,
): bigint | null {
  if (value === undefined || value === '') return null;
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new RowError(`${column} is not an amount: ${JSON.stringify(value)}`);
  const digits = currency && ZERO_DECIMAL.has(currency) ? 0 : 2;
  const fraction = (m[3] ?? '').padEnd(digits, '0');
  if (fraction.length > digits) throw new RowError(`${column} has too many decimals: ${value}`);
  const n = BigInt(`${m[2]}${fraction}`);
  return m[1] ? -n : n;
}

/** "2026-11-21 13:45:00" (UTC) or an ISO date → Date. Empty → null. */
export function utcTime(value: string | undefined, column: string): Date | null {
  if (value === undefined || value === '') return null;
  const v = value.trim();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v)
    ? `${v}T00:00:00Z`
    : `${v.replace(' ', 'T')}${/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? '' : 'Z'}`;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime()))
    throw new RowError(`${column} is not a time: ${JSON.stringify(value)}`);
  return d;
}

export interface TypedRow {
  balanceTransactionId: string | null;
  sourceId: string | null;
  payoutId: string | null;
  createdAt: Date | null;
  availableOn: Date | null;
  effectiveAt: Date | null;
  currency: string | null;
  gross: bigint | null;
  fee: bigint | null;
  net: bigint | null;
  reportingCategory: string | null;
  category: string | null;
  extra: Record<string, string>;
}

const TYPED = new Set([
  'balance_transaction_id',
  'source_id',
  'payout_id',
  'automatic_payout_id',
  'created_utc',
  'created',
  'available_on_utc',
  'available_on',
  'effective_at_utc',
  'effective_at',
  'currency',
  'gross',
  'fee',
  'net',
  'net_amount',
  'reporting_category',
  'category',
]);

const text = (v: string | undefined) => (v === undefined || v === '' ? null : v);

export function typedRow(row: Record<string, string>): TypedRow {
  const currency = text(row.currency)?.toLowerCase() ?? null;
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(row)) if (!TYPED.has(k) && v !== '') extra[k] = v;
  return {
    balanceTransactionId: text(row.balance_transaction_id),
    sourceId: text(row.source_id),
    payoutId: text(row.payout_id) ?? text(row.automatic_payout_id),
    createdAt: utcTime(row.created_utc ?? row.created, 'created_utc'),
    availableOn: utcTime(row.available_on_utc ?? row.available_on, 'available_on_utc'),
    effectiveAt: utcTime(row.effective_at_utc ?? row.effective_at, 'effective_at_utc'),
    currency,
    gross: minorUnits(row.gross, currency, 'gross'),
    fee: minorUnits(row.fee, currency, 'fee'),
    net: minorUnits(
      row.net ?? row.net_amount,
      currency,
      row.net !== undefined ? 'net' : 'net_amount',
    ),
    reportingCategory: text(row.reporting_category),
    category: text(row.category),
    extra,
  };
}
