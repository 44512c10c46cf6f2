// A tenant's evidence settings (automatic submission off by default), read and changed by the
// merchant in the app or by support.
import type { Pool } from '../../db.ts';
import { AppError } from '../../errors.ts';

export interface EvidenceSettingsView {
  autoSubmit: boolean;
  hoursBefore: number;
  minCompleteness: number;
  updatedBy: string | null;
}

const DEFAULTS: EvidenceSettingsView = {
  autoSubmit: false,
  hoursBefore: 24,
  minCompleteness: 80,
  updatedBy: null,
};

export async function getEvidenceSettings(
  pool: Pool,
  tenantId: string,
): Promise<EvidenceSettingsView> {
  const { rows } = await pool.query<EvidenceSettingsView>(
    `SELECT auto_submit AS "autoSubmit", hours_before AS "hoursBefore",
            min_completeness AS "minCompleteness", updated_by AS "updatedBy"
       FROM evidence_settings WHERE tenant_id = $1`,
    [tenantId],
  );
  return rows[0] ?? DEFAULTS;
}

export async function setEvidenceSettings(
  pool: Pool,
  tenantId: string,
  input: Partial<Omit<EvidenceSettingsView, 'updatedBy'>>,
  by: string,
): Promise<EvidenceSettingsView> {
  const known = await pool.query('SELECT 1 FROM tenants WHERE id = $1', [tenantId]);
  if (!known.rowCount) throw new AppError('not_found', `No tenant ${tenantId}.`);
  const next = { ...(await getEvidenceSettings(pool, tenantId)), ...input };
  await pool.query(
    `INSERT INTO evidence_settings (tenant_id, auto_submit, hours_before, min_completeness, updated_by)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id) DO UPDATE SET auto_submit = $2, hours_before = $3,
            min_completeness = $4, updated_by = $5, updated_at = now()`,
    [tenantId, next.autoSubmit, next.hoursBefore, next.minCompleteness, by],
  );
  return getEvidenceSettings(pool, tenantId);
}
