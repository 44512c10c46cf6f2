// Failed admin authentications, for admins to see who is trying: when, from which address, with
// which (hashed, truncated) token, on which route. Written by authenticate-admin.ts for the first
// failures per address and minute only, so a flood costs counters, not rows.
import { createHash } from 'node:crypto';
import type { Pool } from '../../db.ts';
import { storableCopy } from '../../http/storable.ts';

export async function recordAuthFailure(
  pool: Pool,
  f: { ip: string | null; token: string; method: string; path: string; userAgent: string | null },
) {
  await pool.query(
    `INSERT INTO admin_auth_failures (ip, reason, token_hash, method, path, user_agent)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      f.ip,
      f.token ? 'unknown_token' : 'missing_token',
      f.token ? createHash('sha256').update(f.token).digest('hex').slice(0, 12) : null,
      f.method,
      storableCopy(f.path),
      storableCopy(f.userAgent),
    ],
  );
}

export async function listAuthFailures(
  pool: Pool,
  q: { ip?: string; cursor?: number; limit: number },
) {
  const { rows } = await pool.query<{
    id: string;
    at: Date;
    ip: string | null;
    reason: 'missing_token' | 'unknown_token';
    token_hash: string | null;
    method: string;
    path: string;
    user_agent: string | null;
  }>(
    `SELECT f.id::text AS id, at, ip, reason, token_hash, method, path, user_agent
       FROM admin_auth_failures f
      WHERE ($1::text IS NULL OR ip = $1) AND ($2::bigint IS NULL OR f.id < $2)
      ORDER BY f.id DESC LIMIT $3`,
    [q.ip ?? null, q.cursor ?? null, q.limit + 1],
  );
  return {
    data: rows.slice(0, q.limit).map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      ip: r.ip,
      reason: r.reason,
      tokenHash: r.token_hash,
      method: r.method,
      path: r.path,
      userAgent: r.user_agent,
    })),
    next_cursor: rows.length > q.limit ? rows[q.limit - 1]!.id : null,
  };
}
