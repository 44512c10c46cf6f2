// Starts a tenant's backfill: one run, and per resource one window for everything older than the
// recent history plus one per month of it, so windows page in parallel and a run resumes window
// by window. Then queues the first windows (at most the per-tenant cap). A tenant with a running
// backfill keeps it (one running run per tenant, enforced by a unique index).
import { withTransaction, type Pool } from '../db.ts';
import type { Logger } from '../logger.ts';
import type { Queues } from '../queues.ts';
import { BACKFILL_RESOURCES } from './list-resources.ts';
import { queueNextWindows } from './queue-windows.ts';

export interface BackfillSettings {
  tenantConcurrency: number;
  pagesPerJob: number;
  historyMonths: number;
}

export function monthlyBoundaries(now: Date, months: number): Date[] {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months + 1, 1));
  const out: Date[] = [new Date(0), first];
  for (let i = 1; i < months; i++) {
    out.push(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + i, 1)));
  }
  // The last window ends a little in the future: objects created during the run are covered.
  out.push(new Date(now.getTime() + 3600_000));
  return out;
}

export async function planBackfill(
  deps: {
    pool: Pool;
    logger: Logger;
    queues: Pick<Queues, 'backfill'>;
    settings: BackfillSettings;
  },
  input: { tenantId: string; reason: string },
): Promise<{ runId: string; windows: number; created: boolean }> {
  const { runId, windows, created } = await withTransaction(deps.pool, async (client) => {
    const existing = await client.query<{ id: string }>(
      `SELECT id FROM backfill_runs WHERE tenant_id = $1 AND status = 'running'`,
      [input.tenantId],
    );
    if (existing.rows[0]) return { runId: existing.rows[0].id, windows: 0, created: false };
    const run = await client.query<{ id: string }>(
      `INSERT INTO backfill_runs (id, tenant_id, reason) VALUES (gen_random_uuid(), $1, $2) RETURNING id`,
      [input.tenantId, input.reason],
    );
    const id = run.rows[0]!.id;
    const bounds = monthlyBoundaries(new Date(), deps.settings.historyMonths);
    const resources: string[] = [];
    const starts: Date[] = [];
    const ends: Date[] = [];
    for (const [resource] of BACKFILL_RESOURCES) {
      for (let i = 0; i + 1 < bounds.length; i++) {
        resources.push(resource);
        starts.push(bounds[i]!);
        ends.push(bounds[i + 1]!);
      }
    }
    // Newest windows first: the merchant sees recent disputes soonest.
    await client.query(
      `INSERT INTO backfill_windows (run_id, tenant_id, resource, window_start, window_end)
       SELECT $1, $2, r, s, e FROM unnest($3::text[], $4::timestamptz[], $5::timestamptz[]) AS u(r, s, e)`,
      [id, input.tenantId, resources, starts, ends],
    );
    return { runId: id, windows: resources.length, created: true };
  });
  await queueNextWindows(deps, input.tenantId);
  if (created) deps.logger.info({ tenantId: input.tenantId, runId, windows }, 'backfill planned');
  return { runId, windows, created };
}
