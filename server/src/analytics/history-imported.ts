// Whether a tenant's figures are final: its latest history import has finished. Until then every
// figure is marked partial (counts from incomplete data are never shown as final).
import type { Pool } from '../db.ts';

export async function historyImported(pool: Pool, tenantId: string): Promise<boolean> {
  const { rows } = await pool.query<{ done: boolean }>(
    `SELECT coalesce((SELECT status = 'succeeded' FROM backfill_runs WHERE tenant_id = $1
                       ORDER BY started_at DESC LIMIT 1), false) AS done`,
    [tenantId],
  );
  return rows[0]?.done ?? false;
}
