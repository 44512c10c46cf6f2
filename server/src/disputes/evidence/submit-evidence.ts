// Submit: the draft goes to the issuer through Stripe (`submit=true`), once. Confirmed by typing
// the dispute id back; refused when the dispute can no longer be answered, when the draft changed
// since the caller read it, when a required field is empty, and for a Visa compliance dispute
// without the fee acknowledgement. The idempotency key is the draft version: a doubled request
// submits once.
import { AppError } from '../../errors.ts';
import type { EvidenceActor } from './actor.ts';
import { checklistFor } from './checklist.ts';
import { answerableDispute, getDraftView, readDraft, type DraftView } from './draft-view.ts';
import { staleVersion } from './edit-draft.ts';
import { runDisputeAction, type EvidenceDeps } from './run-dispute-action.ts';
import { stripeEvidence } from './stripe-evidence.ts';

export async function submitEvidence(
  deps: EvidenceDeps,
  tenantId: string,
  disputeId: string,
  input: { version: number; confirm: string; feeAcknowledged?: boolean; allowIncomplete?: boolean },
  actor: EvidenceActor,
): Promise<DraftView> {
  if (input.confirm !== disputeId) {
    throw new AppError('bad_request', `To submit, confirm with the dispute id (${disputeId}).`, {
      reason: 'confirmation_required',
    });
  }
  const dispute = await answerableDispute(deps.pool, tenantId, disputeId);
  if (dispute.type === 'COMPLIANCE' && !input.feeAcknowledged) {
    throw new AppError(
      'bad_request',
      'A compliance dispute is decided by the card network, which charges a fee if it rules against you: acknowledge the fee to submit (feeAcknowledged).',
      { reason: 'fee_acknowledgement_required' },
    );
  }
  await getDraftView(deps.pool, tenantId, disputeId);
  const draft = (await readDraft(deps.pool, tenantId, disputeId))!;
  if (draft.version !== input.version) throw staleVersion(draft.version, input.version);
  const missing = checklistFor(dispute.reason, draft.fields).missingRequired;
  if (missing.length && !input.allowIncomplete) {
    throw new AppError(
      'bad_request',
      `Required evidence is empty: ${missing.join(', ')}. Fill it, or submit anyway with allowIncomplete.`,
      { reason: 'incomplete', missing },
    );
  }
  await runDisputeAction(deps, tenantId, disputeId, {
    action: 'submit',
    actor,
    draftVersion: draft.version,
    idempotencyKey: `dd-submit-${disputeId}-v${draft.version}`,
    call: (stripe, idempotencyKey) =>
      stripe.disputes.update(
        disputeId,
        {
          evidence: stripeEvidence(draft.fields, draft.ce3, {
            feeAcknowledged: input.feeAcknowledged,
          }),
          submit: true,
        },
        { idempotencyKey },
      ),
    after: (db) =>
      db
        .query(
          `UPDATE evidence_drafts SET state = 'submitted', updated_by = $3, updated_at = now()
            WHERE tenant_id = $1 AND dispute_id = $2`,
          [tenantId, disputeId, actor.name],
        )
        .then(() => undefined),
  });
  return getDraftView(deps.pool, tenantId, disputeId);
}
