// The admin audit log: one row per mutating call (and per refused one), written before the answer
// is sent, with the parameters' secrets redacted. Readable by admins, newest first.
import type { Pool } from '../db.ts';
import { redactSecrets } from './redact.ts';
import type { Actor } from './roles.ts';

export interface AuditEntry {
  actor: Actor;
  action: string;
  target: string | null;
  params: Record<string, unknown>;
  status: number;
  result: unknown;
  ip: string | null;
}

export async function writeAudit(pool: Pool, e: AuditEntry) {
  await pool.query(
    `INSERT INTO admin_audit (actor_id, actor, role, action, target, params, status, result, ip)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      e.actor.id,
      e.actor.name,
      e.actor.role,
      e.action,
      e.target,
      JSON.stringify(redactSecrets(e.params)),
      e.status,
      e.result === undefined ? null : JSON.stringify(redactSecrets(e.result)),
      e.ip,
    ],
  );
}

export async function listAudit(
  pool: Pool,
  q: { actor?: string; action?: string; target?: string; before?: number; limit: number },
) {
  const { rows } = await pool.query<{
    id: string;
    at: Date;
    actor_id: string | null;
    actor: string;
    role: string;
    action: string;
    target: string | null;
    params: unknown;
    status: number;
    result: unknown;
    ip: string | null;
  }>(
    `SELECT id::text, at, actor_id, actor, role, action, target, params, status, result, ip
       FROM admin_audit
      WHERE ($1::text IS NULL OR actor = $1 OR actor_id::text = $1)
        AND ($2::text IS NULL OR action LIKE '%' || $2 || '%')
        AND ($3::text IS NULL OR target = $3)
        AND ($4::bigint IS NULL OR id < $4)
      ORDER BY id DESC LIMIT $5`,
    [q.actor ?? null, q.action ?? null, q.target ?? null, q.before ?? null, q.limit],
  );
  return {
    data: rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actorId: r.actor_id,
      actor: r.actor,
      role: r.role,
      action: r.action,
      target: r.target,
      params: r.params,
      status: r.status,
      result: r.result,
      ip: r.ip,
    })),
    next_cursor: rows.length === q.limit ? rows.at(-1)!.id : null,
  };
}
