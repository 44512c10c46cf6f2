// Save: the draft goes to Stripe without submitting (`submit=false`), so it is also visible in
// the Stripe Dashboard. The version the caller read must still be current.
import type { EvidenceActor } from './actor.ts';
import { answerableDispute, getDraftView, readDraft, type DraftView } from './draft-view.ts';
import { staleVersion } from './edit-draft.ts';
import { runDisputeAction, type EvidenceDeps } from './run-dispute-action.ts';
import { stripeEvidence } from './stripe-evidence.ts';

export async function saveEvidence(
  deps: EvidenceDeps,
  tenantId: string,
  disputeId: string,
  input: { version: number },
  actor: EvidenceActor,
): Promise<DraftView> {
  await answerableDispute(deps.pool, tenantId, disputeId);
  await getDraftView(deps.pool, tenantId, disputeId);
  const draft = (await readDraft(deps.pool, tenantId, disputeId))!;
  if (draft.version !== input.version) throw staleVersion(draft.version, input.version);
  await runDisputeAction(deps, tenantId, disputeId, {
    action: 'save',
    actor,
    draftVersion: draft.version,
    idempotencyKey: `dd-save-${disputeId}-v${draft.version}`,
    call: (stripe, idempotencyKey) =>
      stripe.disputes.update(
        disputeId,
        { evidence: stripeEvidence(draft.fields, draft.ce3), submit: false },
        { idempotencyKey },
      ),
    after: (db) =>
      db
        .query(
          `UPDATE evidence_drafts SET state = 'saved', updated_at = now()
            WHERE tenant_id = $1 AND dispute_id = $2 AND version = $3`,
          [tenantId, disputeId, draft.version],
        )
        .then(() => undefined),
  });
  return getDraftView(deps.pool, tenantId, disputeId);
}
