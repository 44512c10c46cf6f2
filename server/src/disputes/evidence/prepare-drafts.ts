// At intake: an evidence draft for each new answerable dispute (open, deadline ahead) that has
// none yet, assembled from stored data (a batch's disputes read and written together). Idempotent (insert if absent); a draft a person has
// touched is never replaced here. Later reads refresh the fields nobody edited.
import type { Queryable } from '../../stripe-objects/upsert-objects.ts';
import { assembleDraft } from './assemble-draft.ts';
import { EVIDENCE_FIELDS, type DraftFields } from './fields.ts';
import { loadEvidenceContext, loadEvidenceContexts } from './load-context.ts';
import { joinJsonTexts, jsonTexts } from '../../db.ts';
import { keyArrays, type DisputeKey } from '../../stripe-objects/dispute-key.ts';

export async function prepareEvidenceDrafts(db: Queryable, disputes: readonly DisputeKey[]) {
  if (disputes.length === 0) return;
  const { rows } = await db.query<{ tenant_id: string; id: string }>({
    name: 'drafts-to-prepare',
    text: `SELECT d.tenant_id, d.stripe_id AS id
       FROM unnest($1::uuid[], $2::text[]) AS k(tenant_id, stripe_id)
       JOIN disputes d ON d.tenant_id = k.tenant_id AND d.stripe_id = k.stripe_id
      WHERE d.status = 'OPEN' AND d.challenge_required_by > now()
        AND NOT EXISTS (SELECT 1 FROM evidence_drafts e
                         WHERE e.tenant_id = d.tenant_id AND e.dispute_id = d.stripe_id)`,
    values: keyArrays(disputes),
  });
  if (rows.length === 0) return;
  const contexts = await loadEvidenceContexts(
    db,
    rows.map((r) => ({ tenantId: r.tenant_id, disputeId: r.id })),
  );
  const drafts = rows.flatMap((r, n) => {
    const ctx = contexts[n];
    return ctx ? [{ tenantId: r.tenant_id, disputeId: r.id, draft: assembleDraft(ctx) }] : [];
  });
  if (drafts.length === 0) return;
  await db.query({
    name: 'insert-evidence-drafts',
    text: `INSERT INTO evidence_drafts (tenant_id, dispute_id, fields, ce3)
       SELECT k.tenant_id, k.dispute_id, k.fields, nullif(k.ce3, 'null'::jsonb)
         FROM unnest($1::uuid[], $2::text[], ${jsonTexts('$3')}, ${jsonTexts('$4')})
                AS k(tenant_id, dispute_id, fields, ce3)
       ON CONFLICT DO NOTHING`,
    values: [
      drafts.map((d) => d.tenantId),
      drafts.map((d) => d.disputeId),
      joinJsonTexts(drafts.map((d) => JSON.stringify(d.draft.fields))),
      joinJsonTexts(drafts.map((d) => JSON.stringify(d.draft.ce3 ?? null))),
    ],
  });
}

/**
 * Brings a draft's un-edited fields up to date with what is stored now: a dispute's payment,
 * customer or invoice may arrive after the dispute (deliveries are unordered). Fields a person
 * edited are never touched, and the version (which guards human edits) does not change.
 */
export async function refreshEvidenceDraft(db: Queryable, tenantId: string, disputeId: string) {
  const { rows } = await db.query<{ fields: DraftFields; ce3: unknown; state: string }>(
    'SELECT fields, ce3, state FROM evidence_drafts WHERE tenant_id = $1 AND dispute_id = $2',
    [tenantId, disputeId],
  );
  const stored = rows[0];
  if (!stored || (stored.state !== 'draft' && stored.state !== 'saved')) return;
  const ctx = await loadEvidenceContext(db, tenantId, disputeId);
  if (!ctx) return;
  const fresh = assembleDraft(ctx);
  const fields = { ...stored.fields };
  for (const f of EVIDENCE_FIELDS) if (!fields[f]?.edited) fields[f] = fresh.fields[f];
  const changed =
    JSON.stringify(fields) !== JSON.stringify(stored.fields) ||
    JSON.stringify(fresh.ce3) !== JSON.stringify(stored.ce3);
  if (!changed) return;
  await db.query(
    `UPDATE evidence_drafts SET fields = $3, ce3 = $4
      WHERE tenant_id = $1 AND dispute_id = $2 AND state IN ('draft', 'saved')`,
    [tenantId, disputeId, JSON.stringify(fields), fresh.ce3 ? JSON.stringify(fresh.ce3) : null],
  );
}
