// The outbox: in the transaction that changed disputes' type or status, one notification per
// enabled destination of the dispute's tenant, with the normalized fields of the DISPUTE.STATUS feed.
import { keyArrays, type DisputeKey } from '../stripe-objects/dispute-key.ts';
import type { Queryable } from '../stripe-objects/upsert-objects.ts';

const INSERT_SQL = `
  INSERT INTO notifications (tenant_id, destination_id, dispute_id, payload)
  SELECT d.tenant_id, dst.id, d.stripe_id, jsonb_build_object(
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
    FROM unnest($1::uuid[], $2::text[]) AS k(tenant_id, stripe_id)
    JOIN disputes d ON d.tenant_id = k.tenant_id AND d.stripe_id = k.stripe_id
    JOIN tenants t ON t.id = d.tenant_id
    JOIN notification_destinations dst ON dst.tenant_id = d.tenant_id AND dst.enabled
    LEFT JOIN charges c ON c.tenant_id = d.tenant_id AND c.stripe_id = d.charge_id
   ORDER BY d.tenant_id, d.stripe_id, dst.id
  RETURNING id::text AS id`;

export async function queueDisputeNotifications(
  db: Queryable,
  disputes: readonly DisputeKey[],
): Promise<string[]> {
  if (disputes.length === 0) return [];
  // Unnamed, planned per call (see disputes/record-disputes.ts): a generic plan cached while the
  // tables were small walked every dispute of the tenant for each key.
  const { rows } = await db.query<{ id: string }>({
    text: INSERT_SQL,
    values: keyArrays(disputes),
  });
  return rows.map((r) => r.id);
}
