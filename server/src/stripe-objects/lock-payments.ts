// Serializes work on one payment across concurrent transactions. A dispute and its charge (or
// PaymentIntent) processed at the same moment would each miss the other's uncommitted row and
// never link the order reference; holding a transaction-scoped advisory lock per payment id
// makes the second one wait and then see the first. Dispute work takes the locks exclusively;
// charge and PaymentIntent work takes them shared (they need to wait for disputes, not for each
// other). Every call takes its locks in one statement, in sorted order, so two transactions
// never wait on each other crosswise (no deadlock). A transaction that processes many events
// tries all of theirs up front without waiting (`tryLockPaymentKeys`) and leaves the events whose
// payments are busy to a transaction of their own: it never holds locks while it waits.
import type { Queryable } from './upsert-objects.ts';

export interface PaymentLock {
  /** `tenantId:paymentId` (see paymentKey). */
  key: string;
  exclusive: boolean;
}

/** The lock key of one payment object (charge or PaymentIntent id) of one tenant. */
export const paymentKey = (tenantId: string, id: string) => `${tenantId}:${id}`;

const held = new WeakMap<Queryable, Map<string, boolean>>();

/**
 * A handle on one transaction's connection that remembers the payment locks it holds, so later
 * calls for the same payments cost no round trip. Make one per transaction: the locks end with it.
 */
export function transactionHandle(client: Queryable): Queryable {
  const handle: Queryable = { query: client.query.bind(client) };
  held.set(handle, new Map());
  return handle;
}

/** The locks of one tenant's payments (ids that are missing are skipped). */
export const paymentLocks = (
  tenantId: string,
  ids: ReadonlyArray<string | null | undefined>,
  mode: 'exclusive' | 'shared',
): PaymentLock[] =>
  ids
    .filter((id): id is string => !!id)
    .map((id) => ({ key: paymentKey(tenantId, id), exclusive: mode === 'exclusive' }));

export async function lockPayments(
  db: Queryable,
  tenantId: string,
  ids: Array<string | null | undefined>,
  mode: 'exclusive' | 'shared' = 'exclusive',
) {
  await lockPaymentKeys(db, paymentLocks(tenantId, ids, mode));
}

export async function lockPaymentKeys(db: Queryable, locks: readonly PaymentLock[]) {
  const have = held.get(db);
  const wanted = new Map<string, boolean>();
  for (const l of locks) wanted.set(l.key, (wanted.get(l.key) ?? false) || l.exclusive);
  const take = [...wanted]
    .filter(([key, exclusive]) => {
      const h = have?.get(key);
      return h === undefined || (exclusive && !h);
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (take.length === 0) return;
  // One round trip for all of them; WITH ORDINALITY keeps the sorted order as the locking order.
  await db.query({
    name: 'lock-payments',
    text: `SELECT count(CASE WHEN x THEN pg_advisory_xact_lock(hashtextextended(k, 0))
                             ELSE pg_advisory_xact_lock_shared(hashtextextended(k, 0)) END)
             FROM (SELECT k, x FROM unnest($1::text[], $2::bool[]) WITH ORDINALITY AS u(k, x, n)
                    ORDER BY n) s`,
    values: [take.map(([k]) => k), take.map(([, x]) => x)],
  });
  for (const [k, x] of take) have?.set(k, x);
}

/**
 * Takes the locks that are free right now, without waiting; answers the keys it could not take.
 * The ones taken are remembered on the handle like lockPaymentKeys's.
 */
export async function tryLockPaymentKeys(
  db: Queryable,
  locks: readonly PaymentLock[],
): Promise<Set<string>> {
  const wanted = new Map<string, boolean>();
  for (const l of locks) wanted.set(l.key, (wanted.get(l.key) ?? false) || l.exclusive);
  if (wanted.size === 0) return new Set();
  const { rows } = await db.query<{ k: string; ok: boolean }>({
    name: 'try-lock-payments',
    text: `SELECT k, CASE WHEN x THEN pg_try_advisory_xact_lock(hashtextextended(k, 0))
                          ELSE pg_try_advisory_xact_lock_shared(hashtextextended(k, 0)) END AS ok
             FROM unnest($1::text[], $2::bool[]) AS u(k, x)`,
    values: [[...wanted.keys()], [...wanted.values()]],
  });
  const have = held.get(db);
  const missed = new Set<string>();
  for (const r of rows) {
    if (r.ok) have?.set(r.k, wanted.get(r.k)!);
    else missed.add(r.k);
  }
  return missed;
}
