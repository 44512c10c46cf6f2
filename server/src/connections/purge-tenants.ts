// Tenants disconnected longer than the retention lose their data: every row of every table with
// a tenant_id (found in the catalog, so new tables are covered), their credentials too. The
// tenant row stays, marked purged, so a later reconnect starts cleanly and the admin sees why.
import type { Pool } from '../db.ts';
import type { Logger } from '../logger.ts';

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
  const { rows: tables } = await deps.pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = 'tenant_id' AND table_name <> 'tenants'
      ORDER BY table_name`,
  );
  let deleted = 0;
  const purged: string[] = [];
  for (const { id } of due) {
    const client = await deps.pool.connect();
    try {
      await client.query('BEGIN');
      // Re-check under lock: a reconnect may have happened since the scan.
      const { rowCount } = await client.query(
        `SELECT 1 FROM tenants WHERE id = $1 AND status = 'disconnected'
            AND disconnected_at < now() - make_interval(secs => $2) FOR UPDATE`,
        [id, retentionMs / 1000],
      );
      if (!rowCount) {
        await client.query('ROLLBACK');
        continue;
      }
      for (const { table_name } of tables) {
        const r = await client.query(`DELETE FROM "${table_name}" WHERE tenant_id = $1`, [id]);
        deleted += r.rowCount ?? 0;
      }
      await client.query(
        `UPDATE tenants SET status = 'purged', purged_at = now(), updated_at = now(),
                status_reason = 'data purged after the retention period', webhook_endpoint_id = NULL,
                access_token_expires_at = NULL
          WHERE id = $1`,
        [id],
      );
      await client.query('COMMIT');
      purged.push(id);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
  deps.logger.info({ tenants: purged.length, rows: deleted }, 'purged disconnected tenants');
  return { purged, rows: deleted };
}
