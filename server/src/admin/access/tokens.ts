// Admin bearer tokens: `ddadm_` + 32 random bytes, shown once at creation, stored as a SHA-256
// hash (looked up by it: no comparison of secrets in our code), with an expiry and revocation.
// last_used_at is written at most once a minute per token.
import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from '../../db.ts';
import { AppError } from '../../errors.ts';
import type { Actor, Role } from './roles.ts';

export const TOKEN_PREFIX = 'ddadm_';
export const MAX_TOKEN_DAYS = 365;
const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface TokenView {
  id: string;
  name: string;
  role: Role;
  hint: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface Row {
  id: string;
  name: string;
  role: Role;
  hint: string;
  created_by: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const view = (r: Row): TokenView => ({
  id: r.id,
  name: r.name,
  role: r.role,
  hint: r.hint,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  expiresAt: r.expires_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
});

export async function createAdminToken(
  pool: Pool,
  input: { name: string; role: Role; expiresInDays: number; createdBy: string },
): Promise<TokenView & { token: string }> {
  if (input.expiresInDays < 1 || input.expiresInDays > MAX_TOKEN_DAYS) {
    throw new AppError('bad_request', `A token lives 1 to ${MAX_TOKEN_DAYS} days.`);
  }
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const { rows } = await pool.query<Row>(
    `INSERT INTO admin_tokens (id, name, role, token_hash, hint, created_by, expires_at)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, now() + make_interval(days => $6))
     RETURNING *`,
    [
      input.name,
      input.role,
      hash(token),
      `…${token.slice(-4)}`,
      input.createdBy,
      input.expiresInDays,
    ],
  );
  return { ...view(rows[0]!), token };
}

export async function listAdminTokens(pool: Pool): Promise<TokenView[]> {
  const { rows } = await pool.query<Row>('SELECT * FROM admin_tokens ORDER BY created_at DESC');
  return rows.map(view);
}

export async function revokeAdminToken(pool: Pool, id: string): Promise<TokenView> {
  const { rows } = await pool.query<Row>(
    `UPDATE admin_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING *`,
    [id],
  );
  if (!rows[0]) throw new AppError('not_found', `No token ${id}.`);
  return view(rows[0]);
}

/** The actor a token stands for, or null if it is unknown, expired or revoked. */
export async function tokenActor(pool: Pool, token: string): Promise<Actor | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const { rows } = await pool.query<{ id: string; name: string; role: Role }>(
    `UPDATE admin_tokens SET last_used_at = now()
      WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()
        AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
     RETURNING id, name, role`,
    [hash(token)],
  );
  if (rows[0]) return rows[0];
  // Used within the last minute: valid, but no write.
  const { rows: recent } = await pool.query<{ id: string; name: string; role: Role }>(
    `SELECT id, name, role FROM admin_tokens
      WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()`,
    [hash(token)],
  );
  return recent[0] ?? null;
}
