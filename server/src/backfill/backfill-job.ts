// The backfill queue's jobs: plan a tenant's run, or run a slice of one window.
import type { Job } from 'bullmq';
import { backfillJob, backfillWindowJob } from '../queues.ts';
import { planBackfill, type BackfillSettings } from './plan-backfill.ts';
import { runBackfillWindow, type WindowDeps } from './run-window.ts';

export async function runBackfillJob(deps: WindowDeps & { settings: BackfillSettings }, job: Job) {
  if (job.name === backfillJob.name) {
    const data = backfillJob.payload.parse(job.data);
    return planBackfill(deps, { tenantId: data.tenantId, reason: data.reason });
  }
  const { windowId } = backfillWindowJob.payload.parse(job.data);
  return runBackfillWindow(deps, windowId);
}
