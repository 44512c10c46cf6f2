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
  const keys = [...new Set(ids.filter((id): id is string => !!id))]
    .sort()
    .map((id) => `${tenantId}:${id}`);
  if (keys.length === 0) return;
  // One round trip for all of them; WITH ORDINALITY keeps the sorted order as the locking order.
  await db.query(
    `SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))
       FROM (SELECT k FROM unnest($1::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n) s`,
    [keys],
  );
}
