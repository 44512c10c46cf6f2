// One action on a dispute at Stripe (save, submit, accept), the same way every time: recorded with
// who asked before Stripe is called (dispute_actions, pending), sent with an idempotency key (a
// retried or doubled request acts once at Stripe), finished with Stripe's answer — the returned
// dispute goes through intake, so the app sees the new state at once and merchants' systems get
// their DISPUTE.STATUS notification — or with Stripe's refusal in its own words.
import Stripe from 'stripe';
import type { TenantClients } from '../../connections/credentials/tenant-clients.ts';
import { withTransaction, type Pool } from '../../db.ts';
import { AppError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { offerDeliveries } from '../../notifications/offer-deliveries.ts';
import { queueDisputeEvent } from '../../notifications/queue-dispute-event.ts';
import type { Queues } from '../../queues.ts';
import type { Queryable } from '../../stripe-objects/upsert-objects.ts';
import { intakeDisputes } from '../intake-disputes.ts';
import type { EvidenceActor } from './actor.ts';

export interface EvidenceDeps {
  pool: Pool;
  clients: Pick<TenantClients, 'forTenant'>;
  queues: Pick<Queues, 'notifications'>;
  logger: Logger;
}

export interface ActionSpec {
  action: 'save' | 'submit' | 'accept';
  actor: EvidenceActor;
  draftVersion: number | null;
  idempotencyKey: string;
  call: (stripe: Stripe, idempotencyKey: string) => Promise<Stripe.Dispute>;
  /** In the transaction that records success (e.g. the draft's new state). */
  after: (db: Queryable) => Promise<void>;
}

/** Stripe's refusal as our error; anything else (a bug, a network failure) is passed on as is. */
function refusal(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof Stripe.errors.StripeError) {
    const status = err.statusCode ?? 500;
    const details = { reason: 'stripe_refused', stripeCode: err.code ?? null };
    if (status === 404) return new AppError('not_found', `Stripe: ${err.message}`, details);
    if (status === 401 || status === 403)
      return new AppError(
        'forbidden',
        `Stripe refused the connection's access: ${err.message}`,
        details,
      );
    if (status === 429 || status >= 500)
      return new AppError(
        'storage_unavailable',
        `Stripe is unavailable; retry: ${err.message}`,
        details,
      );
    return new AppError('conflict', `Stripe refused: ${err.message}`, details);
  }
  return err;
}

export async function runDisputeAction(
  deps: EvidenceDeps,
  tenantId: string,
  disputeId: string,
  spec: ActionSpec,
): Promise<void> {
  const { rows } = await deps.pool.query<{ id: string }>(
    `INSERT INTO dispute_actions (tenant_id, dispute_id, action, actor_type, actor_id, actor_name,
                                  draft_version, idempotency_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id::text AS id`,
    [
      tenantId,
      disputeId,
      spec.action,
      spec.actor.type,
      spec.actor.id,
      spec.actor.name,
      spec.draftVersion,
      spec.idempotencyKey,
    ],
  );
  const actionId = rows[0]!.id;
  let dispute: Stripe.Dispute;
  try {
    const stripe = await deps.clients.forTenant(tenantId);
    dispute = await spec.call(stripe, spec.idempotencyKey);
  } catch (err) {
    // Every failure finishes the recorded action (none is left pending), then is thrown.
    const mapped = refusal(err);
    await deps.pool.query(
      `UPDATE dispute_actions SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`,
      [actionId, (mapped instanceof Error ? mapped.message : String(mapped)).slice(0, 1000)],
    );
    throw mapped;
  }
  const notifications = await withTransaction(deps.pool, async (db) => {
    await db.query(
      `UPDATE dispute_actions SET status = 'succeeded', finished_at = now() WHERE id = $1`,
      [actionId],
    );
    await spec.after(db);
    // As of this whole second (Stripe's event times are whole seconds): it replaces what earlier
    // events said; an event of the same second ties and the lifecycle rank decides (a `won`
    // beats this `under_review`), and later events win.
    const snapshotAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const statusChanges = await intakeDisputes(db, tenantId, [
      { object: dispute, snapshotAt, sourceEventId: `action_${actionId}` },
    ]);
    // Merchants' systems learn who acted (DISPUTE.ACTION), after the status change it caused.
    const acted =
      spec.action === 'save'
        ? []
        : await queueDisputeEvent(db, tenantId, disputeId, 'DISPUTE.ACTION', {
            action: spec.action === 'submit' ? 'EVIDENCE_SUBMITTED' : 'ACCEPTED',
            actor: { type: spec.actor.type, id: spec.actor.id, name: spec.actor.name },
          });
    return [...statusChanges, ...acted];
  });
  await offerDeliveries(deps.queues, notifications, deps.logger);
}
