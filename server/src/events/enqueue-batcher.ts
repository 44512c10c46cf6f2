// Gathers ids of newly stored events and hands them to the queue in bulk. BullMQ's per-call
// cost dominates small adds (measured: ~1.4 ms of CPU for a single add, ~0.1 ms per job in
// batches of 50), so the API enqueues at most every `maxDelayMs` (EVENTS_ENQUEUE_DELAY_MS) or
// every `maxBatch` ids. Each job is one processing transaction, so under load the delay also sets
// how many events share one: 40 ms took one worker from 4,391 to 4,757–4,804 events/s against 10 ms
// (docs/BENCHMARKS.md), at the cost of at most 40 ms more before an event is processed.
// Failures are logged, not retried here: the rows are committed and the sweeper offers them again.
import type { Logger } from '../logger.ts';
import { enqueueEventBatch, type EnqueueDeps } from './enqueue-events.ts';

export class EnqueueBatcher {
  private ids: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly deps: EnqueueDeps & { logger: Logger },
    private readonly opts: { maxDelayMs?: number; maxBatch?: number } = {},
  ) {}

  add(ids: number[]) {
    this.ids.push(...ids);
    if (this.ids.length >= (this.opts.maxBatch ?? 200)) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.opts.maxDelayMs ?? 40);
  }

  flush() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.ids.length === 0) return;
    const ids = this.ids;
    this.ids = [];
    const p = enqueueEventBatch(this.deps, ids)
      .catch((err: unknown) =>
        this.deps.logger.warn(
          { err: (err as Error).message, count: ids.length },
          'enqueue failed; the sweeper will offer them again',
        ),
      )
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Sends what is waiting and waits for every send to finish (graceful shutdown). */
  async drain() {
    this.flush();
    await Promise.all(this.inFlight);
  }
}
