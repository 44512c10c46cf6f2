// Durable storage of incoming events with group commit: requests that arrive together share one
// multi-row INSERT, and each request is answered only after the statement holding its row has
// committed. Duplicates (same tenant + Stripe event id) are detected by the unique key, never by
// a read first. Enqueueing happens after the answer and may fail: the sweeper covers it.
import { AppError } from '../errors.ts';
import { isConnectionError, joinJsonTexts, jsonTexts, type Pool } from '../db.ts';
import type { Logger } from '../logger.ts';

export interface IncomingEvent {
  tenantId: string;
  stripeEventId: string;
  type: string;
  apiVersion: string | null;
  livemode: boolean;
  createdSeconds: number;
  /** The event JSON exactly as received (re-serialized only if it had to be sanitized). */
  payload: string;
  source: 'webhook_connect' | 'webhook_direct' | 'catchup' | 'replay';
  status: 'received' | 'ignored';
}

export interface RecordResult {
  rawEventId: number | null;
  duplicate: boolean;
}

interface Pending {
  event: IncomingEvent;
  resolve: (r: RecordResult) => void;
  reject: (e: unknown) => void;
}

const INSERT_SQL = `
  INSERT INTO raw_events (tenant_id, stripe_event_id, type, api_version, livemode,
                          stripe_created_at, payload, source, status)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bool[],
                       $6::timestamptz[], ${jsonTexts('$7', 'json')}, $8::raw_event_source[], $9::raw_event_status[])
  ON CONFLICT (tenant_id, stripe_event_id, stripe_created_at) DO NOTHING
  RETURNING id, tenant_id, stripe_event_id, status`;

export interface EventRecorderOptions {
  pool: Pool;
  logger: Logger;
  /** Called after commit with the ids of newly stored events to process. */
  onStored: (rawEventIds: number[]) => void;
  maxBatch?: number;
  maxInFlight?: number;
  /** Above this many waiting events, new ones are refused with 503 (Stripe retries). */
  maxPending?: number;
}

export class EventRecorder {
  private pending: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly maxPending: number;
  private idle: Array<() => void> = [];

  constructor(private readonly opts: EventRecorderOptions) {
    this.maxBatch = opts.maxBatch ?? 250;
    this.maxInFlight = opts.maxInFlight ?? 4;
    this.maxPending = opts.maxPending ?? 20000;
  }

  record(event: IncomingEvent): Promise<RecordResult> {
    if (this.pending.length >= this.maxPending) {
      return Promise.reject(
        new AppError(
          'storage_unavailable',
          'Too many events are waiting to be stored; retry later.',
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once nothing is waiting or being written (graceful shutdown). */
  drain(): Promise<void> {
    if (this.pending.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate lets requests parsed in the same tick join one batch.
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        if (this.pending.length > 0) this.pump();
        else if (this.inFlight === 0) this.idle.splice(0).forEach((fn) => fn());
      });
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    try {
      const stored = await this.insert(batch.map((p) => p.event));
      this.settle(batch, stored);
    } catch (err) {
      if (isConnectionError(err) || batch.length === 1) {
        this.failAll(batch, err);
        return;
      }
      // A data error in one row must not refuse its neighbours: retry them one by one.
      this.opts.logger.warn(
        { err, size: batch.length },
        'batch insert failed; retrying rows singly',
      );
      for (const item of batch) await this.flush([item]);
    }
  }

  private async insert(events: IncomingEvent[]) {
    // Sorted so concurrent batches take unique-index locks in the same order (no deadlocks).
    const sorted = [...events].sort((a, b) =>
      a.tenantId === b.tenantId
        ? a.stripeEventId.localeCompare(b.stripeEventId)
        : a.tenantId.localeCompare(b.tenantId),
    );
    const col = <K extends keyof IncomingEvent>(k: K) => sorted.map((e) => e[k]);
    const res = await this.opts.pool.query<{
      id: number;
      tenant_id: string;
      stripe_event_id: string;
      status: string;
    }>({
      name: 'insert-raw-events',
      text: INSERT_SQL,
      values: [
        col('tenantId'),
        col('stripeEventId'),
        col('type'),
        col('apiVersion'),
        col('livemode'),
        sorted.map((e) => new Date(e.createdSeconds * 1000).toISOString()),
        joinJsonTexts(col('payload')),
        col('source'),
        col('status'),
      ],
    });
    return res.rows;
  }

  private settle(
    batch: Pending[],
    rows: Array<{ id: number; tenant_id: string; stripe_event_id: string; status: string }>,
  ) {
    const byKey = new Map(rows.map((r) => [`${r.tenant_id}|${r.stripe_event_id}`, r]));
    const toProcess: number[] = [];
    for (const p of batch) {
      const key = `${p.event.tenantId}|${p.event.stripeEventId}`;
      const row = byKey.get(key);
      if (row) {
        byKey.delete(key); // a second copy in the same batch is a duplicate
        if (row.status === 'received') toProcess.push(row.id);
        p.resolve({ rawEventId: row.id, duplicate: false });
      } else {
        p.resolve({ rawEventId: null, duplicate: true });
      }
    }
    if (toProcess.length > 0) this.opts.onStored(toProcess);
  }

  private failAll(batch: Pending[], err: unknown) {
    const unavailable = isConnectionError(err);
    this.opts.logger.error({ err, size: batch.length }, 'could not store events');
    const error = unavailable
      ? new AppError(
          'storage_unavailable',
          'The event store is unavailable; retry later.',
          undefined,
          { cause: err },
        )
      : new AppError('invalid_payload', 'The event could not be stored as JSON.', undefined, {
          cause: err,
        });
    for (const p of batch) p.reject(error);
  }
}
