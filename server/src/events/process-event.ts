// Processes one stored event. Idempotent: the event row is locked, already-finished events are
// skipped, and the handler's writes commit in the same transaction that marks the event
// processed — so a retry after a crash either sees it done or redoes it from scratch.
import type Stripe from 'stripe';
import { withTransaction, type Pool } from '../db.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { LIFECYCLE_EVENTS } from '../connections/lifecycle/lifecycle-events.ts';
import { transactionHandle } from '../stripe-objects/lock-payments.ts';
import type { Queryable } from '../stripe-objects/upsert-objects.ts';
import { DISPATCH_TABLE, type FollowUp } from './dispatch-table.ts';
import { storedPayload } from './stored-payload.ts';

export type ProcessOutcome = 'processed' | 'ignored' | 'deferred' | 'skipped';

export interface EventRow {
  id: number;
  tenant_id: string;
  type: string;
  status: string;
  payload: Stripe.Event;
  tenant_status: string;
}

export interface ProcessDeps {
  pool: Pool;
  logger: Logger;
  /** Queues handlers' follow-up jobs (after the commit). */
  followUp?: (jobs: FollowUp[]) => Promise<void>;
  metrics?: Pick<Metrics, 'eventsProcessed' | 'processingLatency'>;
  /** EVENTS_ASYNC_COMMIT: see commitWithoutWaiting (true unless set otherwise). */
  asyncCommit?: boolean;
}

/** The events named, locked in id order (the same order for every transaction). */
export async function lockEvents(db: Queryable, ids: readonly number[]): Promise<EventRow[]> {
  const { rows } = await db.query<EventRow>({
    name: 'lock-events',
    text: `SELECT e.id, e.tenant_id, e.type, e.status, ${storedPayload('e')} AS payload, t.status AS tenant_status
             FROM raw_events e JOIN tenants t ON t.id = e.tenant_id
            WHERE e.id = ANY($1::bigint[]) ORDER BY e.id FOR UPDATE OF e`,
    values: [ids],
  });
  return rows;
}

/** Runs one locked, received event's handler inside the caller's transaction. */
export async function applyEvent(
  db: Queryable,
  row: EventRow,
  followUps: FollowUp[],
): Promise<ProcessOutcome> {
  // Kept, not dropped: released when the tenant connects or resumes.
  if (row.tenant_status !== 'active' && !LIFECYCLE_EVENTS.has(row.type)) return 'deferred';
  const handler = DISPATCH_TABLE[row.type];
  if (!handler) return 'ignored';
  await handler(
    { db, tenantId: row.tenant_id, afterCommit: (job) => followUps.push(job) },
    row.payload,
  );
  return 'processed';
}

/** Records each event's outcome, in the transaction that ran its handler. */
export async function recordOutcomes(
  db: Queryable,
  outcomes: ReadonlyArray<{ id: number; outcome: ProcessOutcome }>,
) {
  if (outcomes.length === 0) return;
  await db.query({
    name: 'record-outcomes',
    // `id = ANY` rather than a join with unnest: raw_events is partitioned (its key is
    // (id, stripe_created_at)), so the planner cannot know id is unique and, joining, chose to
    // hash every partition's rows (3× the Postgres time per event in bench:processing).
    text: `UPDATE raw_events e
              SET status = ($2::text[])[array_position($1::bigint[], e.id)]::raw_event_status,
                  attempts = e.attempts + 1, last_error = NULL,
                  processed_at = CASE WHEN ($2::text[])[array_position($1::bigint[], e.id)] = 'deferred'
                                      THEN NULL ELSE now() END
            WHERE e.id = ANY($1::bigint[])`,
    values: [outcomes.map((o) => o.id), outcomes.map((o) => o.outcome)],
  });
}

/**
 * Called once a processing transaction's handlers have run. One that queues no follow-up job
 * wrote only what is derived from stored events (handlers get the database and `afterCommit`,
 * nothing else), so its commit need not wait for the WAL to reach the disk: `synchronous_commit`
 * off for this transaction alone (the commit's fsync was the first wait of bench:processing's
 * workers). If Postgres crashes before its WAL writer flushes it (within about 0.6 s), the
 * transaction is lost whole, nothing outside Postgres saw it, its events are `received` again and
 * the sweeper offers them again. A transaction with follow-ups (notifications, prevention, report
 * ingestion), and every webhook's own storage, keep the durable commit: others act on what they
 * wrote.
 */
export async function commitWithoutWaiting(
  deps: Pick<ProcessDeps, 'asyncCommit'>,
  db: Queryable,
  followUps: readonly FollowUp[],
) {
  if (deps.asyncCommit === false || followUps.length > 0) return;
  await db.query({ name: 'async-commit', text: 'SET LOCAL synchronous_commit = off' });
}

/** Queues the handlers' follow-up jobs once their transaction has committed. */
export async function queueFollowUps(deps: ProcessDeps, followUps: FollowUp[], context: object) {
  if (followUps.length === 0 || !deps.followUp) return;
  await deps
    .followUp(followUps)
    .catch((err: unknown) =>
      deps.logger.warn(
        { err, ...context },
        'follow-up jobs not queued; maintenance re-offers them',
      ),
    );
}

export async function processEvent(deps: ProcessDeps, rawEventId: number): Promise<ProcessOutcome> {
  const followUps: FollowUp[] = [];
  const outcome = await withTransaction(deps.pool, async (client) => {
    const db = transactionHandle(client);
    const row = (await lockEvents(db, [rawEventId]))[0];
    if (!row || row.status !== 'received') return 'skipped';
    const result = await applyEvent(db, row, followUps);
    await commitWithoutWaiting(deps, db, followUps);
    await recordOutcomes(db, [{ id: rawEventId, outcome: result }]);
    return result;
  });
  await queueFollowUps(deps, followUps, { rawEventId });
  return outcome;
}

/** Records a failed attempt; `final` marks the event failed (visible and replayable). */
export async function recordEventFailure(
  pool: Pool,
  rawEventId: number,
  error: unknown,
  final: boolean,
) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  await pool.query(
    `UPDATE raw_events SET attempts = attempts + 1, last_error = $2,
            status = CASE WHEN $3 THEN 'failed'::raw_event_status ELSE status END
      WHERE id = $1 AND status = 'received'`,
    [rawEventId, message.slice(0, 2000), final],
  );
}
