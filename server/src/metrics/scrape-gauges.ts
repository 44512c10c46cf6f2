// Gauges read when Prometheus scrapes (registered on the API's registry only, so one series per
// queue however many worker processes run): jobs per queue and state, the age of each queue's
// oldest waiting job, and the history imports under way (windows done of total, objects so far).
import { Gauge } from 'prom-client';
import type { Pool } from '../db.ts';
import { QUEUE_NAMES, type Queues } from '../queues.ts';
import type { Metrics } from './metrics.ts';
import type { ReadRouting } from '../read-routing.ts';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

export function registerScrapeGauges(
  metrics: Metrics,
  deps: { queues: Queues; pool: Pool; reads?: Pick<ReadRouting, 'status'> },
) {
  const registers = [metrics.registry];
  const keys = Object.keys(QUEUE_NAMES) as Array<keyof typeof QUEUE_NAMES>;
  // In cluster mode every API process reads the same queues: aggregate by taking one, not a sum.
  new Gauge({
    name: 'dd_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    aggregator: 'max',
    registers,
    async collect() {
      this.reset();
      await Promise.all(
        keys.map(async (key) => {
          const counts = await deps.queues[key].getJobCounts(...STATES);
          for (const state of STATES) this.set({ queue: key, state }, counts[state] ?? 0);
        }),
      );
    },
  });
  new Gauge({
    name: 'dd_queue_oldest_waiting_seconds',
    help: "Age of the queue's oldest waiting job (0 when none waits)",
    labelNames: ['queue'] as const,
    aggregator: 'max',
    registers,
    async collect() {
      const now = Date.now();
      await Promise.all(
        keys.map(async (key) => {
          const [oldest] = await deps.queues[key].getJobs(['waiting'], 0, 0, true);
          this.set({ queue: key }, oldest ? Math.max(0, (now - oldest.timestamp) / 1000) : 0);
        }),
      );
    },
  });
  // The read replica, as the last poll measured it (read-routing.ts); absent without one.
  const replica = deps.reads?.status();
  if (replica?.configured) {
    const gauge = (name: string, help: string, value: () => number | null) =>
      new Gauge({
        name,
        help,
        aggregator: 'max',
        registers,
        collect() {
          const v = value();
          if (v === null) this.reset();
          else this.set(v);
        },
      });
    const status = () => deps.reads!.status();
    gauge(
      'dd_db_replica_up',
      'Whether the read replica answers and is replaying (1) or not (0)',
      () => (status().up ? 1 : 0),
    );
    gauge(
      'dd_db_replica_lag_seconds',
      'How long the oldest write not yet replayed on the read replica has waited',
      () => status().lagSeconds,
    );
    gauge(
      'dd_db_replica_lag_bytes',
      'WAL written on the primary and not yet replayed on the read replica',
      () => status().lagBytes,
    );
  }
  // One query fills the four backfill gauges, when the first of them is collected in a scrape.
  let pending: Promise<void> | null = null;
  const collect = () =>
    (pending ??= readBackfill().finally(() => setTimeout(() => (pending = null))));
  const backfill = (name: string, help: string) =>
    new Gauge({ name, help, aggregator: 'max', registers, collect });
  const running = backfill('dd_backfill_runs_running', 'History imports under way');
  const windowsTotal = backfill(
    'dd_backfill_windows',
    'Windows (resource × time slice) of the imports under way',
  );
  const windowsDone = backfill(
    'dd_backfill_windows_done',
    'Windows finished of the imports under way',
  );
  const objects = backfill(
    'dd_backfill_objects_imported',
    'Objects stored so far by the imports under way',
  );
  async function readBackfill() {
    const { rows } = await deps.pool.query<{
      runs: number;
      windows: number;
      done: number;
      objects: string;
    }>(
      `SELECT count(DISTINCT r.id)::int AS runs, count(w.id)::int AS windows,
              count(w.id) FILTER (WHERE w.status = 'done')::int AS done,
              COALESCE(sum(w.objects), 0)::text AS objects
         FROM backfill_runs r LEFT JOIN backfill_windows w ON w.run_id = r.id
        WHERE r.status = 'running'`,
    );
    const r = rows[0]!;
    running.set(r.runs);
    windowsTotal.set(r.windows);
    windowsDone.set(r.done);
    objects.set(Number(r.objects));
  }
}
