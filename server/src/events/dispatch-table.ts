// Event type → handler. Every handler is idempotent: it upserts snapshots through the ordering
// guard, so running it twice, or after a newer event, changes nothing. Event types that are not
// here are stored as `ignored` at ingestion and answered 2xx.
import type Stripe from 'stripe';
import { fillDisputeOrderIds, recordDisputes } from '../disputes/record-disputes.ts';
import { lockPayments } from '../stripe-objects/lock-payments.ts';
import type { ResourceName } from '../stripe-objects/resources.ts';
import { upsertObjects, type Queryable } from '../stripe-objects/upsert-objects.ts';
import { queueDisputeNotifications } from '../notifications/queue-dispute-notifications.ts';
import { deliverNotificationJob } from '../queues.ts';
import { authorized, deauthorized } from '../connections/lifecycle-events.ts';
import {
  reportRunFailed,
  reportRunSucceeded,
  reportTypeUpdated,
} from '../reports/report-events.ts';

/** Work a handler asks for once its transaction has committed (a job on another queue). */
export interface FollowUp {
  queue: 'reports' | 'backfill' | 'notifications';
  name: string;
  data: Record<string, unknown>;
  jobId?: string;
}

export interface HandlerContext {
  /** A connection inside the transaction that also marks the event processed. */
  db: Queryable;
  tenantId: string;
  /** Queued after the commit; lost follow-ups are re-offered by the maintenance pass. */
  afterCommit: (job: FollowUp) => void;
}

export type EventHandler = (ctx: HandlerContext, event: Stripe.Event) => Promise<void>;

const snapshotTime = (event: Stripe.Event) => new Date(event.created * 1000);

const upsertAs =
  (resource: ResourceName): EventHandler =>
  async (ctx, event) => {
    const object = event.data.object as unknown as { id: string };
    await upsertObjects(ctx.db, resource, ctx.tenantId, [
      { object, snapshotAt: snapshotTime(event) },
    ]);
  };

const idOf = (v: string | { id: string } | null | undefined) =>
  v == null ? null : typeof v === 'string' ? v : v.id;

const dispute: EventHandler = async (ctx, event) => {
  const d = event.data.object as Stripe.Dispute;
  await lockPayments(ctx.db, ctx.tenantId, [idOf(d.charge), idOf(d.payment_intent)]);
  const changed = await recordDisputes(ctx.db, ctx.tenantId, [
    {
      object: event.data.object as Stripe.Dispute,
      snapshotAt: snapshotTime(event),
      sourceEventId: event.id,
    },
  ]);
  for (const id of await queueDisputeNotifications(ctx.db, ctx.tenantId, changed)) {
    ctx.afterCommit({
      queue: 'notifications',
      name: deliverNotificationJob.name,
      data: { notificationId: Number(id) },
      jobId: deliverNotificationJob.jobId(Number(id)),
    });
  }
};

const charge: EventHandler = async (ctx, event) => {
  const c = event.data.object as Stripe.Charge;
  await lockPayments(ctx.db, ctx.tenantId, [c.id, idOf(c.payment_intent)]);
  const at = snapshotTime(event);
  const written = await upsertObjects(ctx.db, 'charge', ctx.tenantId, [
    { object: c, snapshotAt: at },
  ]);
  // Older API versions embed the charge's refunds; they are as fresh as the charge.
  const refunds = c.refunds?.data ?? [];
  await upsertObjects(
    ctx.db,
    'refund',
    ctx.tenantId,
    refunds.map((r) => ({ object: r, snapshotAt: at })),
  );
  await fillDisputeOrderIds(ctx.db, ctx.tenantId, 'charges', written);
};

const paymentIntent: EventHandler = async (ctx, event) => {
  const pi = event.data.object as Stripe.PaymentIntent;
  await lockPayments(ctx.db, ctx.tenantId, [pi.id, idOf(pi.latest_charge)]);
  const written = await upsertObjects(ctx.db, 'payment_intent', ctx.tenantId, [
    { object: pi, snapshotAt: snapshotTime(event) },
  ]);
  await fillDisputeOrderIds(ctx.db, ctx.tenantId, 'payment_intents', written);
};

const table: Record<string, EventHandler> = {};
const on = (types: string[], handler: EventHandler) => types.forEach((t) => (table[t] = handler));

on(
  ['created', 'updated', 'closed', 'funds_withdrawn', 'funds_reinstated'].map(
    (s) => `charge.dispute.${s}`,
  ),
  dispute,
);
on(
  ['radar.early_fraud_warning.created', 'radar.early_fraud_warning.updated'],
  upsertAs('early_fraud_warning'),
);
on(
  ['succeeded', 'failed', 'captured', 'refunded', 'updated', 'pending', 'expired'].map(
    (s) => `charge.${s}`,
  ),
  charge,
);
on(
  ['charge.refund.updated', 'refund.created', 'refund.updated', 'refund.failed'],
  upsertAs('refund'),
);
on(
  [
    'created',
    'succeeded',
    'canceled',
    'payment_failed',
    'processing',
    'requires_action',
    'amount_capturable_updated',
    'partially_funded',
  ].map((s) => `payment_intent.${s}`),
  paymentIntent,
);
on(
  ['created', 'updated', 'paid', 'failed', 'canceled', 'reconciliation_completed'].map(
    (s) => `payout.${s}`,
  ),
  upsertAs('payout'),
);
on(
  [
    'created',
    'finalized',
    'paid',
    'payment_failed',
    'payment_succeeded',
    'updated',
    'voided',
    'marked_uncollectible',
  ].map((s) => `invoice.${s}`),
  upsertAs('invoice'),
);
on(['customer.created', 'customer.updated'], upsertAs('customer'));
// The deleted event carries the customer as it was; the flag makes the deletion stick (its rank
// beats any same-second update).
on(['customer.deleted'], async (ctx, event) => {
  const object = { ...(event.data.object as Stripe.Customer), deleted: true };
  await upsertObjects(ctx.db, 'customer', ctx.tenantId, [
    { object, snapshotAt: snapshotTime(event) },
  ]);
});
on(
  ['attached', 'detached', 'updated', 'automatically_updated'].map((s) => `payment_method.${s}`),
  upsertAs('payment_method'),
);

on(['reporting.report_run.succeeded'], reportRunSucceeded);
on(['reporting.report_run.failed'], reportRunFailed);
on(['reporting.report_type.updated'], reportTypeUpdated);
on(['account.application.deauthorized'], deauthorized);
on(['account.application.authorized'], authorized);

export const DISPATCH_TABLE: Readonly<Record<string, EventHandler>> = table;

export function isHandledEventType(type: string): boolean {
  return Object.hasOwn(DISPATCH_TABLE, type);
}

/** The event types the product processes (a merchant's own webhook endpoint subscribes to these). */
export const HANDLED_EVENT_TYPES: readonly string[] = Object.keys(table).sort();
