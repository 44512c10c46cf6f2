// Processes a job's events in one transaction: one statement locks them all, one takes every
// payment lock they need that is free (events whose payments are busy are handed back, to be
// processed after this transaction has committed: a batch never waits holding locks),
// every type with a bulk handler goes through it (one statement per step and kind, every tenant's
// rows in it; disputes last), then the rest (reports, and a dispute's second event in the batch,
// since every status change is notified) run one by one, and
// one statement records every outcome: a handful of round trips per batch instead of per event.
// If anything fails, the whole transaction rolls back and the caller processes the events one by
// one (each failure then lands on its own event). Batches holding a lifecycle event (install,
// uninstall) are left to that path too: the events after it must see the tenant's new state.
import { LIFECYCLE_EVENTS } from '../connections/lifecycle/lifecycle-events.ts';
import { withTransaction } from '../db.ts';
import {
  lockPaymentKeys,
  paymentLocks,
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
  commitWithoutWaiting,
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

/**
 * What was done, or null when this batch must go event by event (nothing was changed).
 * `waitForPayments`: take every payment lock the events need in one statement, waiting for those
 * another transaction holds (in sorted order, after the events' own rows: such waits form no
 * cycle), instead of handing those events back. For the events a first batch handed back.
 */
export async function processEventBatch(
  deps: ProcessDeps,
  rawEventIds: readonly number[],
  opts: { waitForPayments?: boolean } = {},
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
        : paymentLocks(
            r.tenant_id,
            paymentIdsOf(r.payload),
            exclusivePaymentLocks(r.payload) ? 'exclusive' : 'shared',
          );
    const locks = todo.flatMap(locksOf);
    let missed = new Set<string>();
    if (opts.waitForPayments) await lockPaymentKeys(db, locks);
    else missed = await tryLockPaymentKeys(db, locks);
    const busy = todo.filter((r) => locksOf(r).some((l) => missed.has(l.key)));
    const ready = busy.length ? todo.filter((r) => !busy.includes(r)) : todo;
    const results: Array<{ id: number; outcome: ProcessOutcome }> = [];
    const groups = new Map<string, { bulk: BulkHandler; rows: EventRow[] }>();
    const single: EventRow[] = [];
    const planned = ready.map((row) => {
      const bulk = row.tenant_status === 'active' ? BULK_HANDLERS[row.type] : undefined;
      return {
        row,
        bulk,
        key: bulk?.oneAtATime?.({ tenantId: row.tenant_id, event: row.payload }),
      };
    });
    // Keys that more than one event of this batch carries: those events go one at a time.
    const counts = new Map<string, number>();
    for (const { key } of planned)
      if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
    for (const { row, bulk, key } of planned) {
      if (!bulk || (key !== undefined && counts.get(key)! > 1)) {
        single.push(row);
        continue;
      }
      const group = groups.get(bulk.kind) ?? { bulk, rows: [] };
      group.rows.push(row);
      groups.set(bulk.kind, group);
    }
    const ctx = { db, afterCommit: (job: FollowUp) => followUps.push(job) };
    const ordered = [...groups.values()].sort(
      (a, b) => Number(!!a.bulk.last) - Number(!!b.bulk.last),
    );
    for (const { bulk, rows } of ordered) {
      await bulk.apply(
        ctx,
        rows.map((r) => ({ tenantId: r.tenant_id, event: r.payload })),
      );
      for (const r of rows) results.push({ id: r.id, outcome: 'processed' });
    }
    // Then the rest (a dispute's second event of the batch, reports), in id order. Disputes, in
    // bulk or not, come after the payments' events of the same batch and see them (their
    // notifications carry the order id and the card).
    for (const row of single) {
      results.push({ id: row.id, outcome: await applyEvent(db, row, followUps) });
    }
    await commitWithoutWaiting(deps, db, followUps);
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
