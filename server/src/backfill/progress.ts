// A tenant's backfill progress, per resource: objects stored, windows done of total, and an
// estimate of the total from the windows done so far. Read by the app and admin APIs.
import type { Pool } from '../db.ts';

export interface ResourceProgress {
  resource: string;
  objects: number;
  windowsDone: number;
  windowsTotal: number;
  failed: number;
  estimatedTotal: number | null;
  /** Stripe refused this list (403): the resource was skipped, in Stripe's words. */
  notPermitted: string | null;
}

export type BackfillProgress =
  | { status: 'not_started'; resources: ResourceProgress[] }
  | {
      runId: string;
      status: string;
      reason: string;
      error: string | null;
      startedAt: Date;
      finishedAt: Date | null;
      objects: number;
      windowsDone: number;
      windowsTotal: number;
      percent: number;
      resources: ResourceProgress[];
    };

export async function backfillProgress(pool: Pool, tenantId: string): Promise<BackfillProgress> {
  const run = await pool.query<{
    id: string;
    status: string;
    error: string | null;
    reason: string;
    started_at: Date;
    finished_at: Date | null;
  }>(
    `SELECT id, status, error, reason, started_at, finished_at FROM backfill_runs
      WHERE tenant_id = $1 ORDER BY started_at DESC LIMIT 1`,
    [tenantId],
  );
  const r = run.rows[0];
  if (!r) return { status: 'not_started', resources: [] };
  const { rows } = await pool.query<{
    resource: string;
    objects: number;
    done: number;
    total: number;
    failed: number;
    done_objects: number;
    not_permitted: string | null;
  }>(
    `SELECT resource, sum(objects)::int AS objects,
            count(*) FILTER (WHERE status IN ('done', 'not_permitted'))::int AS done, count(*)::int AS total,
            max(error) FILTER (WHERE status = 'not_permitted') AS not_permitted,
            count(*) FILTER (WHERE status = 'failed')::int AS failed,
            coalesce(sum(objects) FILTER (WHERE status = 'done'), 0)::int AS done_objects
       FROM backfill_windows WHERE run_id = $1 GROUP BY resource ORDER BY resource`,
    [r.id],
  );
  const resources: ResourceProgress[] = rows.map((x) => ({
    resource: x.resource,
    objects: x.objects,
    windowsDone: x.done,
    windowsTotal: x.total,
    failed: x.failed,
    notPermitted: x.not_permitted,
    estimatedTotal:
      x.done === x.total
        ? x.objects
        : x.done > 0
          ? Math.round(x.objects + (x.done_objects / x.done) * (x.total - x.done))
          : null,
  }));
  const objects = resources.reduce((a, x) => a + x.objects, 0);
  const windowsDone = resources.reduce((a, x) => a + x.windowsDone, 0);
  const windowsTotal = resources.reduce((a, x) => a + x.windowsTotal, 0);
  return {
    runId: r.id,
    status: r.status,
    reason: r.reason,
    error: r.error,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    objects,
    windowsDone,
    windowsTotal,
    percent: windowsTotal ? Math.floor((windowsDone / windowsTotal) * 100) : 0,
    resources,
  };
}
