// The report types DisputeDesk ingests, and how a CSV row of each becomes a report_rows row:
// ids, currency, amounts (major units "12.34" → minor units, exactly, by string arithmetic),
// category and times are typed columns; every other non-empty column goes to `extra` (jsonb).
// Rows are produced as lines of Postgres COPY text format.
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

/** "12.34" → "1234" in a two-decimal currency ("-0.5" → "-50"); empty → null. */
export function minorUnits(
  value: string | undefined,
  currency: string | null,
  column: string,
): string | null {
  if (value === undefined || value === '') return null;
  const v = value.trim();
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(v);
  if (!m) throw new RowError(`${column} is not an amount: ${JSON.stringify(value)}`);
  const digits = currency !== null && ZERO_DECIMAL.has(currency) ? 0 : 2;
  const fraction = m[3] ?? '';
  if (fraction.length > digits && /[1-9]/.test(fraction.slice(digits))) {
    throw new RowError(
      `${column} has more decimals than ${currency ?? 'its currency'} allows: ${value}`,
    );
  }
  const whole = `${m[2]}${fraction.slice(0, digits).padEnd(digits, '0')}`.replace(/^0+(?=\d)/, '');
  return whole === '0' ? '0' : `${m[1]}${whole}`;
}

const TIME = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** "2026-11-21 13:45:00" (UTC unless it says otherwise) → a timestamptz literal; empty → null. */
export function utcTime(value: string | undefined, column: string): string | null {
  if (value === undefined || value === '') return null;
  const v = value.trim();
  const m = TIME.exec(v);
  if (!m) throw new RowError(`${column} is not a time: ${JSON.stringify(value)}`);
  return m[1] ? v : `${v}+00`;
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

/** COPY text format: \N for null; backslash, tab, newline and carriage return escaped. */
const copyText = (v: string | null) =>
  v === null
    ? '\\N'
    : /[\\\t\n\r]/.test(v)
      ? v.replace(/[\\\t\n\r]/g, (c) =>
          c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
        )
      : v;

/**
 * Turns records of a file with this header into COPY lines for
 * (row_number, balance_transaction_id, source_id, payout_id, created_at, available_on, effective_at,
 *  currency, gross, fee, net, reporting_category, category, extra).
 */
export function rowConverter(header: string[]) {
  const at = (...names: string[]) => {
    for (const n of names) {
      const i = header.indexOf(n);
      if (i >= 0) return i;
    }
    return -1;
  };
  const col = {
    txn: at('balance_transaction_id'),
    source: at('source_id'),
    payout: at('payout_id', 'automatic_payout_id'),
    created: at('created_utc', 'created'),
    available: at('available_on_utc', 'available_on'),
    effective: at('effective_at_utc', 'effective_at'),
    currency: at('currency'),
    gross: at('gross'),
    fee: at('fee'),
    net: at('net', 'net_amount'),
    reporting: at('reporting_category'),
    category: at('category'),
  };
  const extras = header.map((name, i) => [name, i] as const).filter(([name]) => !TYPED.has(name));
  const get = (r: string[], i: number) => (i < 0 || r[i] === '' ? null : r[i]!);
  return (r: string[], rowNumber: number): string => {
    if (r.length !== header.length) {
      throw new RowError(`has ${r.length} columns, the header has ${header.length}`);
    }
    const currency = get(r, col.currency)?.toLowerCase() ?? null;
    const extra: Record<string, string> = {};
    for (const [name, i] of extras) if (r[i] !== '') extra[name] = r[i]!;
    return [
      String(rowNumber),
      copyText(get(r, col.txn)),
      copyText(get(r, col.source)),
      copyText(get(r, col.payout)),
      copyText(utcTime(r[col.created], header[col.created] ?? 'created')),
      copyText(utcTime(r[col.available], header[col.available] ?? 'available_on')),
      copyText(utcTime(r[col.effective], header[col.effective] ?? 'effective_at')),
      copyText(currency),
      copyText(minorUnits(r[col.gross], currency, 'gross')),
      copyText(minorUnits(r[col.fee], currency, 'fee')),
      copyText(minorUnits(r[col.net], currency, header[col.net] ?? 'net')),
      copyText(get(r, col.reporting)),
      copyText(get(r, col.category)),
      copyText(JSON.stringify(extra)),
    ].join('\t');
  };
}
