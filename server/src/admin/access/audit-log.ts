// The admin audit log: one row per mutating call (and per refused one), with the parameters'
// secrets redacted. Readable by admins, newest first.
//
// Write-ahead: an accepted call's row is committed before its action starts (startAudit) and its
// outcome filled in after (completeAudit). If the row cannot be written the action never runs; if
// the outcome cannot be recorded the row stays with a null status — an action is never performed
// without a row naming who asked for it.
import type { Pool } from '../../db.ts';
import { storableCopy } from '../../http/storable.ts';
import { redactSecrets } from '../../crypto/redact.ts';
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

const json = (v: unknown) =>
  v === undefined ? null : JSON.stringify(storableCopy(redactSecrets(v)));

async function insertAudit(
  pool: Pool,
  e: Omit<AuditEntry, 'status' | 'result'> & { status: number | null; result?: unknown },
) {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO admin_audit (actor_id, actor, role, action, target, params, status, result, ip)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::text`,
    [
      e.actor.id,
      e.actor.name,
      e.actor.role,
      e.action,
      e.target === null ? null : (storableCopy(e.target) as string),
      json(e.params),
      e.status,
      json(e.result),
      e.ip,
    ],
  );
  return rows[0]!.id;
}

/** A call refused before its action (bad input, weak role): one finished row. */
export async function writeAudit(pool: Pool, e: AuditEntry) {
  await insertAudit(pool, e);
}

/** Before the action runs: the row that proves who asked for it. Throws if it cannot be written. */
export function startAudit(pool: Pool, e: Omit<AuditEntry, 'status' | 'result'>) {
  return insertAudit(pool, { ...e, status: null });
}

/** After the action: its answer's status and result. */
export async function completeAudit(pool: Pool, id: string, status: number, result: unknown) {
  await pool.query('UPDATE admin_audit SET status = $2, result = $3 WHERE id = $1', [
    id,
    status,
    json(result),
  ]);
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
    status: number | null;
    result: unknown;
    ip: string | null;
  }>(
    `SELECT a.id::text AS id, at, actor_id, actor, role, action, target, params, status, result, ip
       FROM admin_audit a
      WHERE ($1::text IS NULL OR actor = $1 OR actor_id::text = $1)
        AND ($2::text IS NULL OR action LIKE '%' || $2 || '%')
        AND ($3::text IS NULL OR target = $3)
        AND ($4::bigint IS NULL OR a.id < $4)
      -- a.id, the bigint: ordering by the selected text form skipped rows (9 > 10 as text)
      ORDER BY a.id DESC LIMIT $5`,
    [q.actor ?? null, q.action ?? null, q.target ?? null, q.before ?? null, q.limit + 1],
  );
  return {
    data: rows.slice(0, q.limit).map((r) => ({
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
    next_cursor: rows.length > q.limit ? rows[q.limit - 1]!.id : null,
  };
}
