// The sweeper: Postgres is the source of truth, Redis only carries work. Any event committed
// but not handed to the queue (Redis was down, the process died between commit and enqueue) is
// enqueued here. `reconcile` also re-offers events that were enqueued long ago but are still
// unprocessed (Redis restarted without persistence and lost them); BullMQ ignores ids that
// still exist, so offering an event that is merely waiting is harmless.
import type { Logger } from '../logger.ts';
import { enqueueEvents, type EnqueueDeps } from './enqueue-events.ts';

const CHUNK = 1000;

export interface SweepResult {
  enqueued: number;
}

/** Events never enqueued, older than the grace period (so the fast path gets its chance). */
export async function sweepUnqueuedEvents(
  deps: EnqueueDeps,
  graceMs: number,
  limit = 10000,
): Promise<SweepResult> {
  let enqueued = 0;
  let after = 0;
  while (enqueued < limit) {
    const { rows } = await deps.pool.query<{ id: number }>(
      `SELECT id FROM raw_events
        WHERE status = 'received' AND enqueued_at IS NULL
          AND received_at < now() - make_interval(secs => $1::double precision / 1000) AND id > $2
        ORDER BY id LIMIT $3`,
      [graceMs, after, CHUNK],
    );
    if (rows.length === 0) break;
    await enqueueEvents(
      deps,
      rows.map((r) => r.id),
    );
    enqueued += rows.length;
    after = rows[rows.length - 1]!.id;
  }
  return { enqueued };
}

/** Every event still unprocessed after `olderThanMs`, whether or not it was enqueued once. */
export async function reconcileEvents(
  deps: EnqueueDeps,
  olderThanMs: number,
  limit = 100000,
): Promise<SweepResult> {
  let enqueued = 0;
  let after = 0;
  while (enqueued < limit) {
    const { rows } = await deps.pool.query<{ id: number }>(
      `SELECT id FROM raw_events
        WHERE status = 'received'
          AND received_at < now() - make_interval(secs => $1::double precision / 1000) AND id > $2
        ORDER BY id LIMIT $3`,
      [olderThanMs, after, CHUNK],
    );
    if (rows.length === 0) break;
    await enqueueEvents(
      deps,
      rows.map((r) => r.id),
    );
    enqueued += rows.length;
    after = rows[rows.length - 1]!.id;
  }
  return { enqueued };
}

/** Runs the sweep on an interval and the reconcile less often; never overlaps itself. */
export function startSweeper(
  deps: EnqueueDeps & { logger: Logger },
  opts: { intervalMs: number; graceMs: number; reconcileIntervalMs: number },
): { stop(): Promise<void>; runNow(): Promise<void>; afterReconnect(): void } {
  let running: Promise<void> | null = null;
  let lastReconcile = Date.now();
  let reconcileAll = false;
  let stopped = false;

  const tick = async () => {
    try {
      const swept = await sweepUnqueuedEvents(deps, opts.graceMs);
      if (swept.enqueued > 0)
        deps.logger.info(swept, 'sweeper enqueued events that were not queued');
      if (reconcileAll || Date.now() - lastReconcile >= opts.reconcileIntervalMs) {
        // After a reconnect Redis may have restarted empty: re-offer everything unprocessed.
        const olderThan = reconcileAll ? 0 : opts.reconcileIntervalMs;
        reconcileAll = false;
        lastReconcile = Date.now();
        const rec = await reconcileEvents(deps, olderThan);
        if (rec.enqueued > 0) deps.logger.info(rec, 'reconcile re-offered unprocessed events');
      }
    } catch (err) {
      // Redis or Postgres down: try again next interval; nothing is lost meanwhile.
      deps.logger.warn({ err: (err as Error).message }, 'sweep failed; will retry');
    }
  };
  const runNow = () => {
    running ??= tick().finally(() => (running = null));
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void runNow();
  }, opts.intervalMs);
  timer.unref();
  return {
    runNow,
    afterReconnect() {
      reconcileAll = true;
      void runNow();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
