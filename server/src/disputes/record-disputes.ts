// Stores dispute snapshots: the normalized row (ordering-guarded), the order reference from the
// payment it disputes, and one timeline row per distinct Stripe status. Idempotent and
// order-independent: the timeline keeps the earliest sighting of each status.
// The statements that join the batch's keys to disputes and payments are unnamed, so Postgres plans each call with its
// keys and the tables' sizes now: a named statement's cached generic plan, chosen while a table was
// small (a new install, a fresh database), kept scanning it whole after it grew: up to three times
// the time (docs/BENCHMARKS.md, 2026-12-03). The upserts keep their names: their plan does not
// depend on sizes.
import type Stripe from 'stripe';
import { upsertTenantObjects, type Queryable } from '../stripe-objects/upsert-objects.ts';
import { disputeTypeAndStatus } from './normalize-dispute.ts';
import { keyArrays, type DisputeKey } from '../stripe-objects/dispute-key.ts';

export type { DisputeKey } from '../stripe-objects/dispute-key.ts';

export interface DisputeSnapshot {
  object: Stripe.Dispute;
  snapshotAt: Date;
  /** The event that carried it, or a synthetic id such as `backfill` for history. */
  sourceEventId: string;
}

/** A snapshot and the tenant whose dispute it is. */
export interface TenantDisputeSnapshot extends DisputeSnapshot {
  tenantId: string;
}

// Each statement takes its disputes as (tenant, id) pairs: one call may mix tenants.
const KEYS = 'unnest($1::uuid[], $2::text[]) AS k(tenant_id, stripe_id)';

const TIMELINE_SQL = `
  INSERT INTO dispute_timeline AS t (tenant_id, dispute_id, stripe_status, type, status, occurred_at, source_event_id)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])
  ON CONFLICT (tenant_id, dispute_id, stripe_status) DO UPDATE
    SET type = EXCLUDED.type, status = EXCLUDED.status,
        occurred_at = EXCLUDED.occurred_at, source_event_id = EXCLUDED.source_event_id
    WHERE (EXCLUDED.occurred_at, EXCLUDED.source_event_id) < (t.occurred_at, t.source_event_id)`;

const BEFORE_SQL = `
  SELECT d.tenant_id, d.stripe_id, d.type, d.status
    FROM ${KEYS} JOIN disputes d ON d.tenant_id = k.tenant_id AND d.stripe_id = k.stripe_id`;

const ORDER_SQL = `
  UPDATE disputes d SET order_id = src.order_id
    FROM (SELECT d2.tenant_id, d2.stripe_id,
                 COALESCE((SELECT p.order_id FROM payment_intents p
                            WHERE p.tenant_id = d2.tenant_id AND p.stripe_id = d2.payment_intent_id),
                          (SELECT c.order_id FROM charges c
                            WHERE c.tenant_id = d2.tenant_id AND c.stripe_id = d2.charge_id)) AS order_id
            FROM ${KEYS} JOIN disputes d2 ON d2.tenant_id = k.tenant_id AND d2.stripe_id = k.stripe_id
           WHERE d2.order_id IS NULL) src
   WHERE d.tenant_id = src.tenant_id AND d.stripe_id = src.stripe_id AND src.order_id IS NOT NULL`;

// Old disputes carry no payment_intent; their charge's PaymentIntent, when we know it, becomes the
// dispute's (and its transaction id, per Forter's mapping).
const PAYMENT_INTENT_SQL = `
  UPDATE disputes d SET payment_intent_id = c.payment_intent_id, transaction_id = c.payment_intent_id
    FROM ${KEYS}, charges c
   WHERE d.tenant_id = k.tenant_id AND d.stripe_id = k.stripe_id AND d.payment_intent_id IS NULL
     AND c.tenant_id = d.tenant_id AND c.stripe_id = d.charge_id AND c.payment_intent_id IS NOT NULL`;

/** The status as normalized (a snapshot of an odd version may lack it). */
const stripeStatusOf = (s: DisputeSnapshot) =>
  (s.object.status as string | undefined) ?? 'needs_response';

/** Stores the snapshots; answers the disputes whose type or status changed (or that are new). */
export async function recordDisputes(
  db: Queryable,
  snapshots: readonly TenantDisputeSnapshot[],
): Promise<DisputeKey[]> {
  if (snapshots.length === 0) return [];
  const keyOf = (tenantId: string, disputeId: string) => `${tenantId}|${disputeId}`;
  const keys = new Map<string, DisputeKey>();
  for (const s of snapshots)
    keys.set(keyOf(s.tenantId, s.object.id), { tenantId: s.tenantId, disputeId: s.object.id });
  const params = keyArrays([...keys.values()]);
  const { rows: stored } = await db.query<{
    tenant_id: string;
    stripe_id: string;
    type: string;
    status: string;
  }>({ text: BEFORE_SQL, values: params });
  const before = new Map(
    stored.map((r) => [keyOf(r.tenant_id, r.stripe_id), `${r.type}/${r.status}`]),
  );
  // The rows the guard let through, as they now stand: the only ones whose state can change.
  const written = await upsertTenantObjects(db, 'dispute', snapshots, [
    'type',
    'status',
    'order_id',
    'payment_intent_id',
  ]);
  if (written.some((r) => r.payment_intent_id === null))
    await db.query({ text: PAYMENT_INTENT_SQL, values: params });
  if (written.some((r) => r.order_id === null)) await db.query({ text: ORDER_SQL, values: params });
  // One timeline row per (dispute, status) in this batch: the earliest sighting wins.
  const earliest = new Map<
    string,
    { s: TenantDisputeSnapshot; type: string; status: string; stripeStatus: string }
  >();
  for (const s of snapshots) {
    const key = `${keyOf(s.tenantId, s.object.id)}|${stripeStatusOf(s)}`;
    const seen = earliest.get(key);
    const t = s.snapshotAt.getTime();
    if (
      !seen ||
      t < seen.s.snapshotAt.getTime() ||
      (t === seen.s.snapshotAt.getTime() && s.sourceEventId < seen.s.sourceEventId)
    ) {
      // Type and status only: the row itself was mapped once, by the upsert.
      earliest.set(key, { s, ...disputeTypeAndStatus(s.object, s.snapshotAt) });
    }
  }
  // A fixed order, so concurrent statements take the rows' locks in the same order.
  const sortKey = (r: { s: TenantDisputeSnapshot; stripeStatus: string }) =>
    `${r.s.tenantId}|${r.s.object.id}|${r.stripeStatus}`;
  const rows = [...earliest.values()].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  await db.query({
    name: 'dispute-timeline',
    text: TIMELINE_SQL,
    values: [
      rows.map((r) => r.s.tenantId),
      rows.map((r) => r.s.object.id),
      rows.map((r) => r.stripeStatus),
      rows.map((r) => r.type),
      rows.map((r) => r.status),
      rows.map((r) => r.s.snapshotAt),
      rows.map((r) => r.s.sourceEventId),
    ],
  });
  return written
    .filter(
      (r) =>
        `${String(r.type)}/${String(r.status)}` !== before.get(keyOf(r.tenant_id, r.stripe_id)),
    )
    .map((r) => ({ tenantId: r.tenant_id, disputeId: r.stripe_id }));
}

/**
 * When charges or PaymentIntents arrive after their disputes, give the disputes their order id:
 * the payments as just written (their order id is the stored one), matched to disputes by the
 * payment's id alone — no read of the payment again.
 */
export async function fillDisputeOrderIds(
  db: Queryable,
  source: 'charges' | 'payment_intents',
  payments: ReadonlyArray<{ tenant_id: string; stripe_id: string; order_id: string }>,
) {
  if (payments.length === 0) return;
  const column = source === 'charges' ? 'charge_id' : 'payment_intent_id';
  await db.query({
    text: `UPDATE disputes d SET order_id = p.order_id
             FROM unnest($1::uuid[], $2::text[], $3::text[]) AS p(tenant_id, stripe_id, order_id)
            WHERE d.tenant_id = p.tenant_id AND d.${column} = p.stripe_id AND d.order_id IS NULL`,
    values: [
      payments.map((p) => p.tenant_id),
      payments.map((p) => p.stripe_id),
      payments.map((p) => p.order_id),
    ],
  });
}

/**
 * When a disputed charge arrives after its dispute, a dispute that named no PaymentIntent (old API
 * versions) gets the charge's — and its transaction id becomes the pi_.
 */
export async function fillDisputePaymentIntents(
  db: Queryable,
  charges: ReadonlyArray<{ tenant_id: string; stripe_id: string }>,
) {
  if (charges.length === 0) return;
  await db.query({
    text: `UPDATE disputes d SET payment_intent_id = c.payment_intent_id, transaction_id = c.payment_intent_id
             FROM unnest($1::uuid[], $2::text[]) AS p(tenant_id, stripe_id)
             JOIN charges c ON c.tenant_id = p.tenant_id AND c.stripe_id = p.stripe_id
            WHERE c.payment_intent_id IS NOT NULL
              AND d.tenant_id = p.tenant_id AND d.charge_id = c.stripe_id AND d.payment_intent_id IS NULL`,
    values: [charges.map((c) => c.tenant_id), charges.map((c) => c.stripe_id)],
  });
}
