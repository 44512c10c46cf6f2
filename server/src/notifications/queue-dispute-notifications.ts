// The outbox: in the transaction that changed disputes' type or status, one notification per
// enabled destination of the tenant, with the normalized fields of the DISPUTE.STATUS feed.
import type { Queryable } from '../stripe-objects/upsert-objects.ts';

const INSERT_SQL = `
  INSERT INTO notifications (tenant_id, destination_id, dispute_id, payload)
  SELECT $1, dst.id, d.stripe_id, jsonb_build_object(
           'version', '1',
           'eventType', 'DISPUTE.STATUS',
           'type', d.type,
           'status', d.status,
           'accountId', t.stripe_account_id,
           'disputeId', d.stripe_id,
           'transactionId', d.transaction_id,
           'orderId', d.order_id,
           'paymentMethod', jsonb_build_object(
              'brand', d.card_brand,
              'last4', c.raw #>> '{payment_method_details,card,last4}'),
           'processor', 'STRIPE',
           'receivedAt', to_jsonb(now()),
           'challengeRequiredBy', to_jsonb(d.challenge_required_by),
           'reason', d.reason,
           'reasonCode', d.network_reason_code,
           'processorReason', d.stripe_reason,
           'amount', d.amount,
           'currency', d.currency)
    FROM disputes d
    JOIN tenants t ON t.id = d.tenant_id
    JOIN notification_destinations dst ON dst.tenant_id = d.tenant_id AND dst.enabled
    LEFT JOIN charges c ON c.tenant_id = d.tenant_id AND c.stripe_id = d.charge_id
   WHERE d.tenant_id = $1 AND d.stripe_id = ANY($2::text[])
   ORDER BY d.stripe_id, dst.id
  RETURNING id::text AS id`;

export async function queueDisputeNotifications(
  db: Queryable,
  tenantId: string,
  disputeIds: string[],
): Promise<string[]> {
  if (disputeIds.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(INSERT_SQL, [tenantId, disputeIds]);
  return rows.map((r) => r.id);
}
