// Serializes work on one payment across concurrent transactions. A dispute and its charge (or
// PaymentIntent) processed at the same moment would each miss the other's uncommitted row and
// never link the order reference; holding a transaction-scoped advisory lock per payment id
// makes the second one wait and then see the first. Locks are taken in sorted order (no deadlock).
import type { Queryable } from './upsert-objects.ts';

export async function lockPayments(
  db: Queryable,
  tenantId: string,
  ids: Array<string | null | undefined>,
) {
  const keys = [...new Set(ids.filter((id): id is string => !!id))].sort();
  for (const id of keys) {
    await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${tenantId}:${id}`]);
  }
}
