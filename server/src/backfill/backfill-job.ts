// The backfill queue's jobs: plan a tenant's run, or run a slice of one window.
import type { Job } from 'bullmq';
import { backfillJob, backfillWindowJob, catchUpJob, type Queues } from '../queues.ts';
import { catchUpEvents } from './catch-up-events.ts';
import { planBackfill, type BackfillSettings } from './plan-backfill.ts';
import { runBackfillWindow, type WindowDeps } from './run-window.ts';

export async function runBackfillJob(
  deps: WindowDeps & { settings: BackfillSettings; queues: Pick<Queues, 'backfill' | 'events'> },
  job: Job,
) {
  if (job.name === catchUpJob.name) {
    return catchUpEvents(deps, catchUpJob.payload.parse(job.data).tenantId);
  }
  if (job.name === backfillJob.name) {
    const data = backfillJob.payload.parse(job.data);
    return planBackfill(deps, { tenantId: data.tenantId, reason: data.reason });
  }
  const { windowId } = backfillWindowJob.payload.parse(job.data);
  return runBackfillWindow(deps, windowId);
}
