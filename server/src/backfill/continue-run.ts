// What follows a window that ended (done, or its resource not permitted): the run succeeds if it
// was the last, and the tenant's next windows are queued. Each step is idempotent, so resuming a
// run is the same plus the queued windows' jobs offered again: when the worker that ended a window
// died before what follows (the window's job, re-run after the stall, finds it done), or a worker
// died between queueing a window and adding its job, or Redis lost the jobs (maintenance).
import type { Pool } from '../db.ts';
import type { Logger } from '../logger.ts';
import { backfillWindowJob, type Queues } from '../queues.ts';
import { queueNextWindows } from './queue-windows.ts';

export interface ContinueDeps {
  pool: Pool;
  logger: Logger;
  queues: Pick<Queues, 'backfill'>;
  settings: { tenantConcurrency: number };
}

interface RunRef {
  runId: string;
  tenantId: string;
}

export async function continueRun(deps: ContinueDeps, run: RunRef) {
  await finishIfComplete(deps, run.runId);
  await queueNextWindows(deps, run.tenantId);
}

/**
 * Picks a run up where a dead worker or a lost job left it. Not on the usual path: offered while
 * its slice runs, a window's next job would race that slice for a page.
 */
export async function resumeRun(deps: ContinueDeps, run: RunRef) {
  await offerQueuedWindows(deps, run.tenantId);
  await continueRun(deps, run);
}

async function finishIfComplete(deps: ContinueDeps, runId: string) {
  const { rowCount } = await deps.pool.query(
    `UPDATE backfill_runs SET status = 'succeeded', finished_at = now()
      WHERE id = $1 AND status = 'running'
        AND NOT EXISTS (SELECT 1 FROM backfill_windows WHERE run_id = $1
                         AND status NOT IN ('done', 'not_permitted'))`,
    [runId],
  );
  if (rowCount) deps.logger.info({ runId }, 'backfill succeeded');
}

/**
 * Offers the job of each of the tenant's queued windows again, under the id of its next slice
 * (the one its last slice queued): a no-op where that job exists, and the window's job back where
 * a worker died between queueing the window and adding its job. If the window's slice is running
 * meanwhile, the two race for its cursor and one stops (run-window.ts): one page fetched twice.
 */
async function offerQueuedWindows(deps: ContinueDeps, tenantId: string) {
  const { rows } = await deps.pool.query<{ id: string; pages: number }>(
    `SELECT w.id::text AS id, w.pages FROM backfill_windows w JOIN backfill_runs r ON r.id = w.run_id
      WHERE w.tenant_id = $1 AND w.status = 'queued' AND r.status = 'running'`,
    [tenantId],
  );
  for (const row of rows) {
    const windowId = Number(row.id);
    await deps.queues.backfill.add(
      backfillWindowJob.name,
      { windowId },
      { jobId: backfillWindowJob.jobId(windowId, row.pages) },
    );
  }
}
