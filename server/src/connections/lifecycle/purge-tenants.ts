// Tenants disconnected longer than the retention lose their data: every row of every table with
// a tenant_id (found in the catalog, so new tables are covered), their credentials too. The
// tenant row stays, marked purged, so a later reconnect starts cleanly and the admin sees why.
// An admin may purge a disconnected tenant at once (purgeTenant with retention 0). The analytics
// aggregates go last: deleting the source rows appends their negative contributions there.
import { withTransaction, type Pool } from '../../db.ts';
import { AppError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';

async function tenantTables(pool: Pool) {
  const { rows } = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = 'tenant_id' AND table_name <> 'tenants'
      ORDER BY table_name LIKE 'agg\\_%', table_name`,
  );
  return rows.map((r) => r.table_name);
}

/**
 * Purges one tenant if it is still disconnected for longer than `retentionMs` (checked under a
 * row lock: a reconnect may have happened since the caller looked). Returns the rows deleted, or
 * null when the tenant no longer qualifies.
 */
async function purgeOne(
  pool: Pool,
  tables: string[],
  id: string,
  retentionMs: number,
): Promise<number | null> {
  return withTransaction(pool, async (client) => {
    const { rowCount } = await client.query(
      `SELECT 1 FROM tenants WHERE id = $1 AND status = 'disconnected'
          AND disconnected_at <= now() - make_interval(secs => $2) FOR UPDATE`,
      [id, retentionMs / 1000],
    );
    if (!rowCount) return null;
    let deleted = 0;
    for (const table of tables) {
      const r = await client.query(`DELETE FROM "${table}" WHERE tenant_id = $1`, [id]);
      deleted += r.rowCount ?? 0;
    }
    await client.query(
      `UPDATE tenants SET status = 'purged', purged_at = now(), updated_at = now(),
              status_reason = 'data purged after the retention period', webhook_endpoint_id = NULL,
              access_token_expires_at = NULL
        WHERE id = $1`,
      [id],
    );
    return deleted;
  });
}

export async function purgeDisconnectedTenants(
  deps: { pool: Pool; logger: Logger },
  retentionMs: number,
): Promise<{ purged: string[]; rows: number }> {
  const { rows: due } = await deps.pool.query<{ id: string }>(
    `SELECT id FROM tenants
      WHERE status = 'disconnected' AND disconnected_at < now() - make_interval(secs => $1)`,
    [retentionMs / 1000],
  );
  if (due.length === 0) return { purged: [], rows: 0 };
  const tables = await tenantTables(deps.pool);
  let deleted = 0;
  const purged: string[] = [];
  for (const { id } of due) {
    const n = await purgeOne(deps.pool, tables, id, retentionMs);
    if (n === null) continue;
    deleted += n;
    purged.push(id);
  }
  deps.logger.info({ tenants: purged.length, rows: deleted }, 'purged disconnected tenants');
  return { purged, rows: deleted };
}

/** An admin's purge of one disconnected tenant, without waiting for the retention to end. */
export async function purgeTenant(deps: { pool: Pool; logger: Logger }, tenantId: string) {
  const n = await purgeOne(deps.pool, await tenantTables(deps.pool), tenantId, 0);
  if (n === null) {
    const { rows } = await deps.pool.query<{ status: string }>(
      'SELECT status FROM tenants WHERE id = $1',
      [tenantId],
    );
    if (!rows[0]) throw new AppError('not_found', `No tenant ${tenantId}.`);
    throw new AppError(
      'conflict',
      `The tenant is ${rows[0].status}; only a disconnected tenant can be purged (disconnect it first).`,
    );
  }
  deps.logger.info({ tenantId, rows: n }, 'tenant purged by an admin');
  return { tenantId, status: 'purged' as const, rowsDeleted: n };
}
