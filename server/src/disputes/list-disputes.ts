// A tenant's disputes, newest first, filtered by status, type, reason and evidence deadline, in
// pages: the cursor is the (created, id) of the last row, so pages stay stable while disputes
// are added.
import type { DisputeList, DisputeListQuery } from './dispute-contract.ts';
import type { Pool } from '../db.ts';
import { AppError } from '../errors.ts';
import { DISPUTE_COLUMNS, toDispute, type DisputeRow } from './dispute-view.ts';

const encodeCursor = (r: DisputeRow) =>
  Buffer.from(`${r.stripe_created_at.getTime()}:${r.stripe_id}`).toString('base64url');

function decodeCursor(cursor: string): { at: Date; id: string } {
  const m = /^(\d{1,15}):([A-Za-z0-9_]+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new AppError('bad_request', 'The cursor is not one this API returned.');
  return { at: new Date(Number(m[1])), id: m[2]! };
}

export async function listDisputes(
  pool: Pool,
  tenantId: string,
  q: DisputeListQuery,
): Promise<DisputeList> {
  const where = ['d.tenant_id = $1'];
  const params: unknown[] = [tenantId];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (q.status) add((p) => `d.status = ANY(${p}::text[])`, q.status);
  if (q.type) add((p) => `d.type = ANY(${p}::text[])`, q.type);
  if (q.reason) add((p) => `d.reason = ANY(${p}::text[])`, q.reason);
  if (q.due_before) add((p) => `d.challenge_required_by < ${p}::timestamptz`, q.due_before);
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    params.push(c.at, c.id);
    where.push(`(d.stripe_created_at, d.stripe_id) < ($${params.length - 1}, $${params.length})`);
  }
  params.push(q.limit + 1);
  const { rows } = await pool.query<DisputeRow>(
    `SELECT ${DISPUTE_COLUMNS} FROM disputes d WHERE ${where.join(' AND ')}
      ORDER BY d.stripe_created_at DESC, d.stripe_id DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, q.limit);
  const hasMore = rows.length > q.limit;
  return {
    data: page.map(toDispute),
    has_more: hasMore,
    next_cursor: hasMore ? encodeCursor(page.at(-1)!) : null,
  };
}
