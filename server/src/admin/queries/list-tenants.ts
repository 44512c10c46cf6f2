// Support staff's tenant search: by account id (prefix), tenant id, or display name (contains),
// filtered by status and connection type, newest first, with a cursor.
import type { Pool } from '../../db.ts';
import { AppError } from '../../errors.ts';

export interface TenantQuery {
  q?: string;
  status?: string;
  connection_type?: string;
  limit: number;
  cursor?: string;
}

const encode = (r: { created_at: Date; id: string }) =>
  Buffer.from(`${r.created_at.getTime()}:${r.id}`).toString('base64url');

function decode(cursor: string) {
  const m = /^(\d{1,15}):([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new AppError('bad_request', 'The cursor is not one this API returned.');
  return { at: new Date(Number(m[1])), id: m[2]! };
}

export async function listTenants(pool: Pool, q: TenantQuery) {
  const c = q.cursor ? decode(q.cursor) : null;
  const { rows } = await pool.query<{
    id: string;
    stripe_account_id: string;
    livemode: boolean;
    status: string;
    connection_type: string;
    display_name: string | null;
    connected_at: Date | null;
    created_at: Date;
  }>(
    `SELECT id, stripe_account_id, livemode, status, connection_type, display_name, connected_at, created_at
       FROM tenants
      WHERE ($1::text IS NULL OR stripe_account_id LIKE $1 || '%' OR id::text = $1
             OR display_name ILIKE '%' || $1 || '%')
        AND ($2::text IS NULL OR status::text = $2)
        AND ($3::text IS NULL OR connection_type::text = $3)
        AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))
      ORDER BY created_at DESC, id DESC LIMIT $6`,
    [
      q.q ?? null,
      q.status ?? null,
      q.connection_type ?? null,
      c?.at ?? null,
      c?.id ?? null,
      q.limit + 1,
    ],
  );
  const page = rows.slice(0, q.limit);
  return {
    data: page.map((t) => ({
      id: t.id,
      accountId: t.stripe_account_id,
      livemode: t.livemode,
      status: t.status,
      connectionType: t.connection_type,
      displayName: t.display_name,
      connectedAt: t.connected_at?.toISOString() ?? null,
      createdAt: t.created_at.toISOString(),
    })),
    next_cursor: rows.length > q.limit ? encode(page.at(-1)!) : null,
  };
}
