// Accept: close the dispute at Stripe, conceding it (the disputed amount stays with the
// cardholder). Confirmed by typing the dispute id back; only while it can still be answered.
// Idempotent at Stripe (one key per dispute).
import { AppError } from '../../errors.ts';
import type { EvidenceActor } from './actor.ts';
import { answerableDispute, loadDisputeState } from './draft-view.ts';
import { runDisputeAction, type EvidenceDeps } from './run-dispute-action.ts';

export async function acceptDispute(
  deps: EvidenceDeps,
  tenantId: string,
  disputeId: string,
  input: { confirm: string },
  actor: EvidenceActor,
): Promise<{ disputeId: string; status: string }> {
  if (input.confirm !== disputeId) {
    throw new AppError('bad_request', `To accept, confirm with the dispute id (${disputeId}).`, {
      reason: 'confirmation_required',
    });
  }
  await answerableDispute(deps.pool, tenantId, disputeId);
  await runDisputeAction(deps, tenantId, disputeId, {
    action: 'accept',
    actor,
    draftVersion: null,
    idempotencyKey: `dd-accept-${disputeId}`,
    call: (stripe, idempotencyKey) => stripe.disputes.close(disputeId, {}, { idempotencyKey }),
    after: (db) =>
      db
        .query(
          `UPDATE evidence_drafts SET state = 'accepted', updated_by = $3, updated_at = now()
            WHERE tenant_id = $1 AND dispute_id = $2`,
          [tenantId, disputeId, actor.name],
        )
        .then(() => undefined),
  });
  const after = await loadDisputeState(deps.pool, tenantId, disputeId);
  return { disputeId, status: after.status };
}
