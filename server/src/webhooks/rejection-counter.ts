// Counts rejected deliveries per tenant, endpoint, reason and hour. Counted in memory and written
// in one statement every few seconds, so a flood of bad requests costs no write per request.
import type { Pool } from '../db.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';

export interface Rejection {
  tenantId: string | null;
  endpoint: 'connect' | 'direct';
  reason: string;
}

export class RejectionCounter {
  private counts = new Map<string, { r: Rejection; hour: string; n: number; last: Date }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: {
      pool: Pool;
      logger: Logger;
      metrics?: Pick<Metrics, 'webhookRejected'>;
    },
  ) {}

  count(r: Rejection) {
    this.deps.metrics?.webhookRejected.inc({ endpoint: r.endpoint, reason: r.reason });
    const now = new Date();
    const hour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000).toISOString();
    const key = `${r.tenantId}|${r.endpoint}|${r.reason}|${hour}`;
    const entry = this.counts.get(key);
    if (entry) {
      entry.n++;
      entry.last = now;
    } else this.counts.set(key, { r, hour, n: 1, last: now });
  }

  start(intervalMs = 5000) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.counts.size === 0) return;
    const entries = [...this.counts.values()];
    this.counts.clear();
    try {
      await this.deps.pool.query(
        `INSERT INTO webhook_rejection_counts AS c (tenant_id, endpoint, reason, hour, count, last_at)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::int[], $6::timestamptz[])
         ON CONFLICT (tenant_id, endpoint, reason, hour)
         DO UPDATE SET count = c.count + EXCLUDED.count, last_at = GREATEST(c.last_at, EXCLUDED.last_at)`,
        [
          entries.map((e) => e.r.tenantId),
          entries.map((e) => e.r.endpoint),
          entries.map((e) => e.r.reason),
          entries.map((e) => e.hour),
          entries.map((e) => e.n),
          entries.map((e) => e.last),
        ],
      );
    } catch (err) {
      // Counters are diagnostics: put them back for the next flush rather than lose them.
      for (const e of entries) {
        const key = `${e.r.tenantId}|${e.r.endpoint}|${e.r.reason}|${e.hour}`;
        const cur = this.counts.get(key);
        if (cur) cur.n += e.n;
        else this.counts.set(key, e);
      }
      this.deps.logger.warn({ err }, 'could not write webhook rejection counters');
    }
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
