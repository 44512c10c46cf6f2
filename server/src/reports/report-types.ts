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

const isDigit = (c: number) => c >= 48 && c <= 57;

/** "12.34" → "1234" in a two-decimal currency ("-0.5" → "-50"); empty → null. */
export function minorUnits(
  value: string | undefined,
  currency: string | null,
  column: string,
): string | null {
  if (value === undefined || value === '') return null;
  // One pass over the characters instead of a regular expression and string rewrites: this runs
  // three times for each of a report's rows. The shape accepted is -?\d+(\.\d+)?.
  const v = value.trim();
  const negative = v.charCodeAt(0) === 45;
  let i = negative ? 1 : 0;
  const intStart = i;
  while (i < v.length && isDigit(v.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = -1;
  if (i < v.length && v.charCodeAt(i) === 46) {
    fracStart = ++i;
    while (i < v.length && isDigit(v.charCodeAt(i))) i++;
  }
  if (intEnd === intStart || i !== v.length || fracStart === v.length) {
    throw new RowError(`${column} is not an amount: ${JSON.stringify(value)}`);
  }
  const digits = currency !== null && ZERO_DECIMAL.has(currency) ? 0 : 2;
  const fraction = fracStart < 0 ? '' : v.slice(fracStart);
  for (let k = digits; k < fraction.length; k++) {
    if (fraction.charCodeAt(k) !== 48) {
      throw new RowError(
        `${column} has more decimals than ${currency ?? 'its currency'} allows: ${value}`,
      );
    }
  }
  let whole = v.slice(intStart, intEnd);
  whole +=
    fraction.length === digits
      ? fraction
      : fraction.length > digits
        ? fraction.slice(0, digits)
        : fraction.padEnd(digits, '0');
  let z = 0;
  while (z < whole.length - 1 && whole.charCodeAt(z) === 48) z++;
  if (z > 0) whole = whole.slice(z);
  return whole === '0' ? '0' : negative ? `-${whole}` : whole;
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
  v === null ? '\\N' : /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, escapeChar) : v;

const escapeChar = (c: string) =>
  c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r';

/** A time or an amount checked by utcTime / minorUnits holds none of COPY's special characters. */
const checked = (v: string | null) => (v === null ? '\\N' : v);

/**
 * Turns records of a file with this header into COPY lines for
 * (row_number, balance_transaction_id, source_id, payout_id, created_at, available_on, effective_at,
 *  currency, gross, fee, net, reporting_category, category, extra).
 * The line is built by concatenation and `extra` written as JSON text directly (its keys encoded
 * once per file): a report holds up to millions of rows, and this is most of their CPU time.
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
  const names = {
    created: header[col.created] ?? 'created',
    available: header[col.available] ?? 'available_on',
    effective: header[col.effective] ?? 'effective_at',
    net: header[col.net] ?? 'net',
  };
  const extraColumns = header.flatMap((name, i) => (TYPED.has(name) ? [] : [i]));
  const extraKeys = extraColumns.map((i) => `${JSON.stringify(header[i])}:`);
  const get = (r: string[], i: number) => (i < 0 || r[i] === '' ? null : r[i]!);
  return (r: string[], rowNumber: number): string => {
    if (r.length !== header.length) {
      throw new RowError(`has ${r.length} columns, the header has ${header.length}`);
    }
    const currency = get(r, col.currency)?.toLowerCase() ?? null;
    let extra = '';
    for (let k = 0; k < extraColumns.length; k++) {
      const value = r[extraColumns[k]!]!;
      if (value !== '')
        extra += `${extra === '' ? '{' : ','}${extraKeys[k]}${JSON.stringify(value)}`;
    }
    extra = extra === '' ? '{}' : `${extra}}`;
    return (
      `${rowNumber}\t${copyText(get(r, col.txn))}\t${copyText(get(r, col.source))}` +
      `\t${copyText(get(r, col.payout))}` +
      `\t${checked(utcTime(r[col.created], names.created))}` +
      `\t${checked(utcTime(r[col.available], names.available))}` +
      `\t${checked(utcTime(r[col.effective], names.effective))}` +
      `\t${copyText(currency)}` +
      `\t${checked(minorUnits(r[col.gross], currency, 'gross'))}` +
      `\t${checked(minorUnits(r[col.fee], currency, 'fee'))}` +
      `\t${checked(minorUnits(r[col.net], currency, names.net))}` +
      `\t${copyText(get(r, col.reporting))}\t${copyText(get(r, col.category))}` +
      // JSON text escapes tabs and line breaks itself; only its backslashes need COPY's escape.
      `\t${extra.includes('\\') ? extra.replaceAll('\\', '\\\\') : extra}`
    );
  };
}
