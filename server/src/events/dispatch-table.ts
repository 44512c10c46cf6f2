// Event type → handler. Every handler is idempotent: it upserts snapshots through the ordering
// guard, so running it twice, or after a newer event, changes nothing. Event types that are not
// here are stored as `ignored` at ingestion and answered 2xx.
import type Stripe from 'stripe';
import { disputePaymentIds, intakeTenantDisputes } from '../disputes/intake-disputes.ts';
import { fillDisputeOrderIds, fillDisputePaymentIntents } from '../disputes/record-disputes.ts';
import { lockPaymentKeys, paymentLocks } from '../stripe-objects/lock-payments.ts';
import type { ResourceName } from '../stripe-objects/resources.ts';
import {
  upsertTenantObjects,
  type Queryable,
  type TenantSnapshot,
} from '../stripe-objects/upsert-objects.ts';
import type { BulkContext, BulkHandler, EventHandler, TenantEvent } from './handler.ts';
import { deliverNotificationJob } from '../queues.ts';
import { authorized, deauthorized } from '../connections/lifecycle/lifecycle-events.ts';
import {
  reportRunFailed,
  reportRunSucceeded,
  reportTypeUpdated,
} from '../reports/report-events.ts';
import { idOf } from '../stripe-objects/id-of.ts';

export type {
  BulkHandler,
  EventHandler,
  FollowUp,
  HandlerContext,
  TenantEvent,
} from './handler.ts';

const snapshotTime = (event: Stripe.Event) => new Date(event.created * 1000);
const snapshotsOf = <T extends { id: string }>(events: TenantEvent[]) =>
  events.map(({ tenantId, event }): TenantSnapshot & { object: T } => ({
    tenantId,
    object: event.data.object as unknown as T,
    snapshotAt: snapshotTime(event),
  }));

const upsertAs = (resource: ResourceName): BulkHandler => ({
  kind: resource,
  apply: async (ctx, events) => {
    await upsertTenantObjects(ctx.db, resource, snapshotsOf(events), []);
  },
});

/** Stores a deleted object's last snapshot with the fields that say it is gone. */
const markedAs = (resource: ResourceName, fields: Record<string, unknown>): BulkHandler => ({
  kind: `${resource}.deleted`,
  apply: async (ctx, events) => {
    const snapshots = snapshotsOf(events).map((s) => ({
      ...s,
      object: { ...s.object, ...fields },
    }));
    await upsertTenantObjects(ctx.db, resource, snapshots, []);
  },
});

/**
 * The payments (charge and PaymentIntent ids) an event's handler locks: the same ids whether the
 * handler takes the locks itself or a batch takes every event's locks up front. Disputes take
 * them exclusively, the rest shared (see lock-payments.ts).
 */
export const exclusivePaymentLocks = (event: Stripe.Event) =>
  (event.data.object as { object?: string }).object === 'dispute';

export function paymentIdsOf(event: Stripe.Event): Array<string | null> {
  const o = event.data.object as { object?: string };
  if (o.object === 'dispute') return disputePaymentIds(o as Stripe.Dispute);
  if (o.object === 'charge') {
    const c = o as Stripe.Charge;
    return [c.id, idOf(c.payment_intent)];
  }
  if (o.object === 'payment_intent') {
    const pi = o as Stripe.PaymentIntent;
    return [pi.id, idOf(pi.latest_charge)];
  }
  return [];
}

// Disputes of any tenants in one intake; two events of the same dispute in one batch go one at a
// time, so each status change is notified.
const disputes: BulkHandler = {
  kind: 'dispute',
  last: true,
  oneAtATime: ({ tenantId, event }) => `${tenantId}|${(event.data.object as { id: string }).id}`,
  apply: async (ctx, events) => {
    const notifications = await intakeTenantDisputes(
      ctx.db,
      events.map(({ tenantId, event }) => ({
        tenantId,
        object: event.data.object as Stripe.Dispute,
        snapshotAt: snapshotTime(event),
        sourceEventId: event.id,
      })),
    );
    for (const id of notifications) {
      ctx.afterCommit({
        queue: 'notifications',
        name: deliverNotificationJob.name,
        data: { notificationId: Number(id) },
        jobId: deliverNotificationJob.jobId(Number(id)),
      });
    }
  },
};

/** The written payments that carry an order id: the only ones that can give a dispute one. */
const withOrderId = <R extends { order_id: unknown }>(rows: R[]) =>
  rows.filter((r): r is R & { order_id: string } => typeof r.order_id === 'string');

/** Shared payment locks for the events' payments (already held in a batch: no round trip). */
const lockShared = (ctx: { db: Queryable }, events: TenantEvent[]) =>
  lockPaymentKeys(
    ctx.db,
    events.flatMap(({ tenantId, event }) => paymentLocks(tenantId, paymentIdsOf(event), 'shared')),
  );

const charges: BulkHandler = {
  kind: 'charge',
  apply: async (ctx, events) => {
    await lockShared(ctx, events);
    const snapshots = snapshotsOf<Stripe.Charge>(events);
    const written = await upsertTenantObjects(ctx.db, 'charge', snapshots, [
      'order_id',
      'disputed',
      'payment_intent_id',
    ]);
    // Older API versions embed the charge's refunds; they are as fresh as the charge.
    await upsertTenantObjects(
      ctx.db,
      'refund',
      snapshots.flatMap((s) =>
        (s.object.refunds?.data ?? []).map((r) => ({
          tenantId: s.tenantId,
          object: r,
          snapshotAt: s.snapshotAt,
        })),
      ),
      [],
    );
    await fillDisputePaymentIntents(
      ctx.db,
      written.filter((r) => r.disputed && r.payment_intent_id != null),
    );
    await fillDisputeOrderIds(ctx.db, 'charges', withOrderId(written));
  },
};

const paymentIntents: BulkHandler = {
  kind: 'payment_intent',
  apply: async (ctx, events) => {
    await lockShared(ctx, events);
    const written = await upsertTenantObjects(
      ctx.db,
      'payment_intent',
      snapshotsOf<Stripe.PaymentIntent>(events),
      ['order_id'],
    );
    await fillDisputeOrderIds(ctx.db, 'payment_intents', withOrderId(written));
  },
};

const table: Record<string, EventHandler> = {};
const bulkTable: Record<string, BulkHandler> = {};
const on = (types: string[], handler: EventHandler | BulkHandler) =>
  types.forEach((t) => {
    if (typeof handler === 'function') table[t] = handler;
    else {
      bulkTable[t] = handler;
      table[t] = (ctx, event) => handler.apply(ctx, [{ tenantId: ctx.tenantId, event }]);
    }
  });

on(
  ['created', 'updated', 'closed', 'funds_withdrawn', 'funds_reinstated'].map(
    (s) => `charge.dispute.${s}`,
  ),
  disputes,
);
// A new warning also goes to the tenant's prevention rule (prevention/apply-prevention.ts), after
// the commit; the rule decides, and records, whether to refund.
on(['radar.early_fraud_warning.created', 'radar.early_fraud_warning.updated'], {
  kind: 'early_fraud_warning',
  apply: async (ctx: BulkContext, events: TenantEvent[]) => {
    await upsertTenantObjects(ctx.db, 'early_fraud_warning', snapshotsOf(events), []);
    for (const { tenantId, event } of events) {
      if (event.type !== 'radar.early_fraud_warning.created') continue;
      const warningId = (event.data.object as { id: string }).id;
      ctx.afterCommit({
        queue: 'maintenance',
        name: 'prevent',
        data: { task: 'prevent', tenantId, warningId },
        jobId: `prevent-${tenantId}-${warningId}`,
      });
    }
  },
});
on(
  ['succeeded', 'failed', 'captured', 'refunded', 'updated', 'pending', 'expired'].map(
    (s) => `charge.${s}`,
  ),
  charges,
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
  paymentIntents,
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
on(['customer.deleted'], {
  kind: 'customer.deleted',
  apply: async (ctx: BulkContext, events: TenantEvent[]) => {
    const snapshots = snapshotsOf(events).map((s) => ({
      ...s,
      object: { ...s.object, deleted: true },
    }));
    await upsertTenantObjects(ctx.db, 'customer', snapshots, []);
  },
});
on(
  ['attached', 'detached', 'updated', 'automatically_updated'].map((s) => `payment_method.${s}`),
  upsertAs('payment_method'),
);

on(
  [
    'created',
    'updated',
    'deleted',
    'paused',
    'resumed',
    'trial_will_end',
    'pending_update_applied',
    'pending_update_expired',
  ].map((s) => `customer.subscription.${s}`),
  upsertAs('subscription'),
);
on(
  ['completed', 'expired', 'async_payment_succeeded', 'async_payment_failed'].map(
    (s) => `checkout.session.${s}`,
  ),
  upsertAs('checkout_session'),
);
on(['product.created', 'product.updated'], upsertAs('product'));
on(['price.created', 'price.updated', 'plan.created', 'plan.updated'], upsertAs('price'));
// Deleted events carry the object as it was: the flag makes the deletion stick.
on(['product.deleted'], markedAs('product', { deleted: true }));
on(['price.deleted', 'plan.deleted'], markedAs('price', { active: false }));
// Newer API versions tie an invoice to its payment through InvoicePayment objects (their own
// rows: the link holds whichever of the invoice and its payment is stored first).
on(['invoice_payment.paid'], upsertAs('invoice_payment'));

on(['reporting.report_run.succeeded'], reportRunSucceeded);
on(['reporting.report_run.failed'], reportRunFailed);
on(['reporting.report_type.updated'], reportTypeUpdated);
on(['account.application.deauthorized'], deauthorized);
on(['account.application.authorized'], authorized);

export const DISPATCH_TABLE: Readonly<Record<string, EventHandler>> = table;
/** The types that can also be applied many at a time (a subset of DISPATCH_TABLE's). */
export const BULK_HANDLERS: Readonly<Record<string, BulkHandler>> = bulkTable;

export function isHandledEventType(type: string): boolean {
  return Object.hasOwn(DISPATCH_TABLE, type);
}

/** The event types the product processes (a merchant's own webhook endpoint subscribes to these). */
export const HANDLED_EVENT_TYPES: readonly string[] = Object.keys(table).sort();
