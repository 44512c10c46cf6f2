// The sweeper: Postgres is the source of truth, Redis only carries work. Every event still
// `received` after a grace period is offered to the queue again: it was never enqueued (Redis was
// down, the API died between commit and enqueue), or Redis lost it (restarted without
// persistence). BullMQ ignores a job id that still exists, so offering an event that is merely
// waiting in a backlog costs one cheap no-op.
//
// Each pass covers at most `batchLimit` events and remembers where it stopped, so a large
// backlog is covered in turns instead of re-offering its oldest part forever.
//
// An event waiting inside a batch job (the API's fast path names many events under one random
// id) is not deduplicated by a re-offer: offered, it would get a second, single-event job, and a
// backlog older than the grace period (workers down for a minute, or slower than the API) would
// be re-offered 10,000 events a pass and processed one transaction per event instead of in
// batches. So a periodic pass offers only events received before the oldest job still waiting in
// the queue, or being processed, was made (less a margin for the clocks of the API and of
// Postgres): every event after that may be in such a job, and its turn comes when the queue
// reaches it. An event that was never enqueued waits, at most, for the backlog ahead of it — as
// long as if it had been.
// A job being processed counts: its events stay `received` until it commits, and the first
// attempt of one that fails is recorded only when it ends. Offered meanwhile, such an event got a
// second job with a retry budget of its own (5 attempts where the policy says 3, seen in CI when
// the first attempt outlasted the grace period).
import type { Queue } from 'bullmq';
import type { Logger } from '../logger.ts';
import { offerEvents, type EnqueueDeps } from './enqueue-events.ts';

const CHUNK = 1000;
/** How far before the oldest waiting job's creation an event must have been received. */
export const QUEUED_MARGIN_MS = 5000;

/** When the oldest job waiting in the queue or being processed was made (ms since the epoch). */
export async function oldestPendingJobAt(queue: Queue): Promise<number | null> {
  const jobs = await queue.getJobs(['active', 'waiting', 'paused', 'prioritized'], 0, 0, true);
  const times = jobs.filter((j) => j !== undefined).map((j) => j.timestamp);
  return times.length ? Math.min(...times) : null;
}

export interface SweepState {
  /** Resume after this raw event id; 0 starts from the oldest. */
  cursor: number;
}

export async function sweepEvents(
  deps: EnqueueDeps,
  state: SweepState,
  opts: {
    graceMs: number;
    batchLimit: number;
    includeRetrying?: boolean;
    /** Offer events in waiting jobs too (after Redis reconnects: it may have lost them). */
    ignoreQueued?: boolean;
  },
): Promise<{ offered: number }> {
  let offered = 0;
  const oldestQueued = opts.ignoreQueued ? null : await oldestPendingJobAt(deps.queue);
  const before = oldestQueued === null ? null : oldestQueued - QUEUED_MARGIN_MS;
  while (offered < opts.batchLimit) {
    const { rows } = await deps.pool.query<{ id: number }>(
      `SELECT id FROM raw_events
        WHERE status = 'received' AND id > $1
          AND received_at < now() - make_interval(secs => $2::double precision / 1000)
          AND ($5::double precision IS NULL OR received_at < to_timestamp($5::double precision / 1000))
          AND ($4 OR last_error IS NULL)
        ORDER BY id LIMIT $3`,
      [
        state.cursor,
        opts.graceMs,
        Math.min(CHUNK, opts.batchLimit - offered),
        opts.includeRetrying ?? false,
        before,
      ],
    );
    if (rows.length === 0) {
      state.cursor = 0; // reached the newest: the next pass starts over
      break;
    }
    await offerEvents(
      deps,
      rows.map((r) => r.id),
    );
    offered += rows.length;
    state.cursor = rows[rows.length - 1]!.id;
  }
  return { offered };
}

/** Runs the sweep on an interval, never overlapping itself. */
export function startSweeper(
  deps: EnqueueDeps & { logger: Logger },
  opts: { intervalMs: number; graceMs: number; batchLimit?: number },
): { stop(): Promise<void>; runNow(): Promise<void>; afterReconnect(): void } {
  const state: SweepState = { cursor: 0 };
  let running: Promise<void> | null = null;
  let stopped = false;
  let immediate = false;

  const tick = async () => {
    try {
      // Right after Redis (re)connects it may be empty: offer everything, without grace, including
      // events whose job was waiting to retry and those its waiting jobs name. Otherwise an event
      // with a recorded failure is left to the job retrying it (re-offering it would start a
      // second retry budget).
      const includeRetrying = immediate;
      const graceMs = immediate ? 0 : opts.graceMs;
      immediate = false;
      const { offered } = await sweepEvents(deps, state, {
        graceMs,
        includeRetrying,
        ignoreQueued: includeRetrying,
        batchLimit: opts.batchLimit ?? 10_000,
      });
      if (offered > 0)
        deps.logger.debug({ offered, cursor: state.cursor }, 'sweeper offered unprocessed events');
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
      state.cursor = 0;
      immediate = true;
      void runNow();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
