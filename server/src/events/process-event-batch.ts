// Processes a job's events in one transaction: one statement locks them all, one takes every
// payment lock they need that is free (events whose payments are busy are handed back, to be
// processed one by one once this transaction has committed: a batch never waits holding locks),
// the "store this snapshot" types go through their bulk handler (one upsert per kind, every
// tenant's rows in it),
// then the rest (disputes, whose every status change is notified; reports) run one by one, and
// one statement records every outcome: a handful of round trips per batch instead of per event.
// If anything fails, the whole transaction rolls back and the caller processes the events one by
// one (each failure then lands on its own event). Batches holding a lifecycle event (install,
// uninstall) are left to that path too: the events after it must see the tenant's new state.
import { LIFECYCLE_EVENTS } from '../connections/lifecycle/lifecycle-events.ts';
import { withTransaction } from '../db.ts';
import {
  paymentKey,
  transactionHandle,
  tryLockPaymentKeys,
  type PaymentLock,
} from '../stripe-objects/lock-payments.ts';
import {
  BULK_HANDLERS,
  exclusivePaymentLocks,
  paymentIdsOf,
  type BulkHandler,
  type FollowUp,
} from './dispatch-table.ts';
import {
  applyEvent,
  lockEvents,
  queueFollowUps,
  recordOutcomes,
  type ProcessDeps,
  type EventRow,
  type ProcessOutcome,
} from './process-event.ts';

export type Outcomes = Partial<Record<ProcessOutcome, number>>;

export interface BatchResult {
  outcomes: Outcomes;
  /** Events whose payments another transaction held: for the one-by-one path, after this one. */
  busy: number[];
}

/** What was done, or null when this batch must go event by event (nothing was changed). */
export async function processEventBatch(
  deps: ProcessDeps,
  rawEventIds: readonly number[],
): Promise<BatchResult | null> {
  const followUps: FollowUp[] = [];
  const done = await withTransaction(deps.pool, async (client) => {
    const db = transactionHandle(client);
    const rows = await lockEvents(db, rawEventIds);
    const todo = rows.filter((r) => r.status === 'received');
    if (todo.some((r) => LIFECYCLE_EVENTS.has(r.type))) return null;
    const locksOf = (r: EventRow): PaymentLock[] =>
      r.tenant_status !== 'active'
        ? []
        : paymentIdsOf(r.payload)
            .filter((id): id is string => !!id)
            .map((id) => ({
              key: paymentKey(r.tenant_id, id),
              exclusive: exclusivePaymentLocks(r.payload),
            }));
    const missed = await tryLockPaymentKeys(db, todo.flatMap(locksOf));
    const busy = todo.filter((r) => locksOf(r).some((l) => missed.has(l.key)));
    const ready = busy.length ? todo.filter((r) => !busy.includes(r)) : todo;
    const results: Array<{ id: number; outcome: ProcessOutcome }> = [];
    const groups = new Map<string, { bulk: BulkHandler; rows: EventRow[] }>();
    const single: EventRow[] = [];
    for (const row of ready) {
      const bulk = row.tenant_status === 'active' ? BULK_HANDLERS[row.type] : undefined;
      if (!bulk) {
        single.push(row);
        continue;
      }
      const group = groups.get(bulk.kind) ?? { bulk, rows: [] };
      group.rows.push(row);
      groups.set(bulk.kind, group);
    }
    const ctx = { db, afterCommit: (job: FollowUp) => followUps.push(job) };
    for (const { bulk, rows } of groups.values()) {
      await bulk.apply(
        ctx,
        rows.map((r) => ({ tenantId: r.tenant_id, event: r.payload })),
      );
      for (const r of rows) results.push({ id: r.id, outcome: 'processed' });
    }
    // Then disputes and the rest, in id order: a dispute whose payment's events came in the same
    // batch sees them (its notification carries the order id and the card).
    for (const row of single) {
      results.push({ id: row.id, outcome: await applyEvent(db, row, followUps) });
    }
    await recordOutcomes(db, results);
    return { results, busy: busy.map((r) => r.id) };
  });
  if (!done) return null;
  await queueFollowUps(deps, followUps, { rawEventIds: rawEventIds.length });
  const outcomes: Outcomes = {};
  for (const r of done.results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  const skipped = rawEventIds.length - done.results.length - done.busy.length;
  if (skipped) outcomes.skipped = skipped;
  return { outcomes, busy: done.busy };
}
