// One dispute of the tenant with its timeline; another tenant's dispute is simply not found.
import type { DisputeDetail } from './dispute-contract.ts';
import type { Pool } from '../db.ts';
import { AppError } from '../errors.ts';
import { DISPUTE_COLUMNS, withTimelines, type DisputeRow } from './dispute-view.ts';

export async function getDispute(
  pool: Pool,
  tenantId: string,
  disputeId: string,
): Promise<DisputeDetail> {
  const { rows } = await pool.query<DisputeRow>(
    `SELECT ${DISPUTE_COLUMNS} FROM disputes d WHERE d.tenant_id = $1 AND d.stripe_id = $2`,
    [tenantId, disputeId],
  );
  if (rows.length === 0) throw new AppError('not_found', `No dispute ${disputeId}.`);
  return (await withTimelines(pool, tenantId, rows))[0]!;
}
