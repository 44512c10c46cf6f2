// A CSV of a tenant's disputes opened in a period: the normalized fields and the outcome, one row
// per dispute, oldest first (RFC 4180 quoting). Cells a spreadsheet would run as a formula
// (starting with = + - @, tab or carriage return — e.g. an order id from payment metadata) are
// prefixed with a quote, so opening the file runs nothing.
import type { Pool } from '../db.ts';
import type { Period } from './outcomes.ts';

const COLUMNS = [
  'dispute_id',
  'created_at',
  'type',
  'status',
  'stripe_status',
  'reason',
  'network_reason_code',
  'stripe_reason',
  'card_brand',
  'case_type',
  'amount',
  'currency',
  'transaction_id',
  'charge_id',
  'order_id',
  'challenge_required_by',
  'evidence_submissions',
] as const;

export function csvCell(v: string | number | boolean | Date | null | undefined): string {
  if (v === null || v === undefined) return '';
  let s = v instanceof Date ? v.toISOString() : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export async function exportDisputesCsv(
  pool: Pool,
  tenantId: string,
  period: Period,
): Promise<string> {
  const { rows } = await pool.query<
    Record<(typeof COLUMNS)[number], string | number | Date | null>
  >(
    `SELECT stripe_id AS dispute_id, stripe_created_at AS created_at, type, status, stripe_status, reason,
            network_reason_code, stripe_reason, card_brand, case_type, amount::text AS amount, currency,
            transaction_id, charge_id, order_id, challenge_required_by, evidence_submissions
       FROM disputes
      WHERE tenant_id = $1 AND stripe_created_at >= $2 AND stripe_created_at < $3
      ORDER BY stripe_created_at, stripe_id`,
    [tenantId, period.from, period.to],
  );
  const lines = [COLUMNS.join(',')];
  for (const r of rows) lines.push(COLUMNS.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
