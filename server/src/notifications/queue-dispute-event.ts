// Outbox rows for things that happen to a dispute besides a status change — a deadline coming
// up (DISPUTE.DEADLINE), evidence submitted or the dispute accepted (DISPUTE.ACTION) — one per
// enabled destination of the tenant, in the caller's transaction, in order with the dispute's
// other notifications. The payload carries the dispute's identifying fields like DISPUTE.STATUS.
import type { Queryable } from '../stripe-objects/upsert-objects.ts';

export async function queueDisputeEvent(
  db: Queryable,
  tenantId: string,
  disputeId: string,
  eventType: 'DISPUTE.DEADLINE' | 'DISPUTE.ACTION',
  extra: Record<string, unknown>,
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO notifications (tenant_id, destination_id, dispute_id, payload)
     SELECT $1, dst.id, d.stripe_id,
            jsonb_build_object(
              'version', '1',
              'eventType', $3::text,
              'type', d.type,
              'status', d.status,
              'accountId', t.stripe_account_id,
              'disputeId', d.stripe_id,
              'transactionId', d.transaction_id,
              'orderId', d.order_id,
              'processor', 'STRIPE',
              'receivedAt', to_jsonb(now()),
              'challengeRequiredBy', to_jsonb(d.challenge_required_by),
              'amount', d.amount,
              'currency', d.currency) || $4::jsonb
       FROM disputes d
       JOIN tenants t ON t.id = d.tenant_id
       JOIN notification_destinations dst ON dst.tenant_id = d.tenant_id AND dst.enabled
      WHERE d.tenant_id = $1 AND d.stripe_id = $2
      ORDER BY dst.id
     RETURNING id::text AS id`,
    [tenantId, disputeId, eventType, JSON.stringify(extra)],
  );
  return rows.map((r) => r.id);
}
