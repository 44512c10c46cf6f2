// The process's Prometheus metrics, one registry per process (built in main.ts / worker.ts and
// passed to the code that counts). Counters are counted where things happen; queue and backfill
// gauges are read when scraped (scrape-gauges.ts). Names start with dd_; the `process` label says
// whether an API or a worker process answered. docs/OBSERVABILITY.md lists every series.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type MetricsProcess = 'api' | 'worker';

export function createMetrics(process: MetricsProcess) {
  const registry = new Registry();
  registry.setDefaultLabels({ process });
  collectDefaultMetrics({ register: registry, prefix: 'dd_' });
  const registers = [registry];
  return {
    registry,
    /** Webhook deliveries accepted (stored, or recognised as a duplicate). */
    webhookAccepted: new Counter({
      name: 'dd_webhook_accepted_total',
      help: 'Webhook deliveries accepted: stored (received or ignored type) or a duplicate',
      labelNames: ['endpoint', 'outcome'] as const,
      registers,
    }),
    /** Webhook deliveries refused, by reason (the same reasons as webhook_rejection_counts). */
    webhookRejected: new Counter({
      name: 'dd_webhook_rejected_total',
      help: 'Webhook deliveries refused, by reason',
      labelNames: ['endpoint', 'reason'] as const,
      registers,
    }),
    eventsProcessed: new Counter({
      name: 'dd_events_processed_total',
      help: 'Stored events processed by this worker, by outcome',
      labelNames: ['outcome'] as const,
      registers,
    }),
    /** From the event's job being queued (after its commit) to its processing commit. */
    processingLatency: new Histogram({
      name: 'dd_event_processing_latency_seconds',
      help: "Seconds from an event's job being queued to its processing being committed",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
      registers,
    }),
    notifications: new Counter({
      name: 'dd_notification_deliveries_total',
      help: 'Dispute notification delivery attempts, by outcome (delivered, retry, dead)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    backfillObjects: new Counter({
      name: 'dd_backfill_objects_total',
      help: 'Objects imported from Stripe list pages by history imports, by resource',
      labelNames: ['resource'] as const,
      registers,
    }),
    rateLimitWaits: new Counter({
      name: 'dd_stripe_rate_limit_waits_total',
      help: 'Stripe calls that waited for a slot of our own per-account rate limit',
      registers,
    }),
    rateLimitWaitSeconds: new Counter({
      name: 'dd_stripe_rate_limit_wait_seconds_total',
      help: 'Seconds Stripe calls spent waiting for our own per-account rate limit',
      registers,
    }),
    /** App reads by where they went and why (read-routing.ts). */
    reads: new Counter({
      name: 'dd_db_reads_total',
      help: 'App API reads by the database that served them (primary, replica) and why',
      labelNames: ['target', 'reason'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
