// Processes one stored event. Idempotent: the event row is locked, already-finished events are
// skipped, and the handler's writes commit in the same transaction that marks the event
// processed — so a retry after a crash either sees it done or redoes it from scratch.
import type Stripe from 'stripe';
import type { Pool } from '../db.ts';
import type { Logger } from '../logger.ts';
import { LIFECYCLE_EVENTS } from '../connections/lifecycle-events.ts';
import { DISPATCH_TABLE, type FollowUp } from './dispatch-table.ts';

export type ProcessOutcome = 'processed' | 'ignored' | 'deferred' | 'skipped';

interface EventRow {
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
}

export async function processEvent(deps: ProcessDeps, rawEventId: number): Promise<ProcessOutcome> {
  const followUps: FollowUp[] = [];
  const client = await deps.pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<EventRow>(
      `SELECT e.id, e.tenant_id, e.type, e.status, e.payload, t.status AS tenant_status
         FROM raw_events e JOIN tenants t ON t.id = e.tenant_id
        WHERE e.id = $1 FOR UPDATE OF e`,
      [rawEventId],
    );
    const row = rows[0];
    if (!row || row.status !== 'received') {
      await client.query('COMMIT');
      return 'skipped';
    }
    let outcome: ProcessOutcome;
    if (row.tenant_status !== 'active' && !LIFECYCLE_EVENTS.has(row.type)) {
      // Kept, not dropped: released when the tenant connects or resumes.
      outcome = 'deferred';
    } else {
      const handler = DISPATCH_TABLE[row.type];
      if (handler) {
        await handler(
          { db: client, tenantId: row.tenant_id, afterCommit: (job) => followUps.push(job) },
          row.payload,
        );
      }
      outcome = handler ? 'processed' : 'ignored';
    }
    await client.query(
      `UPDATE raw_events SET status = $2::raw_event_status, attempts = attempts + 1, last_error = NULL,
              processed_at = CASE WHEN $2 = 'deferred' THEN NULL ELSE now() END
        WHERE id = $1`,
      [rawEventId, outcome],
    );
    await client.query('COMMIT');
    if (followUps.length > 0 && deps.followUp) {
      await deps
        .followUp(followUps)
        .catch((err: unknown) =>
          deps.logger.warn(
            { err, rawEventId },
            'follow-up jobs not queued; maintenance re-offers them',
          ),
        );
    }
    return outcome;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
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
