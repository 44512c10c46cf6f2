// At intake: an evidence draft for each new answerable dispute (open, deadline ahead) that has
// none yet, assembled from stored data. Idempotent (insert if absent); a draft a person has
// touched is never replaced here.
import type { Queryable } from '../../stripe-objects/upsert-objects.ts';
import { assembleDraft } from './assemble-draft.ts';
import { loadEvidenceContext } from './load-context.ts';

export async function prepareEvidenceDrafts(
  db: Queryable,
  tenantId: string,
  disputeIds: readonly string[],
) {
  if (disputeIds.length === 0) return;
  const { rows } = await db.query<{ id: string }>(
    `SELECT d.stripe_id AS id FROM disputes d
      WHERE d.tenant_id = $1 AND d.stripe_id = ANY($2::text[]) AND d.status = 'OPEN'
        AND d.challenge_required_by > now()
        AND NOT EXISTS (SELECT 1 FROM evidence_drafts e
                         WHERE e.tenant_id = d.tenant_id AND e.dispute_id = d.stripe_id)`,
    [tenantId, disputeIds],
  );
  for (const { id } of rows) {
    const ctx = await loadEvidenceContext(db, tenantId, id);
    if (!ctx) continue;
    const draft = assembleDraft(ctx);
    await db.query(
      `INSERT INTO evidence_drafts (tenant_id, dispute_id, fields, ce3)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [tenantId, id, JSON.stringify(draft.fields), draft.ce3 ? JSON.stringify(draft.ce3) : null],
    );
  }
}
