// Dispute intake, the one way disputes enter the product — from webhook processing and from the
// history import alike: lock their payments (exclusively: a dispute and its charge processed at
// once must see each other), store the embedded charge / PaymentIntent an expanded dispute
// carries, record the disputes and their timeline, prepare the evidence draft of each answerable
// one, and write the outbox rows of those whose type or status changed. Idempotent: the same
// snapshots again change nothing and notify nothing. Returns the notification ids to deliver once
// the caller's transaction commits.
import type Stripe from 'stripe';
import { lockPayments } from '../stripe-objects/lock-payments.ts';
import { upsertObjects, type Queryable } from '../stripe-objects/upsert-objects.ts';
import { queueDisputeNotifications } from '../notifications/queue-dispute-notifications.ts';
import { recordDisputes, type DisputeSnapshot } from './record-disputes.ts';
import { prepareEvidenceDrafts } from './evidence/prepare-drafts.ts';
import { idOf } from '../stripe-objects/id-of.ts';

const expanded = <T extends { id: string }>(v: string | T | null | undefined): T | null =>
  v != null && typeof v === 'object' ? v : null;

/** The payments (charge and PaymentIntent ids) a dispute belongs to: what intake locks. */
export function disputePaymentIds(d: Stripe.Dispute): Array<string | null> {
  const charge = expanded(d.charge);
  return [idOf(d.charge), idOf(d.payment_intent), idOf(charge?.payment_intent)];
}

export async function intakeDisputes(
  db: Queryable,
  tenantId: string,
  snapshots: readonly DisputeSnapshot[],
  opts: { notify?: (disputeId: string) => boolean } = {},
): Promise<string[]> {
  if (snapshots.length === 0) return [];
  await lockPayments(
    db,
    tenantId,
    snapshots.flatMap((s) => disputePaymentIds(s.object)),
  );
  // A dispute rendered with its charge (and PaymentIntent) expanded carries them as they were:
  // stored like any snapshot (the ordering guard keeps newer ones).
  const charges = snapshots.flatMap((s) => {
    const c = expanded(s.object.charge);
    return c ? [{ object: c, snapshotAt: s.snapshotAt }] : [];
  });
  const intents = snapshots.flatMap((s) => {
    const pi =
      expanded(s.object.payment_intent) ?? expanded(expanded(s.object.charge)?.payment_intent);
    return pi ? [{ object: pi, snapshotAt: s.snapshotAt }] : [];
  });
  await upsertObjects(db, 'charge', tenantId, charges);
  await upsertObjects(db, 'payment_intent', tenantId, intents);
  const changed = await recordDisputes(db, tenantId, snapshots);
  await prepareEvidenceDrafts(db, tenantId, changed);
  const notify = opts.notify ?? (() => true);
  return queueDisputeNotifications(db, tenantId, changed.filter(notify));
}
