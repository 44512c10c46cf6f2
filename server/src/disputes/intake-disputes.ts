// Dispute intake, the one way disputes enter the product — from webhook processing and from the
// history import alike: lock their payments (exclusively: a dispute and its charge processed at
// once must see each other), store the embedded charge / PaymentIntent an expanded dispute
// carries, record the disputes and their timeline, prepare the evidence draft of each answerable
// one, and write the outbox rows of those whose type or status changed. Idempotent: the same
// snapshots again change nothing and notify nothing. Returns the notification ids to deliver once
// the caller's transaction commits. One call may carry several tenants' disputes (an events
// batch mixes tenants): every statement keys its rows by tenant and id.
import type Stripe from 'stripe';
import { lockPaymentKeys, paymentLocks } from '../stripe-objects/lock-payments.ts';
import { upsertTenantObjects, type Queryable } from '../stripe-objects/upsert-objects.ts';
import { queueDisputeNotifications } from '../notifications/queue-dispute-notifications.ts';
import { recordDisputes, type DisputeKey, type TenantDisputeSnapshot } from './record-disputes.ts';
import { prepareEvidenceDrafts } from './evidence/prepare-drafts.ts';
import type { DisputeSnapshot } from './record-disputes.ts';
import { idOf } from '../stripe-objects/id-of.ts';

const expanded = <T extends { id: string }>(v: string | T | null | undefined): T | null =>
  v != null && typeof v === 'object' ? v : null;

/** The payments (charge and PaymentIntent ids) a dispute belongs to: what intake locks. */
export function disputePaymentIds(d: Stripe.Dispute): Array<string | null> {
  const charge = expanded(d.charge);
  return [idOf(d.charge), idOf(d.payment_intent), idOf(charge?.payment_intent)];
}

/** One tenant's disputes (the history import, reconciliation, a merchant's action). */
export async function intakeDisputes(
  db: Queryable,
  tenantId: string,
  snapshots: readonly DisputeSnapshot[],
  opts: { notify?: (disputeId: string) => boolean } = {},
): Promise<string[]> {
  const notify = opts.notify;
  return intakeTenantDisputes(
    db,
    snapshots.map((s) => ({ ...s, tenantId })),
    notify ? { notify: (k) => notify(k.disputeId) } : {},
  );
}

/** Any tenants' disputes in one pass. */
export async function intakeTenantDisputes(
  db: Queryable,
  snapshots: readonly TenantDisputeSnapshot[],
  opts: { notify?: (dispute: DisputeKey) => boolean } = {},
): Promise<string[]> {
  if (snapshots.length === 0) return [];
  await lockPaymentKeys(
    db,
    snapshots.flatMap((s) => paymentLocks(s.tenantId, disputePaymentIds(s.object), 'exclusive')),
  );
  // A dispute rendered with its charge (and PaymentIntent) expanded carries them as they were:
  // stored like any snapshot (the ordering guard keeps newer ones).
  const charges = snapshots.flatMap((s) => {
    const c = expanded(s.object.charge);
    return c ? [{ tenantId: s.tenantId, object: c, snapshotAt: s.snapshotAt }] : [];
  });
  const intents = snapshots.flatMap((s) => {
    const pi =
      expanded(s.object.payment_intent) ?? expanded(expanded(s.object.charge)?.payment_intent);
    return pi ? [{ tenantId: s.tenantId, object: pi, snapshotAt: s.snapshotAt }] : [];
  });
  await upsertTenantObjects(db, 'charge', charges, []);
  await upsertTenantObjects(db, 'payment_intent', intents, []);
  const changed = await recordDisputes(db, snapshots);
  await prepareEvidenceDrafts(db, changed);
  const notify = opts.notify ?? (() => true);
  return queueDisputeNotifications(db, changed.filter(notify));
}
