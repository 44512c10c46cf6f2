// One dispute's draft as the app and support see it: the fields with their sources, the checklist
// and completeness for its reason, CE3.0, the text budget, whether it can still be answered (and
// if not, why), and what was done so far. Creates the draft on first look if intake did not
// (a dispute stored before drafts existed).
import type { Pool } from '../../db.ts';
import { AppError } from '../../errors.ts';
import type { UnifiedReason } from '../reason-codes.ts';
import type { Ce3 } from './assemble-draft.ts';
import { checklistFor, type Checklist } from './checklist.ts';
import { TEXT_LIMIT, textLength, type DraftFields } from './fields.ts';
import { prepareEvidenceDrafts, refreshEvidenceDraft } from './prepare-drafts.ts';
import { answerability, type DisputeState } from './answerability.ts';

export interface DraftView {
  disputeId: string;
  state: 'draft' | 'saved' | 'submitted' | 'accepted';
  version: number;
  reason: UnifiedReason;
  type: string;
  status: string;
  dueBy: string | null;
  answerable: { ok: boolean; reason: string | null };
  fields: DraftFields;
  checklist: Checklist;
  ce3: Ce3 | null;
  text: { used: number; limit: number };
  updatedBy: string | null;
  updatedAt: string | null;
  actions: Array<{
    action: string;
    actor: string;
    actorType: string;
    status: string;
    error: string | null;
    at: string;
  }>;
}

export async function loadDisputeState(
  pool: Pool,
  tenantId: string,
  disputeId: string,
): Promise<DisputeState> {
  const { rows } = await pool.query<DisputeState>(
    `SELECT stripe_id AS "disputeId", type, status, reason, stripe_status AS "stripeStatus",
            challenge_required_by AS "dueBy", evidence_submissions AS "submissions"
       FROM disputes WHERE tenant_id = $1 AND stripe_id = $2`,
    [tenantId, disputeId],
  );
  if (!rows[0]) throw new AppError('not_found', `No dispute ${disputeId}.`);
  return rows[0];
}

export async function getDraftView(
  pool: Pool,
  tenantId: string,
  disputeId: string,
): Promise<DraftView> {
  const dispute = await loadDisputeState(pool, tenantId, disputeId);
  await refreshEvidenceDraft(pool, tenantId, disputeId);
  let draft = await readDraft(pool, tenantId, disputeId);
  if (!draft) {
    await prepareEvidenceDrafts(pool, [{ tenantId, disputeId }]);
    draft = await readDraft(pool, tenantId, disputeId);
  }
  if (!draft) {
    throw new AppError(
      'not_found',
      `Dispute ${disputeId} has no evidence draft: it cannot be answered.`,
      {
        reason: answerability(dispute).reason,
      },
    );
  }
  const { rows: actions } = await pool.query<DraftView['actions'][number] & { at: Date }>(
    `SELECT action, actor_name AS actor, actor_type AS "actorType", status, error, created_at AS at
       FROM dispute_actions WHERE tenant_id = $1 AND dispute_id = $2 ORDER BY id`,
    [tenantId, disputeId],
  );
  return {
    disputeId,
    state: draft.state,
    version: draft.version,
    reason: dispute.reason,
    type: dispute.type,
    status: dispute.status,
    dueBy: dispute.dueBy?.toISOString() ?? null,
    answerable: answerability(dispute),
    fields: draft.fields,
    checklist: checklistFor(dispute.reason, draft.fields),
    ce3: draft.ce3,
    text: { used: textLength(draft.fields), limit: TEXT_LIMIT },
    updatedBy: draft.updated_by,
    updatedAt: draft.updated_at?.toISOString() ?? null,
    actions: actions.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
  };
}

export interface StoredDraft {
  fields: DraftFields;
  ce3: Ce3 | null;
  state: DraftView['state'];
  version: number;
  updated_by: string | null;
  updated_at: Date | null;
}

export async function readDraft(
  pool: Pool,
  tenantId: string,
  disputeId: string,
): Promise<StoredDraft | null> {
  const { rows } = await pool.query<StoredDraft>(
    `SELECT fields, ce3, state, version, updated_by, updated_at FROM evidence_drafts
      WHERE tenant_id = $1 AND dispute_id = $2`,
    [tenantId, disputeId],
  );
  return rows[0] ?? null;
}

/** The dispute's state, or 409 `not_answerable` saying why it can no longer be answered. */
export async function answerableDispute(
  pool: Pool,
  tenantId: string,
  disputeId: string,
): Promise<DisputeState> {
  const dispute = await loadDisputeState(pool, tenantId, disputeId);
  const can = answerability(dispute);
  if (!can.ok) throw new AppError('conflict', can.reason!, { reason: 'not_answerable' });
  return dispute;
}
